"""Robustness under joint uncertainty: every assumed parameter drawn at once (a Latin hypercube), not one at a time.

Draws every parameter whose provenance (:data:`simulation.provenance.PROVENANCE`)
is ``assumed`` over its declared range, and the ``sourced`` ones (the place's
composition among them) over theirs, with a Latin hypercube
(``scipy.stats.qmc.LatinHypercube``, fixed seed); levers stay off, as in the
default place. Each draw runs :data:`FULL`'s seeds for 240 months in a place
generated from each seed. Per draw and outcome: the median over its seeds (a
run that never reaches 50% counts as never); a draw *stalls* when that median
is never, that is when at least half its runs never reach 50% in the run.
Reported per outcome: the value at the defaults, the median across draws, its
interquartile range and 10th-90th percentiles, the share of draws that stall,
and the five parameters with the strongest Spearman rank correlation with the
outcome across draws. The ranges and defaults are read when the script runs.

Results go to ``experiments/results/uncertainty.csv`` (one row per draw) and the
block between the ``uncertainty`` markers of ``docs/robustness.md``::

    python experiments/uncertainty.py            # run, save, render (minutes on 2 cores: see the block)
    python experiments/uncertainty.py --render   # render again from the saved file
    python experiments/uncertainty.py --tiny --out /tmp/u.csv --no-docs   # a smoke test
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import replace_block, saved_or_fresh  # noqa: E402
from mechanisms import CARE_MONTH, OUTCOMES, parallel_map, run_outcomes  # noqa: E402

from simulation import PARAMETERS, Scenario, ScenarioError  # noqa: E402
from simulation.experiments.robust import wilson  # noqa: E402
from simulation.provenance import PROVENANCE  # noqa: E402

__all__ = ["Factor", "Settings", "FULL", "TINY", "factors", "draws", "typed", "run_draws", "summary", "table", "main"]

RESULTS = HERE / "results" / "uncertainty.csv"
DOC = ROOT / "docs" / "robustness.md"
MASTER_SEED = 20261206
CHUNK = 8  # draws a worker runs at a time
TOP = 5  # parameters named per outcome
NEVER = math.inf  # a draw's median when at least half its runs never reach 50%


@dataclass(frozen=True)
class Factor:
    """An uncertain parameter: name (``organisations.<kind>`` for a count), range, status and whether an integer."""

    name: str
    low: float
    high: float
    status: str
    integer: bool


@dataclass(frozen=True)
class Settings:
    """How much to run: draws, seeds a draw, months, and the place (None: the composition is drawn too)."""

    draws: int
    seeds: int
    steps: int
    organisations: dict[str, int] | None = None


FULL = Settings(draws=500, seeds=4, steps=240)
TINY = Settings(draws=8, seeds=2, steps=30, organisations={"nhs_trust": 3, "council": 2, "voluntary": 6})

_SPEC = {p.name: p for p in PARAMETERS}


def factors(composition: bool = True) -> list[Factor]:
    """Every assumed and sourced parameter with a range of some width (the place's counts if ``composition``).

    >>> names = [f.name for f in factors()]
    >>> "gain_rate" in names, "turnover_rate" in names, "open_book" in names, "organisations.voluntary" in names
    (True, True, False, True)
    """
    out = []
    for name, prov in PROVENANCE.items():
        if prov.status not in ("assumed", "sourced") or prov.range is None or prov.range[1] <= prov.range[0]:
            continue
        if name.startswith("organisations."):
            if composition:
                out.append(Factor(name, float(prov.range[0]), float(prov.range[1]), prov.status, True))
        elif name in _SPEC:
            out.append(Factor(name, float(prov.range[0]), float(prov.range[1]), prov.status, _SPEC[name].kind is int))
    return out


def draws(fs: list[Factor], n: int, seed: int = MASTER_SEED) -> pd.DataFrame:
    """``n`` Latin-hypercube draws over ``fs`` (integers rounded), one column per factor.

    >>> d = draws(factors(), 10)
    >>> len(d), bool(((d["gain_rate"] >= 0.04) & (d["gain_rate"] <= 0.08)).all())
    (10, True)
    """
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(fs), rng=np.random.default_rng(seed)).random(n)
    values = qmc.scale(unit, [f.low for f in fs], [f.high for f in fs])
    df = pd.DataFrame(values, columns=[f.name for f in fs])
    for f in fs:
        if f.integer:
            df[f.name] = df[f.name].round().astype(int)
    return df


def typed(row: dict) -> dict:
    """A draw's values as the parameters take them: whole numbers for counts and integer parameters."""
    return {k: (int(v) if k.startswith("organisations.") or _SPEC[k].kind is int else float(v))
            for k, v in row.items()}


def _scenario(base: Scenario, row: dict) -> Scenario | str:
    """The draw's scenario, or the reason it is impossible (a joint constraint)."""
    try:
        return base.replace(**typed(row))
    except ScenarioError as exc:
        return str(exc)


def _chunk(scenarios: list[Scenario], seeds: list[int], steps: int) -> np.ndarray:
    """Every seed of every scenario: ``(len(scenarios), len(seeds), outcomes)``."""
    runs = [sc for sc in scenarios for _ in seeds]
    out = run_outcomes(runs, seeds * len(scenarios), steps)
    return out.reshape(len(scenarios), len(seeds), -1)


def _draw_median(x: np.ndarray, kind: str) -> float:
    if kind == "time":
        return float(np.median(np.where(np.isnan(x), NEVER, x)))
    return float(np.median(x))


def run_draws(settings: Settings = FULL, workers: int = 2) -> pd.DataFrame:
    """One row per draw (``draw`` -1: the defaults), its factor values, and per outcome the median over its seeds
    (``inf``: stalls) and the runs that never reach 50% (``<o>_never``)."""
    base = Scenario(name="default") if settings.organisations is None else \
        Scenario(name="default", organisations=settings.organisations)
    fs = factors(composition=settings.organisations is None)
    table = draws(fs, settings.draws)
    made = [_scenario(base, row) for row in table.to_dict("records")]
    ok = [k for k, sc in enumerate(made) if isinstance(sc, Scenario)]
    todo = [base, *(made[k] for k in ok)]
    seeds = list(range(settings.seeds))
    started = time.perf_counter()
    parts = parallel_map(_chunk, [(todo[i:i + CHUNK], seeds, settings.steps) for i in range(0, len(todo), CHUNK)],
                         workers)
    seconds = time.perf_counter() - started
    results = np.concatenate(parts)
    defaults = {f.name: (base.organisations[f.name.split(".", 1)[1]] if f.name.startswith("organisations.")
                         else base.params[f.name]) for f in fs}
    rows = [{"draw": -1, "invalid": "", **defaults}]
    rows += [{"draw": k, "invalid": "" if isinstance(made[k], Scenario) else made[k], **table.iloc[k].to_dict()}
             for k in range(len(table))]
    df = pd.DataFrame(rows)
    index = {d: i for i, d in enumerate([-1, *ok])}
    for j, (col, _, _, _, kind) in enumerate(OUTCOMES):
        df[col] = [_draw_median(results[index[d], :, j], kind) if d in index else math.nan for d in df["draw"]]
        df[f"{col}_never"] = [int(np.isnan(results[index[d], :, j]).sum()) if d in index and kind == "time" else 0
                              for d in df["draw"]]
    df["seeds"], df["steps"], df["seconds"], df["master_seed"] = settings.seeds, settings.steps, seconds, MASTER_SEED
    return df


def _quantile(x: np.ndarray, q: float) -> float:
    """An order statistic (so a stalled draw gives never, not an average with never)."""
    return float(np.quantile(x, q, method="inverted_cdf"))


def _impossible(df: pd.DataFrame) -> pd.Series:
    """Draws a joint constraint rules out (their reason in ``invalid``; empty, or missing from a CSV, otherwise)."""
    return df["invalid"].notna() & (df["invalid"].astype(str) != "")


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: the defaults' value, median, quartiles and 10th/90th percentiles across valid draws, the draws
    that stall and the runs that never reach 50%, and the parameters most associated with it (Spearman)."""
    from scipy.stats import spearmanr

    names = [c for c in df.columns if c in _SPEC or c.startswith("organisations.")]
    valid = df[(df["draw"] >= 0) & ~_impossible(df)]
    default = df[df["draw"] == -1].iloc[0]
    seeds = int(df["seeds"].iloc[0])
    rows = []
    for col, label, _, _, kind in OUTCOMES:
        x = valid[col].to_numpy(dtype=float)
        ranked = []
        for name in names:
            v = valid[name].to_numpy(dtype=float)
            if np.ptp(v) > 0 and np.ptp(np.where(np.isinf(x), 1e9, x)) > 0:
                rho = spearmanr(v, np.where(np.isinf(x), 1e9, x)).statistic  # ranks: a stall ranks last
                ranked.append((name, float(rho)))
        ranked.sort(key=lambda t: -abs(t[1]))
        rows.append({"outcome": col, "label": label, "kind": kind, "default": float(default[col]),
                     "median": _quantile(x, 0.5), "q25": _quantile(x, 0.25), "q75": _quantile(x, 0.75),
                     "q10": _quantile(x, 0.1), "q90": _quantile(x, 0.9), "draws": len(x),
                     "stall": int(np.isinf(x).sum()) if kind == "time" else 0,
                     "never": int(valid[f"{col}_never"].sum()), "runs": len(x) * seeds,
                     "top": ranked[:TOP]})
    return pd.DataFrame(rows)


def _months(x: float, kind: str) -> str:
    if kind != "time":
        return f"{x:.3f}"
    return "never" if math.isinf(x) else f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def table(df: pd.DataFrame) -> str:
    """The markdown block: the design, one row per outcome, and how to read it."""
    s = summary(df)
    fs = [c for c in df.columns if c in _SPEC or c.startswith("organisations.")]
    sourced = [n for n in fs if PROVENANCE[n].status == "sourced"]
    levers = [n for n in fs if n in _SPEC and _SPEC[n].section == "interventions"]
    costs = [n for n in fs if n in _SPEC and _SPEC[n].section == "costs"]
    first = df.iloc[0]
    seeds, steps = int(first["seeds"]), int(first["steps"])
    invalid = int(((df["draw"] >= 0) & _impossible(df)).sum())
    n = int(s["draws"].iloc[0])
    care = min(CARE_MONTH, steps)
    lines = [
        f"Latin hypercube (scipy's `qmc.LatinHypercube`, seed {int(first['master_seed'])}) over {len(fs)} "
        f"parameters: every assumed one, and the sourced {', '.join(f'`{x}`' for x in sourced)}, each over its "
        f"declared range ([parameters.md](parameters.md)); {n} draws"
        + (f" ({invalid} impossible, left out)" if invalid else "")
        + f" × {seeds} seeds × {steps} months, every lever off as in the default place "
        f"({len(levers)} of the parameters belong to levers, and most of the {len(costs)} costs are the costs of "
        f"levers: those can act only where their lever is on). "
        f"{(n + 1) * seeds} runs in {first['seconds']:.0f} s.",
        "",
        f"A draw's value is the median over its {seeds} runs; a draw **stalls** when at least half its runs never "
        f"reach 50% in {steps} months (its median is never). Spread across draws: median, interquartile range and "
        f"10th–90th percentiles (order statistics, so \"never\" where the draws that stall reach). Most associated: "
        f"Spearman's rank correlation between the parameter and the outcome across draws (a stall ranks last); "
        f"with {n} draws, |ρ| above {1.96 / math.sqrt(max(n - 1, 1)):.2f} is unlikely by chance alone.",
        "",
        "| outcome | at the defaults | median across draws | interquartile range | 10th–90th percentile "
        "| draws that stall (95% interval) | runs that never reach 50% | most associated parameters (Spearman ρ) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in s.iterrows():
        kind = r["kind"]
        label = r["label"] if kind == "time" else f"joint care at month {care}"
        if kind == "time":
            lo, hi = wilson(int(r["stall"]), int(r["draws"]))
            stall = f"{r['stall'] / r['draws']:.0%} ({lo:.0%}–{hi:.0%})"
            never = f"{r['never'] / r['runs']:.0%}"
        else:
            stall = never = "–"
        top = ", ".join(f"`{name}` {rho:+.2f}" for name, rho in r["top"]) or "–"
        lines.append(f"| {label} | {_months(r['default'], kind)} | {_months(r['median'], kind)} | "
                     f"{_months(r['q25'], kind)}–{_months(r['q75'], kind)} | {_months(r['q10'], kind)}–"
                     f"{_months(r['q90'], kind)} | {stall} | {never} | {top} |")
    lines += ["", "Times in months. A positive ρ on a time: the higher the parameter, the slower (or the likelier to "
                  "stall). The one-at-a-time views: the ±20% table (ODD.md §7.11) and each mechanism across its "
                  "range ([mechanisms.md](mechanisms.md))."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the table from the saved results")
    ap.add_argument("--no-docs", action="store_true", help="print the block without rewriting docs/robustness.md")
    ap.add_argument("--tiny", action="store_true", help="tiny settings (a smoke test: a small place, few draws)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results file (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (0 or 1: in this process)")
    args = ap.parse_args(argv)
    if args.workers < 0:
        print(f"error: --workers = {args.workers} is out of range: expected an integer >= 0", file=sys.stderr)
        return 2
    settings = TINY if args.tiny else FULL
    df = saved_or_fresh(args.out, lambda: run_draws(settings, args.workers), args.render)
    text = table(df)
    if not args.no_docs:
        replace_block(DOC, "uncertainty", text, f"experiments/uncertainty.py from {RESULTS.relative_to(ROOT)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
