"""Interventions: what each lever changes, kept apart from the rules.

Relational levers act on leaders and relationships (shared boundary-spanning
roles, leadership development, open-book agreements, long-term commitment);
structural levers act on the formal network or the rules of the game (a
system board, a regulator's collaboration mandate). Each is switched on by its
own parameter, so "relationships matter more than structures" is a question
the model can answer, not an assumption.

Each lever acts from month ``start + 1`` to month ``stop`` of its schedule
(:mod:`simulation.schedule`; by default from ``intervention_start`` on, for
ever). :func:`effective_parameters` is how the levers reach the rules;
:func:`update_structures` builds and takes down the structures.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from . import kernel, rules
from .relationships import Leaders, Relationships
from .setup import contact_rates

__all__ = [
    "RELATIONAL_LEVERS",
    "STRUCTURAL_LEVERS",
    "effective_parameters",
    "lever_hours",
    "statutory_lever_hours",
    "lever_money",
    "update_structures",
    "add_shared_roles",
    "add_system_board",
    "add_health_wellbeing_board",
    "start_cohort",
    "merge_organisations",
    "check_mergers",
]

#: Parameters that act on relationships between people.
RELATIONAL_LEVERS: tuple[str, ...] = (
    "shared_roles",
    "statutory_contact",
    "leadership_development",
    "open_book",
    "long_term_commitment",
    "place_programmes",
    "shared_vision",
    "coproduction",
    "community_investment",
)
#: Parameters that act on formal structure and the rules of the game.
STRUCTURAL_LEVERS: tuple[str, ...] = ("system_board", "collaboration_mandate", "regulator_incentive",
                                      "health_wellbeing_board", "pooled_budget")

_NHS, _COUNCIL = "nhs", "local_government"


def _on(active: bool | Collection[str], lever: str) -> bool:
    return active if isinstance(active, bool) else lever in active


def effective_parameters(params: Mapping[str, float], active: bool | Collection[str]) -> dict[str, float]:
    r"""The kernel's parameters with the levers applied (the entries of :data:`~simulation.kernel.KERNEL_PARAMETERS`).

    ``active`` names the levers acting this month (``True``: all, ``False``:
    none; see :func:`simulation.schedule.levers_active`); a lever not acting
    counts as 0. The collaboration mandate lowers competitive pressure
    (:func:`~simulation.rules.effective_pressure`); a long-term commitment
    :math:`c` scales drift and the harm of festering conflicts by
    :math:`1 - c`; open books, leadership development and the shared-role
    focus shift act on the leaders' traits (:func:`~simulation.kernel.refresh_traits`);
    the board meets only while it sits; a shared role takes only its new time
    (:func:`~simulation.rules.new_role_hours`). The loss rate is :math:`\beta = \lambda \alpha`.

    Examples
    --------
    >>> from simulation import Scenario
    >>> p = Scenario(long_term_commitment=0.5, collaboration_mandate=0.5).params
    >>> on, off = effective_parameters(p, True), effective_parameters(p, False)
    >>> on["drift_rate"], off["drift_rate"], on["competitive_pressure"], off["competitive_pressure"]
    (0.01, 0.02, 0.25, 0.5)
    >>> effective_parameters(p, {"collaboration_mandate"})["drift_rate"]
    0.02
    """
    commitment = params["long_term_commitment"] if _on(active, "long_term_commitment") else 0.0
    mandate = params["collaboration_mandate"] if _on(active, "collaboration_mandate") else 0.0
    out = {name: float(params[name]) for name in _PLAIN}
    out["competitive_pressure"] = rules.effective_pressure(params["competitive_pressure"], mandate)
    out["festering_evidence"] = params["festering_evidence"] * (1.0 - commitment)
    out["drift_rate"] = params["drift_rate"] * (1.0 - commitment)
    out["loss_rate"] = params["gain_rate"] * params["negativity_bias"]
    out["shared_role_hours"] = rules.new_role_hours(params["shared_role_hours"], params["shared_role_new_time"])
    for lever, name in (("open_book", "open_book"), ("leadership_development", "leadership_development"),
                        ("shared_roles", "shared_role_focus_shift")):
        out[name] = float(params[name]) if _on(active, lever) else 0.0
    sits = _on(active, "system_board") and params["system_board"]
    out["board_rate"] = float(params["board_contact_rate"]) if sits else 0.0
    meets = _on(active, "health_wellbeing_board") and params["health_wellbeing_board"]
    out["hwb_rate"] = float(params["hwb_contact_rate"]) if meets else 0.0
    out["regulator_incentive"] = float(params["regulator_incentive"]) if _on(active, "regulator_incentive") else 0.0
    out["pooled_budget"] = float(params["pooled_budget"]) if sits and _on(active, "pooled_budget") else 0.0
    out["statutory_contact"] = float(params["statutory_contact"]) if _on(active, "statutory_contact") else 0.0
    out["place_programmes"] = float(params["place_programmes"]) if _on(active, "place_programmes") else 0.0
    vision = float(params["shared_vision"]) if _on(active, "shared_vision") else 0.0
    out["shared_vision"] = vision
    out["vision_growth"] = rules.vision_growth_rate(vision, params["vision_hours_scale"])
    out["coproduction"] = float(params["coproduction"]) if _on(active, "coproduction") else 0.0
    out["community_investment"] = (float(params["community_investment"]) if _on(active, "community_investment")
                                   else 0.0)
    out["open_book_statutory"] = float(params["open_book_statutory"])
    out["development_statutory"] = float(params["development_statutory"])
    out["lever_hours"] = lever_hours(params, active)
    out["statutory_lever_hours"] = statutory_lever_hours(params, active)
    return out


def lever_hours(params: Mapping[str, float], active: bool | Collection[str]) -> float:
    r"""Hours a month every leader gives to the levers that apply to all (committed time).

    .. math:: h = o\,h_o + d\,h_d + k\,h_k + q\,h_q

    for open books :math:`o`, leadership development :math:`d`, long-term
    commitment :math:`k` and co-production :math:`q` at their hours at full
    strength, while each acts (open books only when they are not aimed at the
    statutory leaders alone: :func:`statutory_lever_hours`). Shared roles,
    the boards, programmes and vision work cost their members hours of their
    own (§7.12 of docs/ODD.md).

    Examples
    --------
    >>> from simulation import Scenario
    >>> lever_hours(Scenario(open_book=0.5, leadership_development=1.0).params, True)
    8.0
    >>> lever_hours(Scenario(open_book=0.5, open_book_statutory=True).params, True)
    0.0
    """
    books_for_all = _on(active, "open_book") and not params["open_book_statutory"]
    development_for_all = _on(active, "leadership_development") and not params["development_statutory"]
    return ((params["open_book"] * params["open_book_hours"] if books_for_all else 0.0)
            + (params["leadership_development"] * params["development_hours"] if development_for_all else 0.0)
            + (params["long_term_commitment"] * params["commitment_hours"]
               if _on(active, "long_term_commitment") else 0.0)
            + (params["coproduction"] * params["coproduction_hours"] if _on(active, "coproduction") else 0.0))


def statutory_lever_hours(params: Mapping[str, float], active: bool | Collection[str]) -> float:
    r"""Hours a month each statutory leader alone gives to the levers aimed at them alone.

    Open books :math:`o\,h_o` and leadership development :math:`d\,h_d`, each
    when aimed at the statutory leaders alone (``open_book_statutory``,
    ``development_statutory``) and acting.

    Examples
    --------
    >>> from simulation import Scenario
    >>> statutory_lever_hours(Scenario(open_book=0.5, open_book_statutory=True).params, True)
    2.0
    >>> statutory_lever_hours(Scenario(open_book=0.5, leadership_development=0.5, development_statutory=True).params,
    ...                       True)
    3.0
    """
    books = _on(active, "open_book") and params["open_book_statutory"]
    development = _on(active, "leadership_development") and params["development_statutory"]
    return ((params["open_book"] * params["open_book_hours"] if books else 0.0)
            + (params["leadership_development"] * params["development_hours"] if development else 0.0))


def lever_money(params: Mapping[str, float], active: bool | Collection[str], leaders: float,
                cohort_members: float) -> dict[str, float]:
    r"""Pounds a month the levers acting cost the place, by lever (only those with money costs).

    Leadership development costs ``development_cost`` for each of the
    ``leaders`` at full strength; a place-based programme ``programme_cost``
    for each of the ``cohort_members`` (in a running cohort, or expected in
    steady state); community investment the share :math:`w` of
    ``community_investment_cost`` (million pounds). A pooled budget moves money
    rather than spending it, and a merger's cost is one-off (``merger_cost``).

    Examples
    --------
    >>> from simulation import Scenario
    >>> lever_money(Scenario(leadership_development=0.5, community_investment=0.2).params, True, 4, 2)
    {'leadership_development': 800.0, 'place_programmes': 1000.0, 'community_investment': 100000.0}
    """
    development = params["leadership_development"] if _on(active, "leadership_development") else 0.0
    investment = params["community_investment"] if _on(active, "community_investment") else 0.0
    return {
        "leadership_development": development * params["development_cost"] * leaders,
        "place_programmes": params["programme_cost"] * cohort_members if _on(active, "place_programmes") else 0.0,
        "community_investment": investment * params["community_investment_cost"] * 1e6,
    }


_PLAIN = (
    "conflict_rate", "cross_sector_conflict", "resolution_rate", "altruism_rate", "contact_evidence",
    "openness_evidence", "withholding_evidence", "resolution_evidence", "altruism_evidence", "gain_rate",
    "baseline_trust", "turnover_rate", "turnover_trust_loss", "partnership_threshold", "introduction_rate",
    "introduction_trust", "contact_rate", "meeting_hours", "board_meeting_hours",
    "shared_role_contact", "board_decision_conflict", "board_authority", "suppressed_resurface", "hwb_meeting_hours",
    "hwb_common_cause", "pooled_budget_hours", "programme_contact", "programme_growth", "programme_focus_shift",
    "programme_hours", "development_relationship_effect", "development_power_effect",
    "development_facilitation_effect", "vision_focus_shift", "vision_common_cause", "coproduction_effect",
    "community_base", "community_growth", "voluntary_strength", "staff_contact", "joint_working_threshold",
    "joint_success_base", "staff_learning", "staff_feedback", "programme_cohort_size", "programme_months",
    "programme_tie_contact", "reciprocity", "contact_reciprocity", "suspicion", "conflict_strain", "rivalry",
    "group_meeting_weight", "role_brokerage", "role_relay",
)


def update_structures(params: Mapping[str, float], rel: Relationships, leaders: Leaders, rng: np.random.Generator,
                      before: Collection[str], now: Collection[str]) -> dict[str, int]:
    """Build the structures of levers that start acting and take down those of levers that stop.

    Shared roles are created (drawing from ``rng``) when ``shared_roles``
    starts and end (their flags cleared) when it stops; the system board is
    set up when ``system_board`` starts and dissolved when it stops (the ties
    it created stay, as relationships). Every engine calls this one function,
    so a seed creates the same structures in each. Returns the roles and new
    board ties created.
    """
    report = {"shared_roles": 0, "board_ties": 0, "forum_ties": 0}
    if "shared_roles" in now and "shared_roles" not in before:
        report["shared_roles"] = add_shared_roles(rel, leaders, leaders.sector_names, params["shared_roles"],
                                                  params["baseline_trust"], rng, base_contact=params["contact_rate"])
    elif "shared_roles" in before and "shared_roles" not in now:
        rel.shared_role = False
    if "system_board" in now and "system_board" not in before and params["system_board"]:
        report["board_ties"] = add_system_board(rel, leaders, params["baseline_trust"])
    elif "system_board" in before and "system_board" not in now:
        rel.formal = False
    if "health_wellbeing_board" in now and "health_wellbeing_board" not in before and params["health_wellbeing_board"]:
        report["forum_ties"] = add_health_wellbeing_board(rel, leaders, params["hwb_voluntary_members"],
                                                          params["baseline_trust"], rng)
    elif "health_wellbeing_board" in before and "health_wellbeing_board" not in now:
        leaders.forum_member[:] = False
    return report


def check_mergers(mergers, n: int) -> None:
    """Refuse mergers that name organisations the place does not have (one clear error)."""
    from .scenario import ScenarioError

    for k, m in enumerate(mergers):
        for field in ("absorbed", "into"):
            if getattr(m, field) >= n:
                raise ScenarioError(f"mergers[{k}].{field} = {getattr(m, field)} is out of range: the place has {n} "
                                    f"organisations, numbered 0 to {n - 1}")
    if n - len(mergers) < 2:
        raise ScenarioError(f"mergers: {len(mergers)} merger(s) would leave {n - len(mergers)} of the place's {n} "
                            "organisations: a place needs at least 2")


def merge_organisations(rel: Relationships, leaders: Leaders, absorbed: int, into: int, kept: float,
                        disruption: float) -> None:
    """Organisation ``absorbed`` merges into ``into``: its leader goes, its relationships pass to the acquirer.

    The acquirer's own relationships lose the share ``disruption`` of their
    trust (:func:`~simulation.rules.trust_kept`); each of the absorbed
    organisation's relationships passes to the acquirer with the share ``kept``
    of its trust, both ways, its conflicts and contact, unless the acquirer
    already has that partner (then the conflicts join the existing tie). The
    tie between the two disappears, and the absorbed organisation no longer
    counts (``leaders.merged``); its size passes to the acquirer.
    """
    if leaders.merged[absorbed] or leaders.merged[into]:
        return
    pairs = rel.pairs
    own = np.flatnonzero(((pairs[:, 0] == into) | (pairs[:, 1] == into)) & (pairs[:, 0] != absorbed)
                         & (pairs[:, 1] != absorbed))
    for p in own:
        for e in (2 * p, 2 * p + 1):
            rel.trust[e] = rules.trust_kept(rel.trust[e], 1.0 - disruption)
    partners = {int(pairs[p, 0] + pairs[p, 1] - into): int(p) for p in own}
    drop = []
    for p in np.flatnonzero((pairs[:, 0] == absorbed) | (pairs[:, 1] == absorbed)):
        i, j = int(pairs[p, 0]), int(pairs[p, 1])
        k = j if i == absorbed else i
        if k == into:
            drop.append(p)
        elif k in partners:  # the acquirer already has this partner: the disputes carry over
            q = partners[k]
            rel.backlog[q] += rel.backlog[p]
            rel.suppressed[q] += rel.suppressed[p]
            rel.care[q] |= rel.care[p]
            drop.append(p)
        else:
            out = rules.trust_kept(rel.trust[2 * p + (i != absorbed)], kept)  # the absorbed side's trust in k
            back = rules.trust_kept(rel.trust[2 * p + (i == absorbed)], kept)  # k's trust in the absorbed side
            a, b = min(into, k), max(into, k)
            rel.pairs[p] = (a, b)
            rel.trust[2 * p], rel.trust[2 * p + 1] = (out, back) if a == into else (back, out)
    rel.remove(np.array(drop, dtype=np.int64))
    leaders.merged[absorbed] = True
    leaders.size[into] += leaders.size[absorbed]
    leaders.size[absorbed] = 0.0
    leaders.cohort[:, absorbed] = (-1, 0)
    leaders.learning[:, absorbed] = 0.0


def add_health_wellbeing_board(rel: Relationships, leaders: Leaders, voluntary_members: int, new_tie_trust: float,
                               rng: np.random.Generator) -> int:
    """Convene a Health and Wellbeing Board: every statutory body and ``voluntary_members`` others, drawn at random.

    Members are flagged (``leaders.forum_member``); pairs of members without a
    relationship get one (trust ``new_tie_trust``, no one-to-one contact): they
    meet at the board. Returns the ties created.
    """
    statutory = np.flatnonzero(leaders.statutory)
    others = np.flatnonzero(~leaders.statutory)
    chosen = rng.permutation(others)[: min(int(voluntary_members), len(others))] if len(others) else others
    members = np.sort(np.concatenate([statutory, chosen]))
    leaders.forum_member[:] = False
    leaders.forum_member[members] = True
    i, j = np.triu_indices(len(members), k=1)
    cand = np.column_stack([members[i], members[j]])
    fresh = cand[~rel.has_pairs(cand, leaders.n)]
    rel.add(fresh, np.full(2 * len(fresh), new_tie_trust), np.zeros(len(fresh)))
    return len(fresh)


def add_shared_roles(
    rel: Relationships,
    leaders: Leaders,
    sector_names: list[str],
    n_roles: int,
    new_tie_trust: float,
    rng: np.random.Generator,
    base_contact: float = 0.0,
) -> int:
    """Create up to ``n_roles`` shared NHS–council leadership roles.

    Each role joins one NHS organisation and one council (sectors ``nhs`` and
    ``local_government``), chosen at random among pairs without a role,
    existing relationships first. A missing relationship is created with
    ``new_tie_trust`` and the ordinary contact rate of a new relationship,
    ``base_contact * sqrt(w_i w_j)`` (kind contact weights). The role's own
    meetings (``shared_role_contact`` a month) and duties are not part of that
    rate: the kernel adds them to flagged pairs, and they are never cut for time.

    Returns
    -------
    int
        Roles created (fewer than asked if there are not enough pairs).
    """
    if n_roles <= 0:
        return 0
    sector = np.array(sector_names)[leaders.sector]
    nhs = np.flatnonzero(sector == _NHS)
    council = np.flatnonzero(sector == _COUNCIL)
    if len(nhs) == 0 or len(council) == 0:
        return 0
    a, b = np.meshgrid(nhs, council, indexing="ij")
    cand = np.column_stack([np.minimum(a, b).ravel(), np.maximum(a, b).ravel()])
    row = rel.index_of(cand, leaders.n)  # -1: no relationship yet
    new = row < 0
    has_role = ~new & rel.shared_role[np.maximum(row, 0)]
    # existing relationships first, each group in random order
    order = np.lexsort((rng.random(len(cand)), new))
    order = order[~has_role[order]][:n_roles]
    chosen, row, fresh = cand[order], row[order], new[order]
    added = chosen[fresh]
    row[fresh] = rel.n_pairs + np.arange(len(added))  # the rows the new relationships get
    rel.add(added, np.full(2 * len(added), new_tie_trust), contact_rates(base_contact, leaders, added))
    rel.shared_role[row] = True
    return len(chosen)


def add_system_board(rel: Relationships, leaders: Leaders, new_tie_trust: float) -> int:
    """Overlay a formal system board on all statutory organisations.

    Every pair of statutory organisations gets a formal tie; missing ones are
    created with ``new_tie_trust`` and no one-to-one contact. Members meet at
    the board's meetings (``board_contact_rate`` a month, drawn once a month
    for the whole board by the kernel), which every formal pair attends together.

    Returns
    -------
    int
        Number of new relationships the board created.
    """
    members = np.flatnonzero(leaders.statutory)
    if len(members) < 2:
        return 0
    i, j = np.triu_indices(len(members), k=1)
    cand = np.column_stack([members[i], members[j]])
    row = rel.index_of(cand, leaders.n)  # -1: no relationship yet
    rel.formal[row[row >= 0]] = True
    fresh = cand[row < 0]
    rel.add(fresh, np.full(2 * len(fresh), new_tie_trust), np.zeros(len(fresh)), formal=True)
    return len(fresh)


def start_cohort(rel: Relationships, leaders: Leaders, size: int, months: int, new_tie_trust: float,
                 rng: np.random.Generator, tie_contact: float = 0.0) -> tuple[int, int]:
    """Start a place-based leadership programme cohort of up to ``size`` leaders for ``months`` months.

    Members are mixed across sectors on purpose (Burstow: "a mix of
    healthcare professionals, and participants from social care and the
    voluntary sector"): taken in turn from each sector, and within a sector
    leaders who have not been on a programme first, in random order. Leaders
    already in a cohort and absorbed organisations are not eligible. Every
    pair of members without a relationship gets one (trust ``new_tie_trust``,
    ``tie_contact`` one-to-one meetings a month before the kinds' weights:
    0 by default, as a board's ties, so the cohort's own meetings, drawn by
    the kernel each month (``programme_contact``), are its contact). The
    compiled :func:`simulation.kernel.start_cohort_arrays` does it, for both
    engines and inside the kernel's months.

    Returns
    -------
    (int, int)
        Members enrolled and relationships created.

    Examples
    --------
    >>> from simulation import Scenario
    >>> from simulation.place import generate_place
    >>> from simulation.setup import build_state
    >>> rng = np.random.default_rng(1)
    >>> s = Scenario(organisations={"nhs_trust": 2, "council": 2, "voluntary": 6})
    >>> leaders, rel = build_state(s, generate_place(s, rng), rng)
    >>> start_cohort(rel, leaders, 3, 12, 0.3, rng)[0]
    3
    >>> sorted(leaders.sector_names[k] for k in leaders.sector[leaders.cohort[1] > 0])
    ['local_government', 'nhs', 'voluntary']
    """
    buffers, n_pairs, members, ties = kernel.start_cohort_arrays(
        rng, rel.buffers, rel.n_pairs, np.ascontiguousarray(leaders.sector, dtype=np.int64), leaders.merged,
        leaders.learning, leaders.cohort, np.ascontiguousarray(leaders.contact_weight, dtype=np.float64), int(size),
        int(months), float(new_tie_trust), float(tie_contact), np.zeros(1, dtype=np.int64))
    rel.adopt(buffers, n_pairs)
    return int(members), int(ties)
