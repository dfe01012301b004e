"""The per-agent reference engine: the model's rules, one leader and one relationship at a time, in idiomatic Mesa.

This is the readable specification and the statistical oracle for the compiled
kernel (:mod:`simulation.kernel`). Organisations are Mesa agents
(:class:`Leader`, a ``FixedAgent``) on the cells of a Mesa
``discrete_space.Network`` built from the place's networkx graph; each
relationship's state is a :class:`Tie` held on that graph's edge (attribute
``"tie"``). Every equation is a call to the same scalar rule of
:mod:`simulation.rules` that the kernel compiles; what differs is the
schedule: here leaders host their relationships one by one, in agent order,
and draw in an order of their own, so a slip in the kernel's bookkeeping shows
up as a statistical disagreement between the two (``tests/test_engine_agreement.py``).

Each month, in order:

1. levers that start or stop build or take down their structures (shared
   roles and system board, by the same
   :func:`~simulation.interventions.update_structures`); a service failure
   strikes if one is due; every leader's
   effective traits follow the month's lever values; each leader plans the
   month's time (the share of asked-for one-to-one time that fits its hours);
   the board, if any, meets some number of times;
2. every leader hosts the relationships it holds with higher-numbered
   partners: the leaders meet some number of times (one-to-ones, their shared
   role's meetings, the board meetings both attend); new conflicts arise; at
   their meetings each opens the books or not, open conflicts may be resolved
   and each may act altruistically; each updates trust in the other from the
   month's good and bad evidence; without a meeting trust drifts towards the baseline;
3. leaders leave at random; trust in and by their organisations falls back;
4. partners introduce partners (triadic closure).

Examples
--------
>>> m = ReferenceTrustModel(rng=3, organisations={"nhs_trust": 2, "council": 1, "voluntary": 4})
>>> m.run(6)
>>> len(m.timeseries()), m.space.G.number_of_edges() == m.relationships.n_pairs
(7, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from . import rules
from .engine import TrustModelBase
from .interventions import check_mergers, effective_parameters, merge_organisations, start_cohort, update_structures
from .kinds import TRAITS
from .outcomes import model_reporters
from .relationships import Leaders, Relationships
from .schedule import cohort_starts, levers_active, month_parameters

__all__ = ["ReferenceTrustModel", "Leader", "Tie"]


@dataclass
class Tie:
    """One relationship between organisations ``i < j`` (both directions), held on the graph's edge."""

    i: int
    j: int
    trust_ij: float  # i's trust in j
    trust_ji: float  # j's trust in i
    contact_rate: float
    backlog: int = 0
    age: int = 0
    formal: bool = False
    shared_role: bool = False
    suppressed: int = 0  # conflicts the board's authority holds down, unresolved
    staff_trust: float = 0.0  # trust between the two organisations' frontline teams
    care: bool = False  # care crosses between the two (a relationship of the place at the start)
    asked: float = 0.0  # one-to-ones a month the two ask for, set when the month's time is planned

    def trust_of(self, observer: int) -> float:
        """The observer's trust in the other party."""
        return self.trust_ij if observer == self.i else self.trust_ji

    def set_trust_of(self, observer: int, value: float) -> None:
        """Set the observer's trust in the other party."""
        if observer == self.i:
            self.trust_ij = value
        else:
            self.trust_ji = value


class Leader(FixedAgent):
    """An organisation's leader, on its cell of the relationship network."""

    def __init__(self, model: ReferenceTrustModel, cell, index: int, name: str, kind: str, raw: dict[str, float],
                 size: float = 1.0):
        super().__init__(model)
        self.size = size  # the organisation's annual budget (£ million)
        self.cell = cell
        self.index = index
        self.name = name
        self.kind = kind
        self.raw = dict(raw)  # traits as drawn for the current leader
        self.traits: dict[str, float] = dict(raw)  # after interventions
        self.time_share = 1.0  # share of the asked-for one-to-one time that fits this month
        self.forum_member = False  # sits on the Health and Wellbeing Board
        self.merged = False  # absorbed by another organisation
        self.programme = 0.0  # what this leader gained on a place-based programme
        self.vision = 0.0  # this leader's share in the place's shared vision
        self.cohort = -1  # the programme cohort this leader is in (-1: none)
        self.cohort_left = 0  # months left in it

    @property
    def sector(self) -> str:
        """Accountability this organisation answers to."""
        return self.model.scenario.kinds[self.kind].sector

    def ties(self) -> list[Tie]:
        """This leader's relationships, one per neighbouring cell."""
        graph = self.model.space.G
        return [graph.edges[self.index, other]["tie"] for other in graph.neighbors(self.index)]

    def partner_of(self, tie: Tie) -> Leader:
        """The leader at the other end of ``tie``."""
        return self.model.leader(tie.j if tie.i == self.index else tie.i)

    def in_shared_role(self) -> bool:
        """Does this leader hold a role shared with a partner?"""
        return any(t.shared_role for t in self.ties())

    def development(self, levers: dict[str, float]) -> float:
        """This leader's development in the boundary skills (:func:`~simulation.rules.development_level`)."""
        return rules.development_level(rules.aimed_level(levers["leadership_development"],
                                                         levers["development_statutory"], self.statutory),
                                       self.programme)

    def refresh_traits(self, levers: dict[str, float]) -> None:
        """Apply the month's levers and what the leader has learned to the drawn traits."""
        developed = self.development(levers)
        self.traits = dict(self.raw)
        self.traits["transparency"] = rules.opened_transparency(
            self.raw["transparency"], rules.aimed_level(levers["open_book"], levers["open_book_statutory"],
                                                        self.statutory))
        self.traits["conflict_skill"] = rules.developed_skill(self.raw["conflict_skill"], developed)
        self.traits["altruism"] = rules.developed_skill(self.raw["altruism"],
                                                       levers["development_power_effect"] * developed)
        focus = rules.place_focus(rules.shared_role_focus(self.raw["institutional_focus"],
                                                          levers["shared_role_focus_shift"], self.in_shared_role()),
                                  self.programme, levers["programme_focus_shift"], self.vision,
                                  levers["vision_focus_shift"])
        self.traits["institutional_focus"] = rules.regulated_focus(focus, levers["regulator_incentive"])

    def learn(self, levers: dict[str, float]) -> None:
        """A month of learning: on a programme while in a cohort; in the vision while vision work goes on."""
        if self.cohort_left > 0:
            self.programme = rules.learning_growth(self.programme, levers["programme_growth"])
            self.cohort_left -= 1
            if self.cohort_left == 0:
                self.cohort = -1
        if levers["vision_growth"] > 0 and self.statutory and not self.merged:
            self.vision = rules.learning_growth(self.vision, levers["vision_growth"])

    @property
    def statutory(self) -> bool:
        """Whether the organisation has statutory duties."""
        return self.model.scenario.kinds[self.kind].statutory

    def host_meetings(self, levers: dict[str, float]) -> None:
        """Play out this month in every relationship this leader hosts (partner numbered higher)."""
        for tie in self.ties():
            if tie.i == self.index:
                self.model.play_month(tie, levers)

    def plan_time(self, levers: dict[str, float]) -> None:
        """This month's share of the asked-for one-to-one time that fits in the leader's hours."""
        ties = self.ties()
        committed = levers["lever_hours"] + sum(levers["shared_role_hours"] for t in ties if t.shared_role)
        if any(t.formal for t in ties):
            committed += levers["board_rate"] * levers["board_meeting_hours"]
            committed += levers["pooled_budget"] * levers["pooled_budget_hours"]
        if self.forum_member:
            committed += levers["hwb_rate"] * levers["hwb_meeting_hours"]
        if self.cohort_left > 0:
            committed += levers["programme_hours"]
        budget = self.model.scenario.kinds[self.kind].hours
        if self.statutory:
            committed += levers["shared_vision"] + levers["statutory_lever_hours"]
        else:  # community investment strengthens voluntary bodies
            budget = rules.strengthened_budget(budget, self.model.community, levers["community_base"],
                                               levers["voluntary_strength"])
        requested = sum(t.asked for t in ties) * levers["meeting_hours"]
        self.time_share = rules.time_scale(budget, committed, requested)


class ReferenceTrustModel(TrustModelBase):
    """Per-agent implementation of the same rules as :class:`~simulation.model.TrustModel`.

    Same constructor; much slower. Use it to read the rules and to test the
    compiled engine, not to run sweeps.

    Attributes
    ----------
    space : mesa.discrete_space.Network
        The relationship network; ``space.G`` is the networkx graph whose
        edges hold the :class:`Tie` of each relationship.
    organisations : list[Leader]
        The agents, index-aligned with the place's organisations.
    """

    def _set_up(self, leaders: Leaders, relationships: Relationships) -> None:
        place = self.place
        self.kind_names = leaders.kind_names
        self.active: frozenset = frozenset()
        self.intervention_report: dict[str, int] = {"shared_roles": 0, "board_ties": 0, "forum_ties": 0,
                                                    "programme_members": 0, "programme_ties": 0}
        self.community = float(leaders.community[0])
        graph = nx.Graph()
        graph.add_nodes_from(range(place.n_organisations))
        rel = relationships
        for p, (i, j) in enumerate(rel.pairs.tolist()):
            graph.add_edge(i, j, tie=Tie(i, j, float(rel.trust[2 * p]), float(rel.trust[2 * p + 1]),
                                         float(rel.contact_rate[p]), care=bool(rel.care[p])))
        self.space = Network(graph, random=self.random)
        self.organisations: list[Leader] = [
            Leader(self, self.space._cells[i], i, place.names[i], place.kinds[i],
                   {t: float(leaders.raw[t][i]) for t in TRAITS}, float(leaders.size[i]))
            for i in range(place.n_organisations)
        ]
        check_mergers(self.scenario.mergers, place.n_organisations)
        self._set_levers(0)
        self._refresh_traits()

    def _collector(self, kind_names: list[str]) -> mesa.DataCollector:
        """Mesa's own DataCollector with one named reporter per outcome (the readable path)."""
        return mesa.DataCollector(model_reporters=model_reporters(kind_names))

    # ------------------------------------------------------------- structure
    def leader(self, index: int) -> Leader:
        """The leader of organisation ``index``."""
        return self.organisations[index]

    def all_ties(self) -> list[Tie]:
        """Every relationship once, ordered by ``(i, j)``."""
        return sorted((d["tie"] for _, _, d in self.space.G.edges(data=True)), key=lambda t: (t.i, t.j))

    def tie_between(self, a: int, b: int) -> Tie | None:
        """The relationship between organisations ``a`` and ``b``, if any."""
        data = self.space.G.get_edge_data(a, b)
        return None if data is None else data["tie"]

    def _add_tie(self, tie: Tie) -> Tie:
        cells = self.space._cells
        self.space.add_connection(cells[tie.i], cells[tie.j])
        self.space.G.edges[tie.i, tie.j]["tie"] = tie
        return tie

    def contact_rate_for(self, a: int, b: int) -> float:
        """Contact rate of a new relationship (:func:`~simulation.rules.new_tie_contact_rate`)."""
        kinds = self.scenario.kinds
        return rules.new_tie_contact_rate(self.params["contact_rate"], kinds[self.leader(a).kind].contact_weight,
                                          kinds[self.leader(b).kind].contact_weight)

    # ---------------------------------------------------------- interventions
    @property
    def interventions_active(self) -> bool:
        """Whether any lever acts."""
        return bool(self.active)

    def _set_levers(self, months_done: int) -> None:
        """Build or take down structures with the engines' shared function, then mirror them on the graph."""
        now = levers_active(self.scenario.schedule, int(self.params["intervention_start"]), months_done)
        if now == self.active:
            return
        rel, leaders = self.relationships, self.leaders
        report = update_structures(self.params, rel, leaders, self.rng, self.active, now)
        for org in self.organisations:
            org.forum_member = bool(leaders.forum_member[org.index])
        for key, value in report.items():
            self.intervention_report[key] += value
        self.active = now
        for p, (i, j) in enumerate(rel.pairs.tolist()):
            tie = self.tie_between(i, j) or self._add_tie(
                Tie(i, j, float(rel.trust[2 * p]), float(rel.trust[2 * p + 1]), float(rel.contact_rate[p])))
            tie.formal, tie.shared_role = bool(rel.formal[p]), bool(rel.shared_role[p])

    def _levers(self) -> dict[str, float]:
        """This month's parameters: shocks, then the levers acting."""
        months_done = max(self.steps - 1, 0)
        return effective_parameters(month_parameters(self.params, self.scenario.shocks, months_done), self.active)

    def service_failures(self) -> None:
        """A service failure this month costs every tie between its two kinds trust, both ways."""
        for shock in self.scenario.shocks:
            if shock.kind == "service_failure" and shock.start == self.steps - 1:
                for tie in self.all_ties():
                    kinds = sorted((self.leader(tie.i).kind, self.leader(tie.j).kind))
                    if kinds == sorted(shock.between):
                        tie.trust_ij = rules.service_failure(tie.trust_ij, shock.size)
                        tie.trust_ji = rules.service_failure(tie.trust_ji, shock.size)

    def _refresh_traits(self) -> None:
        levers = self._levers()
        for org in self.organisations:
            org.refresh_traits(levers)

    # ------------------------------------------------------------------ rules
    def play_month(self, tie: Tie, levers: dict[str, float]) -> None:
        """One month of one relationship: meetings, conflict, openness, resolution, altruism, trust."""
        p, rng = levers, self.rng
        a, b = self.leader(tie.i), self.leader(tie.j)
        asked = tie.asked
        granted = rules.granted_contact(asked, a.time_share, b.time_share)
        one_to_one = int(rng.poisson(granted))
        meetings = one_to_one
        if tie.shared_role:
            meetings += int(rng.poisson(p["shared_role_contact"]))
        group = 0  # meetings of the board, the forum and a programme cohort both attend
        if tie.formal:
            group += self.board_meetings
        if a.forum_member and b.forum_member:
            group += self.forum_meetings
        if a.cohort_left > 0 and b.cohort_left > 0 and a.cohort == b.cohort:
            group += self.cohort_meetings[a.cohort]
        weight = p["group_meeting_weight"]
        if weight == 1.0:  # a group meeting counts as a one-to-one (rules.group_evidence)
            meetings, group = meetings + group, 0
        hours, n = self.month_hours, len(self.organisations)
        hours["one_to_one"] += 2 * one_to_one * p["meeting_hours"] / n
        hours["cut"] += 2 * (asked - granted) * p["meeting_hours"] / n
        if tie.shared_role:
            hours["roles"] += 2 * p["shared_role_hours"] / n
        developed = 0.5 * (a.development(p) + b.development(p))
        kappa = p["cross_sector_conflict"]
        if a.forum_member and b.forum_member and p["hwb_rate"] > 0:  # common cause around their population
            kappa = rules.common_cause(kappa, rules.developed_skill(p["hwb_common_cause"],
                                                                    p["development_facilitation_effect"] * developed))
        if min(a.vision, b.vision) > 0:  # a vision both share
            kappa = rules.common_cause(kappa, p["vision_common_cause"] * min(a.vision, b.vision))
        pressure = p["competitive_pressure"]
        if tie.formal and p["pooled_budget"] > 0:  # a pooled budget aligns the board members' incentives
            pressure = rules.effective_pressure(pressure, p["pooled_budget"])
        rate = rules.conflict_rate(p["conflict_rate"], pressure, a.traits["institutional_focus"],
                                   b.traits["institutional_focus"], a.sector != b.sector, kappa)
        if p["coproduction"] > 0:  # decisions grounded in citizens' experience
            rate = rules.coproduced_rate(rate, p["coproduction"], self.community, p["coproduction_effect"])
        arisen = int(rng.poisson(rate))
        open_conflicts = tie.backlog + arisen
        if tie.suppressed:  # suppressed grievances resurface
            back = int(rng.binomial(tie.suppressed, p["suppressed_resurface"]))
            tie.suppressed -= back
            open_conflicts += back
        resolved = 0
        shares = {a.index: 0, b.index: 0}  # meetings at which each opened the books to the other
        helps = {a.index: 0, b.index: 0}  # altruistic acts each made
        # each leader's disposition towards the other: trust, festering conflicts, rivalry (rules.disposition)
        inclination = {leader.index: rules.disposition(tie.trust_of(leader.index), tie.backlog, pressure,
                                                       leader.traits["institutional_focus"], p["reciprocity"],
                                                       p["conflict_strain"], p["rivalry"]) for leader in (a, b)}
        odds = {k: math.exp(x) for k, x in inclination.items()}  # rules.inclined reads e to the disposition
        if meetings:
            for giver in (b, a):
                shares[giver.index] = int(rng.binomial(
                    meetings, rules.inclined(giver.traits["transparency"], odds[giver.index])))
        if meetings + group:
            per_meeting = rules.inclined(
                rules.resolution_probability(p["resolution_rate"], a.traits["conflict_skill"],
                                             b.traits["conflict_skill"], tie.trust_ij, tie.trust_ji),
                math.exp(0.5 * (inclination[a.index] + inclination[b.index])))
            resolved = int(rng.binomial(open_conflicts, rules.resolution_chance(per_meeting, meetings, group, weight)))
        if meetings:
            for giver in (b, a):
                chance = rules.altruism_probability(p["altruism_rate"], giver.traits["altruism"],
                                                    giver.traits["institutional_focus"], pressure)
                helps[giver.index] = int(rng.binomial(meetings, rules.inclined(chance, odds[giver.index])))
        festering = open_conflicts - resolved
        if tie.formal and p["board_rate"] > 0 and festering:  # the board makes the members comply
            quiet = int(rng.binomial(festering, p["board_authority"]))
            tie.suppressed += quiet
            festering -= quiet
        well, badly = self.joint_care(tie, p)
        heard: dict[int, tuple[float, float]] = {}  # what each holder learned of the other, before the teams' word
        per_meeting = rules.developed_skill(p["contact_evidence"], p["development_relationship_effect"] * developed)
        at_groups = rules.no_evidence(rules.group_evidence(per_meeting, weight), group)  # no evidence from them
        for observer, partner in ((a, b), (b, a)):
            k = shares[partner.index]
            good = rules.good_evidence(meetings, k, resolved, helps[partner.index], per_meeting,
                                       p["openness_evidence"], p["resolution_evidence"], p["altruism_evidence"])
            if group:
                good = rules.noisy_or(1.0 - good, at_groups)
            good = rules.suspicious_reading(good, tie.trust_of(observer.index), p["suspicion"])
            bad = rules.bad_evidence(meetings - k, festering, p["withholding_evidence"], p["festering_evidence"])
            heard[observer.index] = (good, bad)
            good = rules.with_evidence(good, well, p["staff_feedback"])  # what their teams tell them
            bad = rules.with_evidence(bad, badly, p["staff_feedback"])
            t = rules.update_trust(tie.trust_of(observer.index), good, bad, p["gain_rate"], p["loss_rate"])
            if not meetings + group:
                t = rules.drift(t, p["baseline_trust"], p["drift_rate"])
            tie.set_trust_of(observer.index, t)
        relayed = heard if tie.shared_role and p["role_relay"] != 0.0 and meetings + group else None
        self.team_trust(tie, well, badly, relayed, p)
        tie.backlog = festering
        tie.age += 1
        self.conflicts_arisen += arisen
        self.conflicts_resolved += resolved

    def joint_care(self, tie: Tie, p: dict[str, float]) -> tuple[int, int]:
        """This month's joint care episodes of the two organisations' teams, if the leaders permit joint working.

        Returns the episodes that went well and badly; the teams' own trust
        learns from them at the end of the month (:meth:`team_trust`).
        """
        well = badly = 0
        if tie.care and p["staff_contact"] > 0 and rules.joint_working_permitted(tie.trust_ij, tie.trust_ji,
                                                                                 p["joint_working_threshold"]):
            episodes = int(self.rng.poisson(p["staff_contact"]))
            well = int(self.rng.binomial(episodes, rules.joint_success(tie.staff_trust, p["joint_success_base"])))
            badly = episodes - well
        return well, badly

    def team_trust(self, tie: Tie, well: int, badly: int, relayed: dict[int, tuple[float, float]] | None,
                   p: dict[str, float]) -> None:
        """The frontline teams' trust learns from their joint episodes and what shared-role holders relay.

        ``relayed`` maps each holder of a shared role on ``tie`` to the good and
        bad evidence they gathered about the other this month (None: nothing
        relayed); on a care pathway each passes ``role_relay`` of it to their
        own team (:func:`~simulation.rules.relayed_evidence`). Without either,
        the teams' trust drifts towards none.
        """
        good = rules.episode_evidence(well, p["staff_learning"])
        bad = rules.episode_evidence(badly, p["staff_learning"])
        if relayed is not None and tie.care:
            (good_i, bad_i), (good_j, bad_j) = relayed[tie.i], relayed[tie.j]
            good = rules.relayed_evidence(good, good_i, good_j, p["role_relay"])
            bad = rules.relayed_evidence(bad, bad_i, bad_j, p["role_relay"])
        elif not well + badly:
            tie.staff_trust = rules.drift(tie.staff_trust, 0.0, p["drift_rate"])
            return
        tie.staff_trust = rules.update_trust(tie.staff_trust, good, bad, p["gain_rate"], p["loss_rate"])

    def mergers(self) -> None:
        """A merger this month: the engines' shared function on the array view, then the graph rebuilt from it."""
        for m in self.scenario.mergers:
            if m.month != self.steps - 1:
                continue
            rel, leaders = self.relationships, self.leaders
            merge_organisations(rel, leaders, m.absorbed, m.into, self.params["merger_trust_kept"],
                                self.params["merger_disruption"])
            for org in self.organisations:
                org.merged = bool(leaders.merged[org.index])
                org.size = float(leaders.size[org.index])
                org.cohort, org.cohort_left = (int(x) for x in leaders.cohort[:, org.index])
                org.programme, org.vision = (float(x) for x in leaders.learning[:, org.index])
            cells = self.space._cells
            for i, j in list(self.space.G.edges()):
                self.space.remove_connection(cells[i], cells[j])
            for p, (i, j) in enumerate(rel.pairs.tolist()):
                self._add_tie(Tie(i, j, float(rel.trust[2 * p]), float(rel.trust[2 * p + 1]),
                                  float(rel.contact_rate[p]), int(rel.backlog[p]), int(rel.age[p]),
                                  bool(rel.formal[p]), bool(rel.shared_role[p]), int(rel.suppressed[p]),
                                  float(rel.staff_trust[p]), bool(rel.care[p])))

    def asked_contact(self, tie: Tie, levers: dict[str, float]) -> float:
        """One-to-one meetings a month a relationship asks for, as its trust and festering conflicts shape it.

        Its contact rate, more between statutory leaders if so levered, then
        :func:`~simulation.rules.inclined_contact`.
        """
        kinds = self.scenario.kinds
        both = kinds[self.leader(tie.i).kind].statutory and kinds[self.leader(tie.j).kind].statutory
        asked = tie.contact_rate + (levers["statutory_contact"] if both else 0.0)
        return rules.inclined_contact(asked, tie.trust_ij, tie.trust_ji, tie.backlog, levers["contact_reciprocity"],
                                      levers["conflict_strain"])

    def board_decide(self, levers: dict[str, float]) -> None:
        """At each board meeting the board allocates shared resources between two members; the loser may dispute it."""
        self.board_decisions = self.board_meetings
        board = [t for t in self.all_ties() if t.formal]
        for _ in range(self.board_meetings if board else 0):
            tie = board[min(len(board) - 1, int(self.rng.random() * len(board)))]
            developed = 0.5 * (self.leader(tie.i).development(levers) + self.leader(tie.j).development(levers))
            chance = rules.facilitated(rules.pooled_stakes(levers["board_decision_conflict"], levers["pooled_budget"]),
                                       developed, levers["development_facilitation_effect"])
            if self.rng.random() < chance:
                tie.backlog += 1
                self.conflicts_arisen += 1

    def leaders_leave(self, levers: dict[str, float]) -> None:
        """Turnover: each leader leaves with the month's chance; trust in and by them falls back part way.

        A relationship whose leaders both leave in the same month falls back once.
        """
        p = levers
        leaving = [org for org in self.organisations if self.rng.random() < p["turnover_rate"]]
        for tie in {id(t): t for org in leaving for t in org.ties()}.values():
            for observer in (tie.i, tie.j):
                tie.set_trust_of(observer, rules.turnover_reset(tie.trust_of(observer), p["baseline_trust"],
                                                                p["turnover_trust_loss"]))
        for org in leaving:  # a new leader, drawn from the kind's distributions, who has learned nothing here yet
            kind = self.scenario.kinds[org.kind]
            org.raw = {t: float(kind.trait(t).sample(self.rng, 1)[0]) for t in TRAITS}
            org.programme = org.vision = 0.0
            org.cohort, org.cohort_left = -1, 0

    def learning_month(self, levers: dict[str, float]) -> None:
        """Leaders learn (programmes, vision); the community moves towards what investment sustains."""
        for org in self.organisations:
            org.learn(levers)
        self.community = rules.community_strength(self.community, levers["community_base"],
                                                  levers["community_investment"], levers["community_growth"])

    def start_cohort(self) -> None:
        """A place-based programme cohort starts this month, if one is due (the engines' shared function)."""
        p = self.params
        if not cohort_starts(self.scenario.schedule, int(p["intervention_start"]), float(p["place_programmes"]),
                             self.steps - 1):
            return
        rel, leaders = self.relationships, self.leaders
        members, ties = start_cohort(rel, leaders, int(p["programme_cohort_size"]), int(p["programme_months"]),
                                     float(p["baseline_trust"]), self.rng,
                                     float(p["programme_tie_contact"]) * float(p["contact_rate"]))
        self.intervention_report["programme_members"] += members
        self.intervention_report["programme_ties"] += ties
        for org in self.organisations:
            org.cohort, org.cohort_left = (int(x) for x in leaders.cohort[:, org.index])
        for q, (i, j) in enumerate(rel.pairs.tolist()):
            if self.tie_between(i, j) is None:
                self._add_tie(Tie(i, j, float(rel.trust[2 * q]), float(rel.trust[2 * q + 1]),
                                  float(rel.contact_rate[q])))

    def introductions(self) -> None:
        """Each partner may introduce two of its partners who have no relationship yet.

        A shared role counts as a partnership for this with chance ``role_brokerage``
        whatever its trust (:func:`~simulation.rules.bridge_chance`): each holder
        introduces the other to their own partners.
        """
        p = self.params
        q = p["introduction_rate"]
        if q <= 0:
            return
        threshold = p["partnership_threshold"]
        kinds = self.scenario.kinds
        # a leader's time is finite: only those below their kind's capacity take on new relationships
        room = [rules.has_room(len(org.ties()), kinds[org.kind].capacity) for org in self.organisations]
        bridges = set()  # ties that carry introductions this month: partnerships, and shared roles that broker
        for tie in self.all_ties():
            partnership = min(tie.trust_ij, tie.trust_ji) >= threshold
            chance = rules.bridge_chance(partnership, tie.shared_role, p["role_brokerage"])
            if chance >= 1.0 or (chance > 0.0 and self.rng.random() < chance):
                bridges.add((tie.i, tie.j))
        proposals: dict[tuple[int, int], int] = {}
        for org in self.organisations:
            partners = sorted(org.partner_of(t).index for t in org.ties() if (t.i, t.j) in bridges)
            for x, i in enumerate(partners):
                for k in partners[x + 1:]:
                    if room[i] and room[k] and self.tie_between(i, k) is None:
                        proposals[i, k] = proposals.get((i, k), 0) + 1
        for (i, k), common in sorted(proposals.items()):
            if self.rng.random() < rules.introduction_probability(common, q):
                trust = p["introduction_trust"]
                self._add_tie(Tie(i, k, trust, trust, self.contact_rate_for(i, k)))

    def step(self) -> None:
        """One month, in the order given in the module docstring."""
        self._set_levers(self.steps - 1)
        self.service_failures()
        self.mergers()
        self.start_cohort()
        self._refresh_traits()
        levers = self._levers()
        self.conflicts_arisen = self.conflicts_resolved = 0
        for tie in self.all_ties():  # what each pair asks for, from trust and conflicts as the month starts
            tie.asked = self.asked_contact(tie, levers)
        for org in self.organisations:
            org.plan_time(levers)
        members = sum(1 for org in self.organisations if any(t.formal for t in org.ties()))
        rate = levers["board_rate"]
        self.board_meetings = int(self.rng.poisson(rate)) if rate > 0 and members else 0
        n = len(self.organisations)
        forum = sum(org.forum_member for org in self.organisations)
        self.forum_meetings = int(self.rng.poisson(levers["hwb_rate"])) if levers["hwb_rate"] > 0 and forum else 0
        cohorts = sorted({org.cohort for org in self.organisations if org.cohort_left > 0})
        self.cohort_meetings = {c: int(self.rng.poisson(levers["programme_contact"])) if levers["programme_contact"] > 0
                                else 0 for c in cohorts}
        board_hours = (self.board_meetings * levers["board_meeting_hours"] * members
                       + levers["pooled_budget"] * levers["pooled_budget_hours"] * members
                       + self.forum_meetings * levers["hwb_meeting_hours"] * forum) / n
        own = sum(levers["programme_hours"] * (org.cohort_left > 0)
                  + (levers["shared_vision"] + levers["statutory_lever_hours"]) * org.statutory
                  for org in self.organisations)  # programme and vision hours, levers aimed at statutory leaders
        self.month_hours = {"one_to_one": 0.0, "board": board_hours, "roles": 0.0,
                            "levers": levers["lever_hours"] + own / n, "cut": 0.0}
        self.board_decide(levers)
        for org in self.organisations:
            org.host_meetings(levers)
        self.leaders_leave(levers)
        self.learning_month(levers)
        self.introductions()
        self._refresh_traits()
        self._record()

    # ---------------------------------------------------------------- outputs
    @property
    def leaders(self) -> Leaders:
        """Array view of the leaders, for the shared outcome reporters and set-up functions."""
        orgs, kinds = self.organisations, self.scenario.kinds
        kind = np.array([self.kind_names.index(o.kind) for o in orgs], dtype=np.int64)
        sector_names = list(dict.fromkeys(kinds[k].sector for k in self.kind_names))
        return Leaders(
            kind=kind, kind_names=self.kind_names,
            sector=np.array([sector_names.index(o.sector) for o in orgs], dtype=np.int64),
            statutory=np.array([kinds[o.kind].statutory for o in orgs], dtype=bool),
            contact_weight=np.array([kinds[o.kind].contact_weight for o in orgs], dtype=float),
            raw_traits=np.array([[o.raw[t] for o in orgs] for t in TRAITS]).reshape(len(TRAITS), len(orgs)),
            effective_traits=np.array([[o.traits[t] for o in orgs] for t in TRAITS]).reshape(len(TRAITS), len(orgs)),
            capacity=np.array([kinds[o.kind].capacity for o in orgs], dtype=np.int64),
            forum_member=np.array([o.forum_member for o in orgs], dtype=bool),
            merged=np.array([o.merged for o in orgs], dtype=bool),
            sector_names=sector_names,
            learning=np.array([[o.programme for o in orgs], [o.vision for o in orgs]], dtype=float).reshape(2, -1),
            cohort=np.array([[o.cohort for o in orgs], [o.cohort_left for o in orgs]], dtype=np.int64).reshape(2, -1),
            community=np.array([self.community]),
            size=np.array([o.size for o in orgs], dtype=float),
        )

    @property
    def relationships(self) -> Relationships:
        """Array view of the relationships (a copy, ordered by ``(i, j)``), for the shared outcome reporters."""
        ties = self.all_ties()
        return Relationships(
            np.array([(t.i, t.j) for t in ties], dtype=np.int64).reshape(-1, 2),
            np.array([x for t in ties for x in (t.trust_ij, t.trust_ji)], dtype=float),
            np.array([t.contact_rate for t in ties], dtype=float),
            backlog=np.array([t.backlog for t in ties], dtype=np.int64),
            age=np.array([t.age for t in ties], dtype=np.int64),
            formal=np.array([t.formal for t in ties], dtype=bool),
            shared_role=np.array([t.shared_role for t in ties], dtype=bool),
            suppressed=np.array([t.suppressed for t in ties], dtype=np.int64),
            staff_trust=np.array([t.staff_trust for t in ties], dtype=float),
            care=np.array([t.care for t in ties], dtype=bool),
        )

    def edges_frame(self) -> pd.DataFrame:
        """Current per-edge state, one row per directed relationship."""
        rows = []
        threshold = self.params["partnership_threshold"]
        ids = self.place.ids
        for t in self.all_ties():
            partnership = min(t.trust_ij, t.trust_ji) >= threshold
            for s, d, trust in ((t.i, t.j, t.trust_ij), (t.j, t.i, t.trust_ji)):
                rows.append({
                    "step": self.steps, "source": ids[s], "target": ids[d],
                    "source_kind": self.leader(s).kind, "target_kind": self.leader(d).kind,
                    "trust": trust, "contact_rate": t.contact_rate, "backlog": t.backlog, "age": t.age,
                    "formal": t.formal, "shared_role": t.shared_role, "partnership": partnership,
                })
        return pd.DataFrame(rows)
