r"""The one compiled month: every fast path (stepped model, runs, batches, sweeps, dashboard) runs it.

:func:`advance` plays out months of one run over the state arrays of
:mod:`simulation.relationships`, calling the scalar rules of
:mod:`simulation.rules` compiled by numba. It draws through numba's supported
``numpy.random.Generator`` API from the run's own generator, whose state it
advances in place: so a model stepped month by month and the same seed run in
one call give the same numbers by construction.

One month, for each relationship ``p = (i, j)`` in order:

1. the leaders meet (one uniform draw against ``1 - exp(-f)``);
2. only if they met: each sees whether the other opens the book (two draws);
3. new conflicts arise (a Poisson draw at the rule's rate);
4. only if they met and conflicts are open: how many are resolved (a binomial draw);
5. only if they met: whether each acts altruistically (two draws);
6. each updates trust in the other from the month's good and bad evidence;
   without a meeting, trust drifts towards the baseline.

Then leaders leave (one draw per organisation; a leaver's ties fall back, the
new leader's traits are drawn from the kind's Beta distributions), and
partners introduce partners (one draw per candidate pair with room on both
sides, in lexicographic order). At the start of each month the effective
traits are recomputed from the drawn ones and the month's parameters (so a
lever changed between months acts from the next month). Each month ends with
one row of outcomes (:func:`record_outcomes`).

Parameters reach the kernel as one float vector (:data:`KERNEL_PARAMETERS`,
built by :func:`parameter_vector`), so runs with different parameters share
one compiled function.
"""

from __future__ import annotations

from collections.abc import Mapping

import numba
import numpy as np

from . import rules

__all__ = [
    "KERNEL_PARAMETERS",
    "N_FIXED_OUTCOMES",
    "advance",
    "record_outcomes",
    "refresh_traits",
    "introduction_candidates",
    "largest_component",
    "parameter_vector",
    "uniform_draw_rate",
]

_jit = numba.njit(cache=True, nogil=True)

# the rules, compiled once; the kernel calls these
meeting_probability = _jit(rules.meeting_probability)
conflict_rate = _jit(rules.conflict_rate)
resolution_probability = _jit(rules.resolution_probability)
altruism_probability = _jit(rules.altruism_probability)
good_evidence = _jit(rules.good_evidence)
bad_evidence = _jit(rules.bad_evidence)
update_trust = _jit(rules.update_trust)
drift = _jit(rules.drift)
turnover_reset = _jit(rules.turnover_reset)
introduction_probability = _jit(rules.introduction_probability)
has_room = _jit(rules.has_room)
opened_transparency = _jit(rules.opened_transparency)
developed_skill = _jit(rules.developed_skill)
shared_role_focus = _jit(rules.shared_role_focus)
new_tie_contact_rate = _jit(rules.new_tie_contact_rate)

#: The parameter vector's entries, in order (effective values: :func:`~simulation.interventions.effective_parameters`).
KERNEL_PARAMETERS: tuple[str, ...] = (
    "conflict_rate", "competitive_pressure", "cross_sector_conflict", "resolution_rate", "altruism_rate",
    "contact_evidence", "openness_evidence", "withholding_evidence", "resolution_evidence", "festering_evidence",
    "altruism_evidence", "gain_rate", "loss_rate", "baseline_trust", "drift_rate", "turnover_rate",
    "turnover_trust_loss", "partnership_threshold", "introduction_rate", "introduction_trust", "contact_rate",
    "open_book", "leadership_development", "shared_role_focus_shift",
)
(_C0, _PRESS, _CROSS, _RR, _AR, _CE, _OE, _WE, _RE, _FE, _AE, _ALPHA, _BETA, _BASE, _DRIFT, _TURN, _TLOSS,
 _THR, _IRATE, _ITRUST, _CONTACT, _OB, _LD, _SHIFT) = range(len(KERNEL_PARAMETERS))

#: Outcome columns before the per-kind-pair trust columns (see :func:`simulation.outcomes.model_reporters`).
N_FIXED_OUTCOMES = 7
_DENSE_MAX = 1024  # places up to this size count common partners in a dense n x n table


def parameter_vector(effective: Mapping[str, float]) -> np.ndarray:
    """The kernel's parameter vector from effective parameter values by name.

    Examples
    --------
    >>> from simulation import Scenario
    >>> from simulation.interventions import effective_parameters
    >>> v = parameter_vector(effective_parameters(Scenario().params, active=False))
    >>> len(v) == len(KERNEL_PARAMETERS), float(v[KERNEL_PARAMETERS.index("gain_rate")])
    (True, 0.08)
    """
    return np.array([float(effective[name]) for name in KERNEL_PARAMETERS], dtype=np.float64)


# ------------------------------------------------------------------ leaders
@_jit
def refresh_traits(raw, eff, pairs, shared_role, n_pairs, prm):
    """Effective traits of every leader from the drawn ones and the month's lever values."""
    n = raw.shape[1]
    in_role = np.zeros(n, dtype=np.bool_)
    for p in range(n_pairs):
        if shared_role[p]:
            in_role[pairs[p, 0]] = True
            in_role[pairs[p, 1]] = True
    for i in range(n):
        eff[0, i] = opened_transparency(raw[0, i], prm[_OB])
        eff[1, i] = developed_skill(raw[1, i], prm[_LD])
        eff[2, i] = raw[2, i]
        eff[3, i] = shared_role_focus(raw[3, i], prm[_SHIFT], in_role[i])


# ----------------------------------------------------------------- outcomes
@_jit
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@_jit
def largest_component(pairs, trust, n_pairs, n, threshold):
    """Size of the largest connected component of the partnership graph (0 if there is no partnership)."""
    parent = np.arange(n)
    count = 0
    for p in range(n_pairs):
        if min(trust[2 * p], trust[2 * p + 1]) >= threshold:
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


@_jit
def record_outcomes(row, pairs, trust, backlog, n_pairs, n, arisen, resolved, threshold, kind, colmap):
    """One row of outcomes (the columns of :func:`simulation.outcomes.model_reporters`), in place."""
    ncol = row.shape[0]
    sums = np.zeros(ncol)
    counts = np.zeros(ncol, dtype=np.int64)
    total = 0.0
    partnerships = 0
    festering = 0
    for p in range(n_pairs):
        a, b = trust[2 * p], trust[2 * p + 1]
        total += a + b
        if min(a, b) >= threshold:
            partnerships += 1
        festering += backlog[p]
        c = colmap[kind[pairs[p, 0]], kind[pairs[p, 1]]]
        sums[c] += a + b
        counts[c] += 2
    row[0] = total / (2 * n_pairs) if n_pairs > 0 else np.nan
    row[1] = partnerships / n_pairs if n_pairs > 0 else 0.0
    row[2] = largest_component(pairs, trust, n_pairs, n, threshold) / n
    row[3] = arisen
    row[4] = resolved
    row[5] = festering
    row[6] = n_pairs
    for c in range(N_FIXED_OUTCOMES, ncol):
        row[c] = sums[c] / counts[c] if counts[c] > 0 else np.nan


# ------------------------------------------------------------ introductions
@_jit
def _intro_dense(pairs, n_pairs, n, deg, adj, c):
    """:func:`introduction_candidates` for small places: a dense ``(n, n)`` count table, left all zero again."""
    rowmax = np.full(n, -1, dtype=np.int64)
    touched = 0
    for m in range(n):
        for x in range(deg[m], deg[m + 1]):
            for y in range(x + 1, deg[m + 1]):
                a, b = adj[x], adj[y]
                if a > b:
                    a, b = b, a
                if c[a, b] == 0:
                    touched += 1
                    if b > rowmax[a]:
                        rowmax[a] = b
                c[a, b] += 1
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


@_jit
def introduction_candidates(pairs, trust, n_pairs, n, threshold, scratch):
    """Unconnected pairs ``i < j`` with partners in common, in lexicographic order, and how many they share.

    Partners are pairs with mutual trust at or above ``threshold``; the count
    is ``(A @ A)_ij`` for the partnership adjacency ``A``, computed row by row
    (Gustavson) without forming the product; pairs already related are
    skipped. ``scratch`` is an all-zero ``(n, n)`` int32 table for places up
    to 1,024 organisations (a ``(0, 0)`` array otherwise).
    """
    deg = np.zeros(n + 1, dtype=np.int64)
    alldeg = np.zeros(n + 1, dtype=np.int64)
    n_part = 0
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        alldeg[i + 1] += 1
        alldeg[j + 1] += 1
        if min(trust[2 * p], trust[2 * p + 1]) >= threshold:
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
    alladj = np.empty(alldeg[n], dtype=np.int64)
    allfill = alldeg[:n].copy()
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        alladj[allfill[i]] = j
        allfill[i] += 1
        alladj[allfill[j]] = i
        allfill[j] += 1
        if min(trust[2 * p], trust[2 * p + 1]) >= threshold:
            adj[fill[i]] = j
            fill[i] += 1
            adj[fill[j]] = i
            fill[j] += 1
    if scratch.shape[0] == n and n > 0:
        return _intro_dense(pairs, n_pairs, n, deg, adj, scratch)
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


@_jit
def _grow(buffers, need):
    """The relationship buffers with room for at least ``need`` pairs (used rows copied)."""
    pairs, trust, contact, backlog, age, formal, shared = buffers
    cap = max(need, 2 * pairs.shape[0], 16)
    k = pairs.shape[0]
    p2 = np.zeros((cap, 2), dtype=np.int64)
    t2 = np.zeros(2 * cap)
    c2 = np.zeros(cap)
    b2 = np.zeros(cap, dtype=np.int64)
    a2 = np.zeros(cap, dtype=np.int64)
    f2 = np.zeros(cap, dtype=np.bool_)
    s2 = np.zeros(cap, dtype=np.bool_)
    p2[:k] = pairs
    t2[: 2 * k] = trust
    c2[:k] = contact
    b2[:k] = backlog
    a2[:k] = age
    f2[:k] = formal
    s2[:k] = shared
    return p2, t2, c2, b2, a2, f2, s2


# -------------------------------------------------------------------- month
@_jit
def advance(rng, months, out, buffers, n_pairs, kind, sector, weight, capacity, tenure, raw, eff, beta_ab,
            colmap, prm, scratch, draws):
    """Play out ``months`` months of one run; row ``m`` of ``out`` gets the outcomes after month ``m + 1``.

    ``buffers`` are the relationship buffers (pairs, trust, contact rate,
    backlog, age, formal, shared role) with ``n_pairs`` rows in use; ``raw``
    and ``eff`` the ``(4, N)`` drawn and effective traits; ``beta_ab`` the
    ``(kinds, 4, 2)`` Beta shapes of new leaders' traits; ``colmap`` the
    outcome column of each pair of kinds; ``prm`` the parameter vector;
    ``draws[0]`` counts the random variates drawn. Returns the buffers
    (regrown if introductions filled them) and the new ``n_pairs``.
    """
    n = kind.shape[0]
    pairs, trust, contact, backlog, age, formal, shared_role = buffers
    leaving = np.zeros(n, dtype=np.bool_)
    alpha, beta, base = prm[_ALPHA], prm[_BETA], prm[_BASE]
    ce, oe, we, re_, fe, ae = prm[_CE], prm[_OE], prm[_WE], prm[_RE], prm[_FE], prm[_AE]
    n_draws = 0
    for month in range(months):
        refresh_traits(raw, eff, pairs, shared_role, n_pairs, prm)
        arisen_total = 0
        resolved_total = 0
        for p in range(n_pairs):
            i, j = pairs[p, 0], pairs[p, 1]
            met = rng.random() < meeting_probability(contact[p])
            n_draws += 1
            j_shares = False
            i_shares = False
            if met:
                j_shares = rng.random() < eff[0, j]
                i_shares = rng.random() < eff[0, i]
                n_draws += 2
            rate = conflict_rate(prm[_C0], prm[_PRESS], eff[3, i], eff[3, j], sector[i] != sector[j], prm[_CROSS])
            arisen = rng.poisson(rate) if rate > 0.0 else 0
            n_draws += 1
            open_conflicts = backlog[p] + arisen
            resolved = 0
            j_helps = False
            i_helps = False
            if met:
                if open_conflicts > 0:
                    chance = resolution_probability(prm[_RR], eff[1, i], eff[1, j], trust[2 * p], trust[2 * p + 1])
                    resolved = rng.binomial(open_conflicts, chance)
                    n_draws += 1
                j_helps = rng.random() < altruism_probability(prm[_AR], eff[2, j], eff[3, j], prm[_PRESS])
                i_helps = rng.random() < altruism_probability(prm[_AR], eff[2, i], eff[3, i], prm[_PRESS])
                n_draws += 2
            festering = open_conflicts - resolved
            for e in range(2):  # e = 0: i's trust in j; e = 1: j's trust in i
                shared = j_shares if e == 0 else i_shares
                helped = j_helps if e == 0 else i_helps
                good = good_evidence(met, shared, resolved, helped, ce, oe, re_, ae)
                bad = bad_evidence(met, shared, festering, we, fe)
                t = update_trust(trust[2 * p + e], good, bad, alpha, beta)
                if not met:
                    t = drift(t, base, prm[_DRIFT])
                trust[2 * p + e] = t
            backlog[p] = festering
            age[p] += 1
            arisen_total += arisen
            resolved_total += resolved
        # leaders leave; their successors' traits are drawn from the kind's distributions
        any_leave = False
        for i in range(n):
            tenure[i] += 1
            leaving[i] = rng.random() < prm[_TURN]
            if leaving[i]:
                any_leave = True
                tenure[i] = 0
                for tr in range(4):
                    raw[tr, i] = rng.beta(beta_ab[kind[i], tr, 0], beta_ab[kind[i], tr, 1])
                n_draws += 4
        n_draws += n
        if any_leave:
            for p in range(n_pairs):
                if leaving[pairs[p, 0]] or leaving[pairs[p, 1]]:
                    trust[2 * p] = turnover_reset(trust[2 * p], base, prm[_TLOSS])
                    trust[2 * p + 1] = turnover_reset(trust[2 * p + 1], base, prm[_TLOSS])
        # partners introduce partners
        if prm[_IRATE] > 0.0:
            ci, cj, cc = introduction_candidates(pairs, trust, n_pairs, n, prm[_THR], scratch)
            degree = np.zeros(n, dtype=np.int64)  # room is counted at the start of the introductions
            for p in range(n_pairs):
                degree[pairs[p, 0]] += 1
                degree[pairs[p, 1]] += 1
            n_new = 0
            for q in range(ci.shape[0]):
                if not (has_room(degree[ci[q]], capacity[ci[q]]) and has_room(degree[cj[q]], capacity[cj[q]])):
                    continue
                n_draws += 1
                if rng.random() < introduction_probability(cc[q], prm[_IRATE]):
                    ci[n_new] = ci[q]  # compact the chosen in place (q >= n_new)
                    cj[n_new] = cj[q]
                    n_new += 1
            if n_new > 0:
                if n_pairs + n_new > pairs.shape[0]:
                    pairs, trust, contact, backlog, age, formal, shared_role = _grow(
                        (pairs, trust, contact, backlog, age, formal, shared_role), n_pairs + n_new)
                for q in range(n_new):
                    p = n_pairs + q
                    i, j = ci[q], cj[q]
                    pairs[p, 0] = i
                    pairs[p, 1] = j
                    trust[2 * p] = prm[_ITRUST]
                    trust[2 * p + 1] = prm[_ITRUST]
                    contact[p] = new_tie_contact_rate(prm[_CONTACT], weight[i], weight[j])
                    backlog[p] = 0
                    age[p] = 0
                    formal[p] = False
                    shared_role[p] = False
                n_pairs += n_new
        record_outcomes(out[month], pairs, trust, backlog, n_pairs, n, arisen_total, resolved_total, prm[_THR],
                        kind, colmap)
    draws[0] += n_draws
    return (pairs, trust, contact, backlog, age, formal, shared_role), n_pairs


@_jit
def _uniform_loop(rng, k):
    s = 0.0
    for _ in range(k):
        s += rng.random()
    return s


def uniform_draw_rate(k: int = 20_000_000, seed: int = 0) -> float:
    """Uniform draws per second through the kernel's generator API on this machine (the physical limit)."""
    import time

    rng = np.random.default_rng(seed)
    _uniform_loop(rng, 10)
    t = time.perf_counter()
    _uniform_loop(rng, k)
    return k / (time.perf_counter() - t)
