"""Faults around the outputs and processes: full disk, read-only or over-long paths, damaged stores, killed processes.

Every failure must end in one ``error:`` line naming the path (exit code 2)
and leave nothing half-written; a killed sweep worker must not stall the
sweep; the dashboard's server must die with the command that started it.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from simulation.cli import main
from simulation.experiments import runner
from simulation.manifest import write_json_atomic
from simulation.outputs import OutputError, OutputFolder

RUN = ["run", "--steps", "6", "--set", "organisations={nhs_trust=2, council=2, voluntary=6}"]
SWEEP = """
name = "faults"
[base]
set = { organisations = { nhs_trust = 2, council = 2, voluntary = 6 } }
[run]
steps = 6
[parameters]
contact_rate = [0.5, 2.0]
"""


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _one_error_line(capsys) -> str:
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_full_disk_during_run_leaves_nothing_and_says_so_in_one_line(tmp_path, capsys, monkeypatch, fmt):
    out = tmp_path / "results" / "run"
    writer = "to_parquet" if fmt == "parquet" else "to_csv"
    calls = []
    real = getattr(pd.DataFrame, writer)

    def second_file_fails(self, path, *args, **kwargs):  # the time series is written, the summary hits a full disk
        calls.append(path)
        if len(calls) == 2:
            _full_disk()
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, writer, second_file_fails)
    assert main([*RUN, "--out", str(out), "--format", fmt]) == 2
    assert _one_error_line(capsys) == f"error: cannot write {out / ('summary.' + fmt)}: No space left on device"
    assert not (tmp_path / "results").exists()  # the folders it made went too: nothing half-written


def test_a_read_only_folder_is_reported_in_one_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:  # root ignores permissions: refuse the write as a read-only file system would
        real_mkdir = Path.mkdir

        def read_only(self, *args, **kwargs):
            if folder in self.parents:
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", read_only)
    try:
        assert main([*RUN, "--out", str(folder / "out")]) == 2
    finally:
        folder.chmod(0o755)
    line = _one_error_line(capsys)
    assert line.startswith(f"error: cannot write {folder / 'out'}: ") and ("denied" in line or "Read-only" in line)
    assert _files(folder) == []


def test_an_over_long_or_occupied_out_path_is_reported_in_one_line(tmp_path, capsys):
    long = tmp_path / ("x" * 300) / "run"
    assert main([*RUN, "--out", str(long)]) == 2
    assert _one_error_line(capsys).endswith("File name too long")
    occupied = tmp_path / "a_file"
    occupied.write_text("mine")
    assert main([*RUN, "--out", str(occupied)]) == 2
    assert _one_error_line(capsys) == f"error: cannot write {occupied}: it exists and is not a folder"
    assert occupied.read_text() == "mine"


def test_the_manifest_is_strict_json(tmp_path):
    path = write_json_atomic(tmp_path / "manifest.json", {"a": float("nan"), "b": [np.float64("inf"), 1.5],
                                                           "c": np.int64(3), "d": (1, 2)})
    data = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert data == {"a": None, "b": [None, 1.5], "c": 3, "d": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_output_folder_removes_staged_files_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError), OutputFolder(tmp_path / "new" / "out") as folder:
        folder.write_text("a.txt", "a")
        raise RuntimeError("boom")
    assert _files(tmp_path) == []
    with pytest.raises(OutputError, match=r"cannot write .*b.txt: No space left on device"), \
            OutputFolder(tmp_path / "o") as folder:
        folder.write_text("a.txt", "a")
        folder.write("b.txt", _full_disk)
    assert _files(tmp_path) == []


def test_a_full_disk_during_a_sweep_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    exp = tmp_path / "exp.toml"
    exp.write_text(SWEEP)
    out = tmp_path / "sweep"
    monkeypatch.setattr(pq, "write_table", _full_disk)
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 2
    assert "No space left on device" in _one_error_line(capsys)
    assert not out.exists()  # made by this sweep, nothing finished in it: removed, lock file included
    monkeypatch.undo()
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(pq, "write_table", _full_disk)
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet", "--overwrite"]) == 2
    _one_error_line(capsys)
    assert not [f for f in _files(out) if f.endswith(".tmp")]


def test_analyse_writes_all_or_nothing_and_refuses_a_damaged_store(tmp_path, capsys, monkeypatch):
    exp = tmp_path / "exp.toml"
    exp.write_text(SWEEP)
    out = tmp_path / "sweep"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    capsys.readouterr()
    real = pd.DataFrame.to_csv

    def full_after_first(self, path, *args, **kwargs):
        if "sensitivity" in str(path):
            _full_disk()
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_after_first)
    assert main(["analyse", str(out), "--no-plots"]) == 2
    assert _one_error_line(capsys) == f"error: cannot write {out / 'analysis' / 'sensitivity.csv'}: No space left " \
                                      "on device"
    assert not (out / "analysis").exists()
    monkeypatch.undo()
    chunk = next((out / "runs").glob("chunk-*.parquet"))
    chunk.write_bytes(b"PAR1 this is not parquet")
    assert main(["analyse", str(out), "--no-plots"]) == 2
    assert f"{chunk}: not a readable results file" in _one_error_line(capsys)


class _DeadProcess:
    pid, exitcode = 4242, -9

    def kill(self):
        pass


class _Pool:
    """A stand-in process pool: ``stuck`` pools never finish and report a dead worker; others run at once."""

    def __init__(self, stuck: bool) -> None:
        self.stuck = stuck
        self._processes = {1: _DeadProcess()} if stuck else {}

    def submit(self, fn, *args):
        future = Future()
        if not self.stuck:
            future.set_result(fn(*args))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_dead_worker_the_pool_misses_is_caught_and_its_batches_sent_again(monkeypatch):
    monkeypatch.setattr(runner, "WATCH_SECONDS", 0.01)
    monkeypatch.setattr(runner, "DEAD_WORKER_GRACE", 0.05)
    monkeypatch.setattr(runner, "execute_runs", lambda batch, config: batch)
    monkeypatch.setattr(runner, "_start_pool", lambda workers, method: _Pool(stuck=False))
    got = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runner._run_local([[1, 2], [3]], None, 2, "spawn", got.append, pool=_Pool(stuck=True))
    assert sorted(got) == [[1, 2], [3]]  # every batch once, from the new pool
    assert any("worker process 4242 ended (exit code -9)" in str(w.message) for w in caught)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_dashboard_server_dies_with_a_killed_parent(tmp_path):
    # the dashboard command starts its server with this preexec_fn; here the server is a sleeping child
    script = ("import subprocess, sys, time\n"
              "from simulation.experiments.workers import kill_with_parent\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
              " preexec_fn=kill_with_parent)\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))
    child = int(parent.stdout.readline())
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.05)
        assert not _alive(child), "the server outlived its killed parent"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def test_the_dashboard_command_arms_the_parent_death_signal(monkeypatch, capsys):
    import argparse
    import importlib.util

    from simulation.commands import dashboard
    from simulation.experiments.workers import kill_with_parent

    seen = {}

    class FakePopen:
        def __init__(self, cmd, env=None, preexec_fn=None):
            seen["preexec_fn"] = preexec_fn

        def wait(self):
            return 0

    monkeypatch.setattr(dashboard.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    assert dashboard.cmd_dashboard(argparse.Namespace(host="localhost", port=8765, open=False)) == 0
    capsys.readouterr()
    assert seen["preexec_fn"] is (kill_with_parent if sys.platform.startswith("linux") else None)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process table from /proc")
def test_killing_one_sweep_worker_does_not_stall_the_sweep(tmp_path):
    psutil = pytest.importorskip("psutil")
    exp = tmp_path / "exp.toml"
    exp.write_text(SWEEP.replace("steps = 6", "steps = 240\ntimeseries = false").replace(
        "contact_rate = [0.5, 2.0]", "contact_rate = [0.5, 1.0, 2.0, 3.0]\n[design]\nreplicates = 100"))
    out = tmp_path / "out"
    sweep = subprocess.Popen([sys.executable, "-m", "simulation", "sweep", str(exp), "--out", str(out), "--workers",
                              "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))
    try:
        deadline, workers = time.monotonic() + 60, set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {c.pid for c in psutil.Process(sweep.pid).children()  # the pool's workers, not the
                       if not any(helper in " ".join(c.cmdline())  # resource tracker or the kernel's compiler
                                  for helper in ("resource_tracker", "simulation.compiling"))}
            time.sleep(0.1)
        assert len(workers) >= 2, "the sweep did not start its two workers"
        time.sleep(1.0)
        os.kill(min(workers), signal.SIGKILL)
        _, stderr = sweep.communicate(timeout=120)  # a stall would time out here
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert sweep.returncode == 0, stderr
    assert "a sweep worker process died" in stderr  # the kill hit a live pool, which was replaced
    from simulation.experiments import read_table

    assert sorted(read_table(out)["run_id"]) == list(range(400))  # every run once: none lost, none twice
