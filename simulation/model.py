"""``TrustModel``: the compiled engine (:mod:`simulation.kernel`) as a Mesa model.

Examples
--------
>>> m = TrustModel(rng=42)
>>> m.run(12)
>>> df = m.datacollector.get_model_vars_dataframe()
>>> len(df), bool(df["mean_trust"].between(0, 1).all())
(13, True)
>>> TrustModel(rng=42).run(12) is None
True
>>> m = TrustModel(rng=1, months=24)
>>> m.run_model()  # Mesa's loop: steps while ``running``, which turns false at ``months``
>>> m.steps, m.running
(24, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .agents import Organisation
from .engine import TrustModelBase
from .kernel import FIXED_OUTCOMES, HOURS_OUTCOMES
from .midrun import change_parameters
from .relationships import Leaders, Relationships
from .scenario import ScenarioError
from .schedule import Shock
from .simulator import Simulator
from .steering import Steering, replace_leader

__all__ = ["TrustModel", "DEFAULT_MONTHS"]

#: The run length of :meth:`TrustModel.run_model` unless ``months`` is given (that of :func:`simulation.run`).
DEFAULT_MONTHS = 120

_ARISEN, _RESOLVED = FIXED_OUTCOMES.index("conflicts_arisen"), FIXED_OUTCOMES.index("conflicts_resolved")


class TrustModel(TrustModelBase):
    """Trust between the leaders of a place's organisations, month by month: the compiled engine as a Mesa model.

    Each :meth:`step` runs one month of the compiled kernel
    (:mod:`simulation.kernel`) through a :class:`~simulation.simulator.Simulator`,
    the same driver :func:`simulation.run` and the batches use, so a model
    stepped month by month equals a batched run of the same seed.

    Parameters are those of :class:`~simulation.engine.TrustModelBase`:
    ``scenario``, ``place``, ``snapshot_steps``, ``collect``, ``seed``,
    ``rng`` and scenario parameters by name. :meth:`set_params` between
    steps (as the dashboard's sliders do) acts from the next month.

    ``months`` (default :data:`DEFAULT_MONTHS`) is the run's length for Mesa's
    :meth:`~mesa.Model.run_model`: ``running`` turns false when the model has
    simulated that many months, so ``run_model()`` returns. :meth:`step` and
    :meth:`run` may still go further.

    Attributes
    ----------
    leaders : Leaders
        Per-organisation arrays.
    relationships : Relationships
        Per-pair and per-edge arrays (trust, contact, backlog, age).
    organisations : list[Organisation]
        Mesa agents, index-aligned with ``leaders``.
    simulator : Simulator
        The run's state and driver.
    months : int
        The run's length for ``run_model``.
    running : bool
        Whether fewer than ``months`` months have been simulated (Mesa's convention).
    """

    def __init__(self, *args: Any, months: int = DEFAULT_MONTHS, **kwargs: Any) -> None:
        if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 0:
            raise ScenarioError(f"months = {months!r} is out of range: expected an integer >= 0")
        self.months = int(months)
        super().__init__(*args, **kwargs)
        self.running = self.steps < self.months

    def _set_up(self, leaders: Leaders, relationships: Relationships) -> None:
        self.leaders, self.relationships = leaders, relationships
        self.organisations = [Organisation(self, i, nm) for i, nm in enumerate(self.place.names)]
        self.simulator = Simulator(self.scenario, self.place, leaders, relationships, self.rng, params=self.params)
        self._row = self.simulator.initial_outcomes
        self.steering = Steering()

    @property
    def interventions_active(self) -> bool:
        """Whether the interventions have started."""
        return self.simulator.interventions_active

    @property
    def intervention_report(self) -> dict[str, int]:
        """Shared roles and board ties the interventions created."""
        return self.simulator.intervention_report

    def outcome_row(self) -> np.ndarray:
        """Outcomes of the latest month (the columns of :func:`~simulation.outcomes.model_reporters`)."""
        return self._row

    # ------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one month (see :mod:`simulation.kernel` for its order)."""
        self.steering.before_month(self.leaders, self.relationships)
        self._row = self.simulator.advance(1)[0]
        self.steering.after_month(self.leaders)
        self.conflicts_arisen = int(self._row[_ARISEN])
        self.conflicts_resolved = int(self._row[_RESOLVED])
        self.month_hours = {name.removeprefix("hours_"): float(self._row[FIXED_OUTCOMES.index(name)])
                            for name in HOURS_OUTCOMES}
        self.board_decisions = int(self._row[FIXED_OUTCOMES.index("board_decisions")])
        self._record()
        self.running = self.steps < self.months

    # ------------------------------------------- steering (participatory play)
    def steer(
        self,
        organisation: int,
        *,
        transparency: float | None = None,
        altruism: float | None = None,
        contact: Mapping[int, float] | None = None,
    ) -> None:
        """Play ``organisation``'s leader from the next month: standing choices (:mod:`simulation.steering`).

        Parameters
        ----------
        organisation : int
            Index of the organisation in the place.
        transparency, altruism : float in [0, 1], optional
            Replace the leader's drawn disposition (levers still act on it).
        contact : mapping of partner index to meetings a month, optional
            One-to-one meetings asked with each partner, in ``[0, MAX_CONTACT]``.

        Raises
        ------
        ScenarioError
            For an unknown organisation or partner, or a value out of range.
        """
        self.steering.steer(self.leaders, self.relationships, organisation, transparency=transparency,
                            altruism=altruism, contact=contact)

    def set_params(self, **values: Any) -> dict[str, tuple[Any, Any]]:
        """Change parameters from the next month, levers' structures included; return ``{name: (old, new)}``.

        See :func:`simulation.midrun.change_parameters` (raises ``ScenarioError`` for a bad name or value).
        """
        return change_parameters(self, values)

    def let_lie(self, organisation: int, partner: int) -> int:
        """Let the open conflicts between two organisations lie (suppressed, to resurface); return how many."""
        return self.steering.let_lie(self.leaders, self.relationships, organisation, partner)

    def replace_leader(self, organisation: int) -> None:
        """The leader of ``organisation`` leaves now (:func:`simulation.steering.replace_leader`)."""
        replace_leader(self.leaders, self.relationships, self.scenario, self.params, self.rng, organisation)

    def add_shock(self, shock: Shock) -> None:
        """Add a shock to the run's scenario (one starting at ``self.steps`` acts in the next month).

        The shock acts through the scenario's own mechanisms
        (:mod:`simulation.schedule`), as if the scenario had listed it.
        """
        self.simulator.add_shock(shock)
        self.scenario = self.simulator.scenario

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
