"""Checks of a run's arguments at every boundary: seeds, run lengths, sizes, and the public API's types.

A scenario checks its own values (:mod:`simulation.scenario`); what a run adds
(its seed, its length, how many runs and how large) is checked here, once, by
:func:`simulation.run`, :func:`~simulation.batch.run_batch`,
:class:`~simulation.TrustModel`, the command line and the experiment files
alike. A bad value raises one :class:`~simulation.ScenarioError` naming the
argument, the value and the allowed range; a value of the wrong type raises
:class:`ArgumentTypeError`, which is both a ``ScenarioError`` and a
``TypeError``, so the command line reports it in one line and Python callers
may catch either.

Examples
--------
>>> check_seed(2**64)
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: seed = 18446744073709551616 is out of range: expected an integer in \
[0, 9223372036854775807]
>>> check_steps(100_000_000)
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: steps = 100000000 is out of range: expected an integer in [0, 12000] (months)
>>> run_count_limit(10**8, 120)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: 100,000,000 runs is too many: at most 2,000,000 runs ...
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .scenario import Scenario, ScenarioError
from .schedule import ScheduleError, check_horizon

__all__ = [
    "MAX_SEED",
    "MAX_STEPS",
    "MAX_RUNS",
    "ArgumentTypeError",
    "check_type",
    "check_seed",
    "check_steps",
    "check_scenario",
    "check_run_length",
    "run_count_limit",
    "check_memory",
    "check_number",
    "check_snapshot_steps",
    "available_memory",
    "memory_exceeded",
    "ALWAYS_FITS",
]

#: Largest seed: what numpy's generators and the Parquet writer's int64 columns hold.
MAX_SEED = 2**63 - 1
#: Longest run in months (1,000 years): longer runs say nothing about leaders' careers, and a run's outcome table
#: grows with its length.
MAX_STEPS = 12_000
#: Most runs in one sweep or batch: two million runs take some two hours at this project's measured 15,000 runs a
#: minute, and their plan alone about a gigabyte of memory; split larger studies into several experiments.
MAX_RUNS = 2_000_000
#: Bytes per month of a run's outcomes held in memory (about 60 float columns, DataFrame copies included).
BYTES_PER_RUN_MONTH = 2_000


#: A place needing at most this many bytes is accepted without reading the machine's available memory.
ALWAYS_FITS = 64 * 2**20


def available_memory() -> int:
    """Bytes this process may still allocate: ``MemAvailable`` of ``/proc/meminfo`` (or physical memory)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 2**62


class ArgumentTypeError(ScenarioError, TypeError):
    """An argument of the public API has the wrong type (a ``ScenarioError`` and a ``TypeError``)."""


def check_type(value: Any, name: str, types: type | tuple[type, ...], expected: str) -> Any:
    """Return ``value`` if it is an instance of ``types``; otherwise raise :class:`ArgumentTypeError`.

    Examples
    --------
    >>> check_type({"contact_rate": 2}, "scenario", Scenario, "a Scenario")
    Traceback (most recent call last):
    ...
    simulation.validation.ArgumentTypeError: scenario = {'contact_rate': 2} has the wrong type (dict): expected a \
Scenario
    """
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        text = repr(value)
        text = text if len(text) <= 60 else text[:47] + "..."
        raise ArgumentTypeError(f"{name} = {text} has the wrong type ({type(value).__name__}): expected {expected}")
    return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _integer(value: Any, name: str, low: int, high: int, unit: str = "") -> int:
    check_type(value, name, (int, np.integer), f"an integer in [{low}, {high}]{unit}")
    value = int(value)
    if not low <= value <= high:
        raise ScenarioError(f"{name} = {value} is out of range: expected an integer in [{low}, {high}]{unit}")
    return value


def check_seed(value: Any, name: str = "seed") -> int:
    """``value`` as a seed: an integer in ``[0, MAX_SEED]``."""
    return _integer(value, name, 0, MAX_SEED)


def check_steps(value: Any, name: str = "steps", low: int = 0) -> int:
    """``value`` as a run length: an integer in ``[low, MAX_STEPS]`` months."""
    return _integer(value, name, low, MAX_STEPS, " (months)")


def check_scenario(value: Any, name: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`~simulation.Scenario`, the default scenario if ``None``."""
    if value is None:
        return Scenario()
    return check_type(value, name, Scenario, "a Scenario (e.g. Scenario(contact_rate=2) or load_scenario('default'))")


def check_run_length(scenario: Scenario, months: int) -> None:
    """Refuse a run of ``months`` months that the scenario's rising demand would push past its bound."""
    try:
        check_horizon(scenario.shocks, months)
    except ScheduleError as exc:
        raise ScenarioError(str(exc)) from None


def run_count_limit(runs: int, steps: int, what: str = "runs") -> None:
    """Refuse more than :data:`MAX_RUNS` runs, naming the size, before anything is allocated."""
    if runs > MAX_RUNS:
        raise ScenarioError(
            f"{runs:,} {what} is too many: at most {MAX_RUNS:,} runs ({steps:,} months each) fit in one sweep or "
            "batch (about two hours at 15,000 runs a minute); split the study, or use fewer samples or replicates"
        )


def memory_exceeded(need: float, limit: int | None = None) -> int | None:
    """The memory limit ``need`` bytes exceed (``limit``, or this machine's available memory), else None.

    Needs up to :data:`ALWAYS_FITS` fit without asking the machine.

    Examples
    --------
    >>> memory_exceeded(1000), memory_exceeded(2000, limit=1000)
    (None, 1000)
    """
    if limit is None and need <= ALWAYS_FITS:
        return None
    limit = available_memory() if limit is None else limit
    return limit if need > limit else None


def check_memory(runs: int, steps: int, what: str, limit: int | None = None) -> None:
    """Refuse ``runs`` runs of ``steps`` months whose outcomes held together would not fit in memory.

    Raises
    ------
    ScenarioError
        Naming the size, the bytes needed and the limit.
    """
    need = runs * (steps + 1) * BYTES_PER_RUN_MONTH
    limit = memory_exceeded(need, limit)
    if limit is not None:
        raise ScenarioError(
            f"{what}: {runs:,} runs of {steps:,} months need about {need / 2**30:,.1f} GiB of outcomes in memory, "
            f"over the limit of {limit / 2**30:,.1f} GiB (this machine's available memory); use fewer runs or "
            "months, or a sweep (which streams results to disk)"
        )


def check_number(value: Any, name: str, low: float, high: float) -> float:
    """``value`` as a finite real number in ``[low, high]``."""
    check_type(value, name, numbers.Real, f"a number in [{low:g}, {high:g}]")
    value = float(value)
    if not low <= value <= high:  # also refuses nan
        raise ScenarioError(f"{name} = {value!r} is out of range: expected a number in [{low:g}, {high:g}]")
    return value


def check_snapshot_steps(value: Any, steps: int | None = None, name: str = "snapshot_steps") -> tuple[int, ...] | str:
    """``value`` as snapshot steps: ``"all"`` or integers in ``[0, steps]`` (``[0, MAX_STEPS]`` if unknown).

    Examples
    --------
    >>> check_snapshot_steps([3, 0], steps=12)
    (0, 3)
    >>> check_snapshot_steps([13], steps=12)
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: snapshot_steps: step 13 is out of range: expected an integer in [0, 12] \
(the run's months)
    """
    if isinstance(value, str):
        if value == "all":
            return "all"
        raise ScenarioError(f"{name} = {value!r}: expected 'all' or a list of steps")
    high = MAX_STEPS if steps is None else steps
    try:
        items = list(value)
    except TypeError:
        raise ArgumentTypeError(f"{name} = {value!r} has the wrong type ({type(value).__name__}): expected 'all' or "
                                "a list of steps") from None
    out = set()
    for step in items:
        check_type(step, f"{name} step", (int, np.integer), f"an integer in [0, {high}]")
        if not 0 <= step <= high:
            raise ScenarioError(f"{name}: step {step} is out of range: expected an integer in [0, {high}] "
                                "(the run's months)")
        out.add(int(step))
    return tuple(sorted(out))
