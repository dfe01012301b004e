"""One run on the compiled kernel: its state, the month counter and when the interventions start.

:class:`Simulator` is the only driver of :func:`simulation.kernel.advance`.
:class:`~simulation.model.TrustModel` (Mesa, dashboard, notebooks) advances
it a month at a time; :mod:`simulation.batch` (``run``, replicates, sweeps)
advances many of them, each over all its months at once. The kernel carries
every bit of state between calls (the arrays, and the draws in the run's own
generator), so both give the same numbers by construction.

Examples
--------
>>> import numpy as np
>>> from simulation import Scenario
>>> from simulation.setup import build_state, resolve_setup
>>> def fresh():
...     rng = np.random.default_rng(5)
...     scenario, place = resolve_setup(Scenario(organisations={"nhs_trust": 2, "council": 1, "voluntary": 6}),
...                                     None, {}, rng)
...     return Simulator(scenario, place, *build_state(scenario, place, rng), rng)
>>> a, b = fresh(), fresh()
>>> stepped = np.vstack([a.advance(1) for _ in range(12)])
>>> bool(np.array_equal(stepped, b.advance(12), equal_nan=True))
True
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import numpy as np

from . import kernel
from .interventions import effective_parameters, interventions_due, start_interventions
from .kinds import TRAITS
from .outcomes import kind_pair_columns, model_reporters
from .place import Place
from .relationships import Leaders, Relationships
from .scenario import Scenario

__all__ = ["Simulator"]


class Simulator:
    """The state of one run and its driver through the compiled kernel.

    Parameters
    ----------
    scenario : Scenario
    place : Place
    leaders : Leaders
    relationships : Relationships
        The initial state (from :func:`~simulation.setup.build_state`); updated in place.
    rng : numpy.random.Generator
        The run's generator: every draw of the dynamics comes from it.
    params : mutable mapping, optional
        The parameters read at each call of :meth:`advance` (default: the
        scenario's); a model passes its own dict so that a changed lever acts
        from the next month.

    Attributes
    ----------
    month : int
        Months simulated so far.
    columns : list of str
        Names of the outcome columns.
    initial_outcomes : numpy.ndarray
        The outcome row of month 0 (after any interventions that start at once).
    draws : int
        Random variates drawn by the kernel so far.
    """

    def __init__(
        self,
        scenario: Scenario,
        place: Place,
        leaders: Leaders,
        relationships: Relationships,
        rng: np.random.Generator,
        params: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.scenario, self.place = scenario, place
        self.leaders, self.relationships, self.rng = leaders, relationships, rng
        self.params = params if params is not None else dict(scenario.params)
        self.month = 0
        self.interventions_active = False
        self.intervention_report: dict[str, int] = {}
        self.columns = list(model_reporters(leaders.kind_names))
        self._colmap = kind_pair_columns(leaders.kind_names)
        kinds = [scenario.kinds[k] for k in leaders.kind_names]
        self._beta_ab = np.array([[[k.trait(t).a, k.trait(t).b] for t in TRAITS] for k in kinds], dtype=float)
        self._kind = np.ascontiguousarray(leaders.kind, dtype=np.int64)
        self._sector = np.ascontiguousarray(leaders.sector, dtype=np.int64)
        self._weight = np.ascontiguousarray(leaders.contact_weight, dtype=np.float64)
        self._capacity = np.ascontiguousarray(leaders.capacity, dtype=np.int64)
        self._budget = np.ascontiguousarray(leaders.hours_budget, dtype=np.float64)
        self._scratch = kernel.candidate_scratch(leaders.n)
        self._draws = np.zeros(1, dtype=np.int64)
        if interventions_due(self.params, 0, False):
            self._start_interventions()
        self._refresh_traits()
        self.initial_outcomes = self.outcomes()

    # ------------------------------------------------------------------ state
    @property
    def draws(self) -> int:
        """Random variates drawn by the kernel so far (uniforms, Poisson, binomial and Beta draws count one each)."""
        return int(self._draws[0])

    def parameter_vector(self) -> np.ndarray:
        """The kernel's parameters for the coming month."""
        return kernel.parameter_vector(effective_parameters(self.params, self.interventions_active))

    def _refresh_traits(self) -> None:
        rel = self.relationships
        kernel.refresh_traits(self.leaders.raw_traits, self.leaders.effective_traits, rel.buffers[0],
                              rel.buffers[6], rel.n_pairs, self.parameter_vector())

    def _start_interventions(self) -> None:
        self.interventions_active = True
        self.intervention_report = start_interventions(self.params, self.relationships, self.leaders, self.rng)

    def outcomes(self, arisen: int = 0, resolved: int = 0) -> np.ndarray:
        """The outcome row of the current state (conflict counts as given)."""
        rel = self.relationships
        row = np.empty(len(self.columns))
        kernel.record_outcomes(row, rel.buffers[0], rel.buffers[1], rel.buffers[3], rel.n_pairs, self.leaders.n,
                               arisen, resolved, float(self.params["partnership_threshold"]), self._kind,
                               self._colmap, np.zeros(len(kernel.HOURS_OUTCOMES)))
        return row

    # ------------------------------------------------------------------- time
    def advance(self, months: int, out: np.ndarray | None = None) -> np.ndarray:
        """Simulate ``months`` months; return their outcome rows, ``(months, columns)`` (into ``out`` if given).

        Interventions start at the beginning of month ``intervention_start + 1``
        (:func:`~simulation.interventions.interventions_due`); months before that
        and months after it each go to the kernel in one call.
        """
        rows = np.empty((months, len(self.columns))) if out is None else out
        done = 0
        while done < months:
            if interventions_due(self.params, self.month, self.interventions_active):
                self._start_interventions()
            chunk = months - done
            if not self.interventions_active:
                chunk = min(chunk, int(self.params["intervention_start"]) - self.month)
            self._kernel_months(chunk, rows[done:done + chunk])
            done += chunk
        return rows

    def _kernel_months(self, months: int, out: np.ndarray) -> None:
        rel, leaders = self.relationships, self.leaders
        buffers, n_pairs = kernel.advance(
            self.rng, months, out, rel.buffers, rel.n_pairs, self._kind, self._sector, self._weight,
            self._capacity, self._budget, leaders.tenure, leaders.raw_traits, leaders.effective_traits, self._beta_ab,
            self._colmap, self.parameter_vector(), self._scratch, self._draws,
        )
        rel.adopt(buffers, n_pairs)
        self.month += months
        self._refresh_traits()
