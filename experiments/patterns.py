"""The pattern check of docs/ODD.md ("Calibration: patterns targeted"), generated from a result file.

Runs every shipped scenario for 100 seeds x 240 months through the compiled
kernel (each seed its own place: its own organisations and, where the place
spreads are on, its own conditions), writes one row per run to
``experiments/results/patterns.csv``, and rewrites the table between the
``patterns`` markers of ``docs/ODD.md`` from that file, so no number in it is
typed by hand. Beside it, the ``record_patterns`` block checks the default
place against the published record's milestone targets
(``simulation/data/published_record.toml``: their intervals are read from
there, not typed here), and England's place set (the 42 integrated care
systems, :data:`ENGLAND_SEEDS` places each, scenario ``england`` in the file)
against the record's targets on the share of places integrated by a month.
Each of these checks is one a wrong model fails: tests/test_patterns.py::

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
from simulation.experiments.analysis import spread_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docblocks import replace_block, saved_or_fresh  # noqa: E402

RESULTS = ROOT / "experiments" / "results" / "patterns.csv"
ODD = ROOT / "docs" / "ODD.md"
SEEDS = range(100)
STEPS = 240
#: The record's targets on a single place's milestones, checked on the ``default`` scenario's runs.
MILESTONES = ("months_to_50", "months_to_80", "statutory_months_to_50", "connectedness_months_to_50")
#: Places run per integrated care system for the record's targets across England's places.
ENGLAND_SEEDS = 5


def run_patterns() -> pd.DataFrame:
    """One row per scenario and seed: the run's summary."""
    rows = []
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        for r in run_batch(scenario, list(SEEDS), STEPS):
            rows.append({"scenario": name, "seed": r.seed, **r.summary})
    from simulation.ics import ics_scenarios

    england = [(code, sc) for code, sc in ics_scenarios("default").items() for _ in range(ENGLAND_SEEDS)]
    results = run_batch([sc for _, sc in england], list(range(len(england))), STEPS)
    for (code, _), r in zip(england, results):
        rows.append({"scenario": "england", "system": code, "seed": r.seed, **r.summary})
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> str:
    """The markdown table of the ODD's calibration section."""
    lines = ["| Scenario | reached 50% | months to 50%: median [IQR] {10th–90th} | statutory core: months to 50% "
             "| size-weighted: months to 50% | reached 80% | mean final integration (SD) | mean final trust |",
             "|---|---|---|---|---|---|---|---|"]
    for name, g in df.groupby("scenario", sort=False):
        if name == "england":
            continue
        n = len(g)
        m = g["months_to_50"].dropna()
        m80 = g["months_to_80"].dropna()
        reached = f"{len(m)}/{n}" + (f" ({n - len(m)} censored)" if len(m) < n else "")
        core = spread_text(g["statutory_months_to_50"], STEPS) if "statutory_months_to_50" in g else "–"
        size = spread_text(g["size_months_to_50"], STEPS) if "size_months_to_50" in g else "–"
        r80 = f"{len(m80)}/{n}" + (f" (median {m80.median():.0f})" if len(m80) == n else "")
        fi = g["final_integration"]
        lines.append(f"| `{name}` | {reached} | {spread_text(g['months_to_50'], STEPS)} | {core} | {size} | {r80} "
                     f"| {fi.mean():.3f} ({fi.std():.3f}) | {g['final_mean_trust'].mean():.3f} |")
    return "\n".join(lines)


def record_table(df: pd.DataFrame) -> str:
    """The model against each target of the published record it can be measured on (fit and check targets):
    milestones on the ``default`` place's runs, shares of places on England's place set."""
    from simulation.record import load_record

    runs = df[df["scenario"] == "default"]
    england = df[df["scenario"] == "england"]
    lines = ["| target (role) | output | published interval | model: median [IQR] {10th–90th}, or share of places "
             "| inside | runs inside |", "|---|---|---|---|---|---|"]
    for t in load_record().targets.values():
        if t.role not in ("fit", "check"):
            continue
        high = "∞" if t.high == float("inf") else f"{t.high:g}"
        if t.output in MILESTONES and t.output in runs:
            months = runs[t.output].astype(float).fillna(STEPS + 1)  # never within the run: beyond any interval
            median = months.median()
            inside = (months >= t.low) & (months <= t.high)
            lines.append(f"| `{t.key}` ({t.role}) | `{t.output}` | {t.low:g}–{high} {t.unit} "
                         f"| {spread_text(runs[t.output], STEPS)} | {'yes' if t.low <= median <= t.high else '**no**'}"
                         f" | {inside.mean():.0%} |")
        elif t.output == "share_reaching_50" and len(england):
            share = float((england["months_to_50"].astype(float) <= t.month).mean())
            ok = t.low <= share <= t.high
            lines.append(f"| `{t.key}` ({t.role}) | share of England's places at 50% by month {t.month:g} "
                         f"| {t.low:g}–{high} | {share:.2f} of {len(england)} places ({ENGLAND_SEEDS} per system) "
                         f"| {'yes' if ok else '**no**'} | – |")
    return "\n".join(lines)


def render(df: pd.DataFrame, path: Path = ODD) -> None:
    """Rewrite the ``patterns`` block of ``path`` (docs/ODD.md) from the results."""
    source = f"experiments/patterns.py from {RESULTS.relative_to(ROOT)}"
    replace_block(path, "patterns", table(df), source)
    replace_block(path, "record_patterns", record_table(df), source)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the table from the saved results")
    args = ap.parse_args(argv)
    df = saved_or_fresh(RESULTS, run_patterns, args.render)
    render(df)
    print(table(df))
    print()
    print(record_table(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
