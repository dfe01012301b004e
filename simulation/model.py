"""``TrustModel``: the fast, vectorised engine wired into a Mesa model.

Examples
--------
>>> m = TrustModel(rng=42)
>>> m.run(12)
>>> df = m.datacollector.get_model_vars_dataframe()
>>> len(df), bool(df["mean_trust"].between(0, 1).all())
(13, True)
>>> TrustModel(rng=42).run(12) is None
True
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from . import interventions as iv
from . import rules
from .agents import Organisation
from .engine import TrustModelBase
from .kinds import TRAITS
from .relationships import Leaders, Relationships
from .setup import base_contact_rate

__all__ = ["TrustModel", "start_interventions", "introduction_candidates"]


def start_interventions(params, rel: Relationships, leaders: Leaders, rng: np.random.Generator) -> dict[str, int]:
    """Switch the structural levers on: shared roles (draws from ``rng``), then the system board.

    Returns the number of roles and board ties created. Traits must be
    refreshed afterwards (shared-role members change).
    """
    p = params
    return {
        "shared_roles": iv.add_shared_roles(
            rel, leaders, leaders.sector_names, p["shared_roles"], p["shared_role_contact"],
            p["baseline_trust"], rng, base_contact=p["contact_rate"],
        ),
        "board_ties": iv.add_system_board(rel, leaders, p["board_contact_rate"], p["baseline_trust"])
        if p["system_board"] else 0,
    }


def _compiled_kernels():
    """The numba kernels of :mod:`simulation.batch`, or None without numba (scipy paths are used then)."""
    try:
        from . import batch
    except ImportError:  # pragma: no cover
        return None
    return batch if batch.HAVE_NUMBA else None


def introduction_candidates(rel: Relationships, n: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Unconnected pairs ``(i, j)``, ``i < j``, with shared partners, and how many partners they share.

    Partners are pairs with mutual trust at or above ``threshold``; the count
    is ``(A @ A)_ij`` for the partnership adjacency ``A``. Candidates come in
    lexicographic order of ``(i, j)`` (the order of the introduction draws).
    Returns ``(k, 2)`` int64 pairs and ``(k,)`` float counts (``k`` may be 0;
    also 0 with fewer than two partnerships).
    """
    kernels = _compiled_kernels()
    if kernels is not None:  # same candidates, same order, without forming A @ A
        ci, cj, cc = kernels._intro_candidates(rel.pairs, rel.trust, rel.n_pairs, n, threshold,
                                               np.zeros((0, 0), dtype=np.int32))
        return np.column_stack([ci, cj]), cc.astype(float)
    from scipy.sparse import csr_matrix

    empty = np.empty((0, 2), dtype=np.int64), np.empty(0)
    partners = rel.pairs[rel.mutual_trust() >= threshold]
    if len(partners) < 2:
        return empty
    rows = np.concatenate([partners[:, 0], partners[:, 1]])
    cols = np.concatenate([partners[:, 1], partners[:, 0]])
    a = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    common = a @ a
    common.sort_indices()  # row-major, columns ascending: lexicographic (i, j)
    r = np.repeat(np.arange(n, dtype=np.int64), np.diff(common.indptr))
    c = common.indices.astype(np.int64)
    upper = c > r
    cand = np.column_stack([r[upper], c[upper]])
    counts = common.data[upper]
    fresh = ~rel.has_pairs(cand, n)
    return cand[fresh], counts[fresh]


class TrustModel(TrustModelBase):
    """Trust between the leaders of a place's organisations, month by month: the fast engine.

    State lives in numpy arrays over organisations and relationships; each
    month composes the vectorised rules of :mod:`simulation.rules`.

    Parameters are those of :class:`~simulation.engine.TrustModelBase`:
    ``scenario``, ``place``, ``snapshot_steps``, ``collect``, ``seed``,
    ``rng`` and scenario parameters by name.

    Attributes
    ----------
    leaders : Leaders
        Per-organisation arrays.
    relationships : Relationships
        Per-pair and per-edge arrays (trust, contact, backlog, age).
    organisations : list[Organisation]
        Mesa agents, index-aligned with ``leaders``.
    """

    def _set_up(self, leaders: Leaders, relationships: Relationships) -> None:
        self.leaders, self.relationships = leaders, relationships
        self.organisations = [Organisation(self, i, nm) for i, nm in enumerate(self.place.names)]
        self.intervention_report: dict[str, int] = {}

    def _start_interventions(self) -> None:
        self.interventions_active = True
        self.intervention_report = start_interventions(self.params, self.relationships, self.leaders, self.rng)
        self._refresh_traits()

    def _refresh_traits(self) -> None:
        members = iv.shared_role_members(self.relationships, self.leaders.n)
        self.leaders.traits = iv.effective_traits(self.leaders.raw, self.params, self.interventions_active, members)

    # ------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one month: meetings, openness, conflicts and their resolution, altruism, the trust
        update from the month's evidence, drift, then turnover and introductions."""
        p = self.params
        if self._interventions_due():
            self._start_interventions()
        rel, leaders, rng = self.relationships, self.leaders, self.rng
        tr = leaders.traits
        dst = rel.dst
        i, j = rel.pairs[:, 0], rel.pairs[:, 1]
        active = self.interventions_active
        commitment = p["long_term_commitment"] if active else 0.0
        pressure = iv.effective_pressure(p, active)

        met = rules.meetings(rel.contact_rate, rng)
        met_e = np.repeat(met, 2)
        shared = rules.open_sharing(tr["transparency"][dst], rng)
        rates = rules.conflict_rates(
            p["conflict_rate"], pressure, tr["institutional_focus"][i], tr["institutional_focus"][j],
            leaders.sector[i] != leaders.sector[j], p["cross_sector_conflict"],
        )
        arisen = rules.new_conflicts(rates, rng)
        backlog = rel.backlog + arisen
        t2 = rel.trust.reshape(-1, 2)
        prob = rules.resolution_probability(
            p["resolution_rate"], tr["conflict_skill"][i], tr["conflict_skill"][j], t2[:, 0], t2[:, 1], met
        )
        resolved = rules.resolve_conflicts(backlog, prob, rng)
        backlog = backlog - resolved
        helped = rules.altruistic_acts(
            rules.altruism_probability(p["altruism_rate"], tr["altruism"][dst], tr["institutional_focus"][dst],
                                       pressure),
            met_e, rng,
        )
        good, bad = rules.evidence(
            met_e, shared, np.repeat(resolved, 2), np.repeat(backlog, 2), helped,
            contact_evidence=p["contact_evidence"], openness_evidence=p["openness_evidence"],
            withholding_evidence=p["withholding_evidence"], resolution_evidence=p["resolution_evidence"],
            festering_evidence=p["festering_evidence"] * (1 - commitment),
            altruism_evidence=p["altruism_evidence"],
        )
        alpha = p["gain_rate"]
        trust = rules.update_trust(rel.trust, good, bad, alpha, alpha * p["negativity_bias"])
        trust = rules.drift(trust, met_e, p["baseline_trust"], p["drift_rate"] * (1 - commitment))
        rel.trust, rel.backlog = trust, backlog
        rel.age += 1
        leaders.tenure += 1
        self.conflicts_arisen, self.conflicts_resolved = int(arisen.sum()), int(resolved.sum())
        self._turnover()
        self._introductions()
        self._record()

    def _turnover(self) -> None:
        p, leaders, rel = self.params, self.leaders, self.relationships
        leaving = self.rng.random(leaders.n) < p["turnover_rate"]
        if not leaving.any():
            return
        affected = np.repeat(leaving[rel.pairs[:, 0]] | leaving[rel.pairs[:, 1]], 2)
        rel.trust = rules.turnover_reset(rel.trust, affected, p["baseline_trust"], p["turnover_trust_loss"])
        idx = np.flatnonzero(leaving)
        for t in TRAITS:  # new leaders, drawn from their kinds' distributions
            for ki in np.unique(leaders.kind[idx]):
                who = idx[leaders.kind[idx] == ki]
                kind = self.scenario.kinds[leaders.kind_names[ki]]
                leaders.raw[t][who] = kind.trait(t).sample(self.rng, len(who))
        leaders.tenure[idx] = 0
        self._refresh_traits()

    def _introductions(self) -> None:
        p, rel, n = self.params, self.relationships, self.leaders.n
        if p["introduction_rate"] <= 0:
            return
        cand, counts = introduction_candidates(rel, n, p["partnership_threshold"])
        room = rules.has_room(np.bincount(rel.pairs.ravel(), minlength=n), self.leaders.capacity)
        keep = room[cand[:, 0]] & room[cand[:, 1]]
        cand, counts = cand[keep], counts[keep]
        if len(cand) == 0:
            return
        prob = rules.introduction_probability(counts, p["introduction_rate"])
        chosen = cand[self.rng.random(len(cand)) < prob]
        if len(chosen):
            rel.add(
                chosen,
                np.full(2 * len(chosen), p["introduction_trust"]),
                base_contact_rate(self.scenario, self.leaders, chosen),
            )

    # ---------------------------------------------------------------- outputs
    def edges_frame(self) -> pd.DataFrame:
        """Current per-edge state as a tidy table (one row per directed edge)."""
        rel, leaders = self.relationships, self.leaders
        pair = np.arange(rel.n_edges) // 2
        names = np.array(leaders.kind_names)
        ids = np.asarray(self.place.ids, dtype=object)
        return pd.DataFrame(
            {
                "step": self.steps,
                "source": ids[rel.src],
                "target": ids[rel.dst],
                "source_kind": names[leaders.kind[rel.src]],
                "target_kind": names[leaders.kind[rel.dst]],
                "trust": rel.trust,
                "contact_rate": rel.contact_rate[pair],
                "backlog": rel.backlog[pair],
                "age": rel.age[pair],
                "formal": rel.formal[pair],
                "shared_role": rel.shared_role[pair],
                "partnership": np.repeat(rel.mutual_trust() >= self.params["partnership_threshold"], 2),
            }
        )

    @property
    def graph(self) -> nx.Graph:
        """The current relationship network as a networkx graph (rebuilt on each call)."""
        g = self.place.to_graph()
        g.add_edges_from(map(tuple, self.relationships.pairs.tolist()))
        rel = self.relationships
        t2 = rel.trust.reshape(-1, 2)
        for p, (i, j) in enumerate(rel.pairs.tolist()):
            g.edges[i, j].update(trust_ij=float(t2[p, 0]), trust_ji=float(t2[p, 1]),
                                 contact_rate=float(rel.contact_rate[p]))
        return g
