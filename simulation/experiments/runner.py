"""Run a sweep: local worker processes or a Dask cluster, streaming chunks to disk, resumable.

Examples
--------
>>> import tempfile
>>> from simulation.experiments.spec import experiment_from_dict
>>> exp = experiment_from_dict({
...     "base": {"set": {"organisations": {"nhs_trust": 4, "council": 3, "voluntary": 12}}},
...     "parameters": {"contact_rate": [0.5, 2.0]}, "design": {"replicates": 2}, "run": {"steps": 6}})
>>> with tempfile.TemporaryDirectory() as d:
...     report = run_sweep(exp, d, workers=0, progress=False)
...     again = run_sweep(exp, d, workers=0, progress=False)
>>> report.done, report.failed, again.skipped
(4, 0, 4)
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..manifest import manifest, write_json_atomic
from ..outputs import write_atomic
from ..scenario import Scenario, ScenarioError
from .design import raw_design, run_plan
from .spec import Experiment
from .store import ResultStore, read_parquet_file, write_parquet_atomic

__all__ = ["RunBatch", "RunConfig", "SweepReport", "execute_runs", "run_sweep", "SUMMARY_KEYS"]

#: Per-run summary columns (NaN for a run that failed).
SUMMARY_KEYS: tuple[str, ...] = (
    "steps", "final_integration", "final_connectedness", "final_mean_trust", "final_partnership_share",
    "mean_integration", "total_conflicts", "total_resolved", "final_festering", "months_to_50", "censored_50",
    "months_to_80", "censored_80", "connectedness_months_to_50", "connectedness_censored_50", "final_joint_care",
    "mean_joint_care", "final_statutory_integration", "statutory_months_to_50", "statutory_censored_50",
    "final_size_integration", "size_months_to_50", "size_censored_50",
)


@dataclass(frozen=True)
class RunConfig:
    """What every run of a sweep shares (sent to workers once per batch)."""

    base: Scenario
    steps: int
    engine: str = "fast"
    snapshots: tuple[int, ...] = ()
    timeseries: bool = True


@dataclass
class SweepReport:
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    out : Path
    total, done, skipped, failed : int
        Planned runs, runs completed this session, runs already on disk, failed runs (all sessions).
    seconds : float
    errors : pandas.DataFrame
        ``run_id``, parameters and ``error`` of every failed run.
    """

    out: Path
    total: int
    done: int
    skipped: int
    failed: int
    seconds: float
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class RunBatch:
    """What :func:`execute_runs` returns for a batch of tasks.

    Attributes
    ----------
    rows : list of dict
        One per-run record per task (identity, parameters, outcomes, status, error, seconds).
    timeseries : pandas.DataFrame or None
        One row per run and month (``run_id``, ``step``, outcomes), if kept.
    snapshots : pandas.DataFrame or None
        Per-edge snapshots, if asked for.
    """

    rows: list[dict]
    timeseries: pd.DataFrame | None = None
    snapshots: pd.DataFrame | None = None


def execute_runs(tasks: Sequence[dict[str, Any]], config: RunConfig) -> RunBatch:
    """Run a batch of tasks; never raises for a failing run (its error is recorded instead).

    A module-level function, so it pickles for spawned processes and Dask
    workers. With the fast engine and no per-edge snapshots every run of the
    batch, whatever its parameters, goes through the compiled kernel
    (:func:`simulation.batch.simulate_batch`), and the tables are built once
    per batch from its arrays; otherwise runs go one by one through
    :func:`simulation.run`. Either way a run's numbers equal ``simulation.run``'s.

    Parameters
    ----------
    tasks : sequence of dict
        Each with ``run_id``, ``sample``, ``replicate``, ``seed`` and ``params``.
    config : RunConfig

    Returns
    -------
    RunBatch
    """
    if config.engine == "fast" and not config.snapshots:
        return _run_batched(list(tasks), config)
    results = [_run_one(task, config) for task in tasks]
    ts = [r[1] for r in results if r[1] is not None]
    snaps = [r[2] for r in results if r[2] is not None]
    return RunBatch(rows=[r[0] for r in results],
                    timeseries=pd.concat(ts, ignore_index=True) if ts else None,
                    snapshots=pd.concat(snaps, ignore_index=True) if snaps else None)


def _identity(task: dict) -> dict[str, Any]:
    row: dict[str, Any] = {k: task[k] for k in ("run_id", "sample", "replicate", "seed")}
    row.update(task["params"])
    return row


def _error_row(task: dict, exc: BaseException, seconds: float) -> dict[str, Any]:
    row = _identity(task)
    row.update({k: np.nan for k in SUMMARY_KEYS})
    row.update(status="error", error=f"{type(exc).__name__}: {exc}", seconds=seconds)
    return row


def _ok_row(task: dict, summary: dict, seconds: float) -> dict[str, Any]:
    row = _identity(task)
    row.update({k: summary.get(k, np.nan) for k in SUMMARY_KEYS})
    row.update(status="ok", error="", seconds=seconds)
    return row


def _run_batched(tasks: list[dict], config: RunConfig) -> RunBatch:
    """Every task through the compiled kernel; tables built once from the stacked arrays."""
    from ..batch import play, set_up_groups, set_up_run
    from ..outcomes import INT_COLUMNS, summarise_columns

    rows, blocks = [], []
    for group in set_up_groups(tasks):  # each group set up, then played, as simulate_batch does
        ready = []
        for task in group:
            started = time.perf_counter()
            try:
                scenario = config.base.replace(**task["params"])
                prepared = set_up_run(scenario, int(task["seed"]), config.steps)
            except Exception as exc:  # a failing run is data, not a crash
                prepared = exc
            ready.append((task, prepared, time.perf_counter() - started))
        for task, prepared, set_up_seconds in ready:
            if isinstance(prepared, Exception):
                rows.append(_error_row(task, prepared, set_up_seconds))
                continue
            started = time.perf_counter() - set_up_seconds  # a run's seconds: its set-up and its months
            try:
                out, columns = play(*prepared)
            except Exception as exc:
                rows.append(_error_row(task, exc, time.perf_counter() - started))
                continue
            summary = summarise_columns({c: out[:, k] for k, c in enumerate(columns)})
            rows.append(_ok_row(task, summary, time.perf_counter() - started))
            if config.timeseries:
                blocks.append((task["run_id"], out, columns))
    if not blocks:
        return RunBatch(rows=rows)
    columns = list(dict.fromkeys(c for _, _, cols in blocks for c in cols))
    steps = np.concatenate([np.arange(len(out)) for _, out, _ in blocks])
    data: dict[str, Any] = {
        "run_id": np.concatenate([np.full(len(out), rid, dtype=np.int64) for rid, out, _ in blocks]),
        "step": steps,
    }
    for c in columns:
        parts = [out[:, cols.index(c)] if c in cols else np.full(len(out), np.nan) for _, out, cols in blocks]
        col = np.concatenate(parts)
        data[c] = col.astype(np.int64) if c in INT_COLUMNS else col
    return RunBatch(rows=rows, timeseries=pd.DataFrame(data))


def _run_one(task: dict, config: RunConfig) -> tuple[dict, Any, Any]:
    from ..runs import run

    started = time.perf_counter()
    try:
        scenario = config.base.replace(**task["params"])
        res = run(scenario, steps=config.steps, seed=int(task["seed"]), engine=config.engine,
                  snapshot_steps=config.snapshots)
    except Exception as exc:  # a failing run is data, not a crash
        return _error_row(task, exc, time.perf_counter() - started), None, None
    row = _ok_row(task, res.summary, time.perf_counter() - started)
    ts = snaps = None
    if config.timeseries:
        ts = res.timeseries.reset_index()
        ts.insert(0, "run_id", task["run_id"])
    if len(res.snapshots):
        snaps = res.snapshots.copy()
        snaps.insert(0, "run_id", task["run_id"])
    return row, ts, snaps


def _batches(tasks: list[dict], size: int) -> list[list[dict]]:
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _tasks(plan: pd.DataFrame, names: list[str]) -> list[dict]:
    records = plan.to_dict("records")
    return [
        {"run_id": int(r["run_id"]), "sample": int(r["sample"]), "replicate": int(r["replicate"]),
         "seed": int(r["seed"]), "params": {n: _plain(r[n]) for n in names}}
        for r in records
    ]


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


class _Buffer:
    """Collects finished runs and writes them as one chunk when big or old enough."""

    def __init__(self, store: ResultStore, size: int, seconds: float) -> None:
        self.store, self.size, self.seconds = store, size, seconds
        self.rows: list[dict] = []
        self.ts: list[pd.DataFrame] = []
        self.snaps: list[pd.DataFrame] = []
        self.last = time.monotonic()
        self.failed = 0

    def add(self, batch: RunBatch) -> None:
        self.rows.extend(batch.rows)
        self.failed += sum(row["status"] != "ok" for row in batch.rows)
        if batch.timeseries is not None:
            self.ts.append(batch.timeseries)
        if batch.snapshots is not None:
            self.snaps.append(batch.snapshots)
        if len(self.rows) >= self.size or time.monotonic() - self.last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            tables = {"runs": pd.DataFrame(self.rows)}
            if self.ts:
                tables["timeseries"] = pd.concat(self.ts, ignore_index=True)
            if self.snaps:
                tables["snapshots"] = pd.concat(self.snaps, ignore_index=True)
            self.store.write_chunk(tables)
        self.rows, self.ts, self.snaps = [], [], []
        self.last = time.monotonic()


def _same_experiment(a: str, b: str) -> bool:
    """Whether two experiment texts mean the same (comments and layout may differ)."""
    import tomllib

    try:
        return tomllib.loads(a) == tomllib.loads(b)
    except tomllib.TOMLDecodeError:
        return a == b


def _prepare(store: ResultStore, exp: Experiment, overwrite: bool) -> pd.DataFrame:
    """Check or initialise the folder; return the plan."""
    import shutil

    root = store.root
    stored = root / "experiment.toml"
    if overwrite:
        for name in ("runs", "timeseries", "snapshots", "analysis"):
            shutil.rmtree(root / name, ignore_errors=True)
        for name in ("experiment.toml", "plan.parquet", "design.parquet", "manifest.json", "base_scenario.json"):
            (root / name).unlink(missing_ok=True)
    if stored.exists():
        if not _same_experiment(stored.read_text(encoding="utf-8"), exp.source):
            raise ScenarioError(
                f"--out {root}: holds results of a different experiment file; "
                "use another --out folder, or --overwrite to start again"
            )
    elif (root / "runs").exists() and any((root / "runs").iterdir()):
        raise ScenarioError(f"--out {root}: holds runs but no experiment.toml; use --overwrite or another folder")
    base_file = root / "base_scenario.json"
    if base_file.exists():
        import json

        now = json.loads(json.dumps(exp.base.to_dict(), default=str))
        try:
            stored_base = json.loads(base_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ScenarioError(f"--out {root}: base_scenario.json is damaged; use --overwrite to start again") \
                from None
        if stored_base != now:
            raise ScenarioError(
                f"--out {root}: the base scenario {exp.base_ref!r} has changed since these runs were made; "
                "use another --out folder, or --overwrite to start again"
            )
    store.clean()
    # written in this order, each atomically, so a kill at any point leaves a folder the next run completes
    if not stored.exists():
        write_atomic(stored, lambda tmp: tmp.write_text(exp.source, encoding="utf-8"))
    if not base_file.exists():
        write_json_atomic(base_file, exp.base.to_dict())
    plan_file = root / "plan.parquet"
    if not plan_file.exists():
        design = raw_design(exp)
        write_parquet_atomic(design.reset_index(), root / "design.parquet")
        write_parquet_atomic(run_plan(exp, design), plan_file)
    return read_parquet_file(plan_file)


def _progress(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="sweep", dynamic_ncols=True, smoothing=0.1)


def _wait_for_kernel(pool: Any, workers: int) -> None:
    """On a cold numba cache: compile the kernel here, or wait for the pool's workers to, under a notice."""
    from .first_use import compiling_notice

    with compiling_notice():
        if pool is None:
            from ..batch import warm_up

            warm_up()
        else:  # a worker takes a task only once its initializer has loaded (here: compiled) the kernel
            from concurrent.futures import wait

            wait([pool.submit(int) for _ in range(workers)])


def _start_worker(parent_pid: int) -> None:
    """A local worker's initializer: exit with the parent, and load the compiled kernel before the first batch.

    On a cold numba cache the parent has already started the one process that
    compiles ahead (:func:`~simulation.compiling.compile_ahead`); workers do not
    start one each.
    """
    from .. import compiling
    from ..batch import warm_up
    from .workers import exit_with_parent

    exit_with_parent(parent_pid)
    compiling.mark_started()
    warm_up()


def _start_pool(workers: int, start_method: str):
    """A pool of ``workers`` local processes, started now: they import and load the kernel while this one goes on."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..compiling import compile_ahead

    compile_ahead()  # on a cold cache, once for all the workers
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(start_method),
                               initializer=_start_worker, initargs=(os.getpid(),))
    for _ in range(workers):  # a pool starts a process per task it cannot place
        pool.submit(int)
    return pool


#: How often (seconds) the sweep checks its worker processes while no batch finishes, and how long a dead worker may
#: go unnoticed by the pool before the sweep gives the pool up itself.
WATCH_SECONDS, DEAD_WORKER_GRACE = 1.0, 5.0


def _dead_workers(pool: Any) -> list[tuple[int, int]]:
    """``(pid, exit code)`` of the pool's worker processes that have ended (the pool's own table of them)."""
    processes = getattr(pool, "_processes", None) or {}
    return [(p.pid, p.exitcode) for p in list(processes.values()) if p.exitcode is not None]


def _abandon(pool: Any) -> None:
    """Give up a pool one of whose workers died unnoticed: kill its workers and unblock its manager thread.

    A worker killed while it was sending a result leaves half a message in the
    pool's result pipe; the pool's manager thread then waits for the rest for
    ever and never reports the pool broken (the stall of a killed worker seen in
    2 of 62 trials). Killing the other workers and closing this process's copy
    of the pipe's writing end gives that thread an end of file: it marks the
    pool broken and exits, so nothing is left waiting at interpreter exit.
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
    pool.shutdown(wait=False, cancel_futures=True)


def _run_local(batches: list[list[dict]], config: RunConfig, workers: int, start_method: str,
               on_result: Callable[[RunBatch], None], pool: Any = None) -> None:
    """Run batches in a process pool (``pool``, or a new one); restart it (up to 3 times) if a worker process dies.

    A dead worker is noticed by the pool (``BrokenProcessPool``) or, should the
    pool miss it, by a watchdog here (:func:`_dead_workers`, checked every
    :data:`WATCH_SECONDS` while nothing finishes); either way the batches not
    yet finished are sent again to a new pool, with a warning naming the worker.
    """
    import warnings
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    if workers == 0:
        for b in batches:
            on_result(execute_runs(b, config))
        return
    pending = dict(enumerate(batches))
    restarts = 0
    while pending:  # workers exit if this process is killed (SIGKILL included): see workers.py
        pool = pool if pool is not None else _start_pool(workers, start_method)
        try:
            futures = {pool.submit(execute_runs, b, config): i for i, b in pending.items()}
            live = set(futures)
            dead_since = None
            while live:
                finished, live = wait(live, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
                for f in finished:
                    on_result(f.result())
                    del pending[futures[f]]
                dead = [] if finished else _dead_workers(pool)
                if dead:
                    dead_since = dead_since if dead_since is not None else time.monotonic()
                    if time.monotonic() - dead_since >= DEAD_WORKER_GRACE:
                        _abandon(pool)
                        raise BrokenProcessPool(f"worker process {dead[0][0]} ended (exit code {dead[0][1]}) and "
                                                "the pool did not notice")
            pool.shutdown(wait=False)  # every result is in: idle workers exit on their own
        except BrokenProcessPool as exc:
            _abandon(pool)
            pool = None
            restarts += 1
            if restarts > 3:
                raise RuntimeError(
                    "worker processes keep dying; finished runs are saved, re-run the same command to resume"
                ) from None
            warnings.warn(f"a sweep worker process died ({exc}); {len(pending)} unfinished batch(es) sent again to "
                          f"new workers (restart {restarts} of 3)", RuntimeWarning, stacklevel=2)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _run_dask(batches: list[list[dict]], config: RunConfig, scheduler: Any,
              on_result: Callable[[RunBatch], None]) -> None:
    """Run batches on a Dask cluster (address string, ``Client`` or cluster object)."""
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="20s") if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScenarioError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler there ({exc})") from None
    try:
        cfg = client.scatter(config, broadcast=True)
        futures = [client.submit(execute_runs, b, cfg, pure=False) for b in batches]
        try:
            for fut in as_completed(futures):
                on_result(fut.result())
                fut.release()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own:
            client.close()


def run_sweep(
    exp: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    flush_seconds: float = 5.0,
    batch_size: int | None = None,
    progress: bool = True,
    overwrite: bool = False,
    start_method: str = "spawn",
    limit: int | None = None,
) -> SweepReport:
    """Run (or resume) every missing run of an experiment, streaming results to ``out``.

    Parameters
    ----------
    exp : Experiment
    out : path
        Sweep folder; runs already recorded there are skipped.
    workers : int, optional
        Local worker processes (default: all cores; 0 runs in this process).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:port``) or client: run there instead.
    chunk_size : int, optional
        Runs per Parquet chunk (default: about 2% of the sweep, 5 to 200).
    flush_seconds : float
        Write a chunk at least this often while runs finish.
    batch_size : int, optional
        Runs per task sent to a worker (default: small enough to balance load).
    progress : bool
        Show a progress bar (runs done, rate, time left); on a cold numba cache, first a line saying the
        kernel is being compiled (:mod:`.first_use`), so the bar's time left starts after the compile.
    overwrite : bool
        Delete earlier results in ``out`` first.
    start_method : str
        Multiprocessing start method of local workers (default ``spawn``).
    limit : int, optional
        Run at most this many of the missing runs (for trials; resume finishes the rest).

    Returns
    -------
    SweepReport

    Raises
    ------
    ScenarioError
        If ``out`` holds a different experiment or is in use.
    """
    out = Path(out)
    made = not out.exists()
    store = ResultStore(out)
    store.lock()
    started_wall = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    pool = None
    try:
        n_workers = (os.cpu_count() or 1) if workers is None else workers
        if n_workers < 0:
            raise ScenarioError(f"--workers {workers}: expected an integer >= 0")
        from .. import compiling

        cold = progress and scheduler is None and not compiling.cache_is_warm()  # before anything compiles
        if scheduler is None and n_workers > 0:  # the workers start while the plan is prepared
            pool = _start_pool(n_workers, start_method)
        plan = _prepare(store, exp, overwrite)
        done_ids = store.completed()
        todo = plan[~plan["run_id"].isin(done_ids)]
        if limit is not None:
            todo = todo.iloc[:limit]
        where = f"dask:{scheduler}" if scheduler is not None else f"local:{n_workers}"
        session = {"started": started_wall, "where": where, "planned": len(todo), "skipped": len(done_ids)}
        _write_manifest(out, exp, plan, session, status="running")

        tasks = _tasks(todo, exp.names)
        parallel = max(1, n_workers if scheduler is None else 8)
        bsize = batch_size or max(1, min(50, math.ceil(len(tasks) / (parallel * 8))))
        csize = chunk_size or max(5, min(200, len(plan) // 50))
        config = RunConfig(exp.base, exp.steps, exp.engine, exp.snapshots, exp.timeseries)
        buffer = _Buffer(store, csize, flush_seconds)
        if cold and len(todo):
            _wait_for_kernel(pool, n_workers)  # the bar, and its time left, start after the compile
        bar = _progress(len(plan), len(done_ids), progress)
        counter = {"n": 0}

        def on_result(batch: RunBatch) -> None:
            buffer.add(batch)
            counter["n"] += len(batch.rows)
            if bar is not None:
                bar.update(len(batch.rows))
                if buffer.failed:
                    bar.set_postfix(failed=buffer.failed, refresh=False)

        status = "complete"
        try:
            batches = _batches(tasks, bsize)
            if scheduler is not None:
                _run_dask(batches, config, scheduler, on_result)
            else:
                _run_local(batches, config, n_workers, start_method, on_result, pool)
        except BaseException:
            status = "interrupted"
            raise
        finally:
            buffer.flush()
            if bar is not None:
                bar.close()
            seconds = time.perf_counter() - t0
            session.update(finished=datetime.now(UTC).isoformat(timespec="seconds"), runs=counter["n"],
                           seconds=round(seconds, 3), status=status)
            if status == "complete" and len(done_ids) + counter["n"] < len(plan):
                status = "partial"
            _write_manifest(out, exp, plan, session, status=status)
        keep = ["run_id", "sample", "replicate", "seed", *exp.names, "error"]
        runs = store.read("runs", columns=[*keep, "status"])
        errors = runs[runs["status"] != "ok"] if len(runs) else runs
        return SweepReport(out=out, total=len(plan), done=counter["n"], skipped=session["skipped"],
                           failed=len(errors), seconds=time.perf_counter() - t0,
                           errors=errors[keep].reset_index(drop=True) if len(errors) else pd.DataFrame(columns=keep))
    except BaseException:
        if made and not store.chunk_ids():  # a folder this call made and nothing finished in it: leave nothing
            import shutil

            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        if pool is not None:  # (already shut down when the runs finished)
            pool.shutdown(wait=False, cancel_futures=True)
        store.unlock()


_SEED_RULE = "numpy.random.SeedSequence(master_seed, spawn_key=({key})).generate_state(1, uint64)>>1"


def _write_manifest(out: Path, exp: Experiment, plan: pd.DataFrame, session: dict, status: str) -> None:
    path = out / "manifest.json"
    sessions: list[dict] = []
    if path.exists():
        import json

        try:
            sessions = json.loads(path.read_text(encoding="utf-8")).get("sessions", [])
        except (ValueError, OSError):
            sessions = []
    if sessions and sessions[-1].get("started") == session["started"] and sessions[-1].get("status") == "running":
        sessions[-1] = dict(session, status=status)
    else:
        sessions.append(dict(session, status=status))
    total_seconds = sum(s.get("seconds", 0.0) for s in sessions)
    data = manifest(
        command="sweep",
        status=status,
        experiment={"name": exp.name, "path": exp.path, "sha256": exp.digest, "text": exp.source},
        design=exp.design,
        parameters=exp.names,
        samples=int(plan["sample"].nunique()),
        replicates=exp.replicates,
        runs=len(plan),
        steps=exp.steps,
        master_seed=exp.seed,
        seed_rule=(_SEED_RULE.format(key="draw, replicate") + " (every lever setting of a draw on the same seeds)"
                   if exp.design == "robustness" else _SEED_RULE.format(key="sample, replicate")),
        seeds=[int(s) for s in plan.sort_values("run_id")["seed"]],
        files={"plan": "plan.parquet", "design": "design.parquet", "runs": "runs/", "timeseries": "timeseries/",
               "snapshots": "snapshots/"},
        sessions=sessions,
        seconds=round(total_seconds, 3),
    )
    write_json_atomic(path, data)
