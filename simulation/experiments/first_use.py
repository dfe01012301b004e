"""First use: say that the kernel is being compiled, with its own spinner, before a sweep's progress bar.

On a cold numba cache the first runs wait 20 s or more for the compiler
(:mod:`simulation.compiling`). A progress bar started then sits at 0% and its
rate, and so its time left, is computed over the compile: :func:`run_sweep
<simulation.experiments.runner.run_sweep>` first waits for the kernel under
:func:`compiling_notice` and only then starts the bar, so the bar's ETA starts after it.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator

from ..compiling import NOTICE

__all__ = ["COMPILING", "compiling_notice"]

#: What the notice says.
COMPILING = NOTICE
_FRAMES = "|/-\\"


@contextlib.contextmanager
def compiling_notice(enabled: bool = True, interval: float = 0.25) -> Iterator[None]:
    """While the body runs, one line on stderr: :data:`COMPILING`, a spinner and the seconds so far.

    The line stays when the body ends, with the time it took. Nothing is shown when ``enabled`` is false;
    where stderr is no terminal (a log, CI) the notice and its time are two plain lines, without a spinner.
    """
    if not enabled:
        yield
        return
    if not sys.stderr.isatty():
        print(COMPILING, file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            yield
        finally:
            print(f"{COMPILING}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=None, desc=f"{COMPILING} {_FRAMES[0]}", bar_format="{desc} {elapsed}", dynamic_ncols=True)
    stop = threading.Event()

    def spin() -> None:
        frame = 0
        while not stop.wait(interval):
            frame += 1
            bar.set_description_str(f"{COMPILING} {_FRAMES[frame % len(_FRAMES)]}", refresh=True)

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        yield
    finally:
        stop.set()
        spinner.join()
        bar.set_description_str(f"{COMPILING}: done in", refresh=False)
        bar.close()
