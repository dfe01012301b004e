"""First use: the kernel compiles once per signature, and the second process's work is what a run needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from simulation import compiling

FIRST_USE = """
import json
import numba
from numba.core import event
from simulation import Scenario, TrustModel, compiling, kernel, run

compiling.mark_started()  # this test compiles the second process's share itself, in this process
cold = not compiling.cache_is_warm()
compiling.compile_callees()  # what `python -m simulation.compiling` does
recorder = event.RecordingListener()
event.register("numba:compile", recorder)
run(Scenario(), steps=3, seed=0)
TrustModel(rng=0).run(2)
compiled = sorted({e.data["dispatcher"].py_func.__name__ for _, e in recorder.buffer
                   if e.is_start and "dispatcher" in e.data})
def given(signature):  # how many arguments a call passed (a rule called without its defaults omits them)
    return sum(not isinstance(t, numba.core.types.Omitted) for t in signature)
twice = sorted(name for name, f in vars(kernel).items() if isinstance(f, numba.core.registry.CPUDispatcher)
               and len({given(s) for s in f.signatures}) < len(f.signatures))  # two type lists for one call
print(json.dumps({"cold": cold, "warm": compiling.cache_is_warm(), "compiled": compiled, "twice": twice}))
"""


def test_a_first_run_loads_the_second_process_share_and_compiles_nothing_twice(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", FIRST_USE], env=env, capture_output=True, text=True, check=True,
                         timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["cold"] and result["warm"]
    assert "advance" in result["compiled"]  # the run compiled the rest of the kernel ...
    assert not set(compiling.AHEAD) & set(result["compiled"])  # ... but loaded the second process's share
    assert result["twice"] == []  # no kernel function compiled for two signatures (a literal argument does that)


def test_compile_ahead_starts_at_most_once_and_never_on_one_core(monkeypatch):
    monkeypatch.setattr(compiling, "_started", False)
    monkeypatch.setattr(compiling, "usable_cpus", lambda: 1)
    assert compiling.compile_ahead() is False
    monkeypatch.setattr(compiling, "usable_cpus", lambda: 2)
    assert compiling.compile_ahead() is False  # already decided in this process


def test_compile_ahead_starts_nothing_on_a_warm_cache(monkeypatch):
    monkeypatch.setattr(compiling, "_started", False)
    monkeypatch.setattr(compiling, "usable_cpus", lambda: 2)
    monkeypatch.setattr(compiling, "cache_is_warm", lambda: True)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    assert compiling.compile_ahead() is False


def test_the_signatures_are_numba_types_of_every_function_ahead():
    signatures = compiling.callee_signatures()
    assert list(signatures) == list(compiling.AHEAD)
    assert all(len(s) == getattr(compiling.kernel, name).py_func.__code__.co_argcount
               for name, s in signatures.items())


def test_a_process_marked_started_starts_no_second_process(monkeypatch):
    """A sweep's workers: their parent started the one process that compiles ahead."""
    monkeypatch.setattr(compiling, "_started", False)
    monkeypatch.setattr(compiling, "usable_cpus", lambda: 2)
    monkeypatch.setattr(compiling, "cache_is_warm", lambda: False)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    compiling.mark_started()
    assert compiling.compile_ahead() is False


def test_the_second_process_imports_this_package_whatever_the_working_directory(monkeypatch, tmp_path):
    """``python -m`` puts the working directory first on the path: a ``simulation`` there would shadow this one."""
    (tmp_path / "simulation").mkdir()
    (tmp_path / "simulation" / "__init__.py").write_text("raise ImportError('the wrong package')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(compiling, "_started", False)
    monkeypatch.setattr(compiling, "usable_cpus", lambda: 2)
    monkeypatch.setattr(compiling, "cache_is_warm", lambda: False)
    started = {}

    class Process:
        def wait(self):
            return 0

    def popen(args, **kwargs):
        started.update(args=args, **kwargs)
        return Process()

    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", popen)
    assert compiling.compile_ahead() is True
    monkeypatch.setattr(subprocess, "Popen", real_popen)
    assert started["args"][1:] == ["-m", "simulation.compiling"]
    assert Path(started["cwd"]) == Path(compiling.__file__).resolve().parents[1]
    finder = subprocess.run([sys.executable, "-c", "import simulation; print(simulation.__file__)"],
                            cwd=started["cwd"], env=started["env"], capture_output=True, text=True, check=True)
    assert Path(finder.stdout.strip()).resolve() == Path(compiling.__file__).resolve().with_name("__init__.py")
