"""Compiled draws of a run's set-up: a generated place's relationships and the leaders' initial traits and trust.

Every run starts here (:func:`~simulation.place.generate_place` and
:func:`~simulation.setup.build_state`), so these draws, like the month's, go
through numba's supported ``numpy.random.Generator`` API from the run's own
generators, one compiled call each instead of dozens of small numpy calls.

Examples
--------
>>> import numpy as np
>>> starts = np.array([0, 3, 10])
>>> chance = np.array([[1.0, 0.0], [0.0, 0.0]])  # block 0 fully tied, nothing else
>>> pairs = block_model_pairs(np.random.default_rng(0), starts, chance, np.array([[0.0, 1.0], [0.0, 1.0]]))
>>> pairs[:3].tolist()
[[0, 1], [0, 2], [1, 2]]
>>> bool(np.all(np.bincount(pairs.ravel(), minlength=10) > 0))  # the seven of block 1 got one partner each
True
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["block_model_pairs", "draw_traits", "draw_initial_state", "geometric_skip"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def geometric_skip(u, log_miss):
    """Failures before the next success of independent trials, at uniform ``u`` (``log_miss = log(1 - chance)``).

    Inversion of the geometric distribution: ``floor(log(1 - u) / log_miss)``,
    as a float (it may exceed any integer range when the chance is tiny).
    Walking a sequence of trials by these skips draws one uniform per success
    (and one to pass the end) instead of one per trial.

    Examples
    --------
    >>> float(geometric_skip(0.0, math.log(0.5))), float(geometric_skip(0.75, math.log(0.5)))  # P(no failure) = 1/2
    (0.0, 2.0)
    """
    return np.floor(math.log1p(-u) / log_miss)


@_jit
def _append(buf, k, i, j):
    """``buf`` with row ``k`` set to ``(i, j)``, doubled first if full (rows copied one by one: quick to compile)."""
    if k == buf.shape[0]:
        grown = np.empty((2 * buf.shape[0], 2), dtype=np.int64)
        for q in range(k):
            grown[q, 0] = buf[q, 0]
            grown[q, 1] = buf[q, 1]
        buf = grown
    buf[k, 0] = i
    buf[k, 1] = j
    return buf


@_jit
def _block_model_draws(rng, starts, chance, partner_cdf):
    """The rows of :func:`block_model_pairs` before sorting: the block model's pairs (in order), then the extra ties.

    Returns the ``(rows, 2)`` buffer, the number of rows in use and how many
    of them the block model drew.
    """
    n_blocks = starts.shape[0] - 1
    n = starts[n_blocks]
    log_miss = np.empty((n_blocks, n_blocks))
    for a in range(n_blocks):
        for b in range(n_blocks):
            log_miss[a, b] = math.log1p(-chance[a, b]) if chance[a, b] < 1.0 else -np.inf
    pairs = np.empty((max(16, n), 2), dtype=np.int64)
    k = 0
    degree = np.zeros(n, dtype=np.int64)
    own = 0
    for i in range(n):
        while i >= starts[own + 1]:
            own += 1
        for b in range(own, n_blocks):
            p = chance[own, b]
            if p <= 0.0:
                continue
            j = max(i + 1, starts[b]) - 1
            end = starts[b + 1]
            while True:
                skip = 0.0 if p >= 1.0 else geometric_skip(rng.random(), log_miss[own, b])
                if skip >= end - 1 - j:  # past the block (compared as floats: a huge skip cannot overflow)
                    break
                j += np.int64(skip) + 1
                pairs = _append(pairs, k, i, j)
                degree[i] += 1
                degree[j] += 1
                k += 1
    sampled = k
    own = 0
    for i in range(n):
        while i >= starts[own + 1]:
            own += 1
        if degree[i] > 0:
            continue
        u = rng.random()
        block = 0
        while block < n_blocks - 1 and u >= partner_cdf[own, block]:
            block += 1
        size = starts[block + 1] - starts[block] - (1 if block == own else 0)
        j = starts[block] + min(size - 1, np.int64(rng.random() * size))
        if block == own and j >= i:
            j += 1
        pairs = _append(pairs, k, min(i, j), max(i, j))
        k += 1
    return pairs, k, sampled


@_jit
def _merged_in_order(rows, sampled, k, n):
    """``rows[:sampled]`` (in order, unique) and ``rows[sampled:k]`` sorted by key ``i * n + j``, merged, a key once.

    The extra rows are the isolated organisations' ties: two of them may have drawn each other.
    """
    extra = np.sort(rows[sampled:k, 0] * n + rows[sampled:k, 1])
    m = extra.shape[0]
    out = np.empty((sampled + m, 2), dtype=np.int64)
    a = b = q = 0
    while a < sampled or b < m:
        if b < m and b > 0 and extra[b] == extra[b - 1]:
            b += 1
        elif b == m or (a < sampled and rows[a, 0] * n + rows[a, 1] < extra[b]):
            out[q, 0], out[q, 1] = rows[a, 0], rows[a, 1]
            a += 1
            q += 1
        else:
            out[q, 0], out[q, 1] = extra[b] // n, extra[b] % n
            b += 1
            q += 1
    return out[:q]


def block_model_pairs(rng: np.random.Generator, starts: np.ndarray, chance: np.ndarray,
                      partner_cdf: np.ndarray) -> np.ndarray:
    """Relationships ``i < j`` of a stochastic block model, in lexicographic order, nobody left without one.

    Organisations ``starts[b]`` to ``starts[b + 1] - 1`` form block ``b``;
    two organisations of blocks ``a`` and ``b`` are related with probability
    ``chance[a, b]``. Each row ``i`` walks its candidates ``j > i`` block by
    block with geometric skips (Batagelj and Brandes 2005, the method of
    networkx's ``fast_gnp_random_graph``): one uniform per relationship and
    one per row and block, O(N x blocks + edges), compiled. Afterwards an
    organisation still without a relationship is tied to one partner: a block
    drawn from its row of ``partner_cdf`` (cumulative chances), then a member
    of it.

    Returns the ``(P, 2)`` int64 pairs, sorted, without duplicates.
    """
    buf, k, sampled = _block_model_draws(rng, starts, chance, partner_cdf)
    return _merged_in_order(buf, sampled, k, int(starts[-1]))


@_jit
def draw_traits(rng, raw, i, kind, beta_ab):
    """New traits for leader ``i`` of ``kind``: one draw from each trait's Beta (``beta_ab[kind, trait]``), in order.

    The set-up draws every first leader and the kernel every successor with it.
    """
    for tr in range(raw.shape[0]):
        raw[tr, i] = rng.beta(beta_ab[kind, tr, 0], beta_ab[kind, tr, 1])


@_jit
def draw_initial_state(rng, kind, beta_ab, trust_a, trust_b, n_edges):
    """The first leaders' ``(4, N)`` traits, organisation by organisation (:func:`draw_traits`), then edge trust.

    Trust on each of the ``n_edges`` directed edges is drawn from
    Beta(``trust_a``, ``trust_b``), or is the mean ``trust_a / (trust_a +
    trust_b)`` where a shape is not positive (a mean of 0 or 1).
    """
    raw = np.empty((beta_ab.shape[1], kind.shape[0]))
    for i in range(kind.shape[0]):
        draw_traits(rng, raw, i, kind[i], beta_ab)
    trust = np.empty(n_edges)
    for e in range(n_edges):
        trust[e] = rng.beta(trust_a, trust_b) if (trust_a > 0.0) & (trust_b > 0.0) else trust_a / (trust_a + trust_b)
    return raw, trust
