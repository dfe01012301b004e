"""What a sweep folder holds against what was planned: runs recorded, and the cells short of their replicates.

A sweep's ``plan.parquet`` lists every planned run (``run_id``, ``sample``,
``replicate``, ``seed`` and the parameters); its ``runs/`` chunks hold the runs
recorded so far, finished or failed. A *cell* is a design sample (a grid cell,
a Latin hypercube point, a Sobol or Morris row, a robustness setting in one
draw) with its planned replicates. :func:`coverage` compares the two; the
analysis refuses an incomplete sweep unless asked to read what is there
(:class:`IncompleteSweep`, ``analyse --partial``).

Examples
--------
>>> plan = pd.DataFrame({"run_id": range(6), "sample": [0, 0, 1, 1, 2, 2], "replicate": [0, 1] * 3,
...                      "seed": range(6), "x": [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]})
>>> runs = pd.DataFrame({"run_id": [0, 1, 2], "status": ["ok", "ok", "error"]})
>>> c = coverage_of(plan, runs, ["x"])
>>> c.line()
'3 of 6 planned runs recorded (2 finished, 1 failed); 2 of 3 cells below their 2 replicates'
>>> c.missing_text()
'sample 1 (x=0.2): 1 of 2; sample 2 (x=0.3): 0 of 2'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..scenario import ScenarioError

__all__ = ["Coverage", "IncompleteSweep", "coverage", "coverage_of"]


class IncompleteSweep(ScenarioError):
    """A sweep folder holds fewer runs than its plan, and the analysis was not asked for a partial reading."""


@dataclass
class Coverage:
    """Planned against recorded runs of a sweep folder.

    Attributes
    ----------
    planned, recorded, finished : int
        Runs planned; recorded (finished or failed); finished.
    cells : pandas.DataFrame
        One row per cell (design sample): ``sample``, the parameters (or the robustness ``draw`` and
        ``policy``), ``planned``, ``recorded``, ``finished``.
    names : list of str
        The columns naming a cell.
    """

    planned: int
    recorded: int
    finished: int
    cells: pd.DataFrame
    names: list[str]

    @property
    def complete(self) -> bool:
        """Whether every planned run is recorded."""
        return self.recorded >= self.planned

    @property
    def short(self) -> pd.DataFrame:
        """The cells with fewer recorded runs than planned replicates."""
        return self.cells[self.cells["recorded"] < self.cells["planned"]]

    def line(self) -> str:
        """One line: runs recorded of those planned, and the cells short of their replicates."""
        failed = self.recorded - self.finished
        text = f"{self.recorded:,} of {self.planned:,} planned runs recorded ({self.finished:,} finished, " \
               f"{failed:,} failed)"
        short = self.short
        if len(short):
            reps = sorted(set(short["planned"].astype(int)))
            text += (f"; {len(short):,} of {len(self.cells):,} cells below their "
                     f"{'/'.join(map(str, reps))} replicates")
        return text

    def missing_text(self, limit: int = 5) -> str:
        """The first ``limit`` short cells by name, with their recorded and planned runs."""
        short = self.short
        parts = []
        for _, r in short.head(limit).iterrows():
            values = ", ".join(f"{n}={_plain(r[n])}" for n in self.names)
            parts.append(f"sample {int(r['sample'])}" + (f" ({values})" if values else "")
                         + f": {int(r['recorded'])} of {int(r['planned'])}")
        if len(short) > limit:
            parts.append(f"... and {len(short) - limit:,} more")
        return "; ".join(parts)

    def refusal(self, root: str | Path) -> str:
        """The one-line error of an incomplete sweep analysed without ``--partial``."""
        return (f"{root}: incomplete sweep: {self.line()} (missing: {self.missing_text(3)}); finish it with the "
                "same sweep command, or analyse what is there with --partial")


def _plain(value) -> str:
    value = value.item() if hasattr(value, "item") else value
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def coverage_of(plan: pd.DataFrame, runs: pd.DataFrame, names: list[str]) -> Coverage:
    """The coverage of ``plan`` by the recorded ``runs`` (``run_id`` and ``status``); cells named by ``names``."""
    recorded = plan["run_id"].isin(runs["run_id"])
    finished = plan["run_id"].isin(runs.loc[runs["status"] == "ok", "run_id"])
    names = [n for n in names if n in plan.columns]
    cells = (plan.assign(recorded=recorded, finished=finished)
             .groupby("sample", sort=True)
             .agg(**{n: (n, "first") for n in names}, planned=("run_id", "size"), recorded=("recorded", "sum"),
                  finished=("finished", "sum"))
             .reset_index())
    return Coverage(len(plan), int(recorded.sum()), int(finished.sum()), cells, names)


def coverage(root: str | Path, names: list[str], runs: pd.DataFrame) -> Coverage:
    """The coverage of the sweep folder ``root``'s plan by its recorded ``runs``.

    Raises
    ------
    ScenarioError
        If the folder has no ``plan.parquet``.
    """
    path = Path(root) / "plan.parquet"
    if not path.exists():
        raise ScenarioError(f"{root} has no plan.parquet: not a sweep folder, or one made before plans were kept")
    plan = pd.read_parquet(path)
    return coverage_of(plan, runs, names)
