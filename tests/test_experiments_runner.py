"""The sweep runner: determinism across workers and Dask, failures as data, resume after a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation import ScenarioError
from simulation.experiments import ResultStore, execute_runs, load_experiment, read_table, run_sweep
from simulation.experiments.runner import RunConfig

ROOT = Path(__file__).resolve().parents[1]

EXPERIMENT = """
name = "tiny"
[base]
set = {{ organisations = {{ nhs_trust = 4, council = 3, voluntary = 12 }} }}
[design]
method = "{method}"
samples = 8
replicates = {replicates}
[run]
steps = {steps}
seed = 11
snapshots = {snapshots}
[parameters]
contact_rate = {{ low = 0.5, high = 2.0, num = 3 }}
open_book = {{ low = 0.0, high = 1.0, num = 2 }}
"""


def make(tmp_path: Path, method="grid", replicates=2, steps=12, snapshots="[12]", name="exp.toml"):
    path = tmp_path / name
    path.write_text(EXPERIMENT.format(method=method, replicates=replicates, steps=steps, snapshots=snapshots))
    return load_experiment(path)


def tables(out: Path) -> dict[str, pd.DataFrame]:
    runs = read_table(out, "runs").drop(columns=["seconds"])
    return {"runs": runs, "timeseries": read_table(out, "timeseries"), "snapshots": read_table(out, "snapshots")}


def assert_same(a: dict, b: dict) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=True, obj=name)


@pytest.fixture
def small_base():
    from simulation import Scenario

    return Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10})


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny grid sweep run in this process: the yardstick."""
    tmp = tmp_path_factory.mktemp("ref")
    exp = make(tmp)
    report = run_sweep(exp, tmp / "out", workers=0, progress=False)
    assert report.done == 12 and report.failed == 0
    return exp, tables(tmp / "out")


def test_layout_and_manifest(reference, tmp_path):
    exp, ref = reference
    assert len(ref["runs"]) == 12 and ref["runs"]["run_id"].is_unique
    assert len(ref["timeseries"]) == 12 * 13
    assert set(ref["snapshots"]["step"]) == {12}
    out = tmp_path / "out"
    run_sweep(exp, out, workers=0, progress=False)
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and m["runs"] == 12 and m["master_seed"] == 11
    assert m["seeds"] == read_table(out, "runs")["seed"].tolist()
    assert m["version"] and m["experiment"]["sha256"] == exp.digest
    assert (out / "experiment.toml").read_text() == exp.source


def test_one_and_two_workers_give_identical_tables(reference, tmp_path):
    exp, ref = reference
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        run_sweep(exp, out, workers=workers, progress=False, chunk_size=3, batch_size=1)
        assert_same(tables(out), ref)


@pytest.mark.slow
def test_local_and_dask_localcluster_give_identical_tables(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    exp, ref = reference
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        report = run_sweep(exp, out, scheduler=cluster.scheduler_address, progress=False, batch_size=2)
        assert report.done == 12
    assert_same(tables(out), ref)


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[base]\nset = { organisations = { nhs_trust = 4, council = 3, voluntary = 12 } }\n'
        '[design]\nreplicates = 2\n[run]\nsteps = 6\n'
        "[parameters]\ngain_rate = [0.08, 0.5]\nnegativity_bias = [2.5]\n"  # 0.5 * 2.5 > 1: invalid combination
    )
    exp = load_experiment(path)
    report = run_sweep(exp, tmp_path / "out", workers=0, progress=False)
    assert report.total == 4 and report.failed == 2
    runs = read_table(tmp_path / "out")
    bad = runs[runs["status"] == "error"]
    assert list(bad["gain_rate"]) == [0.5, 0.5]
    assert bad["error"].str.contains("ScenarioError: dynamics.negativity_bias").all()
    assert runs.loc[runs["status"] == "ok", "final_integration"].notna().all()
    assert list(report.errors["run_id"]) == list(bad["run_id"])
    # failed runs count as done: a re-run does not repeat them
    again = run_sweep(exp, tmp_path / "out", workers=0, progress=False)
    assert again.done == 0 and again.skipped == 4


def test_resume_runs_only_the_missing_runs(reference, tmp_path):
    exp, ref = reference
    out = tmp_path / "out"
    first = run_sweep(exp, out, workers=0, progress=False, limit=5, chunk_size=2)
    assert first.done == 5
    assert json.loads((out / "manifest.json").read_text())["status"] == "partial"
    second = run_sweep(exp, out, workers=0, progress=False, chunk_size=2)
    assert (second.done, second.skipped) == (7, 5)
    assert_same(tables(out), ref)
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 2


def test_uncommitted_chunks_and_temp_files_are_ignored_and_cleaned(reference, tmp_path):
    exp, ref = reference
    out = tmp_path / "out"
    run_sweep(exp, out, workers=0, progress=False, limit=4)
    # a chunk killed between its time series and its runs file, and a half-written file
    orphan = ref["timeseries"][ref["timeseries"]["run_id"] == 9]
    orphan.to_parquet(out / "timeseries" / "chunk-99999999T000000000000-deadbeef.parquet")
    (out / "runs" / ".chunk-x.parquet.123.tmp").write_bytes(b"PAR1 half a file")
    assert 9 not in set(read_table(out, "timeseries")["run_id"])
    run_sweep(exp, out, workers=0, progress=False)
    assert not list(out.rglob("*.tmp"))
    assert not (out / "timeseries" / "chunk-99999999T000000000000-deadbeef.parquet").exists()
    assert_same(tables(out), ref)


def test_a_different_experiment_or_a_busy_folder_is_refused(reference, tmp_path):
    exp, _ = reference
    out = tmp_path / "out"
    run_sweep(exp, out, workers=0, progress=False, limit=1)
    other = make(tmp_path, steps=14, name="other.toml")
    with pytest.raises(ScenarioError, match="different experiment"):
        run_sweep(other, out, workers=0, progress=False)
    held = ResultStore(out)
    held.lock()
    try:
        with pytest.raises(ScenarioError, match="another sweep is writing"):
            run_sweep(exp, out, workers=0, progress=False)
    finally:
        held.unlock()
    report = run_sweep(other, out, workers=0, progress=False, overwrite=True)
    assert report.done == report.total == 12


def test_a_changed_base_scenario_is_refused_on_resume(tmp_path):
    base = tmp_path / "place.toml"
    base.write_text("[place]\norganisations = { nhs_trust = 4, council = 3, voluntary = 12 }\n")
    path = tmp_path / "exp.toml"
    path.write_text('[base]\nscenario = "place.toml"\n[run]\nsteps = 6\n[parameters]\ncontact_rate = [0.5, 1.0]\n')
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=0, progress=False, limit=1)
    path.write_text(path.read_text() + "# a comment does not change the experiment\n")
    assert run_sweep(load_experiment(path), out, workers=0, progress=False, limit=0).skipped == 1
    base.write_text(base.read_text() + "[dynamics]\ncontact_rate = 3.0\n")
    with pytest.raises(ScenarioError, match=r"base scenario 'place\.toml' has changed"):
        run_sweep(load_experiment(path), out, workers=0, progress=False)


def test_execute_runs_is_deterministic_and_never_raises(reference):
    exp, ref = reference
    config = RunConfig(exp.base, exp.steps, snapshots=exp.snapshots)
    row = ref["runs"].iloc[7]
    task = {"run_id": 7, "sample": int(row["sample"]), "replicate": int(row["replicate"]), "seed": int(row["seed"]),
            "params": {"contact_rate": float(row["contact_rate"]), "open_book": float(row["open_book"])}}
    (got,) = execute_runs([task], config).rows
    assert got["final_mean_trust"] == row["final_mean_trust"]
    assert got["months_to_50"] == row["months_to_50"] or pd.isna(row["months_to_50"])
    failed = execute_runs([dict(task, params={"contact_rate": -1.0})], config)
    (bad,) = failed.rows
    assert bad["status"] == "error" and "contact_rate" in bad["error"] and failed.timeseries is None


def test_a_batch_of_any_parameters_runs_batched_with_tables_equal_to_stepped_models(small_base):
    """Every task of a batch, whatever its parameters, through the kernel; rows and tables equal a stepped model's."""
    from simulation import TrustModel

    config = RunConfig(small_base, 24)
    tasks = [{"run_id": r, "sample": r // 2, "replicate": r % 2, "seed": 100 + r,
              "params": {"open_book": 0.25 * r, "contact_rate": 0.5 + r}} for r in range(4)]
    got = execute_runs(tasks, config)
    assert len(got.timeseries) == 4 * 25
    for task, row in zip(tasks, got.rows):
        model = TrustModel(small_base.replace(**task["params"]), rng=task["seed"])
        model.run(24)
        assert row["status"] == "ok" and row["final_mean_trust"] == model.summary()["final_mean_trust"]
        ts = got.timeseries[got.timeseries["run_id"] == task["run_id"]]
        pd.testing.assert_frame_equal(ts.drop(columns="run_id").set_index("step"), model.timeseries())
    # an invalid parameter set is recorded with its error; the others in the batch still run
    mixed = execute_runs([dict(tasks[0], params={"gain_rate": 0.9}), tasks[1]], config)
    assert [r["status"] for r in mixed.rows] == ["error", "ok"] and "negativity_bias" in mixed.rows[0]["error"]
    assert set(mixed.timeseries["run_id"]) == {1}


def _long_sweep(tmp_path: Path, name: str, seed: int) -> tuple[list[str], Path]:
    """A sweep of 240 runs, long enough to be interrupted (a second or two); its command and output folder."""
    path = tmp_path / f"{name}.toml"
    path.write_text(
        '[base]\nset = { organisations = { nhs_trust = 4, council = 3, voluntary = 60 } }\n'
        f'[design]\nreplicates = 40\n[run]\nsteps = 60\nseed = {seed}\n'
        "[parameters]\ncontact_rate = [0.5, 1.0, 2.0]\nopen_book = [0.0, 1.0]\n"
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simulation", "sweep", str(path), "--out", str(out), "--workers", "2",
           "--chunk-size", "4", "--quiet"]
    return cmd, out


def _as_from_a_terminal() -> None:
    """Ctrl-C's default action in the child, as a terminal gives it (a shell's background job starts with it ignored,
    and Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(cmd: list[str]) -> subprocess.Popen:
    """The sweep in its own process group, so a signal reaches it and its workers as from a terminal."""
    return subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_as_from_a_terminal)


def _chunks(out: Path) -> int:
    return len(list((out / "runs").glob("chunk-*.parquet"))) if (out / "runs").exists() else 0


@pytest.mark.slow
def test_sigkill_midway_then_resume_loses_and_duplicates_nothing(tmp_path):
    cmd, out = _long_sweep(tmp_path, "kill", 3)
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if _chunks(out) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, as kill -9 would
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = read_table(out, "runs")
    assert 0 < len(partial) < 240 and partial["run_id"].is_unique
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(partial)} already done" in again.stdout
    for f in out.rglob("*.parquet"):  # every file is complete and readable
        pd.read_parquet(f)
    runs = read_table(out, "runs")
    assert sorted(runs["run_id"]) == list(range(240))
    ts = read_table(out, "timeseries")
    assert len(ts) == 240 * 61 and not ts.duplicated(["run_id", "step"]).any()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    # the runs done before the kill are what an uninterrupted sweep gives
    exp = load_experiment(tmp_path / "kill.toml")
    sample = partial.sample(5, random_state=0)
    config = RunConfig(exp.base, exp.steps)
    tasks = [{"run_id": int(r.run_id), "sample": int(r.sample), "replicate": int(r.replicate), "seed": int(r.seed),
              "params": {"contact_rate": float(r.contact_rate), "open_book": float(r.open_book)}}
             for r in sample.itertuples()]
    fresh = pd.DataFrame(execute_runs(tasks, config).rows)
    pd.testing.assert_series_equal(fresh["final_mean_trust"], sample["final_mean_trust"].reset_index(drop=True))


@pytest.mark.slow
def test_ctrl_c_saves_finished_runs_and_the_same_command_resumes(tmp_path):
    cmd, out = _long_sweep(tmp_path, "int", 4)
    proc = _start(cmd)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if _chunks(out) >= 2:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "re-run the same command to resume" in err
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "interrupted"
    saved = read_table(out, "runs")
    assert 0 < len(saved) < 240 and saved["run_id"].is_unique
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(read_table(out, "runs")["run_id"]) == list(range(240))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def _workers_of(pid: int) -> list[int]:
    """Pids of the spawned pool workers of a process (Linux /proc), not its resource tracker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "spawn_main" in cmdline:
                found.append(int(child))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_crashed_worker_process_is_replaced_and_no_run_is_lost(tmp_path):
    cmd, out = _long_sweep(tmp_path, "crash", 6)
    proc = _start(cmd)
    try:
        deadline = time.monotonic() + 120
        killed = None
        while time.monotonic() < deadline and proc.poll() is None:
            if _chunks(out) >= 2:
                workers = _workers_of(proc.pid)
                if workers:
                    killed = workers[0]
                    os.kill(killed, signal.SIGKILL)  # a worker dies mid-sweep (OOM killer, segfault, ...)
                    break
            time.sleep(0.02)
        assert killed is not None, "no worker process to kill before the sweep finished"
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, err
    runs = read_table(out, "runs")
    assert sorted(runs["run_id"]) == list(range(240)) and (runs["status"] == "ok").all()
    assert not read_table(out, "timeseries").duplicated(["run_id", "step"]).any()


@pytest.mark.parametrize("warm", [False, True])
def test_a_cold_cache_is_announced_before_the_progress_bar(tmp_path, capsys, monkeypatch, warm):
    from simulation import batch, compiling
    from simulation.experiments.first_use import COMPILING

    calls = []
    real_warm_up = batch.warm_up

    def warm_up():
        calls.append(time.perf_counter())
        time.sleep(0.6)  # long enough for the spinner to turn
        real_warm_up()

    monkeypatch.setattr(compiling, "cache_is_warm", lambda: warm)
    monkeypatch.setattr(batch, "warm_up", warm_up)
    report = run_sweep(make(tmp_path), tmp_path / "out", workers=0, progress=True)
    err = capsys.readouterr().err
    assert report.done == 12
    if warm:
        assert COMPILING not in err and not calls
        return
    assert COMPILING == "compiling the kernel (first use only, about 20 s)" and len(calls) == 1
    assert err.index(COMPILING) < err.index("sweep:")  # the notice first, then the bar
    assert "done" in err[err.index(COMPILING):err.index("sweep:")]
    # a resumed sweep with nothing left to run compiles nothing and says nothing
    run_sweep(make(tmp_path), tmp_path / "out", workers=0, progress=True)
    assert COMPILING not in capsys.readouterr().err and len(calls) == 1
