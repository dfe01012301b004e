"""The ±20% table of docs/ODD.md: months to 50% in the default place when one assumed parameter moves by ±20%.

For every numeric parameter of the place and the dynamics (the assumed ones;
the levers are off in the default place), runs the default place with the
parameter at 80% and 120% of its default (within its allowed range), with the
same seeds as the default, and reports the median months to 50% under both
integration measures (the partnership-threshold index and the threshold-free
connectedness) and its ratio to the default's. The goal: no single ±20% change
moves a median by more than 2×. Results go to ``experiments/results/robustness.csv``
and the table between the ``robustness`` markers of ``docs/ODD.md``::

    python experiments/robustness.py             # run, save, render (about a minute on 2 cores)
    python experiments/robustness.py --render    # render again from the saved file
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import replace_block, saved_or_fresh  # noqa: E402

from simulation import PARAMETERS, Scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402

RESULTS = HERE / "results" / "robustness.csv"
ODD = ROOT / "docs" / "ODD.md"
SEEDS = 60
STEPS = 240
SHIFT = 0.2
MEASURES = (("integration", "months_to_50"), ("connectedness", "connectedness_months_to_50"))


def assumed_parameters() -> list[str]:
    """Numeric place, dynamics, staff and cost parameters with a non-zero default (a ±20% change means something)."""
    return [p.name for p in PARAMETERS
            if p.section in ("place", "dynamics", "staff", "costs") and p.kind is float and p.default != 0]


def variants(base: Scenario) -> list[tuple[str, float, Scenario]]:
    """The default, and each assumed parameter at -20% and +20% (clipped to its range; impossible ones skipped)."""
    out = [("default", 1.0, base)]
    specs = {p.name: p for p in PARAMETERS}
    for name in assumed_parameters():
        spec = specs[name]
        for factor in (1 - SHIFT, 1 + SHIFT):
            value = min(spec.high, max(spec.low, base.params[name] * factor))
            try:
                out.append((name, factor, base.replace(**{name: value})))
            except ValueError:  # a joint constraint (e.g. gain_rate * negativity_bias <= 1) rules it out
                continue
    return out


def _first_passage(scenario: Scenario, seeds: list[int]) -> dict[str, list[float]]:
    from simulation.outcomes import time_to_level

    out: dict[str, list[float]] = {col: [] for col, _ in MEASURES}
    for arr, cols in simulate_batch(scenario, seeds, STEPS):
        for col, _ in MEASURES:
            out[col].append(time_to_level(arr[:, cols.index(col)], 0.5))
    return out


def median_months(values: list[float]) -> float:
    """Median first-passage month, censored runs counted as never (inf when half or more never get there)."""
    x = np.array([np.inf if math.isnan(v) else v for v in values])
    return float(np.median(x))


def run_table(base: Scenario, seeds: int = SEEDS, processes: int = 2) -> pd.DataFrame:
    """One row per variant: parameter, factor, value, and per measure the median, censored share and ratio."""
    cases = variants(base)
    seed_list = list(range(seeds))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = list(pool.map(_first_passage, [sc for _, _, sc in cases], [seed_list] * len(cases)))
    rows = []
    for (name, factor, sc), res in zip(cases, results):
        row = {"parameter": name, "factor": factor, "value": sc.params[name] if name != "default" else np.nan}
        for col, _ in MEASURES:
            row[f"{col}_median"] = median_months(res[col])
            row[f"{col}_censored"] = float(np.mean(np.isnan(res[col])))
        rows.append(row)
    df = pd.DataFrame(rows)
    for col, _ in MEASURES:
        df[f"{col}_ratio"] = df[f"{col}_median"] / df.loc[0, f"{col}_median"]
    return df


def _months(x: float) -> str:
    return "never" if math.isinf(x) else f"{x:.1f}"


def _ratio(x: float) -> str:
    if math.isinf(x) or math.isnan(x):
        return "**∞**"
    flag = x > 2 or x < 0.5
    return f"**{x:.2f}**" if flag else f"{x:.2f}"


def table(df: pd.DataFrame) -> str:
    """The markdown table: each parameter's -20% and +20% medians and ratios, under both measures."""
    base = df.iloc[0]
    lines = [
        f"Default place, {SEEDS} seeds × {STEPS} months. Median months to 50%: integration index "
        f"{_months(base['integration_median'])} ({base['integration_censored']:.0%} censored), connectedness "
        f"{_months(base['connectedness_median'])} ({base['connectedness_censored']:.0%} censored). "
        "Ratios are to the default's median; bold marks a change of more than 2×.",
        "",
        "| parameter | default | −20%: integration (ratio) | +20%: integration (ratio) "
        "| −20%: connectedness (ratio) | +20%: connectedness (ratio) |",
        "|---|---|---|---|---|---|",
    ]
    specs = {p.name: p for p in PARAMETERS}
    for name, g in df.iloc[1:].groupby("parameter", sort=False):
        cells = []
        for col in ("integration", "connectedness"):
            for factor in (1 - SHIFT, 1 + SHIFT):
                r = g[np.isclose(g["factor"], factor)]
                if len(r) == 0:
                    cells.append("(outside the range)")
                else:
                    r = r.iloc[0]
                    cells.append(f"{_months(r[f'{col}_median'])} ({_ratio(r[f'{col}_ratio'])})")
        lines.append(f"| `{name}` | {specs[name].default:g} | " + " | ".join(cells) + " |")
    worst = max(
        (max(r, 1 / r) if r > 0 else math.inf)
        for col in ("integration", "connectedness") for r in df.iloc[1:][f"{col}_ratio"]
    )
    lines += ["", f"Largest change of a median: **{'∞' if math.isinf(worst) else f'{worst:.2f}×'}** "
                  f"(goal: at most 2×)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the table from the saved results")
    ap.add_argument("--no-docs", action="store_true", help="print the table without rewriting docs/ODD.md")
    args = ap.parse_args(argv)
    df = saved_or_fresh(RESULTS, lambda: run_table(Scenario()), args.render)
    text = table(df)
    if not args.no_docs:
        replace_block(ODD, "robustness", text, f"experiments/robustness.py from {RESULTS.relative_to(ROOT)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
