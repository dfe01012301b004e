r"""Many replicates of one parameter set, fast: a compiled whole-run kernel per replicate.

:func:`run_replicates` gives, for each seed ``s``, exactly what
``simulation.run(scenario, steps=..., seed=s)`` gives (same time series to
the last bit, same summary), from a numba-compiled kernel that runs every
month of a replicate in one call: no Python per step, no Mesa, no
``DataCollector``, no sparse-matrix rebuilding.

How "exactly the same" is guaranteed
------------------------------------
* Each replicate gets its own ``numpy.random.default_rng(seed)``, and uses it
  exactly as :class:`~simulation.model.TrustModel` does: the place is drawn
  from ``rng.spawn(1)``, the initial state by the same
  :func:`~simulation.setup.build_state`, the interventions by the same
  :func:`~simulation.model.start_interventions`; then the kernel draws, month
  by month, in the fast engine's order (meetings for every pair, openness for
  every edge, Poisson conflicts per pair, binomial resolutions per pair,
  altruism per edge, turnover per organisation, Beta traits of new leaders
  trait by trait and kind by kind, one uniform per introduction candidate in
  lexicographic order). Numba's ``Generator`` methods call numpy's own bit
  generator and port numpy's distribution algorithms, so the scalar draws
  equal numpy's array draws number for number.
* The arithmetic is written in the same order as the vectorised rules (no
  fast-math, so no reassociation or fused multiply-add). The two places where
  numpy's SIMD maths differs in the last bit from the C library (``expm1`` in
  the meeting and introduction probabilities) are computed by numpy outside
  the kernel: per pair, per pair of kinds and per number of shared partners.
* Means are summed with numpy's pairwise summation, re-implemented.

``tests/test_batch.py`` checks all this against ``simulation.run`` seed by
seed, with turnover, introductions and every intervention.

Ragged state: each replicate has its own arrays (replicates grow different
numbers of relationships); the kernel grows them by doubling when
introductions need room.

Examples
--------
>>> from simulation import Scenario, run
>>> sc = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10})
>>> batch = run_replicates(sc, seeds=[1, 2], steps=12)
>>> [r.timeseries.equals(run(sc, steps=12, seed=r.seed).timeseries) for r in batch]
[True, True]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from . import interventions as iv
from .kinds import TRAITS
from .model import start_interventions
from .outcomes import model_reporters, summarise_columns
from .place import Place
from .relationships import Relationships
from .runs import RunResult
from .scenario import Scenario, ScenarioError
from .setup import base_contact_rate, build_state, resolve_setup

try:  # numba is optional: without it the same kernel runs as (slow) Python
    import numba

    _njit = numba.njit(cache=True, nogil=True)
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False

    def _njit(f):
        return f


__all__ = ["run_replicates", "simulate_replicates", "HAVE_NUMBA", "OUTCOME_INT_COLUMNS"]

#: Time-series columns holding counts (the others are floats).
OUTCOME_INT_COLUMNS = ("conflicts_arisen", "conflicts_resolved", "conflicts_festering", "relationships")
_N_FIXED = 7  # mean_trust ... relationships, then one column per pair of kinds

# indices into the float parameter vector handed to the kernel
(_C0P, _CROSS, _RR, _AR, _PRESS, _CE, _OE, _WE, _RE, _FE, _AE, _ALPHA, _BETA, _BASE, _DRIFT, _TURN, _TLOSS,
 _THR, _IRATE, _ITRUST, _OB, _LD, _SHIFT, _ACTIVE, _NPAR) = range(25)


# ------------------------------------------------------------ uniform draws
# numpy's PCG64, inlined (not passed through helper functions: handing the Generator to a helper costs
# more than the draw): the kernel advances the generator's own 128-bit state in place (an array aliasing
# numpy's C struct), so draws equal numpy's and numba's distribution methods (rng.binomial, rng.beta, ...)
# continue from the same state. A self-check at first use falls back to ``rng.random()`` if the layout differs.
_M32 = np.uint64(0xFFFFFFFF)
_S32, _S11, _S58, _S63, _S64 = np.uint64(32), np.uint64(11), np.uint64(58), np.uint64(63), np.uint64(64)
_MUL_HI = np.uint64(2549297995355413924)
_MUL_LO = np.uint64(4865540595714422341)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)


@_njit
def _mulhi(a, b):
    a_lo, a_hi = a & _M32, a >> _S32
    b_lo, b_hi = b & _M32, b >> _S32
    ll, lh, hl, hh = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    mid = (ll >> _S32) + (lh & _M32) + (hl & _M32)
    return hh + (lh >> _S32) + (hl >> _S32) + (mid >> _S32)


@_njit
def _pcg_double(st):
    """``next_double`` of numpy's PCG64 on the state words ``[state_lo, state_hi, inc_lo, inc_hi]``."""
    lo, hi = st[0], st[1]
    plo = lo * _MUL_LO
    phi = _mulhi(lo, _MUL_LO) + hi * _MUL_LO + lo * _MUL_HI
    nlo = plo + st[2]
    nhi = phi + st[3] + (_ONE if nlo < plo else _ZERO)
    st[0] = nlo
    st[1] = nhi
    x = nhi ^ nlo
    rot = nhi >> _S58
    out = (x >> rot) | (x << ((_S64 - rot) & _S63))
    return float(out >> _S11) * (1.0 / 9007199254740992.0)


def _state_words(rng: np.random.Generator) -> np.ndarray | None:
    """A uint64[4] array aliasing the PCG64 state of ``rng`` (None if ``rng`` is not PCG64)."""
    import ctypes

    bg = rng.bit_generator
    if type(bg).__name__ != "PCG64":
        return None
    ptr = ctypes.c_void_p.from_address(bg.ctypes.state_address).value
    return np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_uint64)), shape=(4,))


@_njit
def _selfcheck_draws(rng, st, k):
    out = np.empty(3 * k)
    for i in range(k):
        out[3 * i] = _pcg_double(st)
        out[3 * i + 1] = rng.random()
        out[3 * i + 2] = rng.beta(2.0, 3.0) + rng.binomial(7, 0.3)
    return out


_FAST_UNIFORMS: bool | None = None


def _fast_uniforms() -> bool:
    """Whether the inlined PCG64 reproduces numpy here (checked once per process)."""
    global _FAST_UNIFORMS
    if _FAST_UNIFORMS is None:
        ok = False
        try:
            a, b = np.random.default_rng(12345), np.random.default_rng(12345)
            st = _state_words(a)
            if st is not None and HAVE_NUMBA:
                got = _selfcheck_draws(a, st, 64)
                want = np.empty(3 * 64)
                for i in range(64):
                    want[3 * i] = b.random()
                    want[3 * i + 1] = b.random()
                    want[3 * i + 2] = b.beta(2.0, 3.0) + b.binomial(7, 0.3)
                ok = bool(np.array_equal(got, want)) and a.random() == b.random()
        except Exception:  # pragma: no cover - any surprise: use the generator's own method
            ok = False
        _FAST_UNIFORMS = ok
    return _FAST_UNIFORMS


# --------------------------------------------------------------------- kernel
@_njit
def _block_sum(a, lo, n):
    """numpy's pairwise-summation leaf: at most 128 values, eight accumulators."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    m = n - n % 8
    i = 8
    while i < m:
        k = lo + i
        r0 += a[k]
        r1 += a[k + 1]
        r2 += a[k + 2]
        r3 += a[k + 3]
        r4 += a[k + 4]
        r5 += a[k + 5]
        r6 += a[k + 6]
        r7 += a[k + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_njit
def _pairwise_sum(a, lo, n):
    """numpy's pairwise summation (``np.add.reduce`` on a contiguous float64 array), bit for bit.

    numpy recurses (halves rounded down to a multiple of 8, down to blocks of
    at most 128); here the same tree is walked with an explicit stack.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    s_lo = np.empty(64, dtype=np.int64)
    s_n = np.empty(64, dtype=np.int64)
    s_left = np.empty(64)
    s_stage = np.zeros(64, dtype=np.int64)
    top = 0
    s_lo[0], s_n[0], s_stage[0] = lo, n, 0
    value = 0.0
    while True:
        cn = s_n[top]
        if cn <= 128:
            value = _block_sum(a, s_lo[top], cn)
            top -= 1
        elif s_stage[top] == 0:  # descend left
            n2 = cn // 2
            n2 -= n2 % 8
            s_stage[top] = 1
            s_lo[top + 1], s_n[top + 1], s_stage[top + 1] = s_lo[top], n2, 0
            top += 1
            continue
        # deliver value to the parent frames
        while top >= 0:
            if s_stage[top] == 1:  # left done: keep it, descend right
                s_left[top] = value
                n2 = s_n[top] // 2
                n2 -= n2 % 8
                s_stage[top] = 2
                s_lo[top + 1], s_n[top + 1], s_stage[top + 1] = s_lo[top] + n2, s_n[top] - n2, 0
                top += 1
                break
            value = s_left[top] + value  # right done
            top -= 1
        if top < 0:
            return value


@_njit
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@_njit
def _record(out, row, pairs, trust, backlog, n_pairs, n, arisen, resolved, thr, pcol, buf):

    """One row of outcomes, as :func:`simulation.outcomes.collect_outcomes` computes them."""
    ne = 2 * n_pairs
    out[row, 0] = _pairwise_sum(trust, 0, ne) / ne if ne > 0 else np.nan
    parent = np.arange(n)
    count = 0
    for p in range(n_pairs):
        a, b = trust[2 * p], trust[2 * p + 1]
        if min(a, b) >= thr:
            count += 1
            ra, rb = _find(parent, pairs[p, 0]), _find(parent, pairs[p, 1])
            if ra != rb:
                parent[ra] = rb
    out[row, 1] = count / n_pairs if n_pairs > 0 else 0.0
    if count == 0:
        out[row, 2] = 0.0
    else:
        size = np.zeros(n, dtype=np.int64)
        for i in range(n):
            size[_find(parent, i)] += 1
        out[row, 2] = size.max() / n
    out[row, 3] = arisen
    out[row, 4] = resolved
    out[row, 5] = backlog[:n_pairs].sum()
    out[row, 6] = n_pairs
    # mean trust per pair of kinds: gather each column's edges in edge order, then pairwise sum
    ncol = out.shape[1]
    start = np.zeros(ncol + 1, dtype=np.int64)
    for p in range(n_pairs):
        start[pcol[p] + 1] += 2
    for c in range(ncol):
        start[c + 1] += start[c]
    fill = start[:ncol].copy()
    for p in range(n_pairs):
        c = pcol[p]
        m = fill[c]
        buf[m] = trust[2 * p]
        buf[m + 1] = trust[2 * p + 1]
        fill[c] = m + 2
    for c in range(_N_FIXED, ncol):
        m = start[c + 1] - start[c]
        out[row, c] = _pairwise_sum(buf, start[c], m) / m if m > 0 else np.nan


_DENSE_MAX = 1024  # places up to this size count common partners in a dense n x n table


@_njit
def _intro_dense(pairs, n_pairs, n, deg, adj, c):
    """:func:`_intro_candidates` for small places: every partner ``m`` adds 1 to ``C[a, b]`` for each two of its
    partners ``a < b``; existing pairs are cleared; a row-major scan gives the lexicographic order.
    ``c`` is an all-zero ``(n, n)`` scratch table, left all zero again."""
    rowmax = np.full(n, -1, dtype=np.int64)
    touched = 0
    for m in range(n):
        for x in range(deg[m], deg[m + 1]):
            a = adj[x]
            for y in range(x + 1, deg[m + 1]):
                b = adj[y]
                if a > b:
                    a, b = b, a
                if c[a, b] == 0:
                    touched += 1
                    if b > rowmax[a]:
                        rowmax[a] = b
                c[a, b] += 1
                a = adj[x]
    for p in range(n_pairs):
        c[pairs[p, 0], pairs[p, 1]] = 0
    ci = np.empty(touched, dtype=np.int64)
    cj = np.empty(touched, dtype=np.int64)
    cc = np.empty(touched, dtype=np.int64)
    k = 0
    for i in range(n):
        for j in range(i + 1, rowmax[i] + 1):
            if c[i, j] > 0:
                ci[k] = i
                cj[k] = j
                cc[k] = c[i, j]
                k += 1
            c[i, j] = 0
    return ci[:k], cj[:k], cc[:k]


@_njit
def _intro_candidates(pairs, trust, n_pairs, n, thr, scratch):
    """Unconnected pairs ``i < j`` with partners in common, lexicographic, and how many they share.

    Partnership adjacency ``A`` (mutual trust >= ``thr``); counts are
    ``(A @ A)_ij``, computed row by row (Gustavson) without forming the
    product; pairs already related are skipped. Nothing with fewer than two
    partnerships. Same result as :func:`simulation.model.introduction_candidates`.
    """
    deg = np.zeros(n + 1, dtype=np.int64)
    alldeg = np.zeros(n + 1, dtype=np.int64)
    n_part = 0
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        alldeg[i + 1] += 1
        alldeg[j + 1] += 1
        if min(trust[2 * p], trust[2 * p + 1]) >= thr:
            deg[i + 1] += 1
            deg[j + 1] += 1
            n_part += 1
    if n_part < 2:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    for i in range(n):
        deg[i + 1] += deg[i]
        alldeg[i + 1] += alldeg[i]
    adj = np.empty(deg[n], dtype=np.int64)
    fill = deg[:n].copy()
    if n <= _DENSE_MAX:
        for p in range(n_pairs):
            if min(trust[2 * p], trust[2 * p + 1]) >= thr:
                i, j = pairs[p, 0], pairs[p, 1]
                adj[fill[i]] = j
                fill[i] += 1
                adj[fill[j]] = i
                fill[j] += 1
        if scratch.shape[0] != n:
            scratch = np.zeros((n, n), dtype=np.int32)
        return _intro_dense(pairs, n_pairs, n, deg, adj, scratch)
    alladj = np.empty(alldeg[n], dtype=np.int64)
    allfill = alldeg[:n].copy()
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        alladj[allfill[i]] = j
        allfill[i] += 1
        alladj[allfill[j]] = i
        allfill[j] += 1
        if min(trust[2 * p], trust[2 * p + 1]) >= thr:
            adj[fill[i]] = j
            fill[i] += 1
            adj[fill[j]] = i
            fill[j] += 1
    stamp_e = np.full(n, -1, dtype=np.int64)
    stamp_c = np.full(n, -1, dtype=np.int64)
    cnt = np.zeros(n, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    cap = 64
    ci = np.empty(cap, dtype=np.int64)
    cj = np.empty(cap, dtype=np.int64)
    cc = np.empty(cap, dtype=np.int64)
    k = 0
    for i in range(n):
        nt = 0
        for x in range(deg[i], deg[i + 1]):
            m = adj[x]
            for y in range(deg[m], deg[m + 1]):
                j = adj[y]
                if j > i:
                    if stamp_c[j] != i:
                        stamp_c[j] = i
                        cnt[j] = 0
                        touched[nt] = j
                        nt += 1
                    cnt[j] += 1
        if nt == 0:
            continue
        for x in range(alldeg[i], alldeg[i + 1]):
            stamp_e[alladj[x]] = i
        if nt <= 32:  # insertion sort in place (rows are short); no allocation
            for x in range(1, nt):
                v = touched[x]
                y = x - 1
                while y >= 0 and touched[y] > v:
                    touched[y + 1] = touched[y]
                    y -= 1
                touched[y + 1] = v
        else:
            touched[:nt].sort()
        for x in range(nt):
            j = touched[x]
            if stamp_e[j] == i:
                continue
            if k == cap:
                cap *= 2
                ci2 = np.empty(cap, dtype=np.int64)
                cj2 = np.empty(cap, dtype=np.int64)
                cc2 = np.empty(cap, dtype=np.int64)
                ci2[:k] = ci
                cj2[:k] = cj
                cc2[:k] = cc
                ci, cj, cc = ci2, cj2, cc2
            ci[k] = i
            cj[k] = j
            cc[k] = cnt[j]
            k += 1
    return ci[:k].copy(), cj[:k].copy(), cc[:k].copy()


@_njit
def _largest_component(pairs, trust, n_pairs, n, thr):
    """Size of the largest connected component of the partnership graph (0 if there is no partnership)."""
    parent = np.arange(n)
    count = 0
    for p in range(n_pairs):
        if min(trust[2 * p], trust[2 * p + 1]) >= thr:
            count += 1
            ra, rb = _find(parent, pairs[p, 0]), _find(parent, pairs[p, 1])
            if ra != rb:
                parent[ra] = rb
    if count == 0:
        return 0
    size = np.zeros(n, dtype=np.int64)
    for i in range(n):
        size[_find(parent, i)] += 1
    return size.max()


@_njit
def _grow(pairs, trust, contact, pmeet, backlog, need):
    cap = max(need, 2 * pairs.shape[0], 16)
    p2 = np.empty((cap, 2), dtype=np.int64)
    t2 = np.empty(2 * cap)
    c2 = np.empty(cap)
    m2 = np.empty(cap)
    b2 = np.zeros(cap, dtype=np.int64)
    k = pairs.shape[0]
    p2[:k] = pairs
    t2[: 2 * k] = trust
    c2[:k] = contact
    m2[:k] = pmeet
    b2[:k] = backlog
    return p2, t2, c2, m2, b2


@_njit
def _simulate(rng, st, fast, first_step, last_step, out, pairs, trust, contact, pmeet, backlog, n_pairs, kind, sector,
              raw, eff, members, beta_ab, contact_kind, pmeet_kind, intro_table, colmap, prm, capacity):
    """Months ``first_step .. last_step`` (inclusive) of one replicate; row ``s`` of ``out`` gets month ``s``.

    ``raw`` and ``eff`` are ``(4, N)`` traits (rows in the order of
    ``TRAITS``). Returns the (possibly regrown) pair arrays and the count.
    """
    n = kind.shape[0]
    active = prm[_ACTIVE] > 0.5
    buf = np.empty(2 * pairs.shape[0] + 2)
    leaving = np.zeros(n, dtype=np.bool_)
    leavers = np.empty(n, dtype=np.int64)
    lam = np.empty(pairs.shape[0])  # per-pair conflict rate and exp(-rate), valid for pairs < n_lam
    enlam = np.empty(pairs.shape[0])
    n_lam = 0
    cap = pairs.shape[0]  # scratch arrays, reused from month to month
    met = np.empty(cap, dtype=np.bool_)
    shared = np.empty(2 * cap, dtype=np.bool_)
    helped = np.empty(2 * cap, dtype=np.bool_)
    arisen = np.empty(cap, dtype=np.int64)
    resolved = np.empty(cap, dtype=np.int64)
    altp = np.empty(n)
    pcol = np.empty(pairs.shape[0], dtype=np.int64)
    n_col = 0
    scratch = np.zeros((n, n) if n <= _DENSE_MAX else (0, 0), dtype=np.int32)
    for step in range(first_step, last_step + 1):
        P = n_pairs
        if pairs.shape[0] > cap:
            cap = pairs.shape[0]
            met = np.empty(cap, dtype=np.bool_)
            shared = np.empty(2 * cap, dtype=np.bool_)
            helped = np.empty(2 * cap, dtype=np.bool_)
            arisen = np.empty(cap, dtype=np.int64)
            resolved = np.empty(cap, dtype=np.int64)
        for p in range(P):
            met[p] = (_pcg_double(st) if fast else rng.random()) < pmeet[p]
        for p in range(P):
            shared[2 * p] = (_pcg_double(st) if fast else rng.random()) < eff[0, pairs[p, 1]]
            shared[2 * p + 1] = (_pcg_double(st) if fast else rng.random()) < eff[0, pairs[p, 0]]
        tot_arisen = 0
        if lam.shape[0] < P:
            lam2 = np.empty(pairs.shape[0])
            enlam2 = np.empty(pairs.shape[0])
            lam2[:n_lam] = lam[:n_lam]
            enlam2[:n_lam] = enlam[:n_lam]
            lam, enlam = lam2, enlam2
        for p in range(n_lam, P):  # conflict rates change only with new pairs and new leaders
            i, j = pairs[p, 0], pairs[p, 1]
            rate = prm[_C0P] * (eff[3, i] + eff[3, j])
            rate = rate * prm[_CROSS] if sector[i] != sector[j] else rate * 1.0
            lam[p] = rate
            enlam[p] = np.exp(-rate)
        n_lam = P
        for p in range(P):  # rng.poisson(lam): numpy's multiplication method below 10, exp(-lam) cached
            x = 0
            if lam[p] >= 10:
                x = rng.poisson(lam[p])
            elif lam[p] > 0:
                prod = 1.0
                while True:
                    prod *= _pcg_double(st) if fast else rng.random()
                    if prod > enlam[p]:
                        x += 1
                    else:
                        break
            arisen[p] = x
            tot_arisen += x
        tot_resolved = 0
        rr = prm[_RR] * 0.5
        for p in range(P):
            i, j = pairs[p, 0], pairs[p, 1]
            open_c = backlog[p] + arisen[p]
            prob = rr * ((eff[1, i] + eff[1, j]) / 2 + (trust[2 * p] + trust[2 * p + 1]) / 2) if met[p] else 0.0
            r = rng.binomial(open_c, prob) if open_c > 0 and prob != 0.0 else 0  # numpy: no draw either
            resolved[p] = r
            tot_resolved += r
            backlog[p] = open_c - resolved[p]
        for i in range(n):  # the altruism probability depends only on the partner
            altp[i] = prm[_AR] * eff[2, i] * (1.0 - prm[_PRESS] * eff[3, i])
        for e in range(2 * P):
            u = _pcg_double(st) if fast else rng.random()
            helped[e] = met[e // 2] & (u < altp[pairs[e // 2, 1 - (e & 1)]])
        ce, oe, we, re_, fe, ae = prm[_CE], prm[_OE], prm[_WE], prm[_RE], prm[_FE], prm[_AE]
        alpha, beta, base, drift = prm[_ALPHA], prm[_BETA], prm[_BASE], prm[_DRIFT]
        for e in range(2 * P):
            p = e // 2
            m = np.float64(met[p])  # branch-free: met, shared and helped are coin flips
            s = np.float64(shared[e])
            h = np.float64(helped[e])
            good = m * (ce + oe * s) + re_ * resolved[p] + ae * h
            bad = m * we * (1.0 - s) + fe * backlog[p]
            good = min(good, 1.0)
            bad = min(bad, 1.0)
            t = trust[e]
            t = t + alpha * (1.0 - t) * good - beta * t * bad
            # drift without contact: t + drift * (base - t); with contact the added term is exactly 0
            trust[e] = t + ((1.0 - m) * drift) * (base - t)
        # turnover
        n_leave = 0
        for i in range(n):
            leaving[i] = (_pcg_double(st) if fast else rng.random()) < prm[_TURN]
            if leaving[i]:
                leavers[n_leave] = i
                n_leave += 1
        any_leave = n_leave > 0
        if any_leave:
            loss = prm[_TLOSS]
            for p in range(P):
                if leaving[pairs[p, 0]] or leaving[pairs[p, 1]]:
                    t = trust[2 * p]
                    trust[2 * p] = t + loss * (base - t)
                    t = trust[2 * p + 1]
                    trust[2 * p + 1] = t + loss * (base - t)
            nk = beta_ab.shape[0]
            for tr in range(4):  # trait by trait, kind by kind, leavers in index order (as the fast engine)
                for k in range(nk):
                    for x in range(n_leave):
                        i = leavers[x]
                        if kind[i] == k:
                            raw[tr, i] = rng.beta(beta_ab[k, tr, 0], beta_ab[k, tr, 1])
            for p in range(min(n_lam, P)):
                i, j = pairs[p, 0], pairs[p, 1]
                if leaving[i] or leaving[j]:
                    lam[p] = -1.0  # marked: recomputed below, after the new traits are in
            for i in range(n):
                if leaving[i]:
                    if active:
                        eff[0, i] = raw[0, i] + prm[_OB] * (1 - raw[0, i])
                        eff[1, i] = raw[1, i] + prm[_LD] * (1 - raw[1, i])
                        eff[2, i] = raw[2, i]
                        eff[3, i] = raw[3, i] * (1 - prm[_SHIFT] * (1.0 if members[i] else 0.0))
                    else:
                        for tr in range(4):
                            eff[tr, i] = raw[tr, i]
        if any_leave:
            for p in range(min(n_lam, P)):
                if lam[p] < 0:
                    i, j = pairs[p, 0], pairs[p, 1]
                    rate = prm[_C0P] * (eff[3, i] + eff[3, j])
                    rate = rate * prm[_CROSS] if sector[i] != sector[j] else rate * 1.0
                    lam[p] = rate
                    enlam[p] = np.exp(-rate)
        # introductions: one draw per candidate, in lexicographic order of (i, j)
        if prm[_IRATE] > 0:
            ci, cj, cc = _intro_candidates(pairs, trust, P, n, prm[_THR], scratch)
            degree = np.zeros(n, dtype=np.int64)  # room is counted at the start of the introductions
            for p in range(P):
                degree[pairs[p, 0]] += 1
                degree[pairs[p, 1]] += 1
            n_new = 0
            for q in range(ci.shape[0]):
                if degree[ci[q]] >= capacity[ci[q]] or degree[cj[q]] >= capacity[cj[q]]:
                    continue  # no room: no draw, as the model filters before drawing
                if (_pcg_double(st) if fast else rng.random()) < intro_table[cc[q]]:
                    ci[n_new] = ci[q]  # compact the chosen in place (q >= n_new)
                    cj[n_new] = cj[q]
                    n_new += 1
            if n_new > 0:
                if P + n_new > pairs.shape[0]:
                    pairs, trust, contact, pmeet, backlog = _grow(pairs, trust, contact, pmeet, backlog, P + n_new)
                    buf = np.empty(2 * pairs.shape[0] + 2)
                for q in range(n_new):
                    i, j = ci[q], cj[q]
                    p = P + q
                    pairs[p, 0] = i
                    pairs[p, 1] = j
                    trust[2 * p] = prm[_ITRUST]
                    trust[2 * p + 1] = prm[_ITRUST]
                    contact[p] = contact_kind[kind[i], kind[j]]
                    pmeet[p] = pmeet_kind[kind[i], kind[j]]
                    backlog[p] = 0
                n_pairs = P + n_new
        if pcol.shape[0] < n_pairs:
            pcol2 = np.empty(pairs.shape[0], dtype=np.int64)
            pcol2[:n_col] = pcol[:n_col]
            pcol = pcol2
        for p in range(n_col, n_pairs):  # column of each pair's kinds, computed once per pair
            pcol[p] = colmap[kind[pairs[p, 0]], kind[pairs[p, 1]]]
        n_col = n_pairs
        _record(out, step, pairs, trust, backlog, n_pairs, n, tot_arisen, tot_resolved, prm[_THR], pcol, buf)
    return pairs, trust, contact, pmeet, backlog, n_pairs


@_njit
def _record_only(out, row, pairs, trust, backlog, n_pairs, n, thr, colmap, kind):
    buf = np.empty(2 * n_pairs + 2)
    pcol = np.empty(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        pcol[p] = colmap[kind[pairs[p, 0]], kind[pairs[p, 1]]]
    _record(out, row, pairs, trust, backlog, n_pairs, n, 0, 0, thr, pcol, buf)


# --------------------------------------------------------------------- driver
class _Replicate:
    """One replicate's arrays between kernel calls (capacity-padded pair arrays)."""

    def __init__(self, scenario: Scenario, place: Place | None, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        _, self.place = resolve_setup(scenario, place, {}, self.rng)
        place = self.place
        self.leaders, rel = build_state(scenario, place, self.rng)
        self.raw = np.array([self.leaders.raw[t] for t in TRAITS])
        self.eff = self.raw.copy()
        self.leaders.raw = {t: self.raw[k] for k, t in enumerate(TRAITS)}  # views: Python and kernel share
        self.members = np.zeros(self.leaders.n, dtype=bool)
        self._load(rel)

    def _load(self, rel: Relationships) -> None:
        p = rel.n_pairs
        cap = max(16, 2 * p)
        self.pairs = np.zeros((cap, 2), dtype=np.int64)
        self.pairs[:p] = rel.pairs
        self.trust = np.zeros(2 * cap)
        self.trust[: 2 * p] = rel.trust
        self.contact = np.zeros(cap)
        self.contact[:p] = rel.contact_rate
        self.pmeet = np.zeros(cap)
        self.pmeet[:p] = -np.expm1(-np.asarray(rel.contact_rate, dtype=float))  # as rules.meeting_probability
        self.backlog = np.zeros(cap, dtype=np.int64)
        self.backlog[:p] = rel.backlog
        self.n_pairs = p

    def relationships(self) -> Relationships:
        """The current relationships as a :class:`Relationships` (copies)."""
        p = self.n_pairs
        rel = Relationships.from_pairs(self.pairs[:p].copy(), self.trust[: 2 * p].copy(), self.contact[:p].copy())
        rel.backlog = self.backlog[:p].copy()
        return rel

    def start_interventions(self, params) -> None:
        """As :meth:`TrustModel._start_interventions` (only ever before any shared role or board tie exists)."""
        rel = self.relationships()
        start_interventions(params, rel, self.leaders, self.rng)
        self.members = iv.shared_role_members(rel, self.leaders.n)
        traits = iv.effective_traits(self.leaders.raw, params, True, self.members)
        self.eff = np.array([traits[t] for t in TRAITS])
        self._load(rel)


def _kernel_tables(scenario: Scenario, rep: _Replicate):
    """Per-kind tables computed by numpy (so the kernel never evaluates expm1 itself)."""
    leaders = rep.leaders
    kinds = [scenario.kinds[k] for k in leaders.kind_names]
    nk = len(kinds)
    beta_ab = np.array([[[k.trait(t).a, k.trait(t).b] for t in TRAITS] for k in kinds], dtype=float)
    w = np.array([k.contact_weight for k in kinds])
    ki, kj = np.meshgrid(np.arange(nk), np.arange(nk), indexing="ij")
    probe = type(leaders)(kind=np.arange(nk), kind_names=leaders.kind_names, sector=np.zeros(nk, dtype=np.int64),
                          statutory=np.zeros(nk, dtype=bool), contact_weight=w,
                          raw={t: np.zeros(nk) for t in TRAITS})
    contact_kind = base_contact_rate(scenario, probe, np.column_stack([ki.ravel(), kj.ravel()])).reshape(nk, nk)
    pmeet_kind = -np.expm1(-contact_kind)
    q = scenario.introduction_rate
    counts = np.arange(leaders.n + 1, dtype=float)
    intro = -np.expm1(counts * np.log1p(-q)) if q < 1 else (counts > 0) * 1.0
    names = sorted(set(leaders.kind_names))
    columns = list(model_reporters(leaders.kind_names))
    colmap = np.empty((nk, nk), dtype=np.int64)
    for a in range(nk):
        for b in range(nk):
            x, y = sorted((names.index(leaders.kind_names[a]), names.index(leaders.kind_names[b])))
            colmap[a, b] = columns.index(f"trust:{names[x]}-{names[y]}")
    return beta_ab, contact_kind, pmeet_kind, np.ascontiguousarray(intro, dtype=float), colmap, columns


def _params_vector(p, active: bool) -> np.ndarray:
    commitment = p["long_term_commitment"] if active else 0.0
    pressure = iv.effective_pressure(p, active)
    v = np.zeros(_NPAR)
    v[_C0P] = p["conflict_rate"] * (0.5 + pressure)
    v[_CROSS] = p["cross_sector_conflict"]
    v[_RR] = p["resolution_rate"]
    v[_AR] = p["altruism_rate"]
    v[_PRESS] = pressure
    v[_CE], v[_OE], v[_WE] = p["contact_evidence"], p["openness_evidence"], p["withholding_evidence"]
    v[_RE], v[_AE] = p["resolution_evidence"], p["altruism_evidence"]
    v[_FE] = p["festering_evidence"] * (1 - commitment)
    v[_ALPHA] = p["gain_rate"]
    v[_BETA] = p["gain_rate"] * p["negativity_bias"]
    v[_BASE] = p["baseline_trust"]
    v[_DRIFT] = p["drift_rate"] * (1 - commitment)
    v[_TURN], v[_TLOSS] = p["turnover_rate"], p["turnover_trust_loss"]
    v[_THR], v[_IRATE], v[_ITRUST] = p["partnership_threshold"], p["introduction_rate"], p["introduction_trust"]
    v[_OB], v[_LD], v[_SHIFT] = p["open_book"], p["leadership_development"], p["shared_role_focus_shift"]
    v[_ACTIVE] = 1.0 if active else 0.0
    return v


def _run_one(scenario: Scenario, place: Place | None, seed: int, steps: int, cache: dict | None = None):
    rep = _Replicate(scenario, place, seed)
    p = scenario.params
    key = (tuple(rep.leaders.kind_names), rep.leaders.n)
    tables = cache.get(key) if cache is not None else None
    if tables is None:
        tables = _kernel_tables(scenario, rep)
        if cache is not None:
            cache[key] = tables
    beta_ab, contact_kind, pmeet_kind, intro, colmap, columns = tables
    out = np.zeros((steps + 1, len(columns)))
    start = p["intervention_start"]
    active = start == 0
    if active:
        rep.start_interventions(p)
    leaders = rep.leaders
    kind = np.ascontiguousarray(leaders.kind, dtype=np.int64)
    sector = np.ascontiguousarray(leaders.sector, dtype=np.int64)
    _record_only(out, 0, rep.pairs, rep.trust, rep.backlog, rep.n_pairs, leaders.n, p["partnership_threshold"],
                 colmap, kind)
    # phases: months before the interventions start, then the rest (the model starts them at month start + 1)
    phases = [(1, steps, active)] if active else [(1, min(start, steps), False), (start + 1, steps, True)]
    for first, last, on in phases:
        if first > last:
            continue
        if on and not active:
            rep.start_interventions(p)
            active = True
        st = _state_words(rep.rng)
        fast = st is not None and _fast_uniforms()
        if st is None:
            st = np.zeros(4, dtype=np.uint64)
        state = _simulate(rep.rng, st, fast, first, last, out, rep.pairs, rep.trust, rep.contact, rep.pmeet,
                          rep.backlog,
                          rep.n_pairs, kind, sector, rep.raw, rep.eff, rep.members, beta_ab, contact_kind,
                          pmeet_kind, intro, colmap, _params_vector(p, on),
                          np.ascontiguousarray(leaders.capacity, dtype=np.int64))
        rep.pairs, rep.trust, rep.contact, rep.pmeet, rep.backlog, rep.n_pairs = state
    return out, columns


def _frame(out: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    data = {c: (out[:, k].astype(np.int64) if c in OUTCOME_INT_COLUMNS else out[:, k]) for k, c in enumerate(columns)}
    df = pd.DataFrame(data)
    df.index.name = "step"
    return df


def _check(seeds: Iterable[int], steps: int) -> list[int]:
    seeds = list(seeds)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
            raise ScenarioError(f"seed = {s!r} is out of range: expected an integer >= 0")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ScenarioError(f"steps = {steps!r} is out of range: expected an integer >= 0")
    return [int(s) for s in seeds]


def _simulate_chunk(scenario: Scenario, place: Place | None, seeds: list[int], steps: int):
    outs, columns, cache = [], [], {}
    enabled = gc.isenabled()
    gc.disable()  # many short-lived containers, no cycles: the collector's passes cost ~10 %
    try:
        for s in seeds:
            out, columns = _run_one(scenario, place, s, steps, cache)
            outs.append(out)
    finally:
        if enabled:
            gc.enable()
    return np.stack(outs) if outs else np.zeros((0, steps + 1, 0)), columns


def simulate_replicates(
    scenario: Scenario | None = None,
    seeds: Iterable[int] = range(10),
    steps: int = 120,
    *,
    place: Place | None = None,
    processes: int = 1,
) -> tuple[np.ndarray, list[str]]:
    """Outcomes of every replicate as one array: ``(len(seeds), steps + 1, n_columns)`` and the column names.

    The cheapest output (no DataFrame per run). Counts are stored as floats.
    ``processes > 1`` splits the seeds into that many contiguous chunks run
    in worker processes (results do not depend on it).
    """
    scenario = scenario if scenario is not None else Scenario()
    seeds = _check(seeds, steps)
    if processes <= 1 or len(seeds) < 2:
        return _simulate_chunk(scenario, place, seeds, int(steps))
    chunks = [c.tolist() for c in np.array_split(np.array(seeds, dtype=np.int64), processes) if len(c)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)  # fork: no re-import, no re-JIT
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        parts = list(pool.map(_simulate_chunk, [scenario] * len(chunks), [place] * len(chunks), chunks,
                              [int(steps)] * len(chunks)))
    return np.concatenate([a for a, _ in parts]), parts[0][1]


def run_replicates(
    scenario: Scenario | None = None,
    seeds: Iterable[int] = range(10),
    steps: int = 120,
    *,
    place: Place | None = None,
    processes: int = 1,
) -> list[RunResult]:
    """One :class:`~simulation.runs.RunResult` per seed, equal to ``simulation.run(scenario, steps=steps, seed=s)``.

    Parameters
    ----------
    scenario : Scenario, optional
        One parameter set for every replicate (default scenario if omitted).
    seeds : iterable of int
        One replicate per seed.
    steps : int
        Months to simulate.
    place : Place, optional
        A place shared by every replicate (as ``run(..., place=place)``);
        otherwise each replicate draws its own place from its seed, exactly as
        a single run does, so places differ between seeds.
    processes : int
        Worker processes (``os.cpu_count()`` if 0).

    Snapshots are not kept (use :func:`simulation.run` for per-edge tables).
    """
    scenario = scenario if scenario is not None else Scenario()
    seeds = _check(seeds, steps)
    if processes == 0:
        processes = os.cpu_count() or 1
    arr, columns = simulate_replicates(scenario, seeds, steps, place=place, processes=processes)
    results = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for k, s in enumerate(seeds):
            ts = _frame(arr[k], columns)
            summary = summarise_columns({c: arr[k, :, i] for i, c in enumerate(columns)})
            results.append(RunResult(scenario=scenario, seed=s, timeseries=ts, summary=summary))
    finally:
        if enabled:
            gc.enable()
    return results
