r"""The model's rules, each once: small scalar functions, plain Python, one per equation of docs/ODD.md.

Every rule takes and returns plain numbers, uses only :mod:`math`, and knows
nothing of arrays, Mesa, files or screens. The compiled kernel
(:mod:`simulation.kernel`) compiles these very functions with numba and calls
them for every pair and leader of every run; the per-agent reference engine
(:mod:`simulation.reference`) calls them as they are, on its own schedule. So
a rule is written once, and read here next to its equation.

Notation: :math:`t_{ij}` is :math:`i`'s trust in :math:`j`; a step is one month.

Examples
--------
>>> update_trust(0.5, good=1.0, bad=0.0, gain_rate=0.1, loss_rate=0.25)
0.55
>>> update_trust(0.5, good=0.0, bad=1.0, gain_rate=0.1, loss_rate=0.25)
0.375
"""

from __future__ import annotations

import math

__all__ = [
    "conflict_rate",
    "resolution_probability",
    "resolution_chance",
    "altruism_probability",
    "no_evidence",
    "noisy_or",
    "good_evidence",
    "bad_evidence",
    "update_trust",
    "drift",
    "turnover_reset",
    "service_failure",
    "trust_kept",
    "introduction_probability",
    "has_room",
    "opened_transparency",
    "aimed_level",
    "developed_skill",
    "shared_role_focus",
    "effective_pressure",
    "regulated_focus",
    "pooled_stakes",
    "common_cause",
    "time_scale",
    "granted_contact",
    "new_tie_contact_rate",
    "development_level",
    "learning_growth",
    "vision_growth_rate",
    "place_focus",
    "facilitated",
    "coproduced_rate",
    "community_strength",
    "strengthened_budget",
    "joint_working_permitted",
    "joint_success",
    "episode_evidence",
    "with_evidence",
    "disposition",
    "inclined",
    "inclined_contact",
    "suspicious_reading",
    "group_evidence",
    "varied_share",
    "varied_rate",
    "new_role_hours",
    "bridge_chance",
    "relayed_evidence",
]


def resolution_chance(per_meeting: float, meetings: int, group_meetings: int = 0, group_weight: float = 1.0) -> float:
    r"""Chance an open conflict is surfaced and resolved at one of the month's meetings.

    Each one-to-one (or shared-role meeting) is a chance :math:`r`
    (:func:`resolution_probability`), each group meeting (board, forum,
    programme cohort) a chance :math:`w r` (:func:`group_evidence`'s weight):

    .. math:: R = 1 - (1 - r)^{n}\,(1 - w r)^{g}

    so more meetings help with diminishing returns, and no meeting, no
    resolution. At :math:`w = 1` a group meeting is a meeting:
    :math:`1 - (1 - r)^{n + g}`.

    Examples
    --------
    >>> resolution_chance(0.5, 0), resolution_chance(0.5, 1), resolution_chance(0.5, 2)
    (0.0, 0.5, 0.75)
    >>> resolution_chance(0.5, 1, 2, 0.5), resolution_chance(0.5, 1, 1, 1.0)
    (0.71875, 0.75)
    """
    if group_weight == 1.0:
        return 1.0 - (1.0 - per_meeting) ** (meetings + group_meetings)
    return 1.0 - (1.0 - per_meeting) ** meetings * (1.0 - group_weight * per_meeting) ** group_meetings


def conflict_rate(
    base_rate: float,
    pressure: float,
    focus_i: float,
    focus_j: float,
    cross_sector: bool,
    cross_sector_multiplier: float,
) -> float:
    r"""Expected new conflicts per month in one relationship.

    .. math:: c_{ij} = c_0 \,(0.5 + \pi)\,(\phi_i + \phi_j)\,
              \kappa^{[\sigma_i \ne \sigma_j]}

    with :math:`\pi` the competitive pressure, :math:`\phi` the leaders'
    institutional focus and :math:`\kappa` the cross-sector multiplier
    (different accountabilities). At :math:`\pi = 0.5` and average focus
    0.5 the factor is 1, so :math:`c_0` is the typical rate.

    Examples
    --------
    >>> conflict_rate(0.1, 0.5, 0.5, 0.5, True, 2.0)
    0.2
    >>> conflict_rate(0.1, 0.5, 0.5, 0.5, False, 2.0)
    0.1
    """
    rate = base_rate * (0.5 + pressure) * (focus_i + focus_j)
    return rate * cross_sector_multiplier if cross_sector else rate


def resolution_probability(
    resolution_rate: float, skill_i: float, skill_j: float, trust_ij: float, trust_ji: float
) -> float:
    r"""Chance that an open conflict is surfaced and resolved at one meeting.

    .. math:: r_{ij} = \rho \cdot \tfrac{1}{2}\left(\tfrac{s_i + s_j}{2}
              + \tfrac{t_{ij} + t_{ji}}{2}\right)

    Conflicts are surfaced only when leaders meet (:func:`resolution_chance`
    combines the month's meetings); skill and trust both help.

    Examples
    --------
    >>> resolution_probability(0.8, 1.0, 0.5, 0.5, 0.0)
    0.4
    """
    return resolution_rate * 0.5 * ((skill_i + skill_j) / 2 + (trust_ij + trust_ji) / 2)


def altruism_probability(altruism_rate: float, altruism: float, focus: float, pressure: float) -> float:
    r"""Chance a leader acts altruistically towards a partner at each meeting.

    .. math:: a_j = \alpha_a \, \mathrm{alt}_j \, (1 - \pi \phi_j)

    Competitive pressure suppresses altruism in leaders focused on their own
    organisation.

    Examples
    --------
    >>> altruism_probability(0.5, 0.8, 0.5, 1.0)
    0.2
    """
    return altruism_rate * altruism * (1.0 - pressure * focus)


def no_evidence(per_event: float, events: int) -> float:
    r"""Chance that ``events`` independent events, each evidence with chance :math:`e`, give none: :math:`(1 - e)^n`.

    The building block of every noisy-OR in the model (:func:`noisy_or`).

    Examples
    --------
    >>> no_evidence(0.5, 0), no_evidence(0.5, 1), no_evidence(0.5, 3)
    (1.0, 0.5, 0.125)
    """
    return (1.0 - per_event) ** events


def noisy_or(unseen_a: float, unseen_b: float = 1.0, unseen_c: float = 1.0, unseen_d: float = 1.0) -> float:
    r"""Evidence from independent sources, in [0, 1]: one minus the chance that none of them gives any.

    .. math:: 1 - u_a\, u_b\, u_c\, u_d

    where each :math:`u` is a source's chance of giving no evidence
    (:func:`no_evidence`).

    Examples
    --------
    >>> noisy_or(0.5, 0.5)
    0.75
    >>> noisy_or(1.0)
    0.0
    """
    return 1.0 - unseen_a * unseen_b * unseen_c * unseen_d


def good_evidence(
    meetings: int,
    shares: int,
    resolved: int,
    helped: int,
    contact_evidence: float,
    openness_evidence: float,
    resolution_evidence: float,
    altruism_evidence: float,
) -> float:
    r"""Good evidence an observer gathers about a partner in one month, in [0, 1].

    Each piece of evidence closes its share of what is still unknown (a
    noisy-OR), so evidence of every kind counts, more counts more, with
    diminishing returns, and nothing is cut off by a cap:

    .. math:: g = 1 - (1 - e_c)^{n}\,(1 - e_o)^{k}\,(1 - e_r)^{r}\,(1 - e_a)^{a}

    for :math:`n` meetings, :math:`k` of them with the partner's books open,
    :math:`r` conflicts resolved and :math:`a` altruistic acts received.

    Examples
    --------
    >>> round(good_evidence(1, 0, 0, 0, 0.3, 0.7, 0.5, 0.6), 12)
    0.3
    >>> round(good_evidence(2, 1, 0, 0, 0.3, 0.7, 0.5, 0.6), 12)  # 1 - 0.7**2 * 0.3
    0.853
    >>> good_evidence(0, 0, 0, 0, 0.3, 0.7, 0.5, 0.6)
    0.0
    """
    return noisy_or(no_evidence(contact_evidence, meetings), no_evidence(openness_evidence, shares),
                    no_evidence(resolution_evidence, resolved), no_evidence(altruism_evidence, helped))


def bad_evidence(withheld: int, festering: int, withholding_evidence: float, festering_evidence: float) -> float:
    r"""Bad evidence an observer gathers about a partner in one month, in [0, 1] (a noisy-OR, as :func:`good_evidence`).

    .. math:: b = 1 - (1 - e_w)^{w}\,(1 - e_f)^{c}

    for :math:`w` meetings at which the partner kept the books closed and
    :math:`c` conflicts left festering (felt whether or not they met).

    Examples
    --------
    >>> round(bad_evidence(1, 2, 0.2, 0.1), 12)  # 1 - 0.8 * 0.9**2
    0.352
    """
    return noisy_or(no_evidence(withholding_evidence, withheld), no_evidence(festering_evidence, festering))


def update_trust(trust: float, good: float, bad: float, gain_rate: float, loss_rate: float) -> float:
    r"""Asymmetric trust update from the month's evidence: built slowly, lost quickly.

    .. math:: t' = t + \alpha (1 - t)\, g - \beta\, t\, b,
              \qquad \beta = \lambda \alpha,\ \lambda > 1

    With :math:`g, b \in [0, 1]` and :math:`\alpha, \beta \in [0, 1]` the
    result stays in [0, 1] without clipping: gains shrink near full trust and
    losses near none.

    Examples
    --------
    >>> update_trust(0.0, 1.0, 1.0, 0.1, 1.0), update_trust(1.0, 0.0, 1.0, 0.1, 1.0)
    (0.1, 0.0)
    """
    return trust + gain_rate * (1.0 - trust) * good - loss_rate * trust * bad


def drift(trust: float, baseline: float, drift_rate: float) -> float:
    r"""Without contact, trust drifts back towards the baseline (applied in months the pair did not meet).

    .. math:: t' = t + \delta (t_0 - t)

    Examples
    --------
    >>> drift(0.8, 0.3, 0.1)
    0.75
    """
    return trust + drift_rate * (baseline - trust)


def turnover_reset(trust: float, baseline: float, loss: float) -> float:
    r"""A leader leaves: trust held in and by their organisation falls back part way.

    .. math:: t' = t + \ell (t_0 - t) \quad\text{on ties touching the leaver}

    Trust is between people, not structures: the newcomer starts part of the
    way back towards the trust extended to a stranger.

    Examples
    --------
    >>> round(turnover_reset(0.9, 0.3, 0.5), 12)
    0.6
    """
    return trust + loss * (baseline - trust)


def service_failure(trust: float, size: float) -> float:
    r"""A service failure between two organisations costs the share :math:`\sigma` of the trust each holds.

    .. math:: t' = (1 - \sigma)\, t

    Examples
    --------
    >>> service_failure(0.8, 0.25)
    0.6000000000000001
    """
    return (1.0 - size) * trust


def trust_kept(trust: float, share: float) -> float:
    r"""Trust carried through a reorganisation: :math:`t' = k\,t`.

    The acquirer inherits the share :math:`k` of the trust in the absorbed
    organisation's relationships (people change, so some is lost), and its own
    relationships keep :math:`1 - d` through the disruption.

    Examples
    --------
    >>> trust_kept(0.8, 0.5)
    0.4
    """
    return share * trust


def introduction_probability(common_partners: int, rate: float) -> float:
    r"""Chance two unconnected leaders are introduced by the partners they share.

    Each of the :math:`k` partners both trust introduces them independently
    with probability :math:`q`: :math:`1 - (1 - q)^k`.

    Examples
    --------
    >>> introduction_probability(0, 0.5), introduction_probability(1, 0.5), introduction_probability(2, 0.5)
    (0.0, 0.5, 0.75)
    >>> introduction_probability(3, 1.0)
    1.0
    """
    if rate >= 1.0:
        return 1.0 if common_partners > 0 else 0.0
    return -math.expm1(common_partners * math.log1p(-rate))


def has_room(degree: int, capacity: int) -> bool:
    r"""Whether a leader can take on another relationship: :math:`d_i < K_i`.

    Introductions join only leaders who both have room, counted at the start
    of the month's introductions (so a month's introductions can take a leader
    a little past capacity, never further).

    Examples
    --------
    >>> has_room(2, 8), has_room(8, 8)
    (True, False)
    """
    return degree < capacity


def opened_transparency(transparency: float, open_book: float) -> float:
    r"""Transparency under an open-book agreement: :math:`\tau' = \tau + o (1 - \tau)`.

    Examples
    --------
    >>> opened_transparency(0.5, 0.5)
    0.75
    """
    return transparency + open_book * (1.0 - transparency)


def aimed_level(level: float, statutory_only: float, statutory: bool) -> float:
    r"""A lever's level for one leader, when it may be aimed at the statutory bodies' leaders alone.

    .. math:: o_i = o\,\bigl(1 - a\,(1 - S_i)\bigr)

    for the lever's level :math:`o`, :math:`a = 1` when it is aimed at the
    statutory leaders alone (0: at every leader) and :math:`S_i = 1` for the
    leader of a statutory body (NHS trust, council).

    Examples
    --------
    >>> aimed_level(0.5, 0.0, False), aimed_level(0.5, 1.0, False), aimed_level(0.5, 1.0, True)
    (0.5, 0.0, 0.5)
    """
    return level if statutory else level * (1.0 - statutory_only)


def developed_skill(conflict_skill: float, development: float) -> float:
    r"""Conflict skill after leadership development: :math:`s' = s + d (1 - s)`.

    Examples
    --------
    >>> round(developed_skill(0.2, 0.5), 12)
    0.6
    """
    return conflict_skill + development * (1.0 - conflict_skill)


def shared_role_focus(focus: float, shift: float, in_shared_role: bool) -> float:
    r"""Institutional focus of a leader in a boundary-spanning role: :math:`\phi' = \phi (1 - h)`.

    Examples
    --------
    >>> shared_role_focus(0.8, 0.5, True), shared_role_focus(0.8, 0.5, False)
    (0.4, 0.8)
    """
    return focus * (1.0 - shift) if in_shared_role else focus


def regulated_focus(focus: float, incentive: float) -> float:
    r"""Institutional focus under what the regulator rewards: :math:`r \in [-1, 1]`, +1 institutional performance only.

    .. math:: \phi' = \phi + r (1 - \phi) \ (r \ge 0), \qquad \phi' = \phi (1 + r) \ (r < 0)

    Examples
    --------
    >>> regulated_focus(0.6, 0.5), regulated_focus(0.6, -0.5), regulated_focus(0.6, 0.0)
    (0.8, 0.3, 0.6)
    """
    if incentive >= 0.0:
        return focus + incentive * (1.0 - focus)
    return focus * (1.0 + incentive)


def common_cause(cross_sector_multiplier: float, common_cause_share: float) -> float:
    r"""Cross-sector conflict multiplier between members of a forum that finds common cause around its population.

    .. math:: \kappa' = 1 + (\kappa - 1)(1 - g)

    Examples
    --------
    >>> common_cause(1.5, 0.5), common_cause(1.5, 1.0)
    (1.25, 1.0)
    """
    return 1.0 + (cross_sector_multiplier - 1.0) * (1.0 - common_cause_share)


def pooled_stakes(dispute_chance: float, pooled_share: float) -> float:
    r"""Chance a board allocation is disputed when a share :math:`s` of the members' budgets is pooled.

    Pooling raises the stakes of every allocation: :math:`p' = p + s (1 - p)`.

    Examples
    --------
    >>> pooled_stakes(0.5, 0.0), pooled_stakes(0.5, 0.5)
    (0.5, 0.75)
    """
    return dispute_chance + pooled_share * (1.0 - dispute_chance)


def effective_pressure(pressure: float, mandate: float) -> float:
    r"""Competitive pressure after a regulator's collaboration mandate: :math:`\pi (1 - m)`.

    Examples
    --------
    >>> effective_pressure(0.8, 0.5)
    0.4
    """
    return pressure * (1.0 - mandate)


def time_scale(budget: float, committed: float, requested: float) -> float:
    r"""Share of the one-to-one meeting time a leader asks for that fits in the month's hours.

    Formal commitments (boards, shared-role duties, programmes) are kept;
    discretionary one-to-one meetings are cut, all in proportion, when the
    hours run out:

    .. math:: s_i = \min\!\left(1, \frac{\max(0, H_i - c_i)}{q_i}\right)

    for a budget :math:`H_i`, committed hours :math:`c_i` and requested
    one-to-one hours :math:`q_i` (1 when nothing is requested).

    Examples
    --------
    >>> time_scale(40.0, 10.0, 20.0), time_scale(40.0, 10.0, 60.0), time_scale(40.0, 50.0, 20.0)
    (1.0, 0.5, 0.0)
    """
    if requested <= 0.0:
        return 1.0
    return min(1.0, max(0.0, budget - committed) / requested)


def granted_contact(contact_rate: float, scale_i: float, scale_j: float) -> float:
    r"""One-to-one meetings a month a pair actually holds: :math:`f_{ij} \min(s_i, s_j)` (the busier leader decides).

    Examples
    --------
    >>> granted_contact(2.0, 1.0, 0.25)
    0.5
    """
    return contact_rate * min(scale_i, scale_j)


def new_tie_contact_rate(contact_rate: float, weight_i: float, weight_j: float) -> float:
    r"""Meetings a month of a new relationship: :math:`f = f_0 \sqrt{w_i w_j}` (the kinds' contact weights).

    Examples
    --------
    >>> new_tie_contact_rate(1.0, 0.5, 2.0)
    1.0
    """
    return contact_rate * math.sqrt(weight_i * weight_j)


# ------------------------------------------------ the seeds' remaining levers (§7.14-7.17 of docs/ODD.md)
def development_level(development: float, programme: float) -> float:
    r"""A leader's development in the skills of working across boundaries, from both routes.

    Development for all leaders (the ``leadership_development`` lever, share
    :math:`d`) and what this leader gained on a place-based programme
    (:math:`P_i`) each close their share of what is still to learn:

    .. math:: D_i = 1 - (1 - d)(1 - P_i)

    Examples
    --------
    >>> development_level(0.0, 0.0), development_level(0.5, 0.0), development_level(0.5, 0.5)
    (0.0, 0.5, 0.75)
    """
    return 1.0 - (1.0 - development) * (1.0 - programme)


def learning_growth(level: float, rate: float) -> float:
    r"""One month of learning: a level in [0, 1] closes the share :math:`g` of the gap: :math:`x' = x + g(1 - x)`.

    Used for a cohort member's programme level and a leader's share in the
    place's vision; a new leader starts again from 0.

    Examples
    --------
    >>> learning_growth(0.0, 0.2), round(learning_growth(0.5, 0.2), 12)
    (0.2, 0.6)
    """
    return level + rate * (1.0 - level)


def vision_growth_rate(hours: float, hours_scale: float) -> float:
    r"""Monthly growth of a leader's share in the place's vision from the hours given to developing it.

    Diminishing returns in time: :math:`g_X = 1 - e^{-h_V / H_X}` for
    :math:`h_V` hours a month and the hours scale :math:`H_X`.

    Examples
    --------
    >>> vision_growth_rate(0.0, 40.0), round(vision_growth_rate(40.0, 40.0), 6)
    (0.0, 0.632121)
    """
    return -math.expm1(-hours / hours_scale)


def place_focus(focus: float, programme: float, programme_shift: float, vision: float, vision_shift: float) -> float:
    r"""Institutional focus after a place-based programme and shared vision work shift it from organisation to place.

    .. math:: \phi' = \phi\,(1 - h_P P_i)\,(1 - h_X X_i)

    for programme level :math:`P_i` and vision share :math:`X_i`.

    Examples
    --------
    >>> place_focus(0.8, 0.0, 0.5, 0.0, 0.5), place_focus(0.8, 1.0, 0.5, 0.0, 0.5), place_focus(0.8, 1.0, 0.5, 1.0, 0.5)
    (0.8, 0.4, 0.2)
    """
    return focus * (1.0 - programme_shift * programme) * (1.0 - vision_shift * vision)


def facilitated(chance: float, development: float, effect: float) -> float:
    r"""A board decision's chance of being disputed between skilled facilitators: :math:`p(1 - \epsilon_f D)`.

    :math:`D` is the mean development of the two leaders involved and
    :math:`\epsilon_f` the share of the dispute that facilitation can prevent.

    Examples
    --------
    >>> facilitated(0.5, 0.0, 0.5), facilitated(0.5, 1.0, 0.5)
    (0.5, 0.25)
    """
    return chance * (1.0 - effect * development)


def coproduced_rate(rate: float, skill: float, voice: float, effect: float) -> float:
    r"""Conflicts over priorities when decisions are grounded in citizens' experience.

    .. math:: c' = c\,(1 - \epsilon_C\, q\, V)

    Co-production needs both sides: leaders' citizen-engagement skill
    :math:`q` and communities strong enough to take part (:math:`V`,
    :func:`community_strength`); :math:`\epsilon_C` is the share of conflicts
    over priorities it can prevent.

    Examples
    --------
    >>> coproduced_rate(0.2, 1.0, 0.5, 0.4), coproduced_rate(0.2, 0.0, 1.0, 0.4)
    (0.16000000000000003, 0.2)

    Linear in the rate, to the last bit (the kernel applies it as a factor of the month):

    >>> coproduced_rate(0.2, 1.0, 0.5, 0.4) == 0.2 * coproduced_rate(1.0, 1.0, 0.5, 0.4)
    True
    """
    return rate * (1.0 - effect * skill * voice)


def community_strength(strength: float, base: float, investment: float, growth: float) -> float:
    r"""One month of the community's capacity (its groups and assets) moving towards what investment sustains.

    .. math:: V' = V + \gamma_V\,\big(v_0 + w(1 - v_0) - V\big)

    for the base strength :math:`v_0` of the place's community groups and the
    council's investment share :math:`w` (Wigan's asset-based approach).

    Examples
    --------
    >>> community_strength(0.3, 0.3, 0.0, 0.1), round(community_strength(0.3, 0.3, 1.0, 0.1), 12)
    (0.3, 0.37)
    """
    return strength + growth * (base + investment * (1.0 - base) - strength)


def strengthened_budget(budget: float, strength: float, base: float, uplift: float) -> float:
    r"""A voluntary body's monthly hours for partnership work as community investment strengthens it.

    .. math:: H' = H\,\big(1 + u_V \max(0, V - v_0)\big)

    Examples
    --------
    >>> strengthened_budget(16.0, 0.3, 0.3, 0.5), strengthened_budget(16.0, 0.8, 0.3, 0.5)
    (16.0, 20.0)
    """
    return budget * (1.0 + uplift * max(0.0, strength - base))


def joint_working_permitted(trust_ij: float, trust_ji: float, threshold: float) -> bool:
    r"""Whether the leaders let their frontline teams work jointly: :math:`\min(t_{ij}, t_{ji}) \ge \theta_J`.

    Examples
    --------
    >>> joint_working_permitted(0.6, 0.5, 0.5), joint_working_permitted(0.6, 0.4, 0.5)
    (True, False)
    """
    return min(trust_ij, trust_ji) >= threshold


def joint_success(staff_trust: float, base: float) -> float:
    r"""Chance a joint care episode between two organisations' teams goes well: :math:`s_0 + (1 - s_0)\,u`.

    Teams who trust each other hand over and coordinate better; :math:`s_0`
    is the chance between teams with no trust yet.

    Examples
    --------
    >>> joint_success(0.0, 0.5), joint_success(0.5, 0.5)
    (0.5, 0.75)
    """
    return base + (1.0 - base) * staff_trust


def episode_evidence(count: int, per_episode: float) -> float:
    r"""Evidence from ``count`` episodes of one kind (a noisy-OR): :math:`1 - (1 - e)^k`.

    Examples
    --------
    >>> episode_evidence(0, 0.2), round(episode_evidence(2, 0.2), 12)
    (0.0, 0.36)
    """
    return noisy_or(no_evidence(per_episode, count))


def with_evidence(evidence: float, count: int, per_episode: float) -> float:
    r"""Evidence :math:`g` with ``count`` more pieces of :math:`e` each (noisy-OR): :math:`1 - (1 - g)(1 - e)^k`.

    How frontline teams' joint work feeds evidence back up to their leaders.

    Examples
    --------
    >>> round(with_evidence(0.5, 1, 0.2), 12), with_evidence(0.5, 0, 0.2)
    (0.6, 0.5)
    """
    return noisy_or(1.0 - evidence, no_evidence(per_episode, count))


# ------------------------------------------------------------- behaviour that reads trust (docs/ODD.md §7.18)


def disposition(trust: float, festering: int, pressure: float, focus: float, reciprocity: float, strain: float,
                rivalry: float) -> float:
    r"""A leader's inclination to cooperate with a partner this month, on the log-odds scale.

    .. math:: x_{ij} = \rho\,(2 t_{ij} - 1) - \sigma\, b_{ij} - \psi\, \pi\, \phi_i

    Conditional cooperation: a leader cooperates more readily with a partner
    they trust (reciprocity :math:`\rho`, neutral at trust 0.5), less while
    conflicts between them fester (strain :math:`\sigma` per festering
    conflict :math:`b_{ij}`), and less under competitive pressure :math:`\pi`
    the more they are focused on their own organisation :math:`\phi_i`
    (rivalry :math:`\psi`). With all three strengths 0 it is 0 and nothing
    changes (:func:`inclined`).

    Examples
    --------
    >>> disposition(0.75, 0, 0.5, 0.5, 2.0, 0.5, 1.0)
    0.75
    >>> disposition(0.9, 3, 1.0, 1.0, 0.0, 0.0, 0.0)
    0.0
    """
    return reciprocity * (2.0 * trust - 1.0) - strain * festering - rivalry * pressure * focus


def inclined(probability: float, odds: float) -> float:
    r"""A cooperative act's chance once the leader's disposition :math:`x` multiplies its odds by :math:`e^x`.

    .. math:: p' = \frac{p\, e^{x}}{1 - p + p\, e^{x}}

    with ``odds`` :math:`= e^{x}` (:func:`disposition` gives :math:`x`; the
    engines take the exponential once per leader and month, as every act of
    that leader towards that partner reads it). The chance stays in [0, 1]
    without clipping: 0 and 1 stay where they are, and at :math:`e^x = 1` it
    is :math:`p` itself (returned as it is, so a model without these
    behaviours gives the same numbers). Opening the books, helping and, with
    the pair's mean disposition, surfacing a conflict at a meeting each read it.

    Examples
    --------
    >>> inclined(0.5, 1.0), round(inclined(0.5, 3.0), 12), inclined(1.0, 0.0), inclined(0.0, 100.0)
    (0.5, 0.75, 1.0, 0.0)
    """
    if odds == 1.0 or probability >= 1.0:  # a certain act stays certain (and 1 * 0 / 0 is avoided)
        return probability
    return probability * odds / (1.0 - probability + probability * odds)


def inclined_contact(contact_rate: float, trust_ij: float, trust_ji: float, festering: int, reciprocity: float,
                     strain: float) -> float:
    r"""One-to-one meetings a month a pair asks for, as their trust and their festering conflicts shape it.

    .. math:: f'_{ij} = f_{ij}\, \exp\!\big(\rho_c\,(t_{ij} + t_{ji} - 1) - \sigma\, b_{ij}\big)

    Leaders seek out partners they trust and avoid those they distrust
    (contact reciprocity :math:`\rho_c`, neutral at a mean trust of 0.5), and
    avoid a partner while conflicts fester between them (strain :math:`\sigma`).
    What they ask for is then cut to their hours (:func:`time_scale`). At
    :math:`\rho_c = \sigma = 0` it is :math:`f_{ij}` itself.

    Examples
    --------
    >>> inclined_contact(2.0, 0.5, 0.5, 0, 1.0, 0.0), inclined_contact(2.0, 0.9, 0.9, 4, 0.0, 0.0)
    (2.0, 2.0)
    >>> round(inclined_contact(1.0, 1.0, 1.0, 1, 1.0, 1.0), 12)
    1.0
    """
    x = reciprocity * (trust_ij + trust_ji - 1.0) - strain * festering
    return contact_rate if x == 0.0 else contact_rate * math.exp(x)


def suspicious_reading(good: float, trust: float, suspicion: float) -> float:
    r"""Good evidence about a partner as an observer who distrusts them reads it: their acts count for less.

    .. math:: g' = g\,\big(1 - \varsigma\,(1 - t_{ij})\big)

    At full trust, or with suspicion :math:`\varsigma = 0`, the evidence
    counts in full; at no trust and :math:`\varsigma = 1` not at all. Bad
    evidence is read as it is (trust is lost quickly whatever the reading).

    Examples
    --------
    >>> suspicious_reading(0.8, 0.25, 0.0), suspicious_reading(0.8, 0.25, 1.0), suspicious_reading(0.8, 1.0, 1.0)
    (0.8, 0.2, 0.8)
    """
    return good if suspicion == 0.0 else good * (1.0 - suspicion * (1.0 - trust))


def group_evidence(per_meeting: float, group_weight: float) -> float:
    r"""Good evidence a pair gathers about each other at one group meeting: :math:`e_g = w\, e_c`.

    A board, Health and Wellbeing Board or programme cohort meeting puts many
    leaders in one room for a few hours: each pair present learns less than at
    a one-to-one (weight :math:`w < 1`), and no one opens their books to or
    helps one partner there. At :math:`w = 1` a group meeting counts as a
    one-to-one for every pair present (the model before this rule).

    Examples
    --------
    >>> group_evidence(0.3, 0.5), group_evidence(0.3, 1.0)
    (0.15, 0.3)
    """
    return group_weight * per_meeting



# ------------------------------------------------------------- differences between places (docs/ODD.md §7.20)


def varied_share(value: float, spread: float, z: float) -> float:
    r"""A place's condition in [0, 1] drawn around the scenario's value (its median place), on the logit scale.

    .. math:: v' = \operatorname{logit}^{-1}\!\big(\operatorname{logit}(v) + s\,z\big), \qquad z \sim N(0, 1)

    A value of exactly 0 or 1, or a spread of 0, stays as it is.

    Examples
    --------
    >>> varied_share(0.5, 1.0, 0.0), varied_share(0.3, 0.0, 2.0), varied_share(1.0, 1.0, -2.0)
    (0.5, 0.3, 1.0)
    >>> round(varied_share(0.5, 1.0, math.log(3.0)), 12)
    0.75
    """
    if spread == 0.0 or value <= 0.0 or value >= 1.0:
        return value
    x = math.log(value / (1.0 - value)) + spread * z
    if x >= 0.0:  # the logistic written so that neither branch's exponential can overflow
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def varied_rate(value: float, spread: float, z: float) -> float:
    r"""A place's rate drawn around the scenario's value (its median place), on the log scale: :math:`v e^{s z}`.

    Examples
    --------
    >>> varied_rate(0.06, 0.0, 1.5), round(varied_rate(0.06, 0.5, 2 * math.log(2.0)), 12)
    (0.06, 0.12)
    """
    return value if spread == 0.0 else value * math.exp(spread * z)


def new_role_hours(role_hours: float, new_share: float) -> float:
    r"""Hours a month a shared role takes from its holder's budget: the share of its duties that is new time.

    .. math:: h' = \nu\, h_R

    Burstow's shared STP lead role was given to two existing leaders: part of
    the role replaces duties they already had (:math:`\nu < 1`); at
    :math:`\nu = 1` every hour of the role is new time (the earlier model).

    Examples
    --------
    >>> new_role_hours(16.0, 1.0), new_role_hours(16.0, 0.25)
    (16.0, 4.0)
    """
    return role_hours * new_share


# ------------------------------------------------------------- boundary spanners relay (docs/ODD.md §7.21)


def bridge_chance(partnership: bool, shared_role: bool, brokerage: float) -> float:
    r"""Chance a relationship carries introductions this month (counts as a partnership for triadic closure).

    .. math:: P(\text{bridge}_{ij}) = \begin{cases} 1 & \min(t_{ij}, t_{ji}) \ge \theta \\
              \beta_R & \text{a shared role below } \theta \\ 0 & \text{otherwise} \end{cases}

    A shared-role holder introduces its counterpart to its own partners
    whatever the trust between the two holders (brokerage :math:`\beta_R`):
    the joint post is a bridge between the two organisations' networks. At
    :math:`\beta_R = 0` only partnerships introduce (the earlier rule).

    Examples
    --------
    >>> bridge_chance(True, False, 0.5), bridge_chance(False, True, 0.5), bridge_chance(False, False, 0.5)
    (1.0, 0.5, 0.0)
    >>> bridge_chance(True, True, 0.0), bridge_chance(False, True, 0.0)
    (1.0, 0.0)
    """
    if partnership:
        return 1.0
    return brokerage if shared_role else 0.0


def relayed_evidence(evidence: float, heard_i: float, heard_j: float, relay: float) -> float:
    r"""Evidence the two organisations' frontline teams gather about each other, with what the role holders relay.

    .. math:: g'_s = 1 - (1 - g_s)\,(1 - \varrho\, g_{ij})\,(1 - \varrho\, g_{ji})

    for the teams' own evidence :math:`g_s` (their joint care episodes), the
    evidence :math:`g_{ij}, g_{ji}` each holder of a shared role gathered about
    the other this month, and the relay :math:`\varrho \in [0, 1]`: each
    holder passes the part :math:`\varrho` of what they learned to their own
    organisation's team (second-hand, so below first-hand evidence). The same
    for bad evidence. At :math:`\varrho = 0` it is :math:`g_s` itself (a noisy-OR written out: the
    kernel compiles each rule on its own).

    Examples
    --------
    >>> relayed_evidence(0.3, 0.8, 0.6, 0.0)
    0.3
    >>> round(relayed_evidence(0.0, 0.8, 0.6, 0.5), 12)  # 1 - 0.6 * 0.7
    0.58
    >>> round(relayed_evidence(0.5, 1.0, 0.0, 0.5), 12)  # 1 - 0.5 * 0.5
    0.75
    """
    if relay == 0.0:
        return evidence
    return 1.0 - (1.0 - evidence) * (1.0 - relay * heard_i) * (1.0 - relay * heard_j)  # a noisy-OR
