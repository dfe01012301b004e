"""What every engine shares: the constructor, recording, snapshots and the output tables.

:class:`~simulation.model.TrustModel` (the compiled kernel) and
:class:`~simulation.reference.ReferenceTrustModel` (per agent) differ only in
how they hold state and play out a month; both subclass :class:`TrustModelBase`
and implement ``_set_up``, ``step`` and ``edges_frame``; each starts and
stops the levers by their schedules (:func:`~simulation.schedule.levers_active`)
and applies the scenario's shocks. Both expose ``leaders`` and ``relationships`` in the array layout of
:mod:`simulation.relationships`, which the outcome reporters read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .outcomes import model_reporters, outcome_dict, summarise_run
from .place import Place
from .relationships import Leaders, Relationships
from .scenario import Scenario, ScenarioError
from .setup import build_state, resolve_setup
from .validation import check_run_length, check_scenario, check_seed, check_snapshot_steps, check_steps, check_type

__all__ = ["TrustModelBase", "OutcomeCollector"]


class OutcomeCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with the model reporters, collected in one compiled pass.

    ``model_reporters`` holds the named reporters (so
    ``get_model_vars_dataframe()`` and everything built on the collector work
    as usual); :meth:`collect` takes the model's current outcome row
    (``model.outcome_row()``) instead of calling each reporter.
    """

    def __init__(self, kind_names: list[str]) -> None:
        super().__init__(model_reporters=model_reporters(kind_names))

    def collect(self, model) -> None:
        """Append one row of outcomes for ``model``."""
        values = outcome_dict(model.outcome_row(), list(self.model_vars))
        for name, column in self.model_vars.items():
            column.append(values[name])


class TrustModelBase(mesa.Model):
    """Trust between the leaders of a place's organisations, month by month (engine-independent part).

    Parameters
    ----------
    scenario : Scenario, optional
        Parameters (default: :class:`~simulation.scenario.Scenario` defaults).
    place : Place, optional
        Organisations and relationships; generated from the scenario when not
        given (with a generator spawned from the model's).
    snapshot_steps : iterable of int or "all", optional
        Steps at which to keep a per-edge snapshot (see :meth:`edge_snapshot`).
    collect : bool, default True
        Collect outcomes every step (Mesa ``DataCollector``).
    seed, rng : optional
        Mesa's seeding; ``rng`` (an int or a numpy Generator) is preferred.
        All randomness comes from ``self.rng``.
    **params
        Scenario parameters to override by name (``contact_rate=2.0``).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        place: Place | None = None,
        snapshot_steps: Iterable[int] | str = (),
        collect: bool = True,
        seed: int | None = None,
        rng: Any = None,
        **params: Any,
    ) -> None:
        if seed is not None:
            check_seed(seed, "seed")
            if rng is not None:
                raise ScenarioError("seed and rng are both given: pass one of them (rng preferred)")
        if isinstance(rng, int | np.integer):
            check_seed(rng, "rng")
        elif rng is not None and not isinstance(rng, np.random.Generator | np.random.SeedSequence):
            check_type(rng, "rng", (int, np.random.Generator), "an integer seed or a numpy Generator")
        scenario = check_scenario(scenario)
        if place is not None:
            check_type(place, "place", Place, "a Place (e.g. from generate_place or place_from_csv) or None")
        snapshot_steps = check_snapshot_steps(snapshot_steps)
        super().__init__(seed=seed, rng=rng)
        self.scenario, self.place = resolve_setup(scenario, place, params, self.rng)
        self.params = dict(self.scenario.params)
        self.conflicts_arisen = 0
        self.conflicts_resolved = 0
        self.month_hours: dict[str, float] = {}
        self._snapshot_steps = snapshot_steps if snapshot_steps == "all" else set(snapshot_steps)
        self._snapshots: dict[int, pd.DataFrame] = {}
        self._collect = collect
        leaders, relationships = build_state(self.scenario, self.place, self.rng)
        self._set_up(leaders, relationships)
        self.datacollector = self._collector(leaders.kind_names)
        self._record()

    # ------------------------------------------------------- for subclasses
    def _set_up(self, leaders: Leaders, relationships: Relationships) -> None:
        """Take the initial state into the engine's own representation (and start interventions due at once)."""
        raise NotImplementedError

    def _collector(self, kind_names: list[str]) -> mesa.DataCollector:
        """The data collector; the fast single-pass one by default."""
        return OutcomeCollector(kind_names)

    def edges_frame(self) -> pd.DataFrame:
        """Current per-edge state as a tidy table (one row per directed edge)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- time
    @property
    def month(self) -> int:
        """Months simulated so far (Mesa's ``steps``)."""
        return self.steps

    def run(self, steps: int) -> None:
        """Advance ``steps`` months."""
        steps = check_steps(steps)
        check_run_length(self.scenario, self.steps + steps)
        for _ in range(steps):
            self.step()

    # ------------------------------------------------------------- outputs
    def _record(self) -> None:
        if self._collect:
            self.datacollector.collect(self)
        if self._snapshot_steps == "all" or self.steps in self._snapshot_steps:
            self._snapshots[self.steps] = self.edges_frame()

    def timeseries(self) -> pd.DataFrame:
        """Outcomes collected so far, one row per step (index ``step``, 0 = initial)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.index.name = "step"
        return df

    def summary(self) -> dict[str, float | int | bool]:
        """Per-run outcomes (see :func:`~simulation.outcomes.summarise_run`)."""
        return summarise_run(self.timeseries())

    @property
    def snapshot_steps_kept(self) -> list[int]:
        """Steps for which a per-edge snapshot was kept."""
        return sorted(self._snapshots)

    def edge_snapshot(self, step: int) -> pd.DataFrame:
        """Per-edge state at ``step``, kept if requested via ``snapshot_steps``.

        Raises
        ------
        KeyError
            If no snapshot was kept for that step (the message lists those kept).
        """
        if step == self.steps:
            return self.edges_frame()
        if step not in self._snapshots:
            raise KeyError(
                f"no edge snapshot for step {step}: pass snapshot_steps=[{step}] (or 'all') "
                f"when creating the model; kept: {self.snapshot_steps_kept}"
            )
        return self._snapshots[step]
