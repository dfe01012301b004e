"""The analysis of a robustness design, written to a folder: claims, regret, PRIM boxes, plots and a report.

Called by :func:`simulation.experiments.analysis.analyse` for ``design.method =
"robustness"``; the tables are made by :mod:`.robust` and :mod:`.discovery`.

Files written to ``out``: ``claims.csv`` (each claim's share of the uncertainty space),
``claims_by_draw.csv``, ``regret.csv`` (per lever setting, on ``analysis.outcome``),
``regret_by_draw.csv``, ``policies.csv`` (each setting's outcomes over all runs, with 95%
t-intervals), ``prim.csv`` (box limits, coverage, density), ``report.md``, and the plots
``claims.png``, ``regret.png`` and ``prim.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs import OutputFolder
from .discovery import boxes_table, plot_boxes
from .robust import claims_table, discover, plan_runs, plot_claims, plot_regret, regret_by_draw, regret_table
from .spec import Experiment

__all__ = ["analyse_robustness", "policy_table"]


def policy_table(runs: pd.DataFrame, outcomes: list[str], conf: float = 0.95) -> pd.DataFrame:
    """Each lever setting's outcomes over every run (all draws and replicates): mean and ``conf`` t-interval."""
    from scipy import stats

    rows = []
    order = list(dict.fromkeys(runs.sort_values("run_id")["policy"]))
    for policy in order:
        g = runs[runs["policy"] == policy]
        row = {"policy": policy, "kind": g["kind"].iloc[0], "runs": len(g)}
        for o in outcomes:
            v = g[o].dropna().to_numpy(dtype=float)
            half = float(stats.t.ppf(0.5 + conf / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))) \
                if len(v) > 1 else np.nan
            row[f"{o}_mean"], row[f"{o}_low"], row[f"{o}_high"] = v.mean(), v.mean() - half, v.mean() + half
        row["censored_50"] = float(g["censored_50"].mean())
        row["stalled"] = float((g["final_integration"] < g["stall_threshold"]).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def analyse_robustness(root: Path, exp: Experiment, out: Path, outcomes: list[str], conf: float, plots: bool,
                       all_runs: pd.DataFrame, coverage=None):
    """Write the robustness analysis of the sweep ``root`` to ``out``.

    ``coverage`` (a :class:`~simulation.experiments.coverage.Coverage`) gives the runs
    recorded against those planned, for the report. ``prim.png`` shows only the
    questions PRIM found a box for, and is not written when it found none.

    Returns
    -------
    tuple
        ``(runs, summary, sensitivity, failed, files, text, tables)``, the fields of
        :class:`~simulation.experiments.analysis.Analysis` after the experiment: ``summary`` is the
        per-setting table, ``sensitivity`` the claims table, ``tables`` every table by name.
    """
    with OutputFolder(out) as folder:  # every file renamed into place when all are written, or none
        return _analyse(root, exp, folder, outcomes, conf, plots, all_runs, coverage)


def _analyse(root, exp, folder: OutputFolder, outcomes, conf, plots, all_runs, coverage=None):
    runs = all_runs[all_runs["status"] == "ok"].reset_index(drop=True)
    failed = len(all_runs) - len(runs)
    runs = plan_runs(root, runs).assign(stall_threshold=exp.stall_threshold)
    outcomes = list(dict.fromkeys([exp.outcome, *outcomes]))
    claims, per_draw = claims_table(exp, runs, conf)
    regret = pd.concat([regret_table(exp, runs, o, conf) for o in outcomes], ignore_index=True)
    by_draw = regret_by_draw(runs, exp.outcome)
    policies = policy_table(runs, outcomes, conf)
    boxes = discover(exp, runs, per_draw)
    prim = boxes_table(boxes)
    tables = {"claims": claims, "claims_by_draw": per_draw, "regret": regret, "regret_by_draw": by_draw,
              "policies": policies, "prim": prim}
    files: dict[str, Path] = {}
    for name, df in tables.items():
        index = name == "regret_by_draw"
        files[name] = folder.write(f"{name}.csv", lambda p, df=df, index=index: df.to_csv(p, index=index))
    if plots:
        ranges = {p.name: ((p.low, p.high) if p.is_range else (min(map(float, p.values)), max(map(float, p.values))))
                  for p in exp.parameters if p.kind is not bool}
        head = regret[regret["outcome"] == exp.outcome]
        with_box = [b for b in boxes if len(b.limits)]
        figs = {"claims": plot_claims(claims), "regret": plot_regret(by_draw, head, exp.outcome),
                "prim": plot_boxes(with_box, ranges) if with_box else None}
        (folder.root / "prim.png").unlink(missing_ok=True)  # an earlier analysis's boxes must not outlive this one's
        for name, fig in figs.items():
            if fig is None:
                continue
            files[f"{name}_plot"] = folder.write(f"{name}.png",
                                                 lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
    text = report(exp, all_runs, runs, claims, regret, prim, failed, coverage)
    files["report"] = folder.write_text("report.md", text)
    return runs, policies, claims, failed, files, text, tables


def report(exp: Experiment, all_runs: pd.DataFrame, runs: pd.DataFrame, claims: pd.DataFrame,
           regret: pd.DataFrame, prim: pd.DataFrame, failed: int, coverage=None) -> str:
    """The text report: design, runs against the plan, claims with their shares, regret, PRIM boxes."""
    n_draws = runs["draw"].nunique() if len(runs) else 0
    lines = [f"# {exp.name}", "", exp.description.strip(), "",
             f"robustness design: {len(exp.levers)} lever settings ({', '.join(lv.name for lv in exp.levers)}) "
             f"× {exp.samples} uncertainty draws (Latin hypercube over {', '.join(exp.uncertainty_names)}) "
             f"× {exp.replicates} replicate(s), the same seeds for every setting of a draw; {exp.steps} months, "
             f"master seed {exp.seed}.",
             (f"Runs: {coverage.line()}." if coverage is not None else
              f"Runs: {len(all_runs)} recorded, {len(runs)} finished, {failed} failed."), ""]
    if coverage is not None and not coverage.complete:
        lines += [f"**Partial analysis (--partial)**: the sweep is incomplete; settings and draws below their "
                  f"replicates: {coverage.missing_text(10)}. Claims and regret rest on the draws recorded.", ""]
    lines += ["Claims (share of the uncertainty draws in which each holds, 95% Wilson interval over "
              f"{n_draws} draws; clearly: the paired 95% interval over the draw's {exp.replicates} replicates "
              "is apart from zero):", ""]
    lines += claims_lines(claims)
    lines += ["", f"Regret on {exp.outcome} (shortfall against the best setting in each draw):", ""]
    lines += regret_lines(regret[regret["outcome"] == exp.outcome])
    lines += ["", "Scenario discovery (PRIM boxes):", ""]
    lines += prim_lines(prim)
    boxed = prim.loc[prim["input"].ne(""), "question"].nunique() if len(prim) else 0
    lines += ["", f"prim.png draws the {boxed} question(s) with a box." if boxed else
              "PRIM found no box for any question, so there is no prim.png."]
    if failed:
        err = all_runs[all_runs["status"] != "ok"]["error"].value_counts()
        lines += ["", f"{failed} run(s) failed:"] + [f"- {n} x {msg}" for msg, n in err.items()]
    return "\n".join(lines) + "\n"


def claims_lines(claims: pd.DataFrame) -> list[str]:
    """One bullet per claim: share, interval, verdict, and how many draws are clear either way."""
    out = []
    for r in claims.itertuples():
        line = (f"- {r.claim}: {r.verdict}: {r.holds} of {r.draws} draws, {r.share:.0%} "
                f"({r.share_low:.0%}–{r.share_high:.0%}); clearly holds in {r.clear_holds:.0%}, clearly fails in "
                f"{r.clear_fails:.0%}, too close to tell in {r.unclear:.0%}")
        if r.unclear > 0.5:
            line += " (in most draws the replicates are too few to tell the two apart: the share rests on noise there)"
        out.append(line)
    return out


def regret_lines(regret: pd.DataFrame) -> list[str]:
    """A markdown table of regret per lever setting."""
    lines = ["| setting | kind | mean outcome | mean regret (95% interval) | 90th percentile | max | best in |",
             "|---|---|---|---|---|---|---|"]
    for r in regret.itertuples():
        lines.append(f"| {r.policy} | {r.kind or '–'} | {r.mean:.2f} | {r.regret_mean:.2f} "
                     f"({r.regret_low:.2f}–{r.regret_high:.2f}) | {r.regret_p90:.2f} | {r.regret_max:.2f} "
                     f"| {r.best_share:.0%} |")
    return lines


def prim_lines(prim: pd.DataFrame) -> list[str]:
    """One bullet per box: its restrictions, coverage and density against the base rate."""
    lines = []
    for question, g in prim.groupby("question", sort=False):
        r = g.iloc[0]
        if g["input"].eq("").all():
            lines.append(f"- {question}: no box ({r['note']}; base rate {r['base_rate']:.0%} of "
                         f"{int(r['n'])} cases)")
            continue
        limits = "; ".join(
            f"{x.input} in {x['values']}" if x["values"] else f"{x.input} {x.low:.3g}–{x.high:.3g}"
            for _, x in g.iterrows())
        line = (f"- {question}: {limits} (coverage {r['coverage']:.0%}, density {r['density']:.0%}, "
                f"against a base rate of {r['base_rate']:.0%} of {int(r['n'])} cases)")
        if r["density"] - r["base_rate"] < 0.1:
            line += "; barely denser than the base rate, so no distinct region"
        lines.append(line)
    return lines
