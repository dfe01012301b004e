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
from collections.abc import Sequence

import numpy as np

from .record import OUTPUTS, RecordTarget
from .runs import RunResult
from .scenario import ScenarioError

__all__ = ["run_needs", "run_value", "runs_value", "inside"]

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


def _at(result: RunResult, column: str, month: int, key: str) -> float:
    ts = result.timeseries
    if month >= len(ts):
        raise ScenarioError(f"{key}: the run has {len(ts) - 1} months; the target reads month {month}")
    if column not in ts:
        raise ScenarioError(f"{key}: the run has no column {column!r} (a place without councils or NHS trusts?)")
    return float(ts[column].iloc[month])


def _first_month(values: np.ndarray, level: float) -> float:
    hit = np.flatnonzero(values >= level)
    return float(hit[0]) if len(hit) else float("nan")


def run_value(target: RecordTarget, result: RunResult) -> float:
    """The target's output in one run (a milestone never reached counts at the run length).

    Raises
    ------
    ScenarioError
        If the output is taken across places (use :func:`runs_value`), is not measured on runs,
        or the run is too short or lacks the snapshot it needs.
    """
    steps, _ = run_needs(target)
    kind = OUTPUTS[target.output][0]
    if kind == "places":
        raise ScenarioError(f"{target.key}: {target.output!r} is taken across places; use runs_value")
    length = len(result.timeseries) - 1
    if kind == "milestone":
        value = float(result.summary[target.output])
        return float(length) if math.isnan(value) else value
    if target.output == "joint_care_months_to_half":
        if length < steps:
            raise ScenarioError(f"{target.key}: needs a run of {steps} months, the run has {length}")
        joint = result.timeseries["joint_care"].to_numpy(dtype=float)
        month = _first_month(joint, 0.5 * joint[JOINT_CARE_HORIZON])
        return float(length) if math.isnan(month) else month
    month = int(target.month or 0)
    if target.output == f"trust_change:{_PAIR}":
        return _at(result, f"trust:{_PAIR}", month, target.key) - _at(result, f"trust:{_PAIR}", 0, target.key)
    if target.output == "council_nhs_partnership_share":
        snap = result.snapshots
        if snap.empty or month not in set(snap["step"]):
            raise ScenarioError(f"{target.key}: the run kept no edge snapshot at month {month} "
                                f"(run with snapshot_steps=({month},))")
        at = snap[snap["step"] == month]
        pair = (((at["source_kind"] == "council") & (at["target_kind"] == "nhs_trust"))
                | ((at["source_kind"] == "nhs_trust") & (at["target_kind"] == "council")))
        return float(at.loc[pair, "partnership"].mean()) if pair.any() else float("nan")
    return _at(result, target.output, month, target.key)


def runs_value(target: RecordTarget, results: Sequence[RunResult]) -> float:
    """The target's output over runs: the share of runs (places) for ``share_reaching_50``, else the median.

    For ``share_reaching_50`` a run counts when its integration index reached 0.5 by the target's month.
    """
    if not results:
        raise ScenarioError(f"{target.key}: no runs to measure")
    if target.output == "share_reaching_50":
        month = int(target.month or 0)
        reached = [float(r.summary["months_to_50"]) <= month for r in results]
        return float(np.mean(reached))
    return float(np.nanmedian([run_value(target, r) for r in results]))


def inside(target: RecordTarget, value: float) -> bool:
    """Whether ``value`` lies in the target's interval (NaN never does)."""
    return bool(target.low <= value <= target.high)
