r"""The model's rules as pure, vectorised functions: arrays and a generator in, arrays out.

Every function works element by element on aligned arrays, so the same code
serves one run (arrays of length ``P`` or ``2P``) and a batch of replicates
(arrays of shape ``(R, P)``). Nothing here knows Mesa, files or screens. Each
rule's equation is in its docstring and in ``docs/ODD.md``.

Notation: ``t_ij`` is ``i``'s trust in ``j``; a step is one month.

Examples
--------
>>> import numpy as np
>>> update_trust(np.array([0.5]), good=np.array([1.0]), bad=np.array([0.0]),
...              gain_rate=0.1, loss_rate=0.25)
array([0.55])
>>> update_trust(np.array([0.5]), good=np.array([0.0]), bad=np.array([1.0]),
...              gain_rate=0.1, loss_rate=0.25)
array([0.375])
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "meeting_probability",
    "meetings",
    "open_sharing",
    "conflict_rates",
    "new_conflicts",
    "resolution_probability",
    "resolve_conflicts",
    "altruism_probability",
    "altruistic_acts",
    "evidence",
    "update_trust",
    "drift",
    "turnover_reset",
    "introduction_probability",
    "has_room",
]


def meeting_probability(contact_rate: np.ndarray) -> np.ndarray:
    r"""Chance that leaders meet at least once in a month.

    Meetings are a Poisson process with rate :math:`f` per month, so
    :math:`P(\text{meet}) = 1 - e^{-f}`.

    Examples
    --------
    >>> meeting_probability(np.array([0.0, 1.0])).round(4)
    array([0.    , 0.6321])
    """
    return -np.expm1(-np.asarray(contact_rate, dtype=float))


def meetings(contact_rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which pairs meet this month (bool, one draw per pair)."""
    p = meeting_probability(contact_rate)
    return rng.random(p.shape) < p


def open_sharing(partner_transparency: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether the partner shares openly at a meeting (one draw per directed edge).

    Partner ``j`` opens the book to ``i`` with probability equal to ``j``'s
    transparency.
    """
    return rng.random(np.shape(partner_transparency)) < partner_transparency


def conflict_rates(
    base_rate: float,
    pressure: float | np.ndarray,
    focus_i: np.ndarray,
    focus_j: np.ndarray,
    cross_sector: np.ndarray,
    cross_sector_multiplier: float,
) -> np.ndarray:
    r"""Expected new conflicts per month in each relationship.

    .. math:: c_{ij} = c_0 \,(0.5 + \pi)\,(\phi_i + \phi_j)\,
              \kappa^{[\sigma_i \ne \sigma_j]}

    with :math:`\pi` the competitive pressure, :math:`\phi` the leaders'
    institutional focus and :math:`\kappa` the cross-sector multiplier
    (different accountabilities). At :math:`\pi = 0.5` and average focus
    0.5 the factor is 1, so :math:`c_0` is the typical rate.

    Examples
    --------
    >>> conflict_rates(0.1, 0.5, np.array([0.5]), np.array([0.5]), np.array([True]), 2.0)
    array([0.2])
    """
    sector_factor = np.where(cross_sector, cross_sector_multiplier, 1.0)
    return base_rate * (0.5 + pressure) * (focus_i + focus_j) * sector_factor


def new_conflicts(rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Number of new conflicts per pair this month: Poisson with the given rates."""
    return rng.poisson(rates)


def resolution_probability(
    resolution_rate: float,
    skill_i: np.ndarray,
    skill_j: np.ndarray,
    trust_ij: np.ndarray,
    trust_ji: np.ndarray,
    met: np.ndarray,
) -> np.ndarray:
    r"""Chance that each open conflict is surfaced and resolved this month.

    .. math:: r_{ij} = \rho \cdot \tfrac{1}{2}\left(\tfrac{s_i + s_j}{2}
              + \tfrac{t_{ij} + t_{ji}}{2}\right) \cdot [\text{met}]

    Conflicts are only surfaced when leaders meet; skill and trust both help.

    Examples
    --------
    >>> resolution_probability(0.8, np.array([1.0]), np.array([0.5]),
    ...                        np.array([0.5]), np.array([0.0]), np.array([True]))
    array([0.4])
    """
    return resolution_rate * 0.5 * ((skill_i + skill_j) / 2 + (trust_ij + trust_ji) / 2) * met


def resolve_conflicts(backlog: np.ndarray, probability: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How many open conflicts are resolved: binomial(backlog, probability)."""
    return rng.binomial(backlog, probability)


def altruism_probability(
    altruism_rate: float, altruism: np.ndarray, focus: np.ndarray, pressure: float | np.ndarray
) -> np.ndarray:
    r"""Chance a leader acts altruistically towards a partner at a meeting.

    .. math:: a_j = \alpha_a \, \mathrm{alt}_j \, (1 - \pi \phi_j)

    Competitive pressure suppresses altruism in leaders focused on their own
    organisation.

    Examples
    --------
    >>> altruism_probability(0.5, np.array([0.8]), np.array([0.5]), 1.0)
    array([0.2])
    """
    return altruism_rate * altruism * (1.0 - pressure * focus)


def altruistic_acts(probability: np.ndarray, met: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether the partner acts altruistically (one draw per directed edge, only at meetings)."""
    return met & (rng.random(np.shape(probability)) < probability)


def evidence(
    met: np.ndarray,
    shared: np.ndarray,
    resolved: np.ndarray,
    backlog: np.ndarray,
    helped: np.ndarray,
    *,
    contact_evidence: float,
    openness_evidence: float,
    withholding_evidence: float,
    resolution_evidence: float,
    festering_evidence: float,
    altruism_evidence: float,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Good and bad evidence each observer receives this month, each in [0, 1].

    .. math::
        g &= \min\bigl(1,\; [\text{met}](e_c + e_o [\text{shared}])
             + e_r n_{\text{resolved}} + e_a [\text{helped}]\bigr) \\
        b &= \min\bigl(1,\; [\text{met}]\, e_w [\lnot\text{shared}]
             + e_f\, n_{\text{festering}}\bigr)

    Evidence saturates at 1: a month cannot teach more than everything.

    Examples
    --------
    >>> g, b = evidence(np.array([True]), np.array([False]), np.array([0]),
    ...                 np.array([2]), np.array([False]), contact_evidence=0.3,
    ...                 openness_evidence=0.7, withholding_evidence=0.2,
    ...                 resolution_evidence=0.5, festering_evidence=0.1,
    ...                 altruism_evidence=0.6)
    >>> g.round(3), b.round(3)
    (array([0.3]), array([0.4]))
    """
    good = (
        met * (contact_evidence + openness_evidence * shared)
        + resolution_evidence * resolved
        + altruism_evidence * helped
    )
    bad = met * withholding_evidence * ~shared + festering_evidence * backlog
    return np.minimum(good, 1.0), np.minimum(bad, 1.0)


def update_trust(
    trust: np.ndarray, good: np.ndarray, bad: np.ndarray, gain_rate: float, loss_rate: float
) -> np.ndarray:
    r"""Asymmetric trust update: built slowly, lost quickly.

    .. math:: t' = t + \alpha (1 - t)\, g - \beta\, t\, b,
              \qquad \beta = \lambda \alpha,\ \lambda > 1

    With :math:`g, b \in [0, 1]` and :math:`\alpha, \beta \in [0, 1]` the
    result stays in [0, 1] without clipping: gains shrink near full trust and
    losses near none.

    Examples
    --------
    >>> update_trust(np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.array([1.0, 1.0]), 0.1, 1.0)
    array([0.1, 0. ])
    """
    return trust + gain_rate * (1.0 - trust) * good - loss_rate * trust * bad


def drift(trust: np.ndarray, met: np.ndarray, baseline: float, drift_rate: float) -> np.ndarray:
    r"""Without contact, trust drifts back towards the baseline.

    .. math:: t' = t + \delta (t_0 - t) \quad\text{if the pair did not meet}

    Examples
    --------
    >>> drift(np.array([0.8, 0.8]), np.array([True, False]), 0.3, 0.1)
    array([0.8 , 0.75])
    """
    return np.where(met, trust, trust + drift_rate * (baseline - trust))


def turnover_reset(trust: np.ndarray, affected: np.ndarray, baseline: float, loss: float) -> np.ndarray:
    r"""A leader leaves: trust held in and by their organisation falls back.

    .. math:: t' = t + \ell (t_0 - t) \quad\text{on edges touching the leaver}

    Trust is between people, not structures: the newcomer starts part of the
    way back towards the trust extended to a stranger.

    Examples
    --------
    >>> turnover_reset(np.array([0.9, 0.9]), np.array([True, False]), 0.3, 0.5)
    array([0.6, 0.9])
    """
    return np.where(affected, trust + loss * (baseline - trust), trust)


def introduction_probability(common_partners: np.ndarray, rate: float) -> np.ndarray:
    r"""Chance two unconnected leaders are introduced by shared partners.

    Each of the :math:`k` partners both trust introduces them independently
    with probability :math:`q`: :math:`1 - (1 - q)^k`.

    Examples
    --------
    >>> introduction_probability(np.array([0, 1, 2]), 0.5)
    array([0.  , 0.5 , 0.75])
    """
    return -np.expm1(common_partners * np.log1p(-rate)) if rate < 1 else (common_partners > 0) * 1.0


def has_room(degree: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    r"""Whether a leader can take on another relationship: :math:`d_i < K_i`.

    Introductions join only leaders who both have room, counted at the start
    of the month (so a month's introductions can take a leader a little past
    capacity, never further).

    Examples
    --------
    >>> has_room(np.array([2, 8, 9]), np.array([8, 8, 20]))
    array([ True, False,  True])
    """
    return degree < capacity
