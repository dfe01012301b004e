"""Worker processes that die with their parent.

A sweep's local workers are started by :class:`concurrent.futures.ProcessPoolExecutor`.
If the parent is killed outright (``kill -9``, the out-of-memory killer), nothing tells the
workers: they would go on computing batches nobody will collect. :func:`exit_with_parent`
is the pool's initializer and makes each worker exit when its parent does:

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` through :mod:`ctypes` asks the kernel to
  kill the worker the moment its parent thread dies (the pool starts its workers from the
  thread that submits the sweep's batches, which outlives them: the pool is shut down
  before :func:`~simulation.experiments.run_sweep` returns);
* everywhere (and as a second guard on Linux), a daemon thread polls :func:`os.getppid`
  and ends the process when the parent is no longer the one that started it.

(No doctest: arming this in the test process would tie it to its own parent.)
"""

from __future__ import annotations

import os
import signal
import sys
import threading

__all__ = ["exit_with_parent", "kill_with_parent"]

_PR_SET_PDEATHSIG = 1


def kill_with_parent() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent dies; whether it worked (False off Linux).

    Safe as a ``subprocess.Popen`` ``preexec_fn``: it runs in the child between
    fork and exec, and the setting survives the exec (the dashboard's server).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc or no prctl: the polling thread does the job
        return False


def exit_with_parent(parent_pid: int, poll_seconds: float = 1.0) -> None:
    """Make this (worker) process exit when the process ``parent_pid`` is gone.

    Parameters
    ----------
    parent_pid : int
        Process id of the parent, as seen by the parent (``os.getpid()`` there).
    poll_seconds : float
        How often the fallback thread checks the parent (seconds).
    """
    kill_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            threading.Event().wait(poll_seconds)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
