"""The results in experiments/README.md and the docs, generated: run every named experiment, analyse it, render it.

For each experiment file here it runs the sweep (``results/<name>``, resumed
if already there), the analysis, and rewrites the block ``<name>`` of
``experiments/README.md`` (robustness designs: of ``docs/robustness.md``) from
``results/<name>/analysis``: the report's generated lines, and the table of
parameter sets with 95% intervals and each set's difference from the first row
(a Welch 95% interval, or "too small to tell"), or the sensitivity indices, or
the claims, regret and PRIM boxes of a robustness design. The calibration
example is fitted (``results/calibration_example``), and the behavioural parameters
to the published record (``results/record_calibration``, as ``python -m simulation
calibrate`` does), and their blocks rendered in ``docs/calibration.md``. So no result in
the documents is typed by hand::

    python experiments/findings.py                 # everything (about 25 minutes on 2 cores)
    python experiments/findings.py speed_of_trust  # one
    python experiments/findings.py --tiny --results /tmp/r --no-docs   # a smoke test on tiny settings

It also runs the scripts with their own runs and blocks (:data:`SCRIPTS`: each
has ``--render``, ``--tiny``, ``--out``, ``--no-docs`` and ``--workers``): each
mechanism across its range (docs/mechanisms.md), the joint uncertainty
(docs/robustness.md), the contest at equal cost and Burstow's asks at equal
hours spent (experiments/README.md), and ``experiments/claims.py``, which writes docs/findings.md, the page that answers
the question. Outside a smoke test it also runs :data:`FULL_SCRIPTS` (the
pattern check and the ±20% table of docs/ODD.md, and docs/parameters.md), which have no tiny settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import replace_block  # noqa: E402

from simulation.experiments import analyse, load_experiment, run_sweep  # noqa: E402
from simulation.experiments.analysis import load_runs, spread_text  # noqa: E402
from simulation.experiments.effects import smallest_effect, smallest_text  # noqa: E402

EXPERIMENTS = ("quick", "relationships_vs_structures", "speed_of_trust", "legacy_of_competition",
               "boundary_spanners", "leader_turnover", "robustness_xlrm", "burstow_xlrm")
CALIBRATIONS = ("calibration_example", "record_calibration")
#: Calibrations to the published record (simulation.experiments.record_calibration), not to a file here.
RECORD_CALIBRATIONS = ("record_calibration",)
#: Scripts with their own runs and blocks (each has ``main(argv)`` taking ``--render``, ``--tiny``, ``--no-docs``).
SCRIPTS = ("mechanisms", "uncertainty", "contest", "burstow", "claims")
#: Scripts run only in a full regeneration (no tiny settings), with ``--render`` where they have it.
FULL_SCRIPTS = ("patterns", "robustness", "parameters")
README = HERE / "README.md"
#: Where an experiment's block lives, when not in experiments/README.md.
DOCS = {"robustness_xlrm": ROOT / "docs" / "robustness.md", "burstow_xlrm": ROOT / "docs" / "robustness.md",
        "calibration_example": ROOT / "docs" / "calibration.md",
        "record_calibration": ROOT / "docs" / "calibration.md"}
_OUTCOMES = (("time_to_50", "months to 50%", 1), ("statutory_time_to_50", "months to 50% statutory core", 1),
             ("size_time_to_50", "months to 50% size-weighted", 1),
             ("connectedness_time_to_50", "months to 50% connectedness", 1),
             ("final_integration", "final integration", 2), ("final_mean_trust", "final mean trust", 2),
             ("final_joint_care", "final joint care", 2))


def _interval(row: pd.Series, name: str, digits: int) -> str:
    mean, low, high = row[f"{name}_mean"], row[f"{name}_low"], row[f"{name}_high"]
    if pd.isna(low) or pd.isna(high):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def differences(runs: pd.DataFrame, outcome: str = "time_to_50", conf: float = 0.95) -> pd.DataFrame:
    """Each design sample's difference in mean ``outcome`` from sample 0 (the first row): Welch ``conf`` interval.

    Columns ``sample``, ``diff``, ``low``, ``high``, ``runs``, ``separates`` (the interval excludes zero),
    ``matters`` (the difference is at least the smallest effect that matters on the first row's mean:
    :mod:`simulation.experiments.effects`) and ``censored`` (some runs of either never reached the level:
    the difference is a bound).
    """
    from scipy import stats

    ref = runs[runs["sample"] == runs["sample"].min()]
    level = outcome.rsplit("_", 1)[-1]
    cens_col = f"{outcome.replace('time_to', 'censored')}" if outcome.startswith(
        ("time_to", "connectedness_time", "statutory_time", "size_time")) else None
    a = ref[outcome].dropna().to_numpy(dtype=float)
    rows = []
    for sample, g in runs.groupby("sample", sort=True):
        b = g[outcome].dropna().to_numpy(dtype=float)
        d = b.mean() - a.mean() if len(a) and len(b) else math.nan
        va, vb = (a.var(ddof=1) / len(a) if len(a) > 1 else math.nan), (b.var(ddof=1) / len(b) if len(b) > 1
                                                                           else math.nan)
        se = math.sqrt(va + vb) if math.isfinite(va + vb) else math.nan
        if se > 0:
            dof = (va + vb) ** 2 / ((va**2 / (len(a) - 1) if va else 0) + (vb**2 / (len(b) - 1) if vb else 0))
            half = float(stats.t.ppf(0.5 + conf / 2, dof)) * se
        else:
            half = 0.0 if se == 0 else math.nan
        censored = bool(cens_col in runs and (g[cens_col].any() or ref[cens_col].any())) if cens_col else False
        matters = bool(abs(d) >= smallest_effect("time", a.mean())) if len(a) and math.isfinite(d) else False
        rows.append({"sample": sample, "diff": d, "low": d - half, "high": d + half, "runs": len(b),
                     "separates": bool(d - half > 0 or d + half < 0), "matters": matters, "censored": censored,
                     "level": level})
    return pd.DataFrame(rows)


def _difference_text(r: pd.Series | None, first: bool) -> str:
    if first:
        return "(reference)"
    if r is None or pd.isna(r["diff"]):
        return "–"
    interval = f"{r['low']:+.1f} to {r['high']:+.1f}"
    if not r["separates"]:
        text = f"too small to tell ({interval})"
    elif r.get("matters", True):
        text = f"**{r['diff']:+.1f}** ({interval})"
    else:  # told apart from zero, but below the smallest effect that matters
        text = f"{r['diff']:+.1f}, below what matters ({interval})"
    return text + (" +" if r["censored"] else "")


def summary_table(summary: pd.DataFrame, names: list[str], steps: int, diffs: pd.DataFrame | None = None,
                  runs: pd.DataFrame | None = None) -> str:
    """Every parameter set: mean outcomes with 95% intervals, the share of runs censored at 50%,
    (given ``runs``) the spread of months to 50% across the runs' places beside its median, and
    (given ``diffs``, from :func:`differences`) the difference in months to 50% from the first row."""
    cols = [c for c, _, _ in _OUTCOMES if f"{c}_mean" in summary]
    head = [*names, *(label for c, label, _ in _OUTCOMES if c in cols), "censored at 50%"]
    spreads = {}
    if runs is not None and "months_to_50" in runs:
        head.append("months to 50% across places: median [IQR] {10th–90th}")
        spreads = {sample: spread_text(g["months_to_50"], steps) for sample, g in runs.groupby("sample")}
    if diffs is not None:
        head.append("months to 50% vs first row (95% interval)")
        by_sample = diffs.set_index("sample")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k, (_, row) in enumerate(summary.iterrows()):
        cells = [_fmt(row[n]) for n in names]
        for c, _, digits in _OUTCOMES:
            if c in cols:
                text = _interval(row, c, digits)
                censored = row.get("censored_50", 0) > 0 if c == "time_to_50" else row.get(f"{c}_high", 0) >= steps
                if c.endswith("time_to_50") and censored:
                    text += " +"  # a lower bound: censored runs counted at the run length
                cells.append(text)
        cells.append(_share(row.get("censored_50", 0.0), int(row.get("runs", 0))))
        if spreads:
            cells.append(spreads.get(row.get("sample"), "–"))
        if diffs is not None:
            sample = row.get("sample")
            cells.append(_difference_text(by_sample.loc[sample] if sample in by_sample.index else None, k == 0))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def differences_note(diffs: pd.DataFrame, replicates: int) -> str:
    """What the difference column means, and the smallest difference these replicates could tell apart."""
    rest = diffs.iloc[1:]
    half = ((rest["high"] - rest["low"]) / 2).median() if len(rest) else math.nan
    told = int(rest["separates"].sum())
    small = int((rest["separates"] & ~rest["matters"]).sum()) if "matters" in rest else 0
    text = (f"Differences from the first row: Welch 95% intervals over {replicates} replicates a row; **bold** where "
            f"the interval excludes zero and the difference is at least the smallest effect that matters "
            f"({smallest_text('time')}, of the first row's mean) ({told - small} of {len(rest)} rows); "
            f"\"below what matters\" where the interval excludes zero but the difference is smaller ({small} rows); "
            f"\"too small to tell\" where the interval includes zero. ")
    if math.isfinite(half) and half > 0:
        text += f"At {replicates} replicates a difference must exceed about {half:.1f} months to be told apart. "
        unclear = rest[~rest["separates"] & (rest["diff"].abs() > 0)]
        if len(unclear):
            largest = unclear.loc[unclear["diff"].abs().idxmax()]
            need = math.ceil(replicates * ((largest["high"] - largest["low"]) / 2 / abs(largest["diff"])) ** 2)
            text += (f"The largest difference too small to tell ({largest['diff']:+.1f} months) would need about "
                     f"{need} replicates a row to be told apart, if it is real. ")
    return text + ("A `+` marks a bound (some runs never reached 50%). Censored shares carry 95% Wilson intervals "
                   "over the row's runs.")


def _share(p: float, n: int) -> str:
    """A share of runs with its 95% Wilson interval (the share alone when there are no runs)."""
    from simulation.experiments.robust import wilson

    if not n:
        return f"{p:.0%}"
    lo, hi = wilson(round(p * n), n)
    return f"{p:.0%} ({lo:.0%}–{hi:.0%})"


def sensitivity_table(sens: pd.DataFrame) -> str:
    """Sensitivity indices by outcome and parameter (with their 95% half-widths where the method gives one)."""
    from simulation.experiments.analysis import SAME_SIGN_CALL, direction

    out = sens.copy()
    arrows = {"raises": " ↑", "lowers": " ↓", "either way": " ↕"}
    out["text"] = [f"{r.index:.2f}" + (f" ± {r.conf:.2f}" if pd.notna(r.conf) else "")
                   + arrows.get(direction(r, r.method), "") for r in out.itertuples()]
    if "converged" in out:  # Sobol: an index that moved by more than its half-width since half the samples
        out.loc[~out["converged"].astype(bool), "text"] += " †"
    table = out.pivot(index="parameter", columns="outcome", values="text")
    order = [c for c, _, _ in _OUTCOMES if c in table.columns]
    table = table[order].loc[out[out["outcome"] == order[0]].sort_values("index", ascending=False)["parameter"]]
    method = out["method"].iloc[0]
    head = ["parameter", *(f"{label} ({method})" for c, label, _ in _OUTCOMES if c in order)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in table.iterrows():
        lines.append("| " + " | ".join([f"`{name}`", *row.tolist()]) + " |")
    rule = (f"the sign of mu where |mu| is at least {SAME_SIGN_CALL:.0%} of mu*" if method == "morris" else
            "the sign of Spearman's rho")
    lines += ["", "↑ raises the outcome, ↓ lowers it, ↕ either way (depends on the other parameters); no arrow: no "
                  f"clear direction. Direction: {rule}."]
    if "converged" in out and (~out["converged"].astype(bool)).any():
        lines += ["", "† not converged: the index moved by more than its 95% half-width between half and all of "
                      "the base samples (more samples needed)."]
    return "\n".join(lines)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def block(name: str, results: Path | None = None) -> str:
    """The generated result text of one experiment, from its analysis folder."""
    results = results or ROOT / "results"
    exp = load_experiment(HERE / f"{name}.toml")
    folder = results / name / "analysis"
    if exp.design == "robustness":
        return robustness_block(name, exp, folder)
    report = (folder / "report.md").read_text(encoding="utf-8")
    lines = report[report.index("Runs:"):].strip()
    parts = [lines]
    if exp.design == "grid":
        runs = load_runs(results / name)
        diffs = differences(runs)
        parts.append(summary_table(pd.read_csv(folder / "summary.csv"), exp.names, exp.steps, diffs, runs))
        parts.append(differences_note(diffs, int(diffs["runs"].median())))
    else:
        parts.append(sensitivity_table(pd.read_csv(folder / "sensitivity.csv")))
    parts.append(f"_Generated by `python experiments/findings.py` from `results/{name}/analysis/` "
                 f"(master seed {exp.seed}). A `+` marks a lower bound: runs that never reached 50% "
                 "are counted at the run length._")
    return "\n\n".join(parts)


def robustness_block(name: str, exp, folder: Path) -> str:
    """Claims with their share of the uncertainty space, the regret table and the PRIM boxes of a robustness design."""
    from simulation.experiments.robust_report import prim_lines, regret_lines

    claims = pd.read_csv(folder / "claims.csv")
    regret = _text(pd.read_csv(folder / "regret.csv"), ["kind"])
    prim = _text(pd.read_csv(folder / "prim.csv"), ["input", "values", "note"])
    report = (folder / "report.md").read_text(encoding="utf-8")
    parts = [report[report.index("robustness design:"):report.index("Claims")].strip()]
    lines = ["| claim | holds in (95% interval) | clearly holds / clearly fails / too close to tell | verdict |",
             "|---|---|---|---|"]
    for r in claims.itertuples():
        verdict = r.verdict + (" (most draws too close to tell at these replicates)" if r.unclear > 0.5 else "")
        lines.append(f"| {r.claim} | {r.holds} of {r.draws} draws: {r.share:.0%} ({r.share_low:.0%}–"
                     f"{r.share_high:.0%}) | {r.clear_holds:.0%} / {r.clear_fails:.0%} / {r.unclear:.0%} "
                     f"| {verdict} |")
    parts += ["**Claims** (share of the uncertainty draws in which each holds; 95% Wilson interval over draws; "
              f"\"clearly\": the paired 95% interval over a draw's {exp.replicates} replicates is apart from zero)",
              "\n".join(lines)]
    parts += [f"**Regret** on {exp.outcome} (shortfall against the best setting in each draw)",
              "\n".join(regret_lines(regret[regret["outcome"] == exp.outcome]))]
    parts += ["**Scenario discovery** (PRIM boxes: restrictions, coverage and density)", "\n".join(prim_lines(prim))]
    parts.append(f"{_timing(folder.parent)}_Generated by `python experiments/findings.py` from "
                 f"`results/{name}/analysis/` (master seed {exp.seed})._")
    return "\n\n".join(parts)


def _timing(root: Path) -> str:
    """How long the sweep took, from its manifest (sessions summed), as a sentence."""
    import json

    try:
        sessions = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["sessions"]
    except (OSError, ValueError, KeyError):
        return ""
    runs = sum(s.get("runs", 0) for s in sessions)
    seconds = sum(s.get("seconds", 0.0) for s in sessions)
    where = ", ".join(sorted({s.get("where", "?") for s in sessions}))
    return f"{runs} runs in {seconds:.0f} s ({where}). " if runs else ""


def _text(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Text columns read back from CSV: empty cells as empty strings, not NaN."""
    for c in columns:
        df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    return df


def calibration_block(name: str, results: Path | None = None) -> str:
    """The posterior and the posterior-predictive check of a calibration, from its output folder."""
    folder = (results or ROOT / "results") / name
    summary = pd.read_csv(folder / "posterior_summary.csv")
    pred = pd.read_csv(folder / "predictive.csv")
    hist = pd.read_csv(folder / "history.csv")
    report = (folder / "report.md").read_text(encoding="utf-8")
    start = report.index("ABC-SMC")
    parts = [report[start:report.index("\n", start)].strip()]
    lines = ["| parameter | prior | posterior median | 90% credible interval | interval / prior width |",
             "|---|---|---|---|---|"]
    for r in summary.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior_low:.4g}–{r.prior_high:.4g} | {r.median:.4g} "
                     f"| {r.q05:.4g}–{r.q95:.4g} | {r.ci90_width_share_of_prior:.0%} |")
    parts.append("\n".join(lines))
    lines = ["| target | observed (sd) | predicted median | 90% predictive interval | inside |",
             "|---|---|---|---|---|"]
    for r in pred.itertuples():
        lines.append(f"| {r.target} | {r.observed:.4g} ({r.sd:.2g}) | {r.predicted_median:.4g} "
                     f"| {r.predicted_q05:.4g}–{r.predicted_q95:.4g} | {'yes' if r.inside else '**no**'} |")
    parts.append("\n".join(lines))
    parts.append(f"{len(hist)} generation(s); final distance threshold {hist['epsilon'].iloc[-1]:.3g}. "
                 f"_Generated by `python experiments/findings.py` from `results/{name}/`._")
    return "\n\n".join(parts)


def record_calibration_block(name: str, results: Path | None = None) -> str:
    """The calibration to the published record: parameters fitted and why, posterior, predictive check."""
    import json

    folder = (results or ROOT / "results") / name
    summary = pd.read_csv(folder / "posterior_summary.csv")
    pred = pd.read_csv(folder / "predictive.csv", keep_default_na=False, na_values=[""])
    screening = pd.read_csv(folder / "screening.csv")
    hist = pd.read_csv(folder / "history.csv")
    info = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    cfg = info["config"]
    report = (folder / "report.md").read_text(encoding="utf-8")
    start = report.index("ABC-SMC")
    parts = [report[start:report.index("\n", start)].strip()]
    from simulation.experiments.record_calibration import (
        NOT_PINNED,
        PINNED,
        PLACE_SPREADS,
        SHIPPED_STATISTIC,
        pinned_down,
        point_lines,
    )
    from simulation.scenario import CALIBRATED

    fitted = screening[screening["fitted"]]
    spread = fitted["parameter"].isin(PLACE_SPREADS)
    behavioural = fitted[~spread]
    others = screening[~screening["fitted"] & ~screening["parameter"].isin(PLACE_SPREADS)]
    keys = [c for c in screening.columns if "@" not in c and c not in
            ("parameter", "prior_low", "prior_high", "largest", "fitted")]
    parts.append(f"Fitted: {', '.join(f'`{p}`' for p in fitted['parameter'])}: the {len(behavioural)} behavioural "
                 "parameters declared uncertain that move the fit targets most between the ends of their ranges "
                 "(largest change, in units of a target's sd: "
                 + ", ".join(f"`{r.parameter}` {r.largest:.1f}" for r in behavioural.itertuples())
                 + (f"; the next, `{others['parameter'].iloc[0]}`, {others['largest'].iloc[0]:.1f}"
                    if len(others) else "")
                 + "), and the spreads of the places' conditions, always fitted (the shares of places among the "
                 "targets are the record's observations of how much places differ; in the screening "
                 + ", ".join(f"`{r.parameter}` {r.largest:.1f}" for r in fitted[spread].itertuples())
                 + f"). Fit targets: {', '.join(f'`{k}`' for k in keys)}.")
    lines = ["| parameter | prior | posterior median | 90% credible interval | interval / prior width "
             "| pinned down by the data | best-fitting particle | shipped default |",
             "|---|---|---|---|---|---|---|---|"]
    gaps = []
    for r in summary.itertuples():
        pinned = pinned_down(r.ci90_width_share_of_prior)
        best = getattr(r, SHIPPED_STATISTIC)
        shipped = CALIBRATED.values.get(r.parameter)
        if shipped is not None:
            gaps.append(abs(shipped - best) / (r.prior_high - r.prior_low))
        lines.append(f"| `{r.parameter}` | {r.prior_low:.4g}–{r.prior_high:.4g} | {r.median:.4g} "
                     f"| {r.q05:.4g}–{r.q95:.4g} | {r.ci90_width_share_of_prior:.0%} | {pinned} | {best:.4g} "
                     f"| {'–' if shipped is None else f'{shipped:.4g}'} |")
    adopted = ", ".join(f"`{k}` {v:.4g}" for k, v in CALIBRATED.values.items())
    parts.append("\n".join(lines) + f"\n\nPinned down: a 90% credible interval under {PINNED:.0%} of the prior's "
                 f"width; weakly: under {NOT_PINNED:.0%}; not pinned down: wider. **The shipped defaults** of the "
                 f"calibrated parameters are the best-fitting particle of the calibration adopted on "
                 f"{str(CALIBRATED.source.get('created', ''))[:10]} (`simulation/data/calibrated_defaults.toml`: "
                 f"{adopted})"
                 + (f"; this run's best-fitting particle lies within {max(gaps):.0%} of a prior's width of them."
                    if gaps else "."))
    points = pd.read_csv(folder / "point_fit.csv")
    parts.append("\n".join(point_lines(points, summary["parameter"].tolist(), keys, len(info["places"]),
                                        cfg["point_seeds"])))
    lines = ["| target | role | observed | predicted median | 90% predictive interval | draws inside | verdict |",
             "|---|---|---|---|---|---|---|"]
    for r in pred.itertuples():
        observed = f"≥ {r.low:.3g}" if math.isinf(r.high) else f"{r.low:.3g}–{r.high:.3g}"
        lines.append(f"| `{r.target}` | {r.role} | {observed} | {r.predicted_median:.3g} "
                     f"| {r.predicted_q05:.3g}–{r.predicted_q95:.3g} | {r.draws_inside_interval:.0%} "
                     f"| {'inside' if r.inside else '**missed**: ' + str(r.why)} |")
    parts.append("\n".join(lines))
    parts.append(f"{len(hist)} generation(s); final distance threshold {hist['epsilon'].iloc[-1]:.3g}; "
                 f"{cfg['predictive']} posterior draws in the predictive check. _Generated by "
                 f"`python experiments/findings.py` from `results/{name}/` (its report.md has the mappings, the "
                 "screening of every candidate and the targets not compared)._")
    return "\n\n".join(parts)


def tiny(exp):
    """An experiment shrunk for a smoke test: few samples, one or two replicates, short runs."""
    small = {"samples": min(exp.samples, 4 if exp.design != "sobol" else 8), "replicates": min(exp.replicates, 2),
             "steps": min(exp.steps, 24)}
    if exp.design == "grid":
        small["parameters"] = tuple(dataclasses.replace(p, values=p.values[:2]) if p.values else
                                    dataclasses.replace(p, num=2) for p in exp.parameters)
    return dataclasses.replace(exp, **small)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=[*EXPERIMENTS, *CALIBRATIONS, *SCRIPTS, *FULL_SCRIPTS])
    ap.add_argument("--render", action="store_true", help="only render the blocks from the results folder")
    ap.add_argument("--results", type=Path, default=ROOT / "results", help="results folder (default results/)")
    ap.add_argument("--tiny", action="store_true", help="shrink every experiment (a smoke test of this script)")
    ap.add_argument("--no-docs", action="store_true", help="print the blocks instead of rewriting the documents")
    ap.add_argument("--workers", type=int, default=None, help="sweep worker processes (default: all cores)")
    args = ap.parse_args(argv)
    for name in args.names:
        out = args.results / name
        if name in FULL_SCRIPTS:
            if args.tiny or args.no_docs:  # no tiny settings, and they write their blocks
                continue
            flags = ["--render"] * (args.render and name != "parameters")
            if importlib.import_module(name).main(flags) != 0:
                return 1
            continue
        if name in SCRIPTS:  # e.g. claims.py: its own runs, its own blocks (docs/findings.md)
            flags = (["--render"] * args.render + ["--tiny", "--out", str(out)] * args.tiny
                     + ["--no-docs"] * args.no_docs + ["--workers", str(args.workers)] * (args.workers is not None))
            fitted = args.results / RECORD_CALIBRATIONS[0]  # the claims over the record's posterior, where fitted
            if name == "claims" and (fitted / "posterior.parquet").is_file():
                flags += ["--posterior", str(fitted)]
            if importlib.import_module(name).main(flags) != 0:
                return 1
            continue
        if name in RECORD_CALIBRATIONS:
            if not args.render:
                from simulation.experiments.record_calibration import TINY, RecordCalibration, calibrate_record

                calibrate_record(RecordCalibration(**(TINY if args.tiny else {})), out)
            text = record_calibration_block(name, args.results)
        elif name in CALIBRATIONS:
            if not args.render:
                from simulation.experiments.calibration import calibrate, load_calibration

                config = load_calibration(HERE / f"{name}.toml")
                if args.tiny:
                    config = dataclasses.replace(config, population=10, generations=1, predictive=5, replicates=1)
                calibrate(config, out)
            text = calibration_block(name, args.results)
        else:
            if not args.render:
                exp = load_experiment(HERE / f"{name}.toml")
                if args.tiny:
                    exp = tiny(exp)
                run_sweep(exp, out, progress=False, workers=args.workers, overwrite=args.tiny)
                analyse(out)
            text = block(name, args.results)
        if args.no_docs:
            print(f"<!-- {name} -->\n{text}\n", flush=True)
        else:
            replace_block(DOCS.get(name, README), name, text, "experiments/findings.py")
            print(f"{name}: rendered", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
