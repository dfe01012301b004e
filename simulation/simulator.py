"""One run on the compiled kernel: its state, the month counter, the levers' schedules and the shocks.

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

import bisect
from collections.abc import MutableMapping
from typing import Any

import numpy as np

from . import kernel
from .compiling import compile_ahead
from .interventions import check_mergers, effective_parameters, merge_organisations, update_structures
from .kinds import kind_table
from .outcomes import kind_pair_columns, outcome_columns
from .place import Place
from .relationships import Leaders, Relationships
from .scenario import Scenario, ScenarioError
from .schedule import ScheduleError, Shock, check_horizon, cohort_start_months, levers_active, month_parameters

__all__ = ["Simulator", "change_months"]


class Simulator:
    """The state of one run and its driver through the compiled kernel.

    Parameters
    ----------
    scenario : Scenario
        Parameters, lever schedules and shocks.
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
    active : frozenset of str
        The levers acting in the latest month (:func:`~simulation.schedule.levers_active`).
    columns : list of str
        Names of the outcome columns.
    initial_outcomes : numpy.ndarray
        The outcome row of month 0 (after the structures of levers acting from the start).
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
        compile_ahead()  # on numba's first use here, part of the kernel compiles in a second process
        self.scenario, self.place = scenario, place
        self.leaders, self.relationships, self.rng = leaders, relationships, rng
        self.params = params if params is not None else dict(scenario.params)
        self.month = 0
        self.active: frozenset = frozenset()
        self.intervention_report: dict[str, int] = {"shared_roles": 0, "board_ties": 0, "forum_ties": 0,
                                                    "programme_members": 0, "programme_ties": 0}
        self.columns = outcome_columns(leaders.kind_names)
        self._colmap = kind_pair_columns(leaders.kind_names)
        self._beta_ab = kind_table([scenario.kinds[k] for k in leaders.kind_names]).trait_shapes
        self._kind = np.ascontiguousarray(leaders.kind, dtype=np.int64)
        self._sector = np.ascontiguousarray(leaders.sector, dtype=np.int64)
        self._weight = np.ascontiguousarray(leaders.contact_weight, dtype=np.float64)
        self._capacity = np.ascontiguousarray(leaders.capacity, dtype=np.int64)
        self._budget = np.ascontiguousarray(leaders.hours_budget, dtype=np.float64)
        self._statutory = np.ascontiguousarray(leaders.statutory, dtype=np.bool_)
        self._scratch = kernel.candidate_scratch(leaders.n)
        self._draws = np.zeros(1, dtype=np.int64)
        self._vector: np.ndarray | None = None  # parameter_vector's latest, for its inputs below
        self._vector_key: tuple = ()
        self._vector_params: dict[str, Any] = {}
        self._levers_set_for: tuple = ()  # _set_levers' latest inputs: the levers acting are set for them
        check_mergers(scenario.mergers, leaders.n)
        self._plan_changes()
        self._set_levers(0)
        self._refresh_traits()
        self.initial_outcomes = self.outcomes()

    # ------------------------------------------------------------------ state
    @property
    def draws(self) -> int:
        """Random variates drawn by the kernel so far (uniforms, Poisson, binomial and Beta draws count one each)."""
        return int(self._draws[0])

    @property
    def interventions_active(self) -> bool:
        """Whether any lever acts."""
        return bool(self.active)

    def month_parameters(self) -> dict[str, float]:
        """The effective parameters of the coming month: shocks, then the levers acting."""
        params = month_parameters(self.params, self.scenario.shocks, self.month)
        return effective_parameters(params, self.active)

    def parameter_vector(self) -> np.ndarray:
        """The kernel's parameters for the coming month (kept while its inputs stay the same: not to be written into).

        The set-up's traits and the first months' kernel call read the same
        vector, so a run builds it once (inputs: the month, the levers
        acting, the scenario's shocks and the parameters, compared by value).
        """
        key = (self.month, self.active, self.scenario.shocks)
        if self._vector is None or key != self._vector_key or self.params != self._vector_params:
            self._vector = kernel.parameter_vector(self.month_parameters())
            self._vector_key, self._vector_params = key, dict(self.params)
        return self._vector

    def _set_levers(self, months_done: int) -> None:
        inputs = (months_done, int(self.params["intervention_start"]), self.scenario.schedule)
        if inputs == self._levers_set_for:  # the set-up set them for month 0, which advance then starts with
            return
        self._levers_set_for = inputs
        now = levers_active(self.scenario.schedule, int(self.params["intervention_start"]), months_done)
        if now != self.active:
            report = update_structures(self.params, self.relationships, self.leaders, self.rng, self.active, now)
            for key, value in report.items():
                self.intervention_report[key] += value
            self.active = now

    def _refresh_traits(self, vector: np.ndarray | None = None) -> None:
        rel = self.relationships
        kernel.refresh_traits(self.leaders.raw_traits, self.leaders.effective_traits, rel.buffers.pairs,
                              rel.buffers.shared_role, rel.n_pairs, self.leaders.learning,
                              self.parameter_vector() if vector is None else vector, self._statutory)

    def _service_failures(self) -> None:
        names = self.leaders.kind_names
        rel = self.relationships
        for shock in self.scenario.shocks:
            if shock.kind == "service_failure" and shock.start == self.month:
                a, b = shock.between
                if a in names and b in names:
                    kernel.apply_service_failure(rel.buffers.pairs, rel.buffers.trust, rel.n_pairs, self._kind,
                                                 names.index(a), names.index(b), shock.size)

    def _mergers(self) -> None:
        for m in self.scenario.mergers:
            if m.month == self.month:
                merge_organisations(self.relationships, self.leaders, m.absorbed, m.into,
                                    self.params["merger_trust_kept"], self.params["merger_disruption"])

    def outcomes(self, arisen: int = 0, resolved: int = 0) -> np.ndarray:
        """The outcome row of the current state (conflict counts as given; no hours spent)."""
        rel = self.relationships
        row = np.empty(len(self.columns))
        leaders, p = self.leaders, self.params
        b = rel.buffers
        kernel.record_outcomes(row, b.pairs, b.trust, b.backlog, rel.n_pairs, leaders.n,
                               arisen, resolved, float(p["partnership_threshold"]), self._kind,
                               self._colmap, np.zeros(len(kernel.HOURS_OUTCOMES)), 0, b.suppressed,
                               leaders.n - int(np.count_nonzero(leaders.merged)), b.staff_trust, b.care,
                               float(p["staff_contact"]), float(p["joint_working_threshold"]),
                               float(p["joint_success_base"]), leaders.learning, leaders.merged, leaders.community,
                               leaders.statutory, leaders.size, kernel.outcome_work(leaders.n, rel.n_pairs, len(row)))
        return row

    def add_shock(self, shock: Shock) -> None:
        """Add a shock to the run's scenario, as if it had listed it (one starting now acts in the coming month)."""
        self.scenario = self.scenario.replace(shocks=[*self.scenario.shocks, shock])
        self._plan_changes()

    def _plan_changes(self) -> None:
        """The months where the kernel must stop for the scenario's changes, and the first month of rising demand."""
        self._change_months = change_months(self.scenario)
        demand = [s.start for s in self.scenario.shocks if s.kind == "demand"]
        self._monthly_from = min(demand) if demand else None

    # ------------------------------------------------------------------- time
    def advance(self, months: int, out: np.ndarray | None = None) -> np.ndarray:
        """Simulate ``months`` months; return their outcome rows, ``(months, columns)`` (into ``out`` if given).

        At each month where a lever starts or stops or a shock acts (the
        scenario's change months) the structures are updated, a service failure
        strikes, and the month's parameters are set; the months in between go
        to the kernel in one call (programme cohorts start inside it).
        """
        if self._monthly_from is not None:  # rising demand: refuse to go where the conflict counts would overflow
            try:
                check_horizon(self.scenario.shocks, self.month + months)
            except ScheduleError as exc:
                raise ScenarioError(str(exc)) from None
        rows = np.empty((months, len(self.columns))) if out is None else out
        done = 0
        while done < months:
            self._set_levers(self.month)
            self._service_failures()
            self._mergers()
            k = bisect.bisect_right(self._change_months, self.month)
            chunk = months - done
            if k < len(self._change_months):
                chunk = min(chunk, self._change_months[k] - self.month)
            if self._monthly_from is not None and self.month >= self._monthly_from:
                chunk = 1  # demand grows every month
            self._kernel_months(chunk, rows[done:done + chunk])
            done += chunk
        return rows

    def organisations(self) -> kernel.Organisations:
        """The leaders' arrays as the kernel takes them (views of the run's state, not copies)."""
        return kernel.organisations_of(self.leaders)

    def _kernel_months(self, months: int, out: np.ndarray) -> None:
        rel = self.relationships
        vector = self.parameter_vector()
        due = np.array(cohort_start_months(self.scenario.schedule, int(self.params["intervention_start"]),
                                           float(self.params["place_programmes"]), self.month, months),
                       dtype=np.bool_)  # the months where a programme cohort starts
        report = np.zeros(2, dtype=np.int64)
        buffers, n_pairs = kernel.advance(self.rng, months, out, rel.buffers, rel.n_pairs, self.organisations(),
                                          self._beta_ab,
                                          self._colmap, vector, self._scratch, self._draws, due, report)
        self.intervention_report["programme_members"] += int(report[0])
        self.intervention_report["programme_ties"] += int(report[1])
        rel.adopt(buffers, n_pairs)
        self.month += months
        self._refresh_traits(vector)  # the new leaders' traits, under the levers of the months just played


def change_months(scenario: Scenario) -> list[int]:
    """Months (as months done) at which lever starts and stops and shocks change the parameters.

    Between two of them the kernel runs without interruption (rising demand,
    which changes every month from its start, is handled by the caller).

    Examples
    --------
    >>> from simulation import Scenario
    >>> change_months(Scenario(intervention_start=6, schedule={"open_book": {"start": 2, "stop": 9}}))
    [2, 6, 9]
    """
    months = {int(scenario.params["intervention_start"])}
    for sched in scenario.schedule.values():
        months.add(sched.start)
        if sched.stop is not None:
            months.add(sched.stop)
    for shock in scenario.shocks:
        months.update((shock.start, shock.start + shock.months))
    months.update(m.month for m in scenario.mergers)
    return sorted(months)
