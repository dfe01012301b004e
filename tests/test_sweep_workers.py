"""A sweep's worker processes exit when the sweep is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process table from /proc")

LONG = """
name = "long"
[base]
set = { organisations = { nhs_trust = 4, council = 3, voluntary = 12 } }
[design]
replicates = 400
[run]
steps = 240
seed = 3
timeseries = false
[parameters]
contact_rate = [0.5, 1.0, 2.0, 3.0]
"""


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid``."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry.name))
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_exit_after_the_parent_is_killed(tmp_path):
    exp = tmp_path / "long.toml"
    exp.write_text(LONG)
    parent = subprocess.Popen(
        [sys.executable, "-m", "simulation", "sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "2",
         "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            # spawn workers are children of the sweep (the resource tracker is one too: ignore it)
            workers = {p for p in children(parent.pid) if "resource_tracker" not in cmdline(p)}
            time.sleep(0.2)
        assert len(workers) >= 2, "the sweep did not start its two workers"
        time.sleep(1.0)  # let the workers finish importing and run their initializer
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(p) for p in workers):
            time.sleep(0.1)
        left = [p for p in workers if alive(p)]
        assert not left, f"worker processes {left} outlived the killed sweep"
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in workers:  # never leave a process behind, even if the test fails
            if alive(p):
                os.kill(p, signal.SIGKILL)
