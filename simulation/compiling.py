"""First use: numba compiles the kernel once per machine; on a cold cache, in two processes at once.

Compiling :func:`~simulation.kernel.advance` and everything it calls takes
20 to 30 s on one core; later starts load it from numba's on-disk cache in
about a second. When a process is about to run the kernel and the cache is
cold, :func:`compile_ahead` starts ``python -m simulation.compiling`` beside
it (from :func:`~simulation.setup.resolve_setup`, before the set-up's own
compiled draws): that process compiles the functions ``advance`` calls last,
the pair loop and the introductions the largest of them (:data:`AHEAD`), for
the argument types a run passes them, and writes them to the cache, while this
process compiles the rest. When this process reaches them it loads them from
the cache instead of compiling them. (A function the run needs early, such as
the outcome row of its initial state, would not be ready in time: this
process would compile it too, and the second one would deliver the rest later.)

Nothing here changes a number: the second process only fills numba's
cache, and a function it has not finished is compiled here as before. With
one usable core, or a warm cache, nothing is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from . import kernel

__all__ = ["AHEAD", "NOTICE", "cache_is_warm", "compile_ahead", "compile_callees", "callee_signatures", "mark_started"]

AHEAD = ("_relationships_month", "_turnover", "_learning_month", "_chosen_introductions")  # compiled in the
# second process, in the order the run reaches them, late in compiling advance: functions the run needs earlier
# (the outcome row for its initial state) it compiles itself before the second process could deliver them

_started = False

#: What a command says before it compiles the kernel on a cold cache.
NOTICE = "compiling the kernel (first use only, about 20 s)"


def usable_cpus() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cache_is_warm() -> bool:
    """Whether numba's cache already has an index for this version of :func:`~simulation.kernel.advance`.

    Looks for the index file numba writes beside its cached code (named after
    the function and its first line); if numba ever names it otherwise, the
    cache looks cold and the second process merely loads what is cached.
    """
    if not hasattr(kernel.advance, "py_func"):  # numba's JIT is disabled: nothing compiles
        return True
    line = kernel.advance.py_func.__code__.co_firstlineno
    return any(Path(kernel.advance.stats.cache_path).glob(f"*advance-{line}.py*.nbi"))


def mark_started() -> None:
    """Let this process start no second process: another one has (a sweep's parent, for its workers)."""
    global _started
    _started = True


def compile_ahead() -> bool:
    """Start compiling :data:`AHEAD` in a second process if the cache is cold (at most once per process).

    Returns whether it started one.
    """
    global _started
    if _started:
        return False
    _started = True
    if usable_cpus() < 2 or cache_is_warm():
        return False
    package_root = str(Path(__file__).resolve().parent.parent)  # run there: ``-m`` puts the working directory first
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "simulation.compiling"], env=env, cwd=package_root,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:  # cannot start a process here: compile everything in this one
        return False
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped when done
    return True


def callee_signatures() -> dict[str, tuple]:
    """The numba argument types :func:`~simulation.kernel.advance` calls each function of :data:`AHEAD` with.

    Taken from a small state built with the classes every run builds
    (:class:`~simulation.relationships.Leaders`,
    :class:`~simulation.relationships.Relationships`, as
    :func:`~simulation.setup.build_state` does, without its compiled draws:
    this process compiles little before :data:`AHEAD`), so they are the
    types of a real run. ``tests/test_compiling.py`` checks that a run after
    :func:`compile_callees` compiles none of them again.
    """
    import numba

    from .relationships import Leaders, Relationships

    n = 3
    rel = Relationships.from_pairs(np.array([[0, 1], [0, 2], [1, 2]]), np.full(6, 0.5), np.ones(3))
    leaders = Leaders(kind=np.zeros(n, dtype=np.int64), kind_names=["council"], sector=np.zeros(n, dtype=np.int64),
                      statutory=np.ones(n, dtype=bool), contact_weight=np.ones(n), raw_traits=np.full((4, n), 0.5),
                      capacity=np.full(n, 8, dtype=np.int64))
    rng = np.random.default_rng(0)
    b, n_pairs = rel.buffers, rel.n_pairs
    prm = np.zeros(len(kernel.KERNEL_PARAMETERS))
    counts = np.zeros(3, dtype=np.int64)
    orgs = kernel.organisations_of(leaders)
    work = kernel.leader_work(n)
    groups = kernel.GroupMeetings(0, 0, np.zeros(n, dtype=np.int64))
    args = {
        "_chosen_introductions": (rng, b.pairs, b.trust, n_pairs, leaders.capacity, prm,
                                  kernel.introduction_work(kernel.candidate_scratch(n), n, 0.0), counts, b.shared_role),
        "_relationships_month": (rng, b, n_pairs, orgs, prm, kernel.no_evidence_table(prm),
                                 kernel.pair_cache(b.pairs.shape[0]), groups, counts,
                                 np.zeros(len(kernel.HOURS_OUTCOMES))),
        "_turnover": (rng, b, n_pairs, orgs, np.full((1, 4, 2), 2.0), prm, work, counts),
        "_learning_month": (orgs, prm, work.learned),
    }
    return {name: tuple(numba.typeof(a) for a in args[name]) for name in AHEAD}


def compile_callees() -> None:
    """Compile (or load from the cache) the functions of :data:`AHEAD`, writing them to numba's cache."""
    for name, signature in callee_signatures().items():
        getattr(kernel, name).compile(signature)


if __name__ == "__main__":
    compile_callees()
