"""What one run leaves: the record every engine and batch returns (imported by :mod:`simulation.runs` and
:mod:`simulation.batch`, which import nothing of each other's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .scenario import Scenario

__all__ = ["RunResult"]


@dataclass
class RunResult:
    """What one run leaves: parameters, seed, time series, summary and snapshots.

    Attributes
    ----------
    scenario : Scenario
    seed : int
    timeseries : pandas.DataFrame
        One row per step (index ``step``; 0 is the initial state).
    summary : dict
        Per-run outcomes, see :func:`~simulation.outcomes.summarise_run`.
    snapshots : pandas.DataFrame
        Per-edge state at the requested steps (empty if none requested).
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, Any]
    snapshots: pd.DataFrame = field(default_factory=pd.DataFrame)
