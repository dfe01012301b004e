r"""The one compiled month: every fast path (stepped model, runs, batches, sweeps, dashboard) runs it.

:func:`advance` plays out months of one run over the state arrays of
:mod:`simulation.relationships`, calling the scalar rules of
:mod:`simulation.rules` compiled by numba. It draws through numba's supported
``numpy.random.Generator`` API from the run's own generator, whose state it
advances in place: so a model stepped month by month and the same seed run in
one call give the same numbers by construction.

One month, for each relationship ``p = (i, j)`` in order:

1. the leaders meet ``n ~ Poisson(f)`` times;
2. new conflicts arise (a Poisson draw at the rule's rate);
3. only if they met: at each meeting, whether each opened the books to the
   other and acted altruistically (one uniform each; binomial draws above eight
   meetings), and how many open conflicts were resolved at one of the meetings
   (a binomial draw);
4. each updates trust in the other from the month's good and bad evidence,
   every meeting, share, resolution and act counting (noisy-OR);
   without a meeting, trust drifts towards the baseline.

Then leaders leave (each independently, found by geometric skips: one draw per
leaver; a leaver's ties fall back, the new leader's traits are drawn from the
kind's Beta distributions), and
partners introduce partners (one draw per candidate pair with room on both
sides, in lexicographic order). At the start of each month the effective
traits are recomputed from the drawn ones and the month's parameters (so a
lever changed between months acts from the next month). Each month ends with
one row of outcomes (:func:`record_outcomes`).

Parameters reach the kernel as one float vector (:data:`KERNEL_PARAMETERS`,
built by :func:`parameter_vector`), so runs with different parameters share
one compiled function. State reaches each phase as named structures
(namedtuples of arrays, which numba compiles as structures): the relationship
buffers (:class:`~simulation.relationships.RelationshipArrays`), the
organisations (:data:`Organisations`), the per-pair caches (:data:`PairCache`),
the leaders' work space (:data:`LeaderWork`) and the month's group meetings
(:data:`GroupMeetings`). The pair loop's steps are marked with their sections
of docs/ODD.md; those that draw nothing are small inlined functions.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping

import numba
import numpy as np

from . import rules
from .relationships import RelationshipArrays
from .sampling import draw_traits, geometric_skip

__all__ = [
    "KERNEL_PARAMETERS",
    "FIXED_OUTCOMES",
    "Organisations",
    "organisations_of",
    "PairCache",
    "LeaderWork",
    "GroupMeetings",
    "RelationshipArrays",
    "HOURS_OUTCOMES",
    "N_FIXED_OUTCOMES",
    "integration_measures",
    "advance",
    "record_outcomes",
    "refresh_traits",
    "introduction_candidates",
    "candidate_scratch",
    "parameter_vector",
    "poisson_by_inversion",
    "apply_service_failure",
    "uniform_draw_rate",
]

_jit = numba.njit(cache=True, nogil=True)
# small helpers called for every pair: inlined into their callers (a call passing arrays costs more than its body)
_inline = numba.njit(cache=True, nogil=True, inline="always")

# the rules, compiled once; the kernel calls these
conflict_rate = _jit(rules.conflict_rate)
resolution_probability = _jit(rules.resolution_probability)
resolution_chance = _jit(rules.resolution_chance)
altruism_probability = _jit(rules.altruism_probability)
no_evidence = _jit(rules.no_evidence)
noisy_or = _jit(rules.noisy_or)
update_trust = _jit(rules.update_trust)
drift = _jit(rules.drift)
turnover_reset = _jit(rules.turnover_reset)
service_failure = _jit(rules.service_failure)
introduction_probability = _jit(rules.introduction_probability)
has_room = _jit(rules.has_room)
opened_transparency = _jit(rules.opened_transparency)
aimed_level = _jit(rules.aimed_level)
developed_skill = _jit(rules.developed_skill)
shared_role_focus = _jit(rules.shared_role_focus)
regulated_focus = _jit(rules.regulated_focus)
pooled_stakes = _jit(rules.pooled_stakes)
effective_pressure = _jit(rules.effective_pressure)
common_cause = _jit(rules.common_cause)
new_tie_contact_rate = _jit(rules.new_tie_contact_rate)
time_scale = _jit(rules.time_scale)
granted_contact = _jit(rules.granted_contact)
development_level = _jit(rules.development_level)
learning_growth = _jit(rules.learning_growth)
place_focus = _jit(rules.place_focus)
facilitated = _jit(rules.facilitated)
coproduced_rate = _jit(rules.coproduced_rate)
community_strength = _jit(rules.community_strength)
strengthened_budget = _jit(rules.strengthened_budget)
joint_working_permitted = _jit(rules.joint_working_permitted)
joint_success = _jit(rules.joint_success)
disposition = _jit(rules.disposition)
inclined = _jit(rules.inclined)
inclined_contact = _jit(rules.inclined_contact)
suspicious_reading = _jit(rules.suspicious_reading)
group_evidence = _jit(rules.group_evidence)
bridge_chance = _jit(rules.bridge_chance)
relayed_evidence = _jit(rules.relayed_evidence)

#: The parameter vector's entries, in order (effective values: :func:`~simulation.interventions.effective_parameters`).
KERNEL_PARAMETERS: tuple[str, ...] = (
    "conflict_rate", "competitive_pressure", "cross_sector_conflict", "resolution_rate", "altruism_rate",
    "contact_evidence", "openness_evidence", "withholding_evidence", "resolution_evidence", "festering_evidence",
    "altruism_evidence", "gain_rate", "loss_rate", "baseline_trust", "drift_rate", "turnover_rate",
    "turnover_trust_loss", "partnership_threshold", "introduction_rate", "introduction_trust", "contact_rate",
    "open_book", "leadership_development", "shared_role_focus_shift", "meeting_hours", "board_meeting_hours",
    "board_rate", "shared_role_hours", "shared_role_contact", "lever_hours", "board_decision_conflict",
    "board_authority", "suppressed_resurface", "hwb_rate", "hwb_meeting_hours", "hwb_common_cause",
    "regulator_incentive", "pooled_budget", "pooled_budget_hours", "statutory_contact",
    "programme_contact", "programme_growth", "programme_focus_shift", "programme_hours",
    "development_relationship_effect", "development_power_effect", "development_facilitation_effect",
    "shared_vision", "vision_growth", "vision_focus_shift", "vision_common_cause",
    "coproduction", "coproduction_effect", "community_investment", "community_base", "community_growth",
    "voluntary_strength", "staff_contact", "joint_working_threshold", "joint_success_base", "staff_learning",
    "staff_feedback", "programme_cohort_size", "programme_months", "programme_tie_contact",
    "reciprocity", "contact_reciprocity", "suspicion", "conflict_strain", "rivalry", "group_meeting_weight",
    "role_brokerage", "role_relay", "open_book_statutory", "statutory_lever_hours", "development_statutory",
)
(_C0, _PRESS, _CROSS, _RR, _AR, _CE, _OE, _WE, _RE, _FE, _AE, _ALPHA, _BETA, _BASE, _DRIFT, _TURN, _TLOSS,
 _THR, _IRATE, _ITRUST, _CONTACT, _OB, _LD, _SHIFT, _MEET_H, _BOARD_H, _BOARD_RATE, _ROLE_H, _ROLE_CONTACT,
 _LEVER_H, _DECISION, _AUTHORITY, _RESURFACE, _HWB_RATE, _HWB_H, _COMMON, _REGULATOR, _POOL,
 _POOL_H, _STAT_CONTACT,
 _PROG_CONTACT, _PROG_GROWTH, _PROG_SHIFT, _PROG_H, _DEV_REL, _DEV_POWER, _DEV_FAC, _VISION_H, _VISION_GROWTH,
 _VISION_SHIFT, _VISION_COMMON, _COPROD, _COPROD_EFFECT, _INVEST, _COMMUNITY_BASE, _COMMUNITY_GROWTH,
 _VOL_STRENGTH, _STAFF_CONTACT, _JOINT_THR, _JOINT_BASE, _STAFF_LEARN, _STAFF_FEEDBACK, _PROG_SIZE, _PROG_MONTHS,
 _PROG_TIE, _RECIP, _CONTACT_RECIP, _SUSPICION, _STRAIN, _RIVALRY, _GROUP_W, _BROKERAGE,
 _RELAY, _OB_STAT, _STAT_LEVER_H, _DEV_STAT) = range(len(KERNEL_PARAMETERS))

#: Outcome columns before the per-kind-pair trust columns (the order of :func:`simulation.outcomes.model_reporters`).
FIXED_OUTCOMES: tuple[str, ...] = (
    "mean_trust", "partnership_share", "integration", "connectedness", "conflicts_arisen", "conflicts_resolved",
    "conflicts_festering", "relationships", "hours_one_to_one", "hours_board", "hours_roles", "hours_levers",
    "hours_cut", "board_decisions", "conflicts_suppressed", "joint_care", "staff_trust", "programme_reach",
    "community_strength", "statutory_integration", "size_integration",
)
#: The leader-hours columns (mean hours a month per leader), in the order of :data:`FIXED_OUTCOMES`.
HOURS_OUTCOMES: tuple[str, ...] = FIXED_OUTCOMES[8:13]
N_FIXED_OUTCOMES = len(FIXED_OUTCOMES)

# The state each phase of the month is given, by name (namedtuples of arrays: numba compiles them as structures).
# The relationship buffers are :class:`~simulation.relationships.RelationshipArrays`.

#: The per-organisation arrays of a run (:class:`~simulation.relationships.Leaders`' state, typed for the kernel):
#: ``kind``, ``sector`` (int), ``weight`` (contact weight), ``capacity`` (most relationships kept), ``budget``
#: (hours a month), ``forum`` (on the Health and Wellbeing Board), ``merged``, ``statutory`` (bool), ``tenure``
#: (months), ``raw`` and ``eff`` the ``(4, N)`` drawn and effective traits, ``learning`` the ``(2, N)`` programme
#: level and share in the vision, ``cohort`` the ``(2, N)`` programme cohort (or -1) and months left in it, and
#: ``community``, the place's community strength (one value), and ``size``, each organisation's size (its annual
#: budget; read by the outcomes only).
Organisations = namedtuple("Organisations", ["kind", "sector", "weight", "capacity", "budget", "forum", "merged",
                                             "statutory", "tenure", "raw", "eff", "learning", "cohort", "community",
                                             "size"])


def organisations_of(leaders) -> Organisations:
    """The kernel's view of a :class:`~simulation.relationships.Leaders`: its own arrays (no copies where they
    already have the kernel's types), under the kernel's names."""
    c = np.ascontiguousarray
    return Organisations(
        kind=c(leaders.kind, dtype=np.int64), sector=c(leaders.sector, dtype=np.int64),
        weight=c(leaders.contact_weight, dtype=np.float64), capacity=c(leaders.capacity, dtype=np.int64),
        budget=c(leaders.hours_budget, dtype=np.float64), forum=leaders.forum_member, merged=leaders.merged,
        statutory=c(leaders.statutory, dtype=np.bool_), tenure=leaders.tenure, raw=leaders.raw_traits,
        eff=leaders.effective_traits, learning=leaders.learning, cohort=leaders.cohort, community=leaders.community,
        size=leaders.size)
#: Per-pair caches kept across the months of one call of :func:`advance`: the granted one-to-one rate and
#: ``exp(-rate)`` (recomputed when the rate changes), the conflict rate before co-production and its
#: ``exp(-rate)`` (-1 until first needed); kept with the conflict rate, the pair's contact evidence as its leaders'
#: development raises it (``contact_evidence``) and each leader's chance to help the other at a one-to-one before
#: trust inclines it (``helping[2p]``: i helps j; ``helping[2p + 1]``: j helps i); and the month's one-to-ones asked
#: for where they read trust (``asked``).
PairCache = namedtuple("PairCache", ["granted", "granted_exp", "rate", "rate_exp", "contact_evidence", "helping",
                                     "asked"])
#: Per-leader work space of :func:`advance`: each leader's share of asked one-to-one time that fits (``scale``),
#: committed and requested hours, board membership, and the flags of leaders whose traits and conflict rates must
#: be recomputed (``changed``), who learned or arrived (``learned``) and who left.
LeaderWork = namedtuple("LeaderWork", ["scale", "committed", "requested", "board_member", "changed", "learned",
                                       "leaving"])
#: The month's group meetings (ODD §7.19): ``board`` and ``forum`` (each pair on the board, each pair of forum
#: members, attends them all) and ``cohort[c]``, the meetings of programme cohort ``c``.
GroupMeetings = namedtuple("GroupMeetings", ["board", "forum", "cohort"])


def parameter_vector(effective: Mapping[str, float]) -> np.ndarray:
    """The kernel's parameter vector from effective parameter values by name.

    Examples
    --------
    >>> from simulation import Scenario
    >>> from simulation.interventions import effective_parameters
    >>> v = parameter_vector(effective_parameters(Scenario(gain_rate=0.05).params, active=False))
    >>> len(v) == len(KERNEL_PARAMETERS), float(v[KERNEL_PARAMETERS.index("gain_rate")])
    (True, 0.05)
    """
    return np.array([float(effective[name]) for name in KERNEL_PARAMETERS], dtype=np.float64)


# ------------------------------------------------------------------ leaders
@_jit
def _in_shared_role(pairs, shared_role, n_pairs, n):
    """Whether each of ``n`` leaders holds a shared role (one of its relationships is flagged)."""
    in_role = np.zeros(n, dtype=np.bool_)
    for p in range(n_pairs):
        if shared_role[p]:
            in_role[pairs[p, 0]] = True
            in_role[pairs[p, 1]] = True
    return in_role


@_inline
def _leader_trait(i, raw, eff, in_role, learning, prm, statutory):
    """Leader ``i``'s effective traits (:func:`_leader_traits`)."""
    developed = development_level(aimed_level(prm[_LD], prm[_DEV_STAT], statutory[i]), learning[0, i])
    eff[0, i] = opened_transparency(raw[0, i], aimed_level(prm[_OB], prm[_OB_STAT], statutory[i]))
    eff[1, i] = developed_skill(raw[1, i], developed)
    eff[2, i] = developed_skill(raw[2, i], prm[_DEV_POWER] * developed)
    focus = place_focus(shared_role_focus(raw[3, i], prm[_SHIFT], in_role[i]), learning[0, i], prm[_PROG_SHIFT],
                        learning[1, i], prm[_VISION_SHIFT])
    eff[3, i] = regulated_focus(focus, prm[_REGULATOR])


@_jit
def _leader_traits(raw, eff, in_role, learning, prm, statutory):
    """:func:`refresh_traits` given who holds a shared role (open books perhaps for the statutory leaders alone)."""
    for i in range(raw.shape[1]):
        _leader_trait(i, raw, eff, in_role, learning, prm, statutory)


@_jit
def refresh_traits(raw, eff, pairs, shared_role, n_pairs, learning, prm, statutory):
    """Effective traits of every leader from the drawn ones, what the leader has learned and the month's levers.

    Development (:func:`~simulation.rules.development_level`, from the
    ``leadership_development`` lever and the leader's programme level
    ``learning[0]``) closes the gap in conflict skill (negotiation) and, by its
    power-sharing effect, in altruism; programme level and the leader's share
    in the vision (``learning[1]``) shift focus to the place. Open books
    open the statutory leaders alone where so aimed (``statutory``: who leads a statutory body).
    """
    _leader_traits(raw, eff, _in_shared_role(pairs, shared_role, n_pairs, raw.shape[1]), learning, prm, statutory)


# ----------------------------------------------------------------- outcomes
@_inline
def _insert(ranked, order, x):
    """One step of insertion sort: ``ranked[x]`` moves down to its place in ``ranked[:x + 1]``, ``order[x]`` with it."""
    key = ranked[x]
    v = order[x]
    y = x - 1
    while y >= 0:
        if ranked[y] <= key:
            break
        ranked[y + 1] = ranked[y]
        order[y + 1] = order[y]
        y -= 1
    ranked[y + 1] = key
    order[y + 1] = v


@_inline
def _sort_few(values, k):
    """``values[:k]`` in increasing order, in place (insertion sort: for a handful of values)."""
    for x in range(1, k):
        v = values[x]
        y = x - 1
        while y >= 0:
            if values[y] <= v:
                break
            values[y + 1] = values[y]
            y -= 1
        values[y + 1] = v


_RADIX_BITS = 8  # radix passes of 8 bits: 16-bit keys for up to 4,096 values, 24-bit keys above


@_jit
def _sort_unit_keys(keys, order, k, work, ranked):
    """``order[:k]`` sorts ``keys[:k]`` (values in [-1, 0]) ascending, exactly and stably, in linear time.

    A least-significant-digit radix sort on the keys rounded down to 16 bits
    (24 bits above 4,096 keys: two or three counting passes of 8 bits), then
    one insertion pass that puts keys sharing a rounded prefix in exact order
    (a handful of moves). Stable: equal keys keep their index order.
    ``ranked[:k]`` gets the keys in that order (``keys[order]``): they are
    read through ``order`` once, in one sequential pass, and the insertion
    pass compares and moves them in place (with ``order``) rather than
    reading every key it compares through ``order``, which is quicker.
    ``work`` is :func:`sort_work` space for at least ``k`` keys.
    """
    size = 1 << _RADIX_BITS
    passes = 2 if k <= 4096 else 3
    levels = np.float64(1 << (_RADIX_BITS * passes))
    digit, other, count = work[0], work[1], work[2]
    for p in range(k):
        digit[p] = min(np.int64(levels) - 1, max(0, np.int64((keys[p] + 1.0) * levels)))
    # every pass's counts in one reading of the digits (``count[s * size:(s + 1) * size]`` for pass ``s``), then
    # each pass's starts
    for b in range(passes * size):
        count[b] = 0
    for p in range(k):
        d = digit[p]
        for shift in range(passes):
            count[shift * size + ((d >> (_RADIX_BITS * shift)) & (size - 1))] += 1
    for shift in range(passes):
        total = 0
        for b in range(shift * size, (shift + 1) * size):
            c = count[b]
            count[b] = total
            total += c
    for p in range(k):  # the first pass reads the keys in index order: into ``other``
        d = digit[p] & (size - 1)
        other[count[d]] = p
        count[d] += 1
    for shift in range(1, passes):  # then from ``other`` into ``order`` and back, next digit up
        src, dst = (other, order) if shift % 2 == 1 else (order, other)
        for x in range(k):
            p = src[x]
            d = shift * size + ((digit[p] >> (_RADIX_BITS * shift)) & (size - 1))
            dst[count[d]] = p
            count[d] += 1
    if passes % 2 == 1:  # the last pass wrote ``other``
        for x in range(k):
            order[x] = other[x]
    for x in range(k):
        ranked[x] = keys[order[x]]
    for x in range(1, k):
        if ranked[x - 1] > ranked[x]:
            _insert(ranked, order, x)


@_jit
def sort_work(k):
    """Work space of :func:`_sort_unit_keys` for ``k`` keys: ``(3, max(k, 768))`` int64 (768: 3 passes' counts)."""
    return np.empty((3, max(k, 3 << _RADIX_BITS)), dtype=np.int64)


@_jit
def _order_by_mutual_trust(pairs, trust, n_pairs, mutual, order, work):
    """``order[:n_pairs]``: pairs by falling mutual trust; ``mutual[k]`` the negated mutual trust of ``order[k]``.

    Pairs of equal trust come in index order; their order changes no term of
    the connectedness sum (their gap is zero).
    """
    keys = work.floats[1]
    for p in range(n_pairs):
        keys[p] = -min(trust[2 * p], trust[2 * p + 1])
    _sort_unit_keys(keys, order, n_pairs, work.sort, mutual)


OutcomeWork = namedtuple("OutcomeWork", ["floats", "order", "sort", "forest", "sums", "counts", "mass"])


@_jit
def outcome_work(n, cap, ncol):
    """Work space of :func:`record_outcomes` for ``n`` organisations, up to ``cap`` pairs and ``ncol`` columns.

    Allocated once per call of :func:`advance` (and again if the pairs outgrow
    it) rather than every month.
    """
    return OutcomeWork(np.empty((2, cap)), np.empty(cap, dtype=np.int64), sort_work(cap),
                       np.empty((4, n), dtype=np.int64), np.empty(ncol), np.empty(ncol, dtype=np.int64), np.empty(n))


@_jit
def integration_measures(pairs, trust, n_pairs, n, threshold, n_active, statutory, merged, size):
    r"""The integration index, connectedness, the statutory core's and size-weighted integration: one Kruskal pass.

    Joining pairs in order of falling mutual trust :math:`m_1 \ge m_2 \ge \dots`,
    let :math:`L_k` be the largest component once the first :math:`k` are joined.
    The **integration index** is :math:`L/N` once every pair with
    :math:`m \ge \theta` is joined (0 with no partnership). **Connectedness**,
    its average over every threshold, is

    .. math:: C = \int_0^1 I(\theta)\, d\theta
              = \sum_k \frac{L_k}{N} (m_k - m_{k+1}), \qquad m_{P+1} = 0:

    threshold-free, no parameter of the model enters it. The **statutory
    core's integration** is the integration index of the statutory
    organisations (NHS trusts and councils under the default kinds): the share
    of them in the one partnership network that holds the most of them, at the
    partnership threshold (Ham's relationship between the NHS and local
    government, whatever the voluntary sector's size). The **size-weighted
    integration** is the share of the place's total size (``size``, each
    organisation's budget) in the one partnership network that holds the most
    of it, at the partnership threshold (0 with no partnership). Returns
    ``(integration, connectedness, statutory integration, size integration)``,
    the first three as shares of the organisations not absorbed by a merger
    (``merged``); the statutory core's is NaN in a place without statutory
    organisations.
    """
    return _integration(pairs, trust, n_pairs, n, threshold, n_active, outcome_work(n, n_pairs, np.int64(0)),
                        statutory, merged, size)


@_jit
def _integration(pairs, trust, n_pairs, n, threshold, n_active, work, statutory, merged, weight):
    """:func:`integration_measures` in the ``work`` space of :func:`outcome_work` (``weight``: the sizes)."""
    label, size, core, chain, mass = work.forest[0], work.forest[1], work.forest[2], work.forest[3], work.mass
    n_core = 0
    total_mass = 0.0
    # each organisation starts as its own network, labelled by itself; a network's members are chained from its
    # label (``chain``, -1 at the end), so the smaller of two networks joining is relabelled member by member:
    # a member's network is one load at every pair (no search up a union-find tree, whose varying length the
    # processor mispredicts), and a member is relabelled at most log2(N) times in a month
    for i in range(n):
        label[i] = i
        chain[i] = -1
        size[i] = 1
        core[i] = statutory[i] & (not merged[i])
        n_core += core[i]
        mass[i] = weight[i]
        total_mass += weight[i]
    if n_pairs == 0:
        return 0.0, 0.0, 0.0 if n_core > 0 else np.nan, 0.0
    mutual, order = work.floats[0], work.order
    _order_by_mutual_trust(pairs, trust, n_pairs, mutual, order, work)
    largest = 1
    largest_core = 0  # statutory organisations in the partnership network holding the most of them
    largest_mass = 0.0  # size in the partnership network holding the most of it
    area = 0.0
    integration = 0.0
    core_integration = 0.0
    mass_integration = 0.0
    for k in range(n_pairs):
        if largest < n:  # once everyone is joined, no pair joins anything: only the sum goes on
            p = order[k]
            ra, rb = label[pairs[p, 0]], label[pairs[p, 1]]
            if ra != rb:
                if size[ra] > size[rb]:  # the smaller network joins the larger
                    ra, rb = rb, ra
                x = ra  # its members take the label rb, and its chain goes after rb's first member
                while True:
                    label[x] = rb
                    if chain[x] < 0:
                        break
                    x = chain[x]
                chain[x] = chain[rb]
                chain[rb] = ra
                size[rb] += size[ra]
                largest = max(largest, size[rb])
                core[rb] += core[ra]
                largest_core = max(largest_core, core[rb])
                mass[rb] += mass[ra]
                largest_mass = max(largest_mass, mass[rb])
        level = -mutual[k]
        if level >= threshold:
            integration = largest / n_active
            core_integration = largest_core / n_core if n_core > 0 else np.nan
            mass_integration = largest_mass / total_mass if total_mass > 0.0 else np.nan
        following = -mutual[k + 1] if k + 1 < n_pairs else 0.0
        area += largest * (level - following)
    if n_core == 0:
        core_integration = np.nan
    return integration, area / n_active, core_integration, mass_integration


@_jit
def record_outcomes(row, pairs, trust, backlog, n_pairs, n, arisen, resolved, threshold, kind, colmap, hours,
                    decisions, suppressed, n_active, staff, care, staff_contact, joint_threshold,
                    joint_base, learning, merged, community, statutory, size, work):
    """One row of outcomes (the columns of :func:`simulation.outcomes.model_reporters`), in place.

    ``joint_care`` is, over the care pathways (``care``), the expected share
    of care episodes delivered jointly and well (0 where leaders do not
    permit joint working, or teams never work jointly: ``staff_contact`` 0);
    ``staff_trust`` the mean staff trust over them; ``programme_reach`` the
    share of active organisations whose leader has been on a programme.
    ``work`` is :func:`outcome_work` space for at least ``n_pairs`` pairs.
    """
    ncol = row.shape[0]
    sums, counts = work.sums, work.counts
    for c in range(ncol):
        sums[c] = 0.0
        counts[c] = 0
    total = 0.0
    partnerships = 0
    festering = 0
    joint = 0.0
    staff_total = 0.0
    pathways = 0
    joint_on = staff_contact > 0.0
    column, column_sum, column_count = -1, 0.0, 0  # the current kind-pair column's running sum, kept in registers
    for p in range(n_pairs):
        a, b = trust[2 * p], trust[2 * p + 1]
        total += a + b
        partnerships += min(a, b) >= threshold
        festering += backlog[p]
        c = colmap[kind[pairs[p, 0]], kind[pairs[p, 1]]]
        if c != column:  # (runs of pairs share a column: the same additions, in the same order)
            if column >= 0:
                sums[column], counts[column] = column_sum, column_count
            column, column_sum, column_count = c, sums[c], counts[c]
        column_sum += a + b
        column_count += 2
        if care[p]:
            pathways += 1
            staff_total += staff[p]
            # adding 0.0 where leaders do not permit joint working changes no bit of the sum, and spares a branch
            # on trust that the processor mispredicts
            joint += np.float64(joint_on & joint_working_permitted(a, b, joint_threshold)) * joint_success(staff[p],
                                                                                                         joint_base)
    if column >= 0:
        sums[column], counts[column] = column_sum, column_count
    row[0] = total / (2 * n_pairs) if n_pairs > 0 else np.nan
    row[1] = partnerships / n_pairs if n_pairs > 0 else 0.0
    row[2], row[3], row[19], row[20] = _integration(pairs, trust, n_pairs, n, threshold, n_active, work, statutory,
                                                    merged, size)
    row[4] = arisen
    row[5] = resolved
    row[6] = festering
    row[7] = n_pairs
    for h in range(hours.shape[0]):
        row[8 + h] = hours[h]
    row[13] = decisions
    row[14] = suppressed[:n_pairs].sum()
    row[15] = joint / pathways if pathways > 0 else 0.0
    row[16] = staff_total / pathways if pathways > 0 else np.nan
    reached = 0
    for i in range(n):
        if (learning[0, i] > 0.0) & (not merged[i]):
            reached += 1
    row[17] = reached / n_active if n_active > 0 else 0.0
    row[18] = community[0]
    for c in range(N_FIXED_OUTCOMES, ncol):
        row[c] = sums[c] / counts[c] if counts[c] > 0 else np.nan


# ------------------------------------------------------------ introductions
_BITSET_MAX = 1024  # places up to this size find introduction candidates with adjacency bitsets
_U0, _U1, _U6, _U63 = np.uint64(0), np.uint64(1), np.uint64(6), np.uint64(63)
_M1, _M2, _M4 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_DEBRUIJN_INDEX = np.array([
    0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24,
    18, 12, 5, 63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25,
    14, 19, 9, 13, 8, 7, 6], dtype=np.int64)


def candidate_scratch(n: int) -> np.ndarray:
    """Scratch space for :func:`introduction_candidates` in a place of ``n`` organisations (reused month to month).

    Examples
    --------
    >>> candidate_scratch(100).shape, candidate_scratch(5000).shape
    ((100, 4), (0, 0))
    """
    return np.zeros((n, 2 * ((n + 63) // 64)) if n <= _BITSET_MAX else (0, 0), dtype=np.uint64)


@_jit
def _popcount(x):
    x = x - ((x >> _U1) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@_inline
def _lowest_bit(word):
    """Index of the lowest set bit of a non-zero ``word`` (de Bruijn multiplication)."""
    return _DEBRUIJN_INDEX[np.int64(((word & (~word + _U1)) * _DEBRUIJN) >> np.uint64(58))]


@_jit
def _intro_bitsets(pairs, trust, n_pairs, n, threshold, room, work):
    """:func:`introduction_candidates` for places up to 1,024 organisations, with adjacency bitsets.

    Row ``i`` of ``work.bits`` holds ``i``'s partners (first ``W`` words) and
    all its relationships (last ``W``). The candidates of ``i`` are the
    partners of its partners above ``i`` with room and without a relationship,
    read off in increasing order; their count of common partners is a
    popcount. Returns them as views of ``work.found`` and the work space
    (regrown if they might not fit).

    The bits are kept from month to month (:class:`IntroductionWork`), not
    rebuilt: relationships are only appended within a call of :func:`advance`
    (by cohorts and introductions; unique pairs), so only the rows from
    ``work.tally[_T_BITS]`` on add relationship bits, and a partner bit is flipped
    only where the pair's partnership changed since the bits were last read,
    which few pairs do in a month. The partner degrees and the bound on the
    candidates (``work.tally[_T_BOUND]``) follow the flips.
    """
    bits, tally, partners_of = work.bits, work.tally, work.partner_degree
    w_n = bits.shape[1] // 2
    for p in range(tally[_T_BITS], n_pairs):  # relationships new since the bits were last read
        i, j = pairs[p, 0], pairs[p, 1]
        bits[i, w_n + (j >> 6)] |= _U1 << np.uint64(j & 63)  # (indices are never negative)
        bits[j, w_n + (i >> 6)] |= _U1 << np.uint64(i & 63)
    tally[_T_BITS] = n_pairs
    bound = tally[_T_BOUND]  # each candidate is a pair of some partner's partners, both with room: sum of d(d - 1) / 2
    for p in range(n_pairs):  # unsigned indices: numba checks a signed one for a negative value at every access
        i, j = np.uint64(pairs[p, 0]), np.uint64(pairs[p, 1])
        partner = min(trust[2 * p], trust[2 * p + 1]) >= threshold
        if partner != (((bits[i, j >> _U6] >> (j & _U63)) & _U1) == _U1):  # rarely: a branch predicted well
            bits[i, j >> _U6] ^= _U1 << (j & _U63)
            bits[j, i >> _U6] ^= _U1 << (i & _U63)
            if partner:
                bound += partners_of[i] + partners_of[j]
                partners_of[i] += 1
                partners_of[j] += 1
            else:
                partners_of[i] -= 1
                partners_of[j] -= 1
                bound -= partners_of[i] + partners_of[j]
    tally[_T_BOUND] = bound
    room_bits, reach = work.words[0], work.words[1]
    room_bits.fill(0)
    with_room = 0
    for i in range(n):
        if room[i]:
            room_bits[i >> 6] |= _U1 << np.uint64(i & 63)
            with_room += 1
    bound = min(bound, with_room * (with_room - 1) // 2)
    if bound > work.found.shape[1]:
        work = IntroductionWork(bits, work.words, np.empty((3, max(bound, 2 * work.found.shape[1])), dtype=np.int64),
                                work.degree, work.room, work.chance, partners_of, tally)
    ci, cj, cc = work.found[0], work.found[1], work.found[2]
    k = 0
    if bound == 0:  # fewer than two partnerships sharing a partner: nobody to introduce
        return ci[:k], cj[:k], cc[:k], work
    for i in range(n):
        if not room[i]:
            continue
        partners = _U0
        for v in range(w_n):
            partners |= bits[i, v]
        if partners == _U0:  # no partner: nobody to be introduced to
            continue
        if w_n > 2:
            for w in range(w_n):
                reach[w] = 0
        r0, r1 = _U0, _U0  # up to 128 organisations (two words) the reach stays in registers: a loop over
        # the words, reading and writing the reach in memory, cost more than the ORs themselves
        for v in range(w_n):  # the partners m of i: reach their partners
            word = bits[i, v]
            while word != _U0:
                m = np.uint64((v << 6) + _lowest_bit(word))  # (unsigned: see above)
                word &= word - _U1
                if w_n <= 2:  # (with one word, both registers hold it)
                    r0 |= bits[m, 0]
                    r1 |= bits[m, w_n - 1]
                else:
                    for w in range(w_n):
                        reach[w] |= bits[m, w]
        if w_n <= 2:
            reach[0] = r0
            reach[w_n - 1] = r1
        first = i >> 6
        for w in range(first, w_n):
            word = reach[w] & ~bits[i, w_n + w] & room_bits[w]
            if w == first:  # only partners above i
                word &= ~((_U1 << np.uint64(i & 63)) - _U1) & ~(_U1 << np.uint64(i & 63))
            while word != _U0:
                j = np.uint64((w << 6) + _lowest_bit(word))
                word &= word - _U1
                count = 0
                for v in range(w_n):
                    count += np.int64(_popcount(bits[i, v] & bits[j, v]))
                ci[k] = i
                cj[k] = np.int64(j)
                cc[k] = count
                k += 1
    return ci[:k], cj[:k], cc[:k], work


#: Work space of the month's introductions (:func:`_chosen_introductions`), kept across the months of a call of
#: :func:`advance`: the adjacency ``bits`` (:func:`candidate_scratch`), two rows of ``words`` (who has room, whom a
#: leader's partners reach), the candidates ``found`` (rows ``i``, ``j`` and their common partners; regrown when a
#: month may find more), each leader's ``degree`` and ``room``, the introduction ``chance`` by number of common
#: partners (:func:`~simulation.rules.introduction_probability`), each leader's ``partner_degree`` in the bits, and
#: a ``tally``: the pairs whose relationship bits are set, the bound on the candidates, the pairs counted in
#: ``degree``, and the span of pairs with shared roles (first, one past the last; -1 until found). The bits,
#: degrees and tally carry over from month to month (relationships are only appended within a call, without
#: shared roles), so a month adds only what changed; :func:`introduction_work` starts them from nothing.
IntroductionWork = namedtuple("IntroductionWork", ["bits", "words", "found", "degree", "room", "chance",
                                                   "partner_degree", "tally"])
#: The slots of :class:`IntroductionWork`'s ``tally``.
_T_BITS, _T_BOUND, _T_DEGREES, _T_ROLES_FIRST, _T_ROLES_STOP = range(5)


@_jit
def introduction_work(scratch, n, rate):
    """:class:`IntroductionWork` for ``n`` organisations with the bitsets ``scratch`` and introduction rate ``rate``.

    The bitsets are cleared and the degrees and tally zeroed: the first month
    reads every relationship, whatever ``scratch`` held (a call of
    :func:`advance` may follow changes made between calls: removed or merged
    relationships).
    """
    chance = np.empty(n + 1)  # common partners are fewer than the organisations
    for c in range(n + 1):
        chance[c] = introduction_probability(c, rate)
    found = 4 * n if scratch.shape[0] == n else 0  # larger places find their candidates in new arrays
    scratch.fill(0)
    return IntroductionWork(scratch, np.zeros((2, max(scratch.shape[1] // 2, 1)), dtype=np.uint64),
                            np.empty((3, found), dtype=np.int64), np.zeros(n, dtype=np.int64),
                            np.empty(n, dtype=np.bool_), chance, np.zeros(n, dtype=np.int64),
                            np.array([0, 0, 0, -1, -1], dtype=np.int64))  # the roles' span not yet found


@_jit
def introduction_candidates(pairs, trust, n_pairs, n, threshold, scratch, room):
    """Unconnected pairs ``i < j`` with partners in common, in lexicographic order, and how many they share.

    Partners are pairs with mutual trust at or above ``threshold``; the count
    is ``(A @ A)_ij`` for the partnership adjacency ``A``, computed row by row
    (Gustavson) without forming the product; pairs already related are
    skipped, and so are organisations without ``room`` (bool per organisation:
    only leaders with room take on a new relationship). ``scratch`` is
    :func:`candidate_scratch` (bitsets for places up to 1,024 organisations;
    Gustavson's row-by-row product above).
    """
    ci, cj, cc, _ = _candidates(pairs, trust, n_pairs, n, threshold, room, introduction_work(scratch, n, 0.0))
    return ci, cj, cc


@_jit
def _candidates(pairs, trust, n_pairs, n, threshold, room, work):
    """:func:`introduction_candidates` in the work space ``work`` (:class:`IntroductionWork`); returns it too
    (regrown if the candidates needed more room)."""
    if work.bits.shape[0] == n and n > 0:
        return _intro_bitsets(pairs, trust, n_pairs, n, threshold, room, work)
    ci, cj, cc = _intro_products(pairs, trust, n_pairs, n, threshold, room)
    return ci, cj, cc, work


@_jit
def _intro_products(pairs, trust, n_pairs, n, threshold, room):
    """:func:`introduction_candidates` for larger places, Gustavson's row-by-row product (candidates in new arrays)."""
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
        if not room[i]:
            continue
        nt = 0
        for x in range(deg[i], deg[i + 1]):
            m = adj[x]
            for y in range(deg[m], deg[m + 1]):
                j = adj[y]
                if (j > i) & room[j]:
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
        _sort_few(touched, nt)  # rows are short
        for x in range(nt):
            j = touched[x]
            if stamp_e[j] == i:
                continue
            if k == cap:
                cap *= 2
                ci2 = np.empty(cap, dtype=np.int64)
                cj2 = np.empty(cap, dtype=np.int64)
                cc2 = np.empty(cap, dtype=np.int64)
                for q in range(k):
                    ci2[q] = ci[q]
                    cj2[q] = cj[q]
                    cc2[q] = cc[q]
                ci, cj, cc = ci2, cj2, cc2
            ci[k] = i
            cj[k] = j
            cc[k] = cnt[j]
            k += 1
    return ci[:k].copy(), cj[:k].copy(), cc[:k].copy()


@_jit
def _grow(buffers, need):
    """The relationship buffers with room for at least ``need`` pairs (used rows copied)."""
    pairs, trust, contact, backlog, age, formal, shared, suppressed, staff, care = buffers
    cap = max(need, 2 * pairs.shape[0], 16)
    p2 = np.zeros((cap, 2), dtype=np.int64)
    t2 = np.zeros(2 * cap)
    c2 = np.zeros(cap)
    b2 = np.zeros(cap, dtype=np.int64)
    a2 = np.zeros(cap, dtype=np.int64)
    f2 = np.zeros(cap, dtype=np.bool_)
    s2 = np.zeros(cap, dtype=np.bool_)
    u2 = np.zeros(cap, dtype=np.int64)
    w2 = np.zeros(cap)
    v2 = np.zeros(cap, dtype=np.bool_)
    for q in range(pairs.shape[0]):  # element by element: quicker to compile than slice assignment
        p2[q, 0] = pairs[q, 0]
        p2[q, 1] = pairs[q, 1]
        t2[2 * q] = trust[2 * q]
        t2[2 * q + 1] = trust[2 * q + 1]
        c2[q] = contact[q]
        b2[q] = backlog[q]
        a2[q] = age[q]
        f2[q] = formal[q]
        s2[q] = shared[q]
        u2[q] = suppressed[q]
        w2[q] = staff[q]
        v2[q] = care[q]
    return RelationshipArrays(p2, t2, c2, b2, a2, f2, s2, u2, w2, v2)


# -------------------------------------------------------------------- month
_POISSON_INVERSION_MAX = 10.0  # below this rate, conflicts are drawn by inversion from one cached exp(-rate)


_POISSON_FLAT_FROM = 0.25  # from this rate on the first CDF terms are compared without branching


@_jit
def poisson_by_inversion(u, rate, exp_minus_rate):
    """The Poisson(``rate``) variate at uniform ``u`` by sequential inversion of the CDF (Devroye 1986, X.3.3).

    One uniform per draw whatever the outcome, and no transcendental function
    when ``exp(-rate)`` is cached; the kernel uses it for rates below 10 and
    numba's ``Generator.poisson`` above. From a rate of 0.25 (meetings, joint
    episodes) the outcome is close to a coin flip, which a branch would
    mispredict, so the CDF's first four terms are compared without branching
    and the search goes on only beyond; below (conflicts), zero is so likely
    that the plain search is quicker. Both give the same variate.
    """
    x = np.int64(0)
    prob = exp_minus_rate
    cdf = prob
    if rate >= _POISSON_FLAT_FROM:
        p1 = prob * rate  # the same operations as the loop below
        p2 = p1 * (rate / 2.0)
        p3 = p2 * (rate / 3.0)
        c1 = cdf + p1
        c2 = c1 + p2
        c3 = c2 + p3
        x = np.int64(u > cdf) + np.int64(u > c1) + np.int64(u > c2) + np.int64(u > c3)
        if x < 4:
            return x
        x, prob, cdf = np.int64(3), p3, c3
    while u > cdf:
        x += 1
        prob *= rate / x
        cdf += prob
        if prob <= 0.0:  # u beyond the CDF's rounding limit: the tail is empty at double precision
            break
    return x


_NO_CONFLICT_BOUND_FROM = 1e-6  # from this rate on, u <= 1 - rate implies u <= exp(-rate) in double precision


@_inline
def _surely_no_conflict(u, rate):
    """Whether uniform ``u`` gives no conflict at ``rate`` by the bound ``exp(-rate) > 1 - rate``, without ``exp``.

    Since ``exp(-c) > 1 - c + c**2 / 3`` for ``0 < c < 1``, a uniform at or
    below ``1 - c`` gives :func:`poisson_by_inversion` ``(u, c, exp(-c))`` = 0.
    For conflict rates (about 0.1) that is nine draws in ten; the kernel
    computes the exponential for the others only, and caches it until the
    rate changes. Below a rate of 1e-6 the margin ``c**2 / 3`` would approach
    the rounding of ``1 - c`` and of ``exp``, so the bound is not used.
    """
    return (u <= 1.0 - rate) & (rate >= _NO_CONFLICT_BOUND_FROM)


@_inline
def _pair_pressure(on_board, pressure, pooled):
    """Competitive pressure in a relationship: a pooled budget aligns the incentives of the board's members."""
    return effective_pressure(pressure, pooled) if on_board & (pooled > 0.0) else pressure


@_inline
def _pair_rates(p, rel, orgs, prm, cache):
    """A pair's conflict rate before co-production, cached until a leader's focus or learning changes (ODD §7.3).

    With it, the evidence a meeting gives as the pair's development raises it (§7.6: leaders developed in
    relationship building learn more from a meeting; ``contact_evidence`` itself without development) and each
    leader's chance to help the other at a one-to-one (§7.5, :func:`~simulation.rules.altruism_probability`).

    Members of a Health and Wellbeing Board that meets find common cause:
    less extra conflict across sectors (:func:`~simulation.rules.common_cause`),
    more so the better they facilitate; leaders who share the place's vision
    find common cause too; board members who pool budgets compete less
    (:func:`_pair_pressure`). Co-production's share of conflicts prevented
    (:func:`~simulation.rules.coproduced_rate`, linear in the rate) applies
    as a factor of the month in :func:`_relationships_month`, so the rates
    stand while the community's strength moves.
    """
    i, j = rel.pairs[p, 0], rel.pairs[p, 1]
    learning, eff = orgs.learning, orgs.eff
    kappa = prm[_CROSS]
    if orgs.forum[i] & orgs.forum[j] & (prm[_HWB_RATE] > 0.0):
        dev = _pair_development(prm, learning, orgs.statutory, i, j)
        kappa = common_cause(kappa, developed_skill(prm[_COMMON], prm[_DEV_FAC] * dev))
    shared = min(learning[1, i], learning[1, j])
    if shared > 0.0:
        kappa = common_cause(kappa, prm[_VISION_COMMON] * shared)
    pressure = _pair_pressure(rel.formal[p], prm[_PRESS], prm[_POOL])
    cache.rate[p] = conflict_rate(prm[_C0], pressure, eff[3, i], eff[3, j], orgs.sector[i] != orgs.sector[j], kappa)
    cache.rate_exp[p] = -1.0  # exp(-rate) computed when first needed (see _surely_no_conflict)
    cache.contact_evidence[p] = developed_skill(prm[_CE], prm[_DEV_REL] * _pair_development(prm, learning,
                                                                                           orgs.statutory, i, j))
    cache.helping[2 * p] = altruism_probability(prm[_AR], eff[2, i], eff[3, i], pressure)
    cache.helping[2 * p + 1] = altruism_probability(prm[_AR], eff[2, j], eff[3, j], pressure)


@_inline
def _pair_development(prm, learning, statutory, i, j):
    """The mean development of a pair's two leaders (:func:`~simulation.rules.development_level`).

    The lever reaches each as :func:`~simulation.rules.aimed_level` says (statutory leaders alone, if so aimed).
    """
    return 0.5 * (development_level(aimed_level(prm[_LD], prm[_DEV_STAT], statutory[i]), learning[0, i])
                  + development_level(aimed_level(prm[_LD], prm[_DEV_STAT], statutory[j]), learning[0, j]))


@_inline
def _asked_contact(contact, both_statutory, statutory_extra):
    """One-to-one meetings a month a pair asks for: its contact rate, more between statutory leaders if so levered."""
    return contact + statutory_extra if both_statutory else contact


@_jit
def _sought_contact(rel, n_pairs, statutory, prm, asked, requested):
    """``asked[p]``: the one-to-ones pair ``p`` asks for as its trust and festering conflicts shape them (ODD §7.18).

    :func:`~simulation.rules.inclined_contact` of :func:`_asked_contact`; each
    leader's ``requested`` hours grow by the pair's ask, in pair order as
    :func:`_time_budget` adds them without these rules. In a loop of its own:
    a loop that may call the exponential keeps no floating value in a
    register across the call, so :func:`_time_budget`'s loops read the
    result instead of calling it.
    """
    pairs, contact, trust, backlog = rel.pairs, rel.contact_rate, rel.trust, rel.backlog
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        base = _asked_contact(contact[p], statutory[i] & statutory[j], prm[_STAT_CONTACT])
        a = inclined_contact(base, trust[2 * p], trust[2 * p + 1], backlog[p], prm[_CONTACT_RECIP], prm[_STRAIN])
        asked[p] = a
        requested[i] += a * prm[_MEET_H]
        requested[j] += a * prm[_MEET_H]


@_jit
def _time_budget(rel, n_pairs, orgs, prm, cache, work, hours):
    """Each leader's committed and requested hours, the share of one-to-one time that fits, each pair's granted rate.

    ODD §7.12. Commitments (board meetings, shared-role duties, the levers'
    hours) are kept; one-to-one meetings are cut in proportion when the
    month's hours run out (:func:`~simulation.rules.time_scale`). Cohort
    members give the programme its hours and statutory leaders the vision
    work theirs; voluntary bodies gain hours as the community strengthens
    (:func:`~simulation.rules.strengthened_budget`). ``hours[3:5]`` get the
    mean lever hours and the mean one-to-one hours cut per leader;
    ``cache.granted`` (and its exponential) each pair's granted rate;
    ``work.scale`` each leader's share. Returns the board's members.
    """
    pairs, contact, formal, shared_role = rel.pairs, rel.contact_rate, rel.formal, rel.shared_role
    budget, forum, statutory, cohort, community = orgs.budget, orgs.forum, orgs.statutory, orgs.cohort, orgs.community
    granted, granted_exp = cache.granted, cache.granted_exp
    scale, committed, requested, board_member = work.scale, work.committed, work.requested, work.board_member
    n = budget.shape[0]
    committed.fill(prm[_LEVER_H])
    requested.fill(0.0)
    board_member.fill(False)
    sought = (prm[_CONTACT_RECIP] != 0.0) | (prm[_STRAIN] != 0.0)  # contact reads trust and conflicts
    asked_of = cache.asked
    if sought:
        _sought_contact(rel, n_pairs, statutory, prm, asked_of, requested)
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        if not sought:
            asked = _asked_contact(contact[p], statutory[i] & statutory[j], prm[_STAT_CONTACT])
            requested[i] += asked * prm[_MEET_H]
            requested[j] += asked * prm[_MEET_H]
        if shared_role[p]:
            committed[i] += prm[_ROLE_H]
            committed[j] += prm[_ROLE_H]
        if formal[p]:
            board_member[i] = True
            board_member[j] = True
    cut = 0.0
    own = 0.0  # hours given to programmes and vision work
    for i in range(n):
        if board_member[i]:
            committed[i] += prm[_BOARD_RATE] * prm[_BOARD_H] + prm[_POOL] * prm[_POOL_H]
        if forum[i]:
            committed[i] += prm[_HWB_RATE] * prm[_HWB_H]
        if cohort[1, i] > 0:
            committed[i] += prm[_PROG_H]
            own += prm[_PROG_H]
        hours_i = budget[i]
        if statutory[i]:  # vision work, and the levers aimed at the statutory leaders alone
            committed[i] += prm[_VISION_H] + prm[_STAT_LEVER_H]
            own += prm[_VISION_H] + prm[_STAT_LEVER_H]
        else:
            hours_i = strengthened_budget(hours_i, community[0], prm[_COMMUNITY_BASE], prm[_VOL_STRENGTH])
        scale[i] = time_scale(hours_i, committed[i], requested[i])
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        asked = asked_of[p] if sought else _asked_contact(contact[p], statutory[i] & statutory[j], prm[_STAT_CONTACT])
        g = granted_contact(asked, scale[i], scale[j])
        if g != granted[p]:
            granted[p] = g
            granted_exp[p] = np.exp(-g)
        cut += 2.0 * (asked - g) * prm[_MEET_H]
    hours[3] = prm[_LEVER_H] + own / n
    hours[4] = cut / n
    return board_member.sum()


_FEW_TRIALS = 8  # up to this many trials a binomial count is drawn with one uniform per trial

# The draws of the month's pair loop are written out where they are made: a helper taking the
# generator (or an array it writes), even inlined, costs atomic reference-count increments and decrements
# per pair (numba's NRT), more than the draw itself (measured: whole runs 25-40% slower). Poisson counts
# below rate 10 come from poisson_by_inversion (one uniform), above from numba's sampler; binomial counts
# of up to _FEW_TRIALS trials from one uniform per trial, above from numba's sampler. The rare branch that
# calls numba's sampler first counts its variate in memory (``counts[2]``): that store keeps the compiler
# from hoisting the generator's reference count out of both branches, so the common branch's count cancels
# within its block. Steps that draw nothing and write no array are small inlined functions.


_UNSEEN_COUNTS = 32  # counts of events below this read no_evidence from a table filled once per call
_UNSEEN_RATES = (_CE, _OE, _RE, _AE, _WE, _FE, _STAFF_FEEDBACK, _STAFF_LEARN)  # the table's rows
(_U_CONTACT, _U_OPEN, _U_RESOLVED, _U_HELPED, _U_WITHHELD, _U_FESTERING, _U_FEEDBACK,
 _U_EPISODE) = range(len(_UNSEEN_RATES))


@_jit
def no_evidence_table(prm):
    """:func:`~simulation.rules.no_evidence` of each evidence parameter for 0 to 31 events, by the rule itself.

    Row ``r`` holds the rule's values for parameter ``_UNSEEN_RATES[r]``: the
    kernel reads counts below 32 from here (the same numbers, without a
    data-dependent loop per pair) and calls the rule above.
    """
    table = np.empty((len(_UNSEEN_RATES), _UNSEEN_COUNTS))
    for r in range(len(_UNSEEN_RATES)):
        for k in range(_UNSEEN_COUNTS):
            table[r, k] = no_evidence(prm[_UNSEEN_RATES[r]], k)
    return table


@_inline
def _unseen(table, row, per_event, events):
    """:func:`~simulation.rules.no_evidence` ``(per_event, events)``, from ``table[row]`` for small counts."""
    return table[row, events] if events < _UNSEEN_COUNTS else no_evidence(per_event, events)


# ------------------------------------------------ the pair loop's steps (ODD §7)
@_inline
def _group_meetings(on_board, in_forum_i, in_forum_j, cohort_i, cohort_j, months_i, months_j, board_meetings,
                    forum_meetings, cohort_i_meetings):
    """ODD §7.19: the meetings of the board, the forum and a programme cohort both leaders of a pair attend.

    Each leader's cohort (``cohort_*``), months left in it (``months_*``) and
    ``cohort_i_meetings``, the meetings of ``i``'s cohort (read whether or not
    ``i`` is in one): scalars, not the arrays, which cost the inlined
    branches two atomic reference-count operations each (numba's NRT) per pair and month.
    """
    group = 0
    if on_board:
        group += board_meetings
    if in_forum_i & in_forum_j:
        group += forum_meetings
    if (months_i > 0) & (months_j > 0) & (cohort_i == cohort_j):
        group += cohort_i_meetings
    return group


@_inline
def _dispositions(trust_ij, trust_ji, backlog, press, focus_i, focus_j, recip, strain, rivalry):
    """ODD §7.18: each leader's disposition towards the other, ``(x_ij, x_ji)`` (:func:`~simulation.rules.disposition`).

    The acts that read them take the exponential once per month and pair,
    and only if they happen: ``exp(x_ij)`` and ``exp(x_ji)`` for the one-to-ones'
    sharing and help, ``exp((x_ij + x_ji) / 2)`` for resolving open conflicts
    (:func:`~simulation.rules.inclined`).
    """
    return (disposition(trust_ij, backlog, press, focus_i, recip, strain, rivalry),
            disposition(trust_ji, backlog, press, focus_j, recip, strain, rivalry))


@_inline
def _resolution_chance(resolution_rate, skill_i, skill_j, trust_ij, trust_ji, odds_pair, meetings, group, group_w):
    """ODD §7.4: the chance each open conflict is surfaced and resolved at one of the month's meetings."""
    per_meeting = inclined(resolution_probability(resolution_rate, skill_i, skill_j, trust_ij, trust_ji), odds_pair)
    return resolution_chance(per_meeting, meetings, group, group_w)


@_inline
def _sharing_and_altruism_chances(transparency_i, transparency_j, helping_i, helping_j, odds_ij, odds_ji):
    """ODD §7.2 (open books) and §7.5 (altruism): each leader's chance, at a one-to-one, to share and to help.

    Each read through the leader's disposition towards the other (§7.18,
    :func:`~simulation.rules.inclined`); ``helping_*`` is the leader's chance to help
    (:func:`~simulation.rules.altruism_probability`, kept by :func:`_pair_rates`).
    Returns ``(j_open, i_open, j_kind, i_kind)``.
    """
    j_open = inclined(transparency_j, odds_ji)
    i_open = inclined(transparency_i, odds_ij)
    j_kind = inclined(helping_j, odds_ji)
    i_kind = inclined(helping_i, odds_ij)
    return j_open, i_open, j_kind, i_kind


@_inline
def _staff_trust_update(staff_trust, unseen_well, unseen_badly, relaying, heard_good_i, heard_good_j, heard_bad_i,
                        heard_bad_j, relay, alpha, beta):
    """ODD §7.17 and §7.21: the teams' trust after a month with joint episodes or relayed evidence.

    ``unseen_well`` and ``unseen_badly``: the chances that the episodes that
    went well, and those that went badly, gave no evidence
    (:func:`~simulation.rules.episode_evidence`). Where a shared role's
    holders met (``relaying``), each passes the share ``relay`` of its own
    good and bad evidence of the other (``heard_*``) to the teams
    (:func:`~simulation.rules.relayed_evidence`). Without either the teams'
    trust drifts instead.
    """
    good = noisy_or(unseen_well)
    bad = noisy_or(unseen_badly)
    if relaying:
        good = relayed_evidence(good, heard_good_i, heard_good_j, relay)
        bad = relayed_evidence(bad, heard_bad_i, heard_bad_j, relay)
    return update_trust(staff_trust, good, bad, alpha, beta)


@_inline
def _first_hand_evidence(trust, unseen_met, unseen_shared, unseen_resolved, unseen_helped, unseen_withheld,
                         unseen_festering, suspicion):
    """ODD §7.6 and §7.18: one leader's good and bad evidence of the other from their own dealings (noisy-OR).

    Each ``unseen_*`` is a source's chance of giving no evidence
    (:func:`~simulation.rules.no_evidence`): the meetings, the partner's
    shares, resolutions and acts of help (good), the meetings where the
    partner withheld and the festering conflicts (bad). A distrusted
    partner's acts count for less (:func:`~simulation.rules.suspicious_reading`).
    """
    good = noisy_or(unseen_met, unseen_shared, unseen_resolved, unseen_helped)  # rules.good_evidence
    if suspicion != 0.0:
        good = suspicious_reading(good, trust, suspicion)
    return good, noisy_or(unseen_withheld, unseen_festering)  # rules.bad_evidence


@_inline
def _trust_update(trust, good, bad, unseen_well, unseen_badly, alpha, beta, base, drift_rate):
    """ODD §7.6, §7.7, §7.17: trust after the first-hand evidence and what the teams tell their leader.

    The teams' episodes add to each (:func:`~simulation.rules.with_evidence`);
    then the asymmetric update, and drift at ``drift_rate`` (0 in a month
    with a meeting).
    """
    good = noisy_or(1.0 - good, unseen_well)
    bad = noisy_or(1.0 - bad, unseen_badly)
    return drift(update_trust(trust, good, bad, alpha, beta), base, drift_rate)


@_jit
def _relationships_month(rng, rel, n_pairs, orgs, prm, unseen, cache, groups, counts, hours):
    """ODD §3's pair loop: meetings, conflicts, sharing, altruism, resolution, joint care, evidence, trust update.

    For each relationship in order, the steps above, each marked with its ODD
    section (the draws are written out where they are made: see above). A pair's meetings are its one-to-ones (at
    the granted rate, §7.1), its shared role's meetings, and the board, forum
    and cohort meetings both attend (``groups``, §7.19). Where the leaders
    permit it, their frontline teams work jointly (§7.17); a shared role's
    holders relay what they learn of each other to their teams (§7.21). ``counts`` gets
    ``[conflicts arisen, conflicts resolved, variates drawn]``; ``hours[0:3]``
    the mean one-to-one, board and shared-role hours per leader; ``unseen``
    is :func:`no_evidence_table` of the month's parameters.
    Each pair's conflict rate is its cached rate (:func:`_pair_rates`) times
    the month's co-production factor, ``coproduced_rate(1, ...)``: the rule is
    linear in the rate, and ``r * coproduced_rate(1, ...)`` is
    ``coproduced_rate(r, ...)`` to the last bit.
    """
    pairs, trust, backlog, age, formal = rel.pairs, rel.trust, rel.backlog, rel.age, rel.formal
    shared_role, suppressed, staff, care = rel.shared_role, rel.suppressed, rel.staff_trust, rel.care
    forum, eff, cohort = orgs.forum, orgs.eff, orgs.cohort
    granted, granted_exp, rate, rate_exp = cache.granted, cache.granted_exp, cache.rate, cache.rate_exp
    contact_evidence, helping = cache.contact_evidence, cache.helping
    board_meetings, forum_meetings, cohort_meetings = groups.board, groups.forum, groups.cohort
    coproduced = coproduced_rate(1.0, prm[_COPROD], orgs.community[0], prm[_COPROD_EFFECT])
    exp_role = np.exp(-prm[_ROLE_CONTACT])
    exp_staff = np.exp(-prm[_STAFF_CONTACT])
    one_to_one = 0
    roles = 0
    arisen_total = 0
    resolved_total = 0
    n_draws = 0
    alpha, beta, base, drift_rate = prm[_ALPHA], prm[_BETA], prm[_BASE], prm[_DRIFT]
    ce, oe, we, re_, fe, ae = prm[_CE], prm[_OE], prm[_WE], prm[_RE], prm[_FE], prm[_AE]
    group_w = prm[_GROUP_W]
    as_one_to_ones = group_w == 1.0  # group meetings count as one-to-ones (rules.group_evidence)
    recip, strain, rivalry, suspicion = prm[_RECIP], prm[_STRAIN], prm[_RIVALRY], prm[_SUSPICION]
    disposed = (recip != 0.0) | (strain != 0.0) | (rivalry != 0.0)  # behaviour reads trust (rules.disposition)
    relay = prm[_RELAY]
    for p in range(n_pairs):
        i, j = pairs[p, 0], pairs[p, 1]
        # meetings (§7.1): one-to-ones, Poisson(granted rate), and the shared role's, Poisson(role contact)
        meetings = 0
        g = granted[p]
        if g > 0.0:
            if g < _POISSON_INVERSION_MAX:
                u = rng.random()
                meetings = poisson_by_inversion(u, g, granted_exp[p])
                n_draws += 1
            else:
                counts[2] += 1  # counted first (see above)
                meetings = rng.poisson(g)
        one_to_one += meetings
        if shared_role[p]:
            r = prm[_ROLE_CONTACT]
            if r > 0.0:
                if r < _POISSON_INVERSION_MAX:
                    u = rng.random()
                    meetings += poisson_by_inversion(u, r, exp_role)
                    n_draws += 1
                else:
                    counts[2] += 1  # counted first (see above)
                    meetings += rng.poisson(r)
            roles += 1
        group = _group_meetings(formal[p], forum[i], forum[j], cohort[0, i], cohort[0, j], cohort[1, i], cohort[1, j],
                                board_meetings, forum_meetings, cohort_meetings[cohort[0, i]])
        if as_one_to_ones:
            meetings += group
            group = 0
        # conflicts (§7.3): new ones, and suppressed grievances resurfacing, Binomial(suppressed, resurface) (§7.9)
        arisen = 0  # new conflicts: Poisson(conflict rate)
        c = rate[p] * coproduced
        if c > 0.0:
            if c < _POISSON_INVERSION_MAX:
                u = rng.random()
                if not _surely_no_conflict(u, c):
                    if rate_exp[p] < 0.0:  # not computed since the rate changed
                        rate_exp[p] = np.exp(-c)
                    arisen = poisson_by_inversion(u, c, rate_exp[p])
                n_draws += 1
            else:
                counts[2] += 1  # counted first (see above)
                arisen = rng.poisson(c)
        open_conflicts = backlog[p] + arisen
        if suppressed[p] > 0:
            back = 0
            if suppressed[p] <= _FEW_TRIALS:
                for _ in range(suppressed[p]):
                    back += rng.random() < prm[_RESURFACE]
                n_draws += suppressed[p]
            else:
                counts[2] += 1
                back = rng.binomial(suppressed[p], prm[_RESURFACE])
            suppressed[p] -= back
            open_conflicts += back
        resolved = 0
        j_shares = i_shares = j_helps = i_helps = 0
        if meetings + group > 0:
            press = _pair_pressure(formal[p], prm[_PRESS], prm[_POOL])
            x_ij = x_ji = 0.0  # neutral without behaviour that reads trust (§7.18)
            if disposed:
                x_ij, x_ji = _dispositions(trust[2 * p], trust[2 * p + 1], backlog[p], press, eff[3, i], eff[3, j],
                                           recip, strain, rivalry)
            if meetings > 0:  # sharing (§7.2) and altruism (§7.5) at each one-to-one
                odds_ij = odds_ji = 1.0
                if disposed:
                    odds_ij, odds_ji = np.exp(x_ij), np.exp(x_ji)
                j_open, i_open, j_kind, i_kind = _sharing_and_altruism_chances(
                    eff[0, i], eff[0, j], helping[2 * p], helping[2 * p + 1], odds_ij, odds_ji)
                if meetings <= _FEW_TRIALS:  # meeting by meeting: j opens the books to i, i to j, j helps i, i helps j
                    for _ in range(meetings):
                        j_shares += rng.random() < j_open
                        i_shares += rng.random() < i_open
                        j_helps += rng.random() < j_kind
                        i_helps += rng.random() < i_kind
                    n_draws += 4 * meetings
                else:
                    counts[2] += 4
                    j_shares = rng.binomial(meetings, j_open)
                    i_shares = rng.binomial(meetings, i_open)
                    j_helps = rng.binomial(meetings, j_kind)
                    i_helps = rng.binomial(meetings, i_kind)
            if open_conflicts > 0:  # resolution (§7.4): open conflicts surfaced and resolved at one of the meetings
                odds_pair = np.exp(0.5 * (x_ij + x_ji)) if disposed else 1.0
                chance = _resolution_chance(prm[_RR], eff[1, i], eff[1, j], trust[2 * p], trust[2 * p + 1],
                                            odds_pair, meetings, group, group_w)
                if open_conflicts <= _FEW_TRIALS:
                    for _ in range(open_conflicts):
                        resolved += rng.random() < chance
                    n_draws += open_conflicts
                else:
                    counts[2] += 1
                    resolved = rng.binomial(open_conflicts, chance)
        festering = open_conflicts - resolved
        if formal[p] & (prm[_BOARD_RATE] > 0.0) & (festering > 0):
            # the board's authority (§7.9) makes the members comply: suppressed, not resolved
            quiet = 0
            if festering <= _FEW_TRIALS:
                for _ in range(festering):
                    quiet += rng.random() < prm[_AUTHORITY]
                n_draws += festering
            else:
                counts[2] += 1
                quiet = rng.binomial(festering, prm[_AUTHORITY])
            suppressed[p] += quiet
            festering -= quiet
        went_well = went_badly = 0  # joint care (§7.17): the frontline teams' episodes, if the leaders permit them
        if care[p] & (prm[_STAFF_CONTACT] > 0.0) & joint_working_permitted(trust[2 * p], trust[2 * p + 1],
                                                                             prm[_JOINT_THR]):
            r = prm[_STAFF_CONTACT]
            if r < _POISSON_INVERSION_MAX:
                u = rng.random()
                episodes = poisson_by_inversion(u, r, exp_staff)
                n_draws += 1
            else:
                counts[2] += 1  # counted first (see above)
                episodes = rng.poisson(r)
            success = joint_success(staff[p], prm[_JOINT_BASE])
            if episodes <= _FEW_TRIALS:
                for _ in range(episodes):
                    went_well += rng.random() < success
                n_draws += episodes
            else:
                counts[2] += 1
                went_well = rng.binomial(episodes, success)
            went_badly = episodes - went_well
        # relay (§7.21): a shared role's holders pass what they learn of each other to their teams
        relaying = shared_role[p] & care[p] & (relay != 0.0) & (meetings + group > 0)
        heard_good_i = heard_good_j = heard_bad_i = heard_bad_j = 0.0  # i's evidence about j, j's about i
        # evidence and the trust update (§7.6); without a meeting trust drifts (§7.7)
        if (meetings + group == 0) & (festering == 0) & (went_well + went_badly == 0):
            # no evidence either way (good and bad are both exactly 0): trust only drifts
            trust[2 * p] = drift(trust[2 * p], base, drift_rate)
            trust[2 * p + 1] = drift(trust[2 * p + 1], base, drift_rate)
        else:
            # leaders developed in relationship building learn more from a meeting (ce itself without development;
            # kept with the pair's conflict rate: _pair_rates)
            ce_pair = contact_evidence[p]
            # each source's chance of giving no evidence (rules.no_evidence), for both leaders
            quiet_met = _unseen(unseen, _U_CONTACT, ce, meetings) if ce_pair == ce else no_evidence(ce_pair, meetings)
            if group > 0:  # what a pair learns at group meetings (rules.group_evidence)
                quiet_met *= no_evidence(group_evidence(ce_pair, group_w), group)
            quiet_resolved = _unseen(unseen, _U_RESOLVED, re_, resolved)
            quiet_festering = _unseen(unseen, _U_FESTERING, fe, festering)
            quiet_well = _unseen(unseen, _U_FEEDBACK, prm[_STAFF_FEEDBACK], went_well)
            quiet_badly = _unseen(unseen, _U_FEEDBACK, prm[_STAFF_FEEDBACK], went_badly)
            drifting = drift_rate if meetings + group == 0 else 0.0  # trust drifts only without a meeting
            for e in range(2):  # e = 0: i's trust in j; e = 1: j's trust in i
                shares = j_shares if e == 0 else i_shares
                helped = j_helps if e == 0 else i_helps
                good, bad = _first_hand_evidence(
                    trust[2 * p + e], quiet_met, _unseen(unseen, _U_OPEN, oe, shares), quiet_resolved,
                    _unseen(unseen, _U_HELPED, ae, helped), _unseen(unseen, _U_WITHHELD, we, meetings - shares),
                    quiet_festering, suspicion)
                if e == 0:
                    heard_good_i, heard_bad_i = good, bad
                else:
                    heard_good_j, heard_bad_j = good, bad
                trust[2 * p + e] = _trust_update(trust[2 * p + e], good, bad, quiet_well, quiet_badly, alpha, beta,
                                                 base, drifting)
        # the teams' trust (§7.17, §7.21): evidence from their episodes and what the role's holders relay, else it
        # drifts towards none
        if (went_well + went_badly > 0) | relaying:
            staff[p] = _staff_trust_update(staff[p], _unseen(unseen, _U_EPISODE, prm[_STAFF_LEARN], went_well),
                                           _unseen(unseen, _U_EPISODE, prm[_STAFF_LEARN], went_badly), relaying,
                                           heard_good_i, heard_good_j, heard_bad_i, heard_bad_j, relay, alpha, beta)
        else:
            staff[p] = drift(staff[p], 0.0, drift_rate)
        backlog[p] = festering
        age[p] += 1
        arisen_total += arisen
        resolved_total += resolved
    counts[0] += arisen_total
    counts[1] += resolved_total
    counts[2] += n_draws
    n = eff.shape[1]
    hours[0] = 2.0 * one_to_one * prm[_MEET_H] / n
    hours[2] = 2.0 * roles * prm[_ROLE_H] / n


@_jit
def _turnover(rng, rel, n_pairs, orgs, beta_ab, prm, work, counts):
    """Leaders leave; trust on their ties falls back; successors' traits are drawn from the kind's Betas (ODD §7.8).

    Each leader leaves with chance ``turnover_rate``, independently: the
    leavers are found by geometric skips over the leaders in index order
    (:func:`~simulation.sampling.geometric_skip`, one uniform per leaver and
    one to pass the last). What a leader learned (programme, vision) leaves
    with them, and a cohort loses a member who leaves. ``work.leaving`` gets
    who left, ``work.learned`` marks them.
    """
    kind, tenure, raw, learning, cohort = orgs.kind, orgs.tenure, orgs.raw, orgs.learning, orgs.cohort
    leaving, learned = work.leaving, work.learned
    n = kind.shape[0]
    for i in range(n):
        tenure[i] += 1
        leaving[i] = False
    rate = prm[_TURN]
    if rate <= 0.0:
        return
    log_stay = np.log1p(-rate) if rate < 1.0 else -np.inf
    i = -1
    while True:
        skip = 0.0
        if rate < 1.0:
            skip = geometric_skip(rng.random(), log_stay)
            counts[2] += 1
        if skip >= n - 1 - i:  # past the last leader
            break
        i += np.int64(skip) + 1
        leaving[i] = True
        tenure[i] = 0
        learning[0, i] = 0.0
        learning[1, i] = 0.0
        cohort[0, i] = -1
        cohort[1, i] = 0
        learned[i] = True
        draw_traits(rng, raw, i, kind[i], beta_ab)
        counts[2] += 4
    base, loss = prm[_BASE], prm[_TLOSS]
    pairs, trust = rel.pairs, rel.trust
    for p in range(n_pairs):
        if leaving[pairs[p, 0]] | leaving[pairs[p, 1]]:
            trust[2 * p] = turnover_reset(trust[2 * p], base, loss)
            trust[2 * p + 1] = turnover_reset(trust[2 * p + 1], base, loss)


@_jit
def _next_bridge(rng, trust, shared_role, start, n_pairs, prm, counts):
    """The first pair from ``start`` on whose shared role bridges this month (``n_pairs`` if none).

    Each shared role below partnership trust on the way draws once
    (:func:`~simulation.rules.bridge_chance`).
    """
    for p in range(start, n_pairs):
        if shared_role[p]:
            partner = min(trust[2 * p], trust[2 * p + 1]) >= prm[_THR]
            if not partner:
                counts[2] += 1
                if rng.random() < bridge_chance(partner, True, prm[_BROKERAGE]):
                    return p
    return n_pairs


@_jit
def _bridging_trust(rng, trust, shared_role, first, stop, prm, counts):
    """Trust as the month's introductions read it: full on a shared role that bridges this month.

    A shared role below partnership trust bridges with
    :func:`~simulation.rules.bridge_chance` (one draw for each such role, in
    pair order: :func:`_next_bridge`); the rest is ``trust`` as it is
    (``trust`` itself, not a copy, in a month where no role bridges). Only
    the pairs ``first`` to ``stop - 1`` are read: the shared roles lie there.
    The pairs are scanned apart from the array returned: a loop that may
    rebind that array (to its copy) paid two atomic reference-count
    operations (numba's NRT) at every pair, every month.
    """
    p = _next_bridge(rng, trust, shared_role, first, stop, prm, counts)
    if p == stop:
        return trust
    seen = trust.copy()  # copy only in a month where a role bridges
    while p < stop:
        seen[2 * p] = 1.0
        seen[2 * p + 1] = 1.0
        p = _next_bridge(rng, trust, shared_role, p + 1, stop, prm, counts)
    return seen


@_jit
def _chosen_introductions(rng, pairs, trust, n_pairs, capacity, prm, work, counts, shared_role):
    """The pairs partners introduce this month, in lexicographic order (one draw per candidate with room; ODD §7.8).

    Shared roles bridge with chance ``role_brokerage`` (:func:`_bridging_trust`;
    the span of pairs holding shared roles is found in the first month of a
    call of :func:`advance` and kept in ``work.tally``).
    ``work`` is :func:`introduction_work` for ``prm``'s introduction rate;
    returns the chosen pairs and the work space (regrown if needed).
    """
    tally = work.tally
    if prm[_BROKERAGE] > 0.0:
        if tally[_T_ROLES_FIRST] < 0:  # the first month of the call: where the shared roles lie (ties appended
            # within a call of advance have none, so the span holds for its months)
            tally[_T_ROLES_FIRST], tally[_T_ROLES_STOP] = n_pairs, 0
            for p in range(n_pairs):
                if shared_role[p]:
                    tally[_T_ROLES_FIRST] = min(tally[_T_ROLES_FIRST], p)
                    tally[_T_ROLES_STOP] = p + 1
        if tally[_T_ROLES_FIRST] < tally[_T_ROLES_STOP]:  # no shared role, nothing to scan (nor to draw)
            trust = _bridging_trust(rng, trust, shared_role, tally[_T_ROLES_FIRST], tally[_T_ROLES_STOP], prm,
                                    counts)
    n = capacity.shape[0]
    degree, room, chance = work.degree, work.room, work.chance
    for p in range(tally[_T_DEGREES], n_pairs):  # room is counted at the start of the introductions; ties are only
        degree[pairs[p, 0]] += 1  # appended within a call of advance, so the degrees carry over
        degree[pairs[p, 1]] += 1
    tally[_T_DEGREES] = n_pairs
    for i in range(n):
        room[i] = has_room(degree[i], capacity[i])
    ci, cj, cc, work = _candidates(pairs, trust, n_pairs, n, prm[_THR], room, work)
    n_new = 0
    for q in range(ci.shape[0]):  # every candidate has room on both sides
        counts[2] += 1
        if rng.random() < chance[cc[q]]:
            ci[n_new] = ci[q]  # compact the chosen in place (q >= n_new)
            cj[n_new] = cj[q]
            n_new += 1
    return ci[:n_new], cj[:n_new], work


@_jit
def new_tie_contact_rates(contact_rate, weight, pairs):
    """:func:`~simulation.rules.new_tie_contact_rate` of each pair in ``pairs`` (one-to-ones a month before cuts)."""
    out = np.empty(pairs.shape[0])
    for p in range(pairs.shape[0]):
        out[p] = new_tie_contact_rate(contact_rate, weight[pairs[p, 0]], weight[pairs[p, 1]])
    return out


@_jit
def _append_ties(ci, cj, buffers, n_pairs, weight, trust, contact_rate):
    """Append ties ``(ci[q], cj[q])`` with trust ``trust`` both ways and one-to-one contact
    :func:`~simulation.rules.new_tie_contact_rate` ``(contact_rate, ...)`` (regrowing the buffers if full)."""
    if n_pairs + ci.shape[0] > buffers.pairs.shape[0]:
        buffers = _grow(buffers, n_pairs + ci.shape[0])
    pairs, trusts, contact, backlog, age, formal, shared_role, suppressed, staff, care = buffers
    for q in range(ci.shape[0]):
        p = n_pairs + q
        i, j = ci[q], cj[q]
        pairs[p, 0] = i
        pairs[p, 1] = j
        trusts[2 * p] = trust
        trusts[2 * p + 1] = trust
        contact[p] = new_tie_contact_rate(contact_rate, weight[i], weight[j])
        backlog[p] = 0
        age[p] = 0
        formal[p] = False
        shared_role[p] = False
        suppressed[p] = 0
        staff[p] = 0.0
        care[p] = False
    return buffers, n_pairs + ci.shape[0]


@_jit
def start_cohort_arrays(rng, buffers, n_pairs, sector, merged, learning, cohort, weight, size, months,
                        new_tie_trust, tie_contact, draws):
    """Start a programme cohort over the state arrays (see :func:`simulation.interventions.start_cohort`).

    For each sector in turn, its eligible leaders (not absorbed, not in a
    cohort) get one uniform each; the untrained go first, each group in the
    order of its uniforms. Members are taken from the sectors' queues in turn
    up to ``size``; with two or more, they join the lowest free cohort number
    for ``months`` months and every pair of them without a relationship gets
    one. Returns the buffers (regrown if needed), the new ``n_pairs``, the
    members and the ties created; ``draws[0]`` counts the uniforms drawn.
    """
    n = sector.shape[0]
    n_sectors = np.int64(0)
    for i in range(n):  # a loop, not sector.max(): numpy's max costs half a second to compile on first use
        n_sectors = max(n_sectors, sector[i] + 1)
    queue = np.empty(n, dtype=np.int64)  # the sectors' queues, one after the other
    start = np.zeros(n_sectors + 1, dtype=np.int64)
    for s in range(n_sectors):
        cand = np.empty(n, dtype=np.int64)
        k = np.int64(0)  # typed, not a literal (see advance)
        for i in range(n):
            if sector[i] == s and not merged[i] and cohort[1, i] == 0:
                cand[k] = i
                k += 1
        u = np.empty(k)  # less one, in [-1, 0) (exactly: the uniforms are multiples of 2**-53)
        for q in range(k):
            u[q] = rng.random() - 1.0
        draws[0] += k
        by_draw = np.empty(k, dtype=np.int64)
        _sort_unit_keys(u, by_draw, k, sort_work(k), np.empty(k))  # stable: equal draws keep the leaders' order
        w = start[s]
        for trained in range(2):  # the untrained first
            for q in by_draw:
                if (learning[0, cand[q]] > 0.0) == (trained == 1):
                    queue[w] = cand[q]
                    w += 1
        start[s + 1] = w
    head = start[:n_sectors].copy()
    members = np.empty(min(size, n), dtype=np.int64)
    m = 0
    more = True
    while m < size and more:
        more = False
        for s in range(n_sectors):
            if head[s] < start[s + 1] and m < size:
                members[m] = queue[head[s]]
                head[s] += 1
                m += 1
            more = more or head[s] < start[s + 1]
    if m < 2:
        return buffers, n_pairs, 0, 0
    in_use = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if cohort[1, i] > 0:
            in_use[cohort[0, i]] = True
    slot = 0
    while in_use[slot]:
        slot += 1
    chosen = members[:m].copy()
    _sort_few(chosen, m)  # a cohort is small
    where = np.full(n, -1, dtype=np.int64)
    for a in range(m):
        cohort[0, chosen[a]] = slot
        cohort[1, chosen[a]] = months
        where[chosen[a]] = a
    tied = np.zeros((m, m), dtype=np.bool_)
    pairs = buffers.pairs
    for p in range(n_pairs):
        a, b = where[pairs[p, 0]], where[pairs[p, 1]]
        if a >= 0 and b >= 0:
            tied[min(a, b), max(a, b)] = True
    ci = np.empty(m * (m - 1) // 2, dtype=np.int64)
    cj = np.empty_like(ci)
    k = 0
    for a in range(m):
        for b in range(a + 1, m):
            if not tied[a, b]:
                ci[k] = chosen[a]
                cj[k] = chosen[b]
                k += 1
    buffers, n_pairs = _append_ties(ci[:k], cj[:k], buffers, n_pairs, weight, new_tie_trust, tie_contact)
    return buffers, n_pairs, m, k


@_jit
def _board_decisions(rng, rel, n_pairs, board_meetings, learning, prm, counts, statutory):
    """Each board meeting allocates shared resources: a decision between two members, one wins, one loses (ODD §7.9).

    The pair is drawn uniformly among the board's ties; with chance
    ``board_decision_conflict`` (raised by a pooled budget, lowered by the
    pair's facilitation skill: :func:`~simulation.rules.facilitated`) the loser
    disputes it, a distributional conflict added to the pair's backlog.
    Returns the number of decisions.
    """
    if board_meetings == 0:
        return 0
    pairs, formal, backlog = rel.pairs, rel.formal, rel.backlog
    ties = 0
    for p in range(n_pairs):
        ties += formal[p]
    if ties == 0:
        return 0
    for _ in range(board_meetings):
        pick = min(ties - 1, int(rng.random() * ties))
        counts[2] += 2
        seen = -1
        for p in range(n_pairs):
            if formal[p]:
                seen += 1
                if seen == pick:
                    dev = _pair_development(prm, learning, statutory, pairs[p, 0], pairs[p, 1])
                    chance = facilitated(pooled_stakes(prm[_DECISION], prm[_POOL]), dev, prm[_DEV_FAC])
                    if rng.random() < chance:
                        backlog[p] += 1
                        counts[0] += 1
                    break
    return board_meetings


@_jit
def _refresh_rates(rel, n_pairs, orgs, prm, cache, work, community_moved, in_role):
    """New leaders' traits and what leaders learned take effect; only the conflict rates of their pairs change.

    Only a leader who learned or arrived has new inputs to its traits (the
    month's parameters and the shared roles stand within a call of
    :func:`advance`), so only theirs are recomputed (:func:`_leader_trait`).
    When the community's strength moved and co-production acts, every
    pair's rate moves by the month's co-production factor (applied in
    :func:`_relationships_month`): the rates stand, their cached exponentials
    are dropped. ``in_role``: who holds a shared role (roles change only
    between calls of :func:`advance`).
    """
    raw, eff, learning, statutory = orgs.raw, orgs.eff, orgs.learning, orgs.statutory
    changed, learned = work.changed, work.learned
    n = eff.shape[1]
    any_changed = False
    for i in range(n):
        changed[i] = learned[i]
        if learned[i]:
            _leader_trait(i, raw, eff, in_role, learning, prm, statutory)
            any_changed = True
        learned[i] = False
    if community_moved & (prm[_COPROD] > 0.0):
        rate_exp = cache.rate_exp
        for p in range(n_pairs):
            rate_exp[p] = -1.0
    if any_changed:
        pairs = rel.pairs
        for p in range(n_pairs):
            if changed[pairs[p, 0]] | changed[pairs[p, 1]]:
                _pair_rates(p, rel, orgs, prm, cache)


@_jit
def _cohort_meetings(rng, cohort, prm, meetings, counts):
    """Each programme cohort meets together ``Poisson(programme_contact)`` times this month (one draw per cohort)."""
    meetings.fill(0)
    if prm[_PROG_CONTACT] <= 0.0:
        return
    n = cohort.shape[1]
    for i in range(n):  # mark the cohorts with members this month
        if cohort[1, i] > 0:
            meetings[cohort[0, i]] = -1
    for c in range(n):  # in cohort order, so the draws do not depend on the members' order
        if meetings[c] < 0:
            meetings[c] = rng.poisson(prm[_PROG_CONTACT])
            counts[2] += 1


@_jit
def _learning_month(orgs, prm, learned):
    """What leaders learn this month, and the community's strength; returns whether the community moved.

    ODD §7.14-7.16. Cohort members grow in development
    (:func:`~simulation.rules.learning_growth`) until their cohort ends; while
    vision work goes on, each statutory leader's share in the vision grows at
    the rate its hours buy; the community moves towards what investment
    sustains (:func:`~simulation.rules.community_strength`). ``learned`` marks
    the leaders who learned.
    """
    learning, cohort, statutory, merged, community = orgs.learning, orgs.cohort, orgs.statutory, orgs.merged, \
        orgs.community
    n = learning.shape[1]
    for i in range(n):
        if cohort[1, i] > 0:
            learning[0, i] = learning_growth(learning[0, i], prm[_PROG_GROWTH])
            cohort[1, i] -= 1
            if cohort[1, i] == 0:
                cohort[0, i] = -1
            learned[i] = True
        if (prm[_VISION_GROWTH] > 0.0) & statutory[i] & (not merged[i]):
            learning[1, i] = learning_growth(learning[1, i], prm[_VISION_GROWTH])
            learned[i] = True
    before = community[0]
    community[0] = community_strength(before, prm[_COMMUNITY_BASE], prm[_INVEST], prm[_COMMUNITY_GROWTH])
    return community[0] != before


@_jit
def leader_work(n):
    """Work space of :func:`advance` for ``n`` leaders (:class:`LeaderWork`)."""
    return LeaderWork(np.ones(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_),
                      np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_))


@_jit
def advance(rng, months, out, buffers, n_pairs, orgs, beta_ab, colmap, prm, scratch, draws, cohort_due, report):
    """Play out ``months`` months of one run; row ``m`` of ``out`` gets the outcomes after month ``m + 1``.

    ``buffers`` are the relationship buffers
    (:class:`~simulation.relationships.RelationshipArrays`) with ``n_pairs``
    rows in use; ``orgs`` the per-organisation arrays (:class:`Organisations`);
    ``beta_ab`` the ``(kinds, 4, 2)`` Beta shapes of new leaders' traits;
    ``colmap`` the outcome column of each pair of kinds; ``prm`` the parameter
    vector; ``draws[0]`` counts the random variates drawn. A programme cohort
    starts at the beginning of month ``m`` where ``cohort_due[m]``
    (:func:`start_cohort_arrays`); ``report`` adds up its members and new
    ties. Returns the buffers (regrown if cohorts or introductions filled
    them) and the new ``n_pairs``.

    A month (ODD §3): the leaders' traits and the pairs' conflict rates
    catch up with what changed (:func:`_refresh_rates`); leaders' hours grant
    one-to-ones (:func:`_time_budget`); the board, the forum and the cohorts
    meet; the board decides; every relationship plays its month
    (:func:`_relationships_month`); leaders leave (:func:`_turnover`) and
    learn (:func:`_learning_month`); partners introduce partners; the
    outcomes are recorded (:func:`record_outcomes`).

    Each pair's conflict rate is computed by the rules at the start of the
    call and again whenever a leader's effective focus or learning changes or
    the pair is new; its granted one-to-one rate every month. So calling it
    month by month or once for many months gives the same numbers.
    """
    n = orgs.kind.shape[0]
    n_active = n - orgs.merged.sum()  # organisations not absorbed by a merger
    forum_size = orgs.forum.sum()
    work = leader_work(n)
    community_moved = np.bool_(False)  # typed, not a literal: a literal compiles each callee twice
    cohort_meetings = np.zeros(n, dtype=np.int64)
    counts = np.zeros(3, dtype=np.int64)
    hours = np.zeros(len(HOURS_OUTCOMES))
    cache = pair_cache(buffers.pairs.shape[0])
    unseen = no_evidence_table(prm)
    outcome_space = outcome_work(n, buffers.pairs.shape[0], out.shape[1])
    in_role = _in_shared_role(buffers.pairs, buffers.shared_role, n_pairs, n)
    introductions = introduction_work(scratch, n, prm[_IRATE])
    _leader_traits(orgs.raw, orgs.eff, in_role, orgs.learning, prm, orgs.statutory)
    cache = _rates_of_new_pairs(np.int64(0), n_pairs, buffers, orgs, prm, cache)
    for month in range(months):
        if cohort_due[month]:
            old = n_pairs
            buffers, n_pairs, joined, tied = start_cohort_arrays(
                rng, buffers, n_pairs, orgs.sector, orgs.merged, orgs.learning, orgs.cohort, orgs.weight,
                np.int64(prm[_PROG_SIZE]), np.int64(prm[_PROG_MONTHS]), prm[_BASE], prm[_PROG_TIE] * prm[_CONTACT],
                draws)
            report[0] += joined
            report[1] += tied
            cache = _rates_of_new_pairs(old, n_pairs, buffers, orgs, prm, cache)
        if month > 0:
            _refresh_rates(buffers, n_pairs, orgs, prm, cache, work, community_moved, in_role)
        members = _time_budget(buffers, n_pairs, orgs, prm, cache, work, hours)
        board_meetings = 0
        if prm[_BOARD_RATE] > 0.0 and members > 0:  # the whole board meets together
            board_meetings = rng.poisson(prm[_BOARD_RATE])
            counts[2] += 1
        forum_meetings = 0
        if prm[_HWB_RATE] > 0.0 and forum_size > 0:  # the Health and Wellbeing Board meets together
            forum_meetings = rng.poisson(prm[_HWB_RATE])
            counts[2] += 1
        _cohort_meetings(rng, orgs.cohort, prm, cohort_meetings, counts)
        hours[1] = (board_meetings * prm[_BOARD_H] * members + prm[_POOL] * prm[_POOL_H] * members
                    + forum_meetings * prm[_HWB_H] * forum_size) / n
        counts[0] = 0  # this month's conflicts arisen and resolved
        counts[1] = 0
        decisions = _board_decisions(rng, buffers, n_pairs, board_meetings, orgs.learning, prm, counts,
                                     orgs.statutory)
        _relationships_month(rng, buffers, n_pairs, orgs, prm, unseen, cache,
                             GroupMeetings(board_meetings, forum_meetings, cohort_meetings), counts, hours)
        _turnover(rng, buffers, n_pairs, orgs, beta_ab, prm, work, counts)
        community_moved = _learning_month(orgs, prm, work.learned)
        if prm[_IRATE] > 0.0:
            ci, cj, introductions = _chosen_introductions(rng, buffers.pairs, buffers.trust, n_pairs, orgs.capacity,
                                                          prm, introductions, counts, buffers.shared_role)
            if ci.shape[0] > 0:
                old = n_pairs
                buffers, n_pairs = _append_ties(ci, cj, buffers, n_pairs, orgs.weight, prm[_ITRUST], prm[_CONTACT])
                cache = _rates_of_new_pairs(old, n_pairs, buffers, orgs, prm, cache)
        if outcome_space.order.shape[0] < n_pairs:  # cohorts or introductions outgrew it
            outcome_space = outcome_work(n, buffers.pairs.shape[0], out.shape[1])
        record_outcomes(out[month], buffers.pairs, buffers.trust, buffers.backlog, n_pairs, n, counts[0], counts[1],
                        prm[_THR], orgs.kind, colmap, hours, decisions, buffers.suppressed, n_active,
                        buffers.staff_trust, buffers.care, prm[_STAFF_CONTACT], prm[_JOINT_THR], prm[_JOINT_BASE],
                        orgs.learning, orgs.merged, orgs.community, orgs.statutory, orgs.size, outcome_space)
    draws[0] += counts[2]
    return buffers, n_pairs


@_jit
def pair_cache(cap):
    """The per-pair caches of :func:`advance` (:class:`PairCache`) for ``cap`` pairs; no rate granted yet."""
    return PairCache(np.full(cap, -1.0), np.empty(cap), np.empty(cap), np.empty(cap), np.empty(cap),
                     np.empty(2 * cap), np.empty(cap))


@_jit
def _rates_of_new_pairs(old, n_pairs, buffers, orgs, prm, cache):
    """The per-pair caches of :func:`advance` with room for pairs ``old`` to ``n_pairs``, and their conflict rates."""
    if buffers.pairs.shape[0] > cache.granted.shape[0]:
        cache = _grow_cache(cache, buffers.pairs.shape[0])
    for p in range(old, n_pairs):
        _pair_rates(p, buffers, orgs, prm, cache)
    return cache


@_jit
def _grow_cache(cache, cap):
    """The per-pair caches of :func:`advance`, regrown to ``cap`` pairs."""
    grown = pair_cache(cap)
    for q in range(cache.granted.shape[0]):
        grown.granted[q] = cache.granted[q]
        grown.granted_exp[q] = cache.granted_exp[q]
        grown.rate[q] = cache.rate[q]
        grown.rate_exp[q] = cache.rate_exp[q]
        grown.contact_evidence[q] = cache.contact_evidence[q]
        grown.helping[2 * q] = cache.helping[2 * q]
        grown.helping[2 * q + 1] = cache.helping[2 * q + 1]
    return grown


@_jit
def apply_service_failure(pairs, trust, n_pairs, kind, kind_a, kind_b, size):
    """A service failure between kinds ``kind_a`` and ``kind_b``: every tie between them loses trust, both ways."""
    for p in range(n_pairs):
        ka, kb = kind[pairs[p, 0]], kind[pairs[p, 1]]
        if (ka == kind_a and kb == kind_b) or (ka == kind_b and kb == kind_a):
            trust[2 * p] = service_failure(trust[2 * p], size)
            trust[2 * p + 1] = service_failure(trust[2 * p + 1], size)


@_jit
def _store_uniforms(rng, k, out):
    """``k`` uniforms from ``rng``, each stored over the one drawn ``len(out)`` draws before (a power of two)."""
    mask = out.shape[0] - 1
    for q in range(k):
        out[q & mask] = rng.random()


def uniform_draw_rate(k: int = 20_000_000, seed: int = 0, repeats: int = 3) -> float:
    """Uniform draws per second through the kernel's generator API on this machine (the physical limit).

    The best of ``repeats`` timings of ``k`` draws stored in a small buffer
    (kept in cache). The draws are stored, not added up: a sum is carried
    through memory across every call (no floating-point register survives a
    call), and that round trip, not the generator, can set the pace (less
    than half the rate on this project's machine).

    Examples
    --------
    >>> uniform_draw_rate(k=100_000, repeats=1) > 0
    True
    """
    import time

    rng = np.random.default_rng(seed)
    buf = np.empty(1 << 12)
    _store_uniforms(rng, 10, buf)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        _store_uniforms(rng, k, buf)
        best = min(best, time.perf_counter() - t)
    return k / best
