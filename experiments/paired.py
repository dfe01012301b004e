"""What the comparisons at matched cost share: worker processes, paired changes, their text, their saved tables.

The contest (``contest.py``) and Burstow's asks (``burstow.py``) both run each
lever against the place without it on the same seeds, judge each paired change
against the smallest effect that matters (:mod:`simulation.experiments.effects`)
and keep their runs as Parquet; the mechanisms' table (``mechanisms.py``) and
the scripts built on it run their chunks in the same worker processes.

Examples
--------
>>> import pandas as pd
>>> row = paired_change(pd.Series([10.0, 12.0, 14.0]), pd.Series([20.0, 21.0, 22.0]), "t", lower=True)
>>> row["t_change"], row["t_smallest"], row["t_matters"]
(-9.0, 3.0, True)
>>> change_text(row, "t", lower=True)
'**-9.0 (-10.1 to -7.9)**'
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from docblocks import paired_interval  # noqa: E402

from simulation.experiments.effects import smallest_effect  # noqa: E402
from simulation.experiments.store import read_parquet_file, write_parquet_atomic  # noqa: E402
from simulation.scenario import ScenarioError  # noqa: E402

__all__ = ["worker_map", "gain", "matters", "paired_change", "change_text", "save_tables", "load_tables"]


@contextmanager
def worker_map(workers: int) -> Iterator[Callable]:
    """A ``map`` over ``workers`` processes (forked where the platform can: no re-import), or this process's own
    ``map`` when ``workers`` is 0 or 1; the processes are shut down on leaving."""
    if workers <= 1:
        yield map
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool.map


def gain(values, lower: bool):
    """Improvement, counted positive: fewer months (``lower`` is better) or more joint care."""
    return -values if lower else values


def matters(mean: float, low: float, high: float, smallest: float) -> bool:
    """A change whose interval is clear of zero and whose size is at least the smallest effect that matters."""
    return bool((low > 0 or high < 0) and abs(mean) >= smallest)


def paired_change(arm: pd.Series, base: pd.Series, name: str, lower: bool) -> dict:
    """The columns ``<name>_change``, ``_low``, ``_high`` (95% paired interval of ``arm - base``, same seeds),
    ``_smallest`` (of the baseline's mean), ``_baseline`` and ``_matters``."""
    mean, low, high = paired_interval(arm - base)
    smallest = smallest_effect("time" if lower else "share", base.mean())
    return {f"{name}_change": mean, f"{name}_low": low, f"{name}_high": high, f"{name}_smallest": smallest,
            f"{name}_baseline": base.mean(), f"{name}_matters": matters(mean, low, high, smallest)}


def change_text(r, name: str, lower: bool) -> str:
    """A change and its interval; **bold** when it matters and is better, _italic_ when it matters and is worse."""
    f = ".1f" if lower else ".3f"
    text = f"{r[f'{name}_change']:+{f}} ({r[f'{name}_low']:+{f}} to {r[f'{name}_high']:+{f}})"
    if r[f"{name}_matters"]:
        text = f"**{text}**" if gain(r[f"{name}_change"], lower) > 0 else f"_{text}_"
    return text


def save_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each table as ``<name>.parquet`` in ``folder`` (written atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_parquet_atomic(table, folder / f"{name}.parquet")


def load_tables(folder: Path, names: tuple[str, ...], what: str) -> tuple[pd.DataFrame, ...]:
    """The tables :func:`save_tables` wrote, in the order of ``names``.

    Raises
    ------
    ScenarioError
        Naming the first missing file (``what``: the saved results, for the message).
    """
    for name in names:
        if not (folder / f"{name}.parquet").exists():
            raise ScenarioError(f"{folder}: no saved {what} ({name}.parquet missing); run without --render first")
    return tuple(read_parquet_file(folder / f"{name}.parquet") for name in names)
