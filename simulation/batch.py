"""Many runs through the compiled kernel: any parameters, any places, any seeds.

Every fast path runs here or through :class:`~simulation.model.TrustModel`,
and both drive the same :class:`~simulation.simulator.Simulator`: for each
run, a ``numpy.random.default_rng(seed)`` (what ``TrustModel(rng=seed)``
holds), the place drawn from ``rng.spawn(1)`` unless given, the initial state
by :func:`~simulation.setup.build_state`, then every month in the compiled
kernel. A batch is a list of runs, each with its own scenario (so Sobol,
LHS, grid and Morris designs run batched, not only replicates), its own
place and its own seed; results do not depend on how runs are grouped or on
the number of processes.

Examples
--------
>>> from simulation import Scenario, TrustModel
>>> sc = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10})
>>> batch = run_replicates(sc, seeds=[1, 2], steps=12)
>>> model = TrustModel(sc, rng=2)
>>> model.run(12)
>>> batch[1].timeseries.equals(model.timeseries())
True
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd

from .outcomes import INT_COLUMNS, summarise_columns
from .place import Place
from .results import RunResult
from .scenario import Scenario, ScenarioError
from .setup import build_state, resolve_setup
from .simulator import Simulator
from .validation import (
    ArgumentTypeError,
    check_memory,
    check_run_length,
    check_scenario,
    check_seed,
    check_steps,
    check_type,
    run_count_limit,
)

T = TypeVar("T")

__all__ = ["simulate_run", "set_up_run", "play", "set_up_groups", "simulate_batch", "run_batch", "run_replicates",
           "simulate_replicates", "timeseries_frame", "warm_up"]


def simulate_run(scenario: Scenario, seed: int, steps: int, place: Place | None = None) -> tuple[np.ndarray, list[str]]:
    """Outcomes of one run, ``(steps + 1, columns)`` (row 0 the initial state), and the column names."""
    return play(*set_up_run(scenario, seed, steps, place))


def set_up_run(scenario: Scenario, seed: int, steps: int,
               place: Place | None = None) -> tuple[Simulator, np.ndarray]:
    """A run ready to :func:`play`: its simulator at month 0 and its outcome array with row 0 filled."""
    rng = np.random.default_rng(seed)
    scenario, place = resolve_setup(scenario, place, {}, rng)
    leaders, relationships = build_state(scenario, place, rng)
    sim = Simulator(scenario, place, leaders, relationships, rng)
    out = np.empty((steps + 1, len(sim.columns)))
    out[0] = sim.initial_outcomes
    return sim, out


def play(sim: Simulator, out: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The months of a run from :func:`set_up_run`: ``out`` filled, and the column names."""
    sim.advance(len(out) - 1, out[1:])
    return out, sim.columns


SET_UP_TOGETHER = 16  # a batch sets up this many runs, then plays them: each phase's code and data stay in cache


def set_up_groups(runs: Sequence[T]) -> Iterator[Sequence[T]]:
    """``runs`` in groups of :data:`SET_UP_TOGETHER`: set each group's runs up, then play them.

    Meanwhile the garbage collector runs only after each group, on the
    objects made since (``gc.collect(0)``): a run leaves a few reference
    cycles (numba's ctypes views of its generator), and the interpreter's
    automatic collections would also scan every long-lived object (numba's
    and pandas' modules, some 150,000 of them), a few per cent of a batch.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(runs), SET_UP_TOGETHER):
            yield runs[start:start + SET_UP_TOGETHER]
            gc.collect(0)
    finally:
        if was_enabled:
            gc.enable()


def warm_up() -> None:
    """Compile the kernel (or load it from numba's cache) now, with a two-month run of a tiny place.

    Servers call it before they answer, so that nobody's first click waits
    for the compiler (about 20 s on first use, about 1 s from the cache).
    """
    simulate_run(Scenario(organisations={"nhs_trust": 2, "council": 1, "voluntary": 3}), 0, 2)


def _check(seeds: Iterable[int], steps: int) -> list[int]:
    """The seeds as a list of ints and the run length, checked (and the runs' size, before anything is allocated)."""
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise ArgumentTypeError(f"seeds = {seeds!r} has the wrong type ({type(seeds).__name__}): expected a list of "
                                "integer seeds")
    if hasattr(seeds, "__len__"):
        run_count_limit(len(seeds), 0, "seeds")
    seeds = [check_seed(s) for s in seeds]
    steps = check_steps(steps)
    run_count_limit(len(seeds), steps, "seeds")
    check_memory(len(seeds), steps, f"{len(seeds):,} seeds")
    return seeds


def _broadcast(value, n: int, what: str, kind: type) -> list:
    if value is None or isinstance(value, Scenario | Place):
        check_type(value, what, (kind, type(None)), f"a {kind.__name__}, one per seed, or None")
        return [value] * n
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise ArgumentTypeError(f"{what} = {value!r} has the wrong type ({type(value).__name__}): expected a "
                                f"{kind.__name__}, a list of them (one per seed), or None")
    value = list(value)
    if len(value) != n:
        raise ScenarioError(f"{what}: {len(value)} given for {n} seeds; give one, or one per seed")
    for k, item in enumerate(value):
        if item is not None:
            check_type(item, f"{what}[{k}]", kind, f"a {kind.__name__} or None")
    return value


def _scenarios(scenarios, n: int, steps: int) -> list[Scenario]:
    out = [s if s is not None else Scenario() for s in _broadcast(scenarios, n, "scenarios", Scenario)]
    for s in {id(s): s for s in out}.values():
        check_run_length(s, steps)
    return out


def simulate_batch(
    scenarios: Scenario | Sequence[Scenario | None] | None,
    seeds: Iterable[int],
    steps: int,
    places: Place | Sequence[Place | None] | None = None,
) -> list[tuple[np.ndarray, list[str]]]:
    """Outcome arrays of many runs: run ``k`` has ``scenarios[k]``, ``seeds[k]`` and ``places[k]``.

    A single scenario or place is shared by every run. Returns, per run, the
    ``(steps + 1, columns)`` array and its column names (places with other
    kinds of organisation have other kind-pair columns).
    """
    seeds = _check(seeds, steps)
    scenarios = _scenarios(scenarios, len(seeds), int(steps))
    places = _broadcast(places, len(seeds), "places", Place)
    runs = list(zip(scenarios, seeds, places))
    results = []
    for group in set_up_groups(runs):
        ready = [set_up_run(sc, seed, int(steps), pl) for sc, seed, pl in group]
        results.extend(play(sim, out) for sim, out in ready)
        del ready  # the group's runs go before the collection: it then scans only what they left in cycles
    return results


def timeseries_frame(out: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """One run's outcome array as the time-series table of :class:`~simulation.results.RunResult` (index ``step``)."""
    df = pd.DataFrame({c: (out[:, k].astype(np.int64) if c in INT_COLUMNS else out[:, k])
                       for k, c in enumerate(columns)})
    df.index.name = "step"
    return df


def _summary(out: np.ndarray, columns: Sequence[str]) -> dict:
    return summarise_columns({c: out[:, k] for k, c in enumerate(columns)})


def run_batch(
    scenarios: Scenario | Sequence[Scenario | None] | None,
    seeds: Iterable[int],
    steps: int = 120,
    places: Place | Sequence[Place | None] | None = None,
) -> list[RunResult]:
    """One :class:`~simulation.results.RunResult` per run of :func:`simulate_batch`.

    Each equals ``simulation.run(scenarios[k], steps=steps, seed=seeds[k], place=places[k])``.
    """
    seeds = _check(seeds, steps)
    scenarios = _scenarios(scenarios, len(seeds), int(steps))
    arrays = simulate_batch(scenarios, seeds, steps, places)
    return [RunResult(scenario=sc, seed=s, timeseries=timeseries_frame(out, cols), summary=_summary(out, cols))
            for sc, s, (out, cols) in zip(scenarios, seeds, arrays)]


def _processes(value) -> int:
    """``processes`` checked: an integer in [0, 1024] (0: one per core)."""
    check_type(value, "processes", (int, np.integer), "an integer in [0, 1024] (0: one per core)")
    if not 0 <= value <= 1024:
        raise ScenarioError(f"processes = {value} is out of range: expected an integer in [0, 1024] (0: one per core)")
    return int(value)


def _replicate_chunk(scenario: Scenario, place: Place | None, seeds: list[int], steps: int):
    arrays = simulate_batch(scenario, seeds, steps, place)
    columns = arrays[0][1] if arrays else []
    return (np.stack([a for a, _ in arrays]) if arrays else np.zeros((0, steps + 1, 0))), columns


def simulate_replicates(
    scenario: Scenario | None = None,
    seeds: Iterable[int] = range(10),
    steps: int = 120,
    *,
    place: Place | None = None,
    processes: int = 1,
) -> tuple[np.ndarray, list[str]]:
    """Outcomes of replicates of one parameter set as one array: ``(len(seeds), steps + 1, columns)``, and the names.

    The cheapest output (no DataFrame per run); counts are stored as floats.
    ``processes > 1`` splits the seeds into that many contiguous chunks run in
    worker processes (results do not depend on it).
    """
    scenario = check_scenario(scenario)
    seeds = _check(seeds, steps)
    check_run_length(scenario, int(steps))
    if place is not None:
        check_type(place, "place", Place, "a Place or None")
    processes = _processes(processes)
    if processes == 0:
        processes = os.cpu_count() or 1
    if processes <= 1 or len(seeds) < 2:
        return _replicate_chunk(scenario, place, seeds, int(steps))
    chunks = [c.tolist() for c in np.array_split(np.array(seeds, dtype=np.int64), processes) if len(c)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)  # fork: no re-import
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        parts = list(pool.map(_replicate_chunk, [scenario] * len(chunks), [place] * len(chunks), chunks,
                              [int(steps)] * len(chunks)))
    return np.concatenate([a for a, _ in parts]), parts[0][1]


def run_replicates(
    scenario: Scenario | None = None,
    seeds: Iterable[int] = range(10),
    steps: int = 120,
    *,
    place: Place | None = None,
    processes: int = 1,
) -> list[RunResult]:
    """One :class:`~simulation.results.RunResult` per seed, equal to ``simulation.run(scenario, steps=steps, seed=s)``.

    Parameters
    ----------
    scenario : Scenario, optional
        One parameter set for every replicate (default scenario if omitted).
    seeds : iterable of int
        One replicate per seed.
    steps : int
        Months to simulate.
    place : Place, optional
        A place shared by every replicate (as ``run(..., place=place)``);
        otherwise each replicate draws its own place from its seed, exactly as
        a single run does, so places differ between seeds.
    processes : int
        Worker processes (``os.cpu_count()`` if 0).

    Snapshots are not kept (use :func:`simulation.run` for per-edge tables).
    """
    scenario = check_scenario(scenario)
    seeds = _check(seeds, steps)
    arr, columns = simulate_replicates(scenario, seeds, steps, place=place, processes=processes)
    return [RunResult(scenario=scenario, seed=s, timeseries=timeseries_frame(arr[k], columns),
                      summary=_summary(arr[k], columns)) for k, s in enumerate(seeds)]
