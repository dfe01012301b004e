"""One run, from scenario and seed to tidy tables: the unit every layer above builds on.

Examples
--------
>>> from simulation import Scenario, run
>>> r = run(Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10}), steps=6, seed=1)
>>> r.timeseries.shape[0], r.summary["steps"]
(7, 6)
>>> r.timeseries.equals(run(r.scenario, steps=6, seed=1).timeseries)
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .batch import run_batch
from .model import TrustModel
from .place import Place
from .reference import ReferenceTrustModel
from .results import RunResult
from .scenario import Scenario, ScenarioError
from .validation import (
    check_memory,
    check_run_length,
    check_scenario,
    check_seed,
    check_snapshot_steps,
    check_steps,
    check_type,
)

__all__ = ["RunResult", "run", "ENGINES"]  # RunResult lives in simulation.results; re-exported here

#: Engines by name: the compiled kernel and the per-agent reference.
ENGINES = ("fast", "reference")


def run(
    scenario: Scenario | None = None,
    *,
    steps: int = 120,
    seed: int = 0,
    place: Place | None = None,
    engine: str = "fast",
    snapshot_steps: Iterable[int] | str = (),
) -> RunResult:
    """Run the model once and return its tables.

    Parameters
    ----------
    scenario : Scenario, optional
        Parameters (default scenario if omitted).
    steps : int
        Months to simulate.
    seed : int
        Seed of the model's generator; same seed, same tables.
    place : Place, optional
        A given place (otherwise generated from the scenario and seed).
    engine : {"fast", "reference"}
        The compiled kernel or the per-agent reference.
    snapshot_steps : iterable of int or "all"
        Steps at which to keep per-edge snapshots.

    Without snapshots the fast engine runs every month in one kernel call
    (:func:`simulation.batch.run_batch`); with them it steps a
    :class:`~simulation.model.TrustModel`. Both give the same tables.
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ScenarioError(f"engine = {engine!r} is not known: expected one of {', '.join(ENGINES)}")
    seed = check_seed(seed)
    steps = check_steps(steps)
    scenario = check_scenario(scenario)
    if place is not None:
        check_type(place, "place", Place, "a Place (e.g. from generate_place or place_from_csv) or None")
    snapshot_steps = check_snapshot_steps(snapshot_steps, steps)
    check_run_length(scenario, steps)
    check_memory(1, steps, "run")
    if engine == "fast" and not snapshot_steps:
        return run_batch(scenario, [seed], steps, place)[0]
    cls = TrustModel if engine == "fast" else ReferenceTrustModel
    model = cls(scenario, place=place, rng=seed, snapshot_steps=snapshot_steps)
    model.run(steps)
    ts = model.timeseries()
    kept = [model.edge_snapshot(s) for s in sorted(model.snapshot_steps_kept)]
    snaps = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()
    return RunResult(scenario=scenario, seed=seed, timeseries=ts, summary=model.summary(), snapshots=snaps)
