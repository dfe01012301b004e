"""The published record's outputs measured on runs: for the posterior-predictive check against every target.

A target of :mod:`simulation.record` names a model output (:data:`simulation.record.OUTPUTS`).
:func:`run_value` measures a per-run output on one :class:`~simulation.runs.RunResult`;
:func:`runs_value` measures a target over many runs (the runs of one parameter set, or of
England's place set): the share of places for an output taken across places, the median of
the runs' values otherwise. :func:`run_needs` says how long a run must be and which months'
edge snapshots it must keep.

A milestone never reached within the run counts at the run length (as in the calibration):
censored, it stays a lower bound.

Examples
--------
>>> from simulation import Scenario, run
>>> from simulation.record import load_record
>>> rec = load_record()
>>> t = rec.targets["london_trust_strengthened"]
>>> run_needs(t)
(60, ())
>>> r = run(Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10}), steps=60, seed=1)
>>> run_value(t, r) > 0
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .outcomes import MILESTONES, time_to_level
from .record import OUTPUTS, RecordTarget
from .runs import RunResult
from .scenario import ScenarioError

__all__ = ["run_needs", "outcome_value", "council_nhs_share", "run_value", "combine", "runs_value", "inside"]

#: The month whose joint care sets the long-run level for ``joint_care_months_to_half``.
JOINT_CARE_HORIZON = 120

_PAIR = "council-nhs_trust"


def run_needs(target: RecordTarget) -> tuple[int, tuple[int, ...]]:
    """``(steps, snapshot_months)``: the shortest run and the edge snapshots that measure ``target``.

    Raises
    ------
    ScenarioError
        If the target maps onto no output a run can measure (``context``, ``input`` outputs,
        or the spread of places, which is described but not measured).
    """
    kind = OUTPUTS[target.output][0]
    if target.role == "context" or kind == "input" or target.output == "integration_spread":
        raise ScenarioError(f"{target.key}: a {target.role} target on {target.output!r} is not measured on runs")
    if target.output == "joint_care_months_to_half":
        return JOINT_CARE_HORIZON, ()
    if kind == "milestone":
        finite = [x for x in (target.low, target.high) if math.isfinite(x)]
        return math.ceil(max(finite)) + 1, ()
    month = int(target.month or 0)
    snaps = (month,) if target.output == "council_nhs_partnership_share" else ()
    return month, snaps


def council_nhs_share(source_kinds: np.ndarray, target_kinds: np.ndarray, partnership: np.ndarray) -> float:
    """Share of the council-NHS trust relationships in partnership (NaN where there are none).

    The arrays are per edge (or per pair): each end's kind and whether the pair is a partnership.

    Examples
    --------
    >>> kinds = np.array(["council", "nhs_trust", "council"]), np.array(["nhs_trust", "voluntary", "council"])
    >>> council_nhs_share(*kinds, np.array([True, True, False]))
    1.0
    """
    src, dst = np.asarray(source_kinds), np.asarray(target_kinds)
    pair = ((src == "council") & (dst == "nhs_trust")) | ((src == "nhs_trust") & (dst == "council"))
    return float(np.asarray(partnership, dtype=float)[pair].mean()) if pair.any() else float("nan")


def outcome_value(target: RecordTarget, outcomes: np.ndarray, columns: Sequence[str],
                  council_nhs_shares: Mapping[int, float] | None = None) -> float:
    """The target's output in one run, from its outcome array (``(steps + 1, columns)``, row 0 the start).

    A milestone never reached counts at the run length. For an output taken across places
    (``share_reaching_50``) a run's value is 1.0 if its integration index reached 0.5 by the
    target's month, else 0.0 (:func:`combine` takes the share). ``council_nhs_shares`` gives,
    by month, :func:`council_nhs_share` of the run's relationships at that month.

    Raises
    ------
    ScenarioError
        If the output is not measured on runs, or the run is too short or lacks the month's share.
    """
    steps, _ = run_needs(target)
    kind = OUTPUTS[target.output][0]
    length = len(outcomes) - 1
    cols = list(columns)

    def column(name: str) -> np.ndarray:
        if name not in cols:
            raise ScenarioError(f"{target.key}: the run has no column {name!r} (a place without councils or NHS "
                                "trusts?)")
        return np.asarray(outcomes[:, cols.index(name)], dtype=float)

    def at(name: str, month: int) -> float:
        if month > length:
            raise ScenarioError(f"{target.key}: the run has {length} months; the target reads month {month}")
        return float(column(name)[month])

    if kind == "milestone":
        series, level = MILESTONES[target.output]
        month = time_to_level(column(series), level)
        return float(length) if math.isnan(month) else month
    if target.output == "share_reaching_50":
        month = int(target.month or 0)
        series, level = MILESTONES["months_to_50"]
        at(series, month)  # the run must reach the month
        return 0.0 if math.isnan(time_to_level(column(series)[:month + 1], level)) else 1.0
    if target.output == "joint_care_months_to_half":
        if length < steps:
            raise ScenarioError(f"{target.key}: needs a run of {steps} months, the run has {length}")
        joint = column("joint_care")
        month = time_to_level(joint, 0.5 * joint[JOINT_CARE_HORIZON])
        return float(length) if math.isnan(month) else month
    month = int(target.month or 0)
    if target.output == f"trust_change:{_PAIR}":
        return at(f"trust:{_PAIR}", month) - at(f"trust:{_PAIR}", 0)
    if target.output == "council_nhs_partnership_share":
        shares = council_nhs_shares or {}
        if month not in shares:
            raise ScenarioError(f"{target.key}: the run kept no edge snapshot at month {month} "
                                f"(run with snapshot_steps=({month},))")
        return float(shares[month])
    return at(target.output, month)


def run_value(target: RecordTarget, result: RunResult) -> float:
    """The target's output in one run (a milestone never reached counts at the run length).

    Raises
    ------
    ScenarioError
        If the output is taken across places (use :func:`runs_value`), is not measured on runs,
        or the run is too short or lacks the snapshot it needs.
    """
    run_needs(target)
    if OUTPUTS[target.output][0] == "places":
        raise ScenarioError(f"{target.key}: {target.output!r} is taken across places; use runs_value")
    shares = {}
    snap = result.snapshots
    if target.output == "council_nhs_partnership_share" and not snap.empty:
        for month, at in snap.groupby("step"):
            shares[int(month)] = council_nhs_share(at["source_kind"].to_numpy(), at["target_kind"].to_numpy(),
                                                   at["partnership"].to_numpy())
    ts = result.timeseries
    return outcome_value(target, ts.to_numpy(dtype=float), list(ts.columns), shares)


def combine(target: RecordTarget, values: Sequence[float]) -> float:
    """The target over runs from their :func:`outcome_value`: the share of places for an output taken across
    places, else the median (NaN ignored).

    Examples
    --------
    >>> from simulation.record import load_record
    >>> t = load_record().targets
    >>> combine(t["first_integrated_care_systems"], [1.0, 0.0, 0.0, 1.0])
    0.5
    >>> combine(t["pioneers_plans_to_implementation"], [20.0, 30.0, 90.0])
    30.0
    """
    if len(values) == 0:
        raise ScenarioError(f"{target.key}: no runs to measure")
    values = np.asarray(values, dtype=float)
    if OUTPUTS[target.output][0] == "places":
        return float(np.nanmean(values))
    return float(np.nanmedian(values))


def runs_value(target: RecordTarget, results: Sequence[RunResult]) -> float:
    """The target's output over runs: the share of runs (places) for ``share_reaching_50``, else the median.

    For ``share_reaching_50`` a run counts when its integration index reached 0.5 by the target's month.
    """
    if not results:
        raise ScenarioError(f"{target.key}: no runs to measure")
    if OUTPUTS[target.output][0] == "places":
        ts = [r.timeseries for r in results]
        return combine(target, [outcome_value(target, t.to_numpy(dtype=float), list(t.columns)) for t in ts])
    return combine(target, [run_value(target, r) for r in results])


def inside(target: RecordTarget, value: float) -> bool:
    """Whether ``value`` lies in the target's interval (NaN never does)."""
    return bool(target.low <= value <= target.high)
