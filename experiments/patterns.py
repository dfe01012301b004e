"""The pattern check of docs/ODD.md ("Calibration: patterns targeted"), generated from a result file.

Runs every shipped scenario for 20 seeds x 180 months through the compiled
kernel, writes one row per run to ``experiments/results/patterns.csv``, and
rewrites the table between the ``patterns`` markers of ``docs/ODD.md`` from
that file, so no number in it is typed by hand::

    python experiments/patterns.py            # run, save, render (about 10 s)
    python experiments/patterns.py --render   # render the table again from the saved file
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation import load_scenario, shipped_scenarios  # noqa: E402
from simulation.batch import run_batch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docblocks import replace_block, saved_or_fresh  # noqa: E402

RESULTS = ROOT / "experiments" / "results" / "patterns.csv"
ODD = ROOT / "docs" / "ODD.md"
SEEDS = range(20)
STEPS = 180


def run_patterns() -> pd.DataFrame:
    """One row per scenario and seed: the run's summary."""
    rows = []
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        for r in run_batch(scenario, list(SEEDS), STEPS):
            rows.append({"scenario": name, "seed": r.seed, **r.summary})
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> str:
    """The markdown table of the ODD's calibration section."""
    lines = ["| Scenario | reached 50% | median months_to_50 [IQR] | range | reached 80% "
             "| mean final integration (SD) | mean final trust |", "|---|---|---|---|---|---|---|"]
    for name, g in df.groupby("scenario", sort=False):
        n = len(g)
        m = g["months_to_50"].dropna()
        m80 = g["months_to_80"].dropna()
        reached = f"{len(m)}/{n}" + (f" ({n - len(m)} censored)" if len(m) < n else "")
        median = f"{m.median():.1f} [{m.quantile(.25):.1f}–{m.quantile(.75):.1f}]" if len(m) else "never"
        span = f"{m.min():.0f}–{m.max():.0f}" if len(m) else "–"
        r80 = f"{len(m80)}/{n}" + (f" (median {m80.median():.0f})" if len(m80) == n else "")
        fi = g["final_integration"]
        lines.append(f"| `{name}` | {reached} | {median} | {span} | {r80} | {fi.mean():.3f} ({fi.std():.3f}) "
                     f"| {g['final_mean_trust'].mean():.3f} |")
    return "\n".join(lines)


def render(df: pd.DataFrame, path: Path = ODD) -> None:
    """Rewrite the ``patterns`` block of ``path`` (docs/ODD.md) from the results."""
    replace_block(path, "patterns", table(df), f"experiments/patterns.py from {RESULTS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the table from the saved results")
    args = ap.parse_args(argv)
    df = saved_or_fresh(RESULTS, run_patterns, args.render)
    render(df)
    print(table(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
