"""The per-agent reference engine: the model's rules, one leader and one relationship at a time.

This is the readable specification and the test oracle for the fast engine
(:class:`~simulation.model.TrustModel`). It shares only the set-up (the place
and the initial draws, via :func:`~simulation.setup.build_state`) and the
outcome reporters; every rule is written out again here with scalars and
Python loops, so that a slip in the vectorised indexing of the fast engine
shows up as a statistical disagreement between the two.

Each month, in order:

1. if due, the interventions start (shared roles, system board, trait changes);
2. every relationship, host = the lower-numbered organisation:
   leaders meet or not; on meeting each sees whether the other opens the
   book; new conflicts arise; open conflicts may be resolved; each may act
   altruistically; each updates trust in the other from the month's good and
   bad evidence; without a meeting trust drifts towards the baseline;
3. leaders leave at random; trust in and by their organisations falls back;
4. partners introduce partners (triadic closure).

Examples
--------
>>> m = ReferenceTrustModel(rng=3, organisations={"nhs_trust": 2, "council": 1, "voluntary": 4})
>>> m.run(6)
>>> len(m.timeseries())
7
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
import pandas as pd

from .engine import TrustModelBase
from .kinds import TRAITS
from .outcomes import model_reporters
from .relationships import Leaders, Relationships

__all__ = ["ReferenceTrustModel", "Leader", "Tie"]


@dataclass
class Tie:
    """One relationship between organisations ``i < j`` (both directions)."""

    i: int
    j: int
    trust_ij: float  # i's trust in j
    trust_ji: float  # j's trust in i
    contact_rate: float
    backlog: int = 0
    age: int = 0
    formal: bool = False
    shared_role: bool = False

    def trust_of(self, observer: int) -> float:
        """The observer's trust in the other party."""
        return self.trust_ij if observer == self.i else self.trust_ji

    def set_trust_of(self, observer: int, value: float) -> None:
        """Set the observer's trust in the other party."""
        if observer == self.i:
            self.trust_ij = value
        else:
            self.trust_ji = value


class Leader(mesa.Agent):
    """An organisation's leader, holding traits drawn for the current leader."""

    def __init__(self, model: ReferenceTrustModel, index: int, name: str, kind: str, raw: dict[str, float]):
        super().__init__(model)
        self.index = index
        self.name = name
        self.kind = kind
        self.raw = dict(raw)  # traits as drawn
        self.ties: list[Tie] = []
        self.traits: dict[str, float] = dict(raw)

    @property
    def sector(self) -> str:
        """Accountability this organisation answers to."""
        return self.model.scenario.kinds[self.kind].sector

    def in_shared_role(self) -> bool:
        """Does this leader hold a role shared with a partner?"""
        return any(t.shared_role for t in self.ties)

    def refresh_traits(self) -> None:
        """Apply relational interventions to the drawn traits (when active)."""
        p, raw = self.model.params, self.raw
        self.traits = dict(raw)
        if self.model.interventions_active:
            self.traits["transparency"] = raw["transparency"] + p["open_book"] * (1 - raw["transparency"])
            self.traits["conflict_skill"] = raw["conflict_skill"] + p["leadership_development"] * (
                1 - raw["conflict_skill"]
            )
            if self.in_shared_role():
                self.traits["institutional_focus"] = raw["institutional_focus"] * (1 - p["shared_role_focus_shift"])

    def partner_of(self, tie: Tie) -> Leader:
        """The organisation at the other end of ``tie``."""
        return self.model.organisations[tie.j if tie.i == self.index else tie.i]

    def host_meetings(self) -> None:
        """Play out this month in every relationship this leader hosts (partner numbered higher)."""
        for tie in self.ties:
            if tie.i == self.index:
                self.model.play_month(tie)


class ReferenceTrustModel(TrustModelBase):
    """Per-agent implementation of the same rules as :class:`~simulation.model.TrustModel`.

    Same constructor; much slower. Use it to read the rules and to test the
    fast engine, not to run sweeps.
    """

    def _set_up(self, leaders: Leaders, relationships: Relationships) -> None:
        place = self.place
        self.kind_names = leaders.kind_names
        self.organisations: list[Leader] = []
        for i in range(place.n_organisations):
            raw = {t: float(leaders.raw[t][i]) for t in TRAITS}
            self.organisations.append(Leader(self, i, place.names[i], place.kinds[i], raw))
        rel = relationships
        for p, (i, j) in enumerate(rel.pairs.tolist()):
            self._add_tie(Tie(i, j, float(rel.trust[2 * p]), float(rel.trust[2 * p + 1]),
                              float(rel.contact_rate[p])))

    def _collector(self, kind_names: list[str]) -> mesa.DataCollector:
        """Mesa's own DataCollector with one named reporter per outcome (the readable path)."""
        return mesa.DataCollector(model_reporters=model_reporters(kind_names))

    # ------------------------------------------------------------- structure
    def _add_tie(self, tie: Tie) -> Tie:
        self.organisations[tie.i].ties.append(tie)
        self.organisations[tie.j].ties.append(tie)
        return tie

    def all_ties(self) -> list[Tie]:
        """Every relationship once, in the order hosts see them."""
        return [t for org in self.organisations for t in org.ties if t.i == org.index]

    def tie_between(self, a: int, b: int) -> Tie | None:
        """The relationship between organisations ``a`` and ``b``, if any."""
        i, j = min(a, b), max(a, b)
        return next((t for t in self.organisations[i].ties if t.j == j and t.i == i), None)

    def contact_rate_for(self, a: int, b: int) -> float:
        """Contact rate of a new relationship: base rate scaled by the kinds' weights."""
        kinds = self.scenario.kinds
        wa = kinds[self.organisations[a].kind].contact_weight
        wb = kinds[self.organisations[b].kind].contact_weight
        return self.params["contact_rate"] * math.sqrt(wa * wb)

    # ---------------------------------------------------------- interventions
    def _start_interventions(self) -> None:
        """Create shared roles and the system board; change traits."""
        p = self.params
        self.interventions_active = True
        orgs = self.organisations
        candidates = [
            (min(a.index, b.index), max(a.index, b.index))
            for a in orgs if a.sector == "nhs"
            for b in orgs if b.sector == "local_government"
        ]
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda ij: self.tie_between(*ij) is None)  # existing relationships first
        for i, j in candidates[: p["shared_roles"]]:
            tie = self.tie_between(i, j) or self._add_tie(
                Tie(i, j, p["baseline_trust"], p["baseline_trust"], self.contact_rate_for(i, j))
            )
            tie.shared_role = True
            tie.contact_rate += p["shared_role_contact"]
        if p["system_board"]:
            board = [o.index for o in orgs if self.scenario.kinds[o.kind].statutory]
            for x, i in enumerate(board):
                for j in board[x + 1:]:
                    tie = self.tie_between(i, j)
                    if tie is None:
                        tie = self._add_tie(Tie(i, j, p["baseline_trust"], p["baseline_trust"], 0.0))
                    tie.contact_rate += p["board_contact_rate"]
                    tie.formal = True
        for org in orgs:
            org.refresh_traits()

    def pressure(self) -> float:
        """Competitive pressure after any collaboration mandate."""
        p = self.params
        mandate = p["collaboration_mandate"] if self.interventions_active else 0.0
        return p["competitive_pressure"] * (1 - mandate)

    # ------------------------------------------------------------------ rules
    def play_month(self, tie: Tie) -> None:
        """One month of one relationship: meeting, openness, conflict, altruism, trust."""
        p, rng = self.params, self.rng
        a, b = self.organisations[tie.i], self.organisations[tie.j]
        commitment = p["long_term_commitment"] if self.interventions_active else 0.0
        pressure = self.pressure()

        met = rng.random() < 1 - math.exp(-tie.contact_rate)
        # each sees whether the other opens the book (only meaningful if they met)
        b_shares = rng.random() < b.traits["transparency"]
        a_shares = rng.random() < a.traits["transparency"]

        rate = p["conflict_rate"] * (0.5 + pressure) * (
            a.traits["institutional_focus"] + b.traits["institutional_focus"]
        )
        if a.sector != b.sector:
            rate *= p["cross_sector_conflict"]
        arisen = int(rng.poisson(rate))
        open_conflicts = tie.backlog + arisen
        skill = (a.traits["conflict_skill"] + b.traits["conflict_skill"]) / 2
        mutual = (tie.trust_ij + tie.trust_ji) / 2
        resolve_p = p["resolution_rate"] * 0.5 * (skill + mutual) if met else 0.0
        resolved = int(rng.binomial(open_conflicts, resolve_p))
        festering = open_conflicts - resolved

        def helps(giver: Leader) -> bool:
            focus = giver.traits["institutional_focus"]
            chance = p["altruism_rate"] * giver.traits["altruism"] * (1 - pressure * focus)
            return met and rng.random() < chance

        b_helps = helps(b)
        a_helps = helps(a)

        alpha = p["gain_rate"]
        beta = alpha * p["negativity_bias"]
        for observer, partner_shares, partner_helps in ((a, b_shares, b_helps), (b, a_shares, a_helps)):
            good = resolved * p["resolution_evidence"] + partner_helps * p["altruism_evidence"]
            bad = festering * p["festering_evidence"] * (1 - commitment)
            if met:
                good += p["contact_evidence"] + (p["openness_evidence"] if partner_shares else 0.0)
                bad += 0.0 if partner_shares else p["withholding_evidence"]
            good, bad = min(good, 1.0), min(bad, 1.0)
            t = tie.trust_of(observer.index)
            t = t + alpha * (1 - t) * good - beta * t * bad
            if not met:
                t = t + p["drift_rate"] * (1 - commitment) * (p["baseline_trust"] - t)
            tie.set_trust_of(observer.index, t)

        tie.backlog = festering
        tie.age += 1
        self.conflicts_arisen += arisen
        self.conflicts_resolved += resolved

    def leaders_leave(self) -> None:
        """Turnover: each leader leaves with a monthly chance; trust falls back part way.

        A relationship whose leaders both leave in the same month falls back once.
        """
        p = self.params
        leaving = [org for org in self.organisations if self.rng.random() < p["turnover_rate"]]
        left = {org.index for org in leaving}
        for tie in self.all_ties():
            if tie.i in left or tie.j in left:
                for observer in (tie.i, tie.j):
                    t = tie.trust_of(observer)
                    tie.set_trust_of(observer, t + p["turnover_trust_loss"] * (p["baseline_trust"] - t))
        for org in leaving:  # a new leader, drawn from the kind's distributions
            kind = self.scenario.kinds[org.kind]
            org.raw = {t: float(kind.trait(t).sample(self.rng, 1)[0]) for t in TRAITS}
        for org in leaving:
            org.refresh_traits()

    def introductions(self) -> None:
        """Each partner may introduce two of its partners who have no relationship yet."""
        p = self.params
        q = p["introduction_rate"]
        if q <= 0:
            return
        threshold = p["partnership_threshold"]
        kinds = self.scenario.kinds
        # a leader's time is finite: only those below their kind's capacity take on new relationships
        has_room = [len(org.ties) < kinds[org.kind].capacity for org in self.organisations]
        proposals: dict[tuple[int, int], int] = {}
        for org in self.organisations:
            partners = sorted(
                org.partner_of(t).index for t in org.ties if min(t.trust_ij, t.trust_ji) >= threshold
            )
            for x, i in enumerate(partners):
                for k in partners[x + 1:]:
                    if has_room[i] and has_room[k] and self.tie_between(i, k) is None:
                        proposals[i, k] = proposals.get((i, k), 0) + 1
        for (i, k), common in sorted(proposals.items()):
            if self.rng.random() < 1 - (1 - q) ** common:
                trust = p["introduction_trust"]
                self._add_tie(Tie(i, k, trust, trust, self.contact_rate_for(i, k)))

    def step(self) -> None:
        """One month, in the order given in the module docstring."""
        if self._interventions_due():
            self._start_interventions()
        self.conflicts_arisen = self.conflicts_resolved = 0
        for org in self.organisations:
            org.host_meetings()
        self.leaders_leave()
        self.introductions()
        self._record()

    # ---------------------------------------------------------------- outputs
    @property
    def leaders(self) -> Leaders:
        """Array view of the leaders, for the shared outcome reporters."""
        kind = np.array([self.kind_names.index(o.kind) for o in self.organisations])
        raw = {t: np.array([o.raw[t] for o in self.organisations]) for t in TRAITS}
        leaders = Leaders(
            kind=kind, kind_names=self.kind_names, sector=np.zeros(len(kind), dtype=np.int64),
            statutory=np.zeros(len(kind), dtype=bool), contact_weight=np.ones(len(kind)), raw=raw,
        )
        leaders.traits = {t: np.array([o.traits[t] for o in self.organisations]) for t in TRAITS}
        return leaders

    @property
    def relationships(self) -> Relationships:
        """Array view of the relationships, for the shared outcome reporters."""
        ties = self.all_ties()
        rel = Relationships.from_pairs(
            np.array([(t.i, t.j) for t in ties], dtype=np.int64).reshape(-1, 2),
            np.array([x for t in ties for x in (t.trust_ij, t.trust_ji)]),
            np.array([t.contact_rate for t in ties]),
        )
        rel.backlog = np.array([t.backlog for t in ties], dtype=np.int64)
        rel.age = np.array([t.age for t in ties], dtype=np.int64)
        rel.formal = np.array([t.formal for t in ties], dtype=bool)
        rel.shared_role = np.array([t.shared_role for t in ties], dtype=bool)
        return rel

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
                    "source_kind": self.organisations[s].kind, "target_kind": self.organisations[d].kind,
                    "trust": trust, "contact_rate": t.contact_rate, "backlog": t.backlog, "age": t.age,
                    "formal": t.formal, "shared_role": t.shared_role, "partnership": partnership,
                })
        return pd.DataFrame(rows)
