"""Analysis of a sweep folder: summaries with confidence intervals, sensitivity indices, plots.

Time to 50% (or 80%) integration is *censored* when a run never reaches the
level. It is analysed honestly as ``time_to_50``: the months to 50%, with a
censored run counted at the run length (a restricted mean, so an average is a
lower bound on the true mean time), always reported next to the share of runs
censored (``censored_50``).

Main entry points: :func:`analyse` (everything, written to ``DIR/analysis``),
:func:`load_runs`, :func:`summary_table`, :func:`marginal_table`,
:func:`sensitivity` and the ``plot_*`` functions (matplotlib figures on the Agg canvas,
without pyplot, so nothing changes the caller's backend).

What a design allows: averages of an outcome by level of a parameter (marginal tables,
the outcome-vs-parameter plot, the heat map) are made for grid and Latin hypercube designs,
and for Sobol designs from the base samples only (:func:`base_samples`); they are left out
for Morris designs, whose trajectories are not balanced (:data:`NO_MARGINALS`: the report
says why and shows mu* against sigma instead). Sobol indices come with bootstrap intervals
and a half-sample convergence check. Robustness designs are analysed by
:mod:`.robust_report` (claims over the uncertainty space, regret, PRIM boxes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs import OutputFolder
from ..scenario import ScenarioError
from .figures import OUTCOME_LABELS
from .figures import figure as _figure
from .spec import OUTCOMES, Experiment, load_experiment
from .store import read_parquet_file, read_table

__all__ = [
    "Analysis",
    "analyse",
    "load_runs",
    "summary_table",
    "marginal_table",
    "heatmap_table",
    "sensitivity",
    "plot_outcome_vs_parameter",
    "plot_heatmap",
    "plot_sensitivity",
    "plot_morris",
    "base_samples",
    "NO_MARGINALS",
    "OUTCOME_LABELS",
]

def _experiment(root: Path) -> Experiment:
    path = root / "experiment.toml"
    if not path.exists():
        raise ScenarioError(f"{root} is not a sweep folder (no experiment.toml): run `sweep` first")
    return load_experiment(path)


def load_runs(root: str | Path, *, include_failed: bool = False) -> pd.DataFrame:
    """The per-run table with the censoring-aware outcomes ``time_to_50`` and ``time_to_80``.

    Parameters
    ----------
    root : path
        Sweep folder.
    include_failed : bool
        Keep runs that raised (their outcomes are NaN).
    """
    root = Path(root)
    runs = read_table(root, "runs")
    if not len(runs):
        raise ScenarioError(f"{root} holds no finished runs yet")
    if not include_failed:
        runs = runs[runs["status"] == "ok"].copy()
    steps = runs["steps"].astype(float)
    for prefix, level in (("", 50), ("", 80), ("connectedness_", 50)):
        if f"{prefix}months_to_{level}" not in runs:  # sweeps made before the measure existed
            continue
        months = runs[f"{prefix}months_to_{level}"].astype(float)
        runs[f"{prefix}censored_{level}"] = months.isna() & runs["status"].eq("ok")
        runs[f"{prefix}time_to_{level}"] = months.fillna(steps)
    return runs.reset_index(drop=True)


def _ci(values: pd.Series, conf: float) -> tuple[float, float, float, int]:
    from scipy import stats

    v = values.dropna().to_numpy(dtype=float)
    n = len(v)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    mean = float(v.mean())
    if n < 2:
        return (mean, math.nan, math.nan, n)
    half = float(stats.t.ppf(0.5 + conf / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return (mean, mean - half, mean + half, n)


def _range(outcome: str, runs: pd.DataFrame) -> tuple[float, float]:
    """The values an outcome can take, to clip intervals (shares in [0, 1], times in [0, run length])."""
    if outcome.startswith("time_to_"):
        return (0.0, float(runs["steps"].max()))
    if outcome in ("final_integration", "final_mean_trust", "final_partnership_share", "mean_integration"):
        return (0.0, 1.0)
    return (0.0, math.inf)


def _grouped(runs: pd.DataFrame, by: list[str], outcomes: list[str], conf: float) -> pd.DataFrame:
    rows = []
    for key, g in runs.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["runs"] = len(g)
        for o in outcomes:
            mean, lo, hi, _ = _ci(g[o], conf)
            low, high = _range(o, g)
            row[f"{o}_mean"], row[f"{o}_low"], row[f"{o}_high"] = mean, max(lo, low), min(hi, high)
        row["censored_50"] = float(g["censored_50"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def summary_table(runs: pd.DataFrame, names: list[str], outcomes: list[str], conf: float = 0.95) -> pd.DataFrame:
    """One row per design sample: its parameters, runs, mean and ``conf`` t-interval over replicates.

    Columns ``<outcome>_mean``, ``<outcome>_low``, ``<outcome>_high`` (a t-interval,
    clipped to the values the outcome can take) and ``censored_50`` (share of
    replicates never reaching 50% integration).
    """
    return _grouped(runs, ["sample", *names], outcomes, conf)


def _levels(values: pd.Series, max_levels: int = 8, bins: int = 6) -> pd.Series:
    """Exact values when few, else equal-width bins labelled by their midpoints."""
    if values.dtype == bool or values.nunique() <= max_levels:
        return values.astype(float)
    cut = pd.cut(values.astype(float), bins=bins)
    return cut.map(lambda iv: round(iv.mid, 4)).astype(float)


def marginal_table(runs: pd.DataFrame, name: str, outcomes: list[str], conf: float = 0.95) -> pd.DataFrame:
    """Outcomes by level of one parameter (averaged over everything else), with intervals.

    Continuous designs (LHS, Sobol) are binned into equal-width bins.
    """
    df = runs.assign(**{name: _levels(runs[name])})
    return _grouped(df, [name], outcomes, conf)


def heatmap_table(runs: pd.DataFrame, x: str, y: str, outcome: str = "time_to_50") -> pd.DataFrame:
    """Mean outcome over two parameters (rows ``y``, columns ``x``)."""
    df = runs.assign(**{x: _levels(runs[x], bins=5), y: _levels(runs[y], bins=5)})
    return df.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean").sort_index(ascending=False)


def sensitivity(root: str | Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Sensitivity indices of each outcome to each parameter, as a long table.

    * ``sobol`` designs: first-order ``S1`` and total ``ST`` Sobol indices with
      95% bootstrap half-widths (SALib, on the replicate mean of each sample),
      and a convergence check: the same indices from the first half of the base
      samples (``S1_half``, ``ST_half``); ``converged`` is false where an
      index moved by more than its full-sample half-width.
    * ``morris`` designs: ``mu_star`` (with half-width), ``mu`` and ``sigma``;
      also ``mu_star_norm``, mu* divided by the outcome's standard deviation.
    * ``grid``/``lhs``: Spearman rank correlation ``rho`` over runs (with p-value).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome``, ``parameter``, ``method``, ``index`` (the headline
        index: ST, mu_star_norm or |rho|), ``conf`` and the method's own columns.
    """
    root = Path(root)
    exp = _experiment(root)
    outcomes = list(outcomes or exp.outcomes)
    runs = load_runs(root, include_failed=True)
    names = exp.names
    rows: list[dict] = []
    if exp.design in ("sobol", "morris"):
        design = read_parquet_file(root / "design.parquet").set_index("sample").sort_index()
        means = runs.groupby("sample")[outcomes].mean().reindex(design.index)
        x = design[[f"x:{n}" for n in names]].to_numpy(dtype=float)
        from .design import salib_problem

        problem = salib_problem(exp)
        for o in outcomes:
            y = means[o].to_numpy(dtype=float)
            complete = bool(np.isfinite(y).all())
            if exp.design == "sobol":
                from SALib.analyze import sobol

                res = (sobol.analyze(problem, y, calc_second_order=exp.second_order, seed=exp.seed)
                       if complete else None)
                half = _sobol_half(problem, y, exp) if complete else None
                for j, n in enumerate(names):
                    r = {k: (float(res[k][j]) if res else math.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
                    for k in ("S1", "ST"):
                        r[f"{k}_half"] = float(half[k][j]) if half else math.nan
                    r["converged"] = bool(half) and all(
                        abs(r[k] - r[f"{k}_half"]) <= r[f"{k}_conf"] for k in ("S1", "ST"))
                    rows.append({"outcome": o, "parameter": n, "method": "sobol", "index": r["ST"],
                                 "conf": r["ST_conf"], **r})
            else:
                from SALib.analyze import morris

                res = (morris.analyze(problem, x, y, num_levels=exp.levels or 4, seed=exp.seed)
                       if complete else None)
                sd = float(np.nanstd(y)) or math.nan
                for j, n in enumerate(names):
                    r = {k: (float(res[k][j]) if res else math.nan) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
                    rows.append({"outcome": o, "parameter": n, "method": "morris", "index": r["mu_star"] / sd,
                                 "conf": r["mu_star_conf"] / sd, "mu_star_norm": r["mu_star"] / sd, **r})
    else:
        from scipy import stats

        ok = runs[runs["status"] == "ok"]
        for o in outcomes:
            for n in names:
                xs, ys = ok[n].astype(float), ok[o].astype(float)
                if xs.nunique() < 2 or ys.nunique() < 2:
                    rho, p = math.nan, math.nan
                else:
                    rho, p = stats.spearmanr(xs, ys)
                rows.append({"outcome": o, "parameter": n, "method": "spearman", "index": abs(float(rho)),
                             "conf": math.nan, "rho": float(rho), "p_value": float(p)})
    return pd.DataFrame(rows)


def _sobol_half(problem: dict, y: np.ndarray, exp: Experiment) -> dict | None:
    """Sobol indices from the first half of the base samples (Saltelli's blocks are laid out per base sample)."""
    from SALib.analyze import sobol

    d = problem["num_vars"]
    block = 2 * d + 2 if exp.second_order else d + 2
    n_half = (len(y) // block) // 2
    if n_half < 2:
        return None
    return sobol.analyze(problem, y[: n_half * block], calc_second_order=exp.second_order, seed=exp.seed)


def base_samples(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Runs of a Sobol design's base samples only (Saltelli's matrices A and B).

    A and B are two independent space-filling samples, so averaging over them
    (a marginal) averages over the other parameters evenly; the cross matrices
    AB (and BA) repeat columns of A and B and would weight some values twice.
    """
    d = len(exp.parameters)
    block = 2 * d + 2 if exp.second_order else d + 2
    pos = runs["sample"] % block
    return runs[(pos == 0) | (pos == block - 1)]


#: Why the marginal tables and plots are left out, by design.
NO_MARGINALS: dict[str, str] = {
    "morris": "Morris trajectories move one parameter at a time from a few random starting points, so the "
              "values of the other parameters are not balanced across a parameter's levels: an average "
              "outcome by level (a marginal plot, table or heat map) mixes the parameter's effect with "
              "whichever starting points happened to carry it. Only the elementary effects (mu*, sigma) are "
              "reported.",
}


# -- plots -------------------------------------------------------------------
def plot_outcome_vs_parameter(runs: pd.DataFrame, names: list[str], outcomes: list[str], conf: float = 0.95):
    """Grid of panels: each outcome (rows) against each parameter (columns), mean and interval.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(figsize=(3.0 * len(names) + 1, 2.6 * len(outcomes)))
    axes = fig.subplots(len(outcomes), len(names), squeeze=False, sharey="row")
    for i, o in enumerate(outcomes):
        for j, n in enumerate(names):
            ax = axes[i, j]
            m = marginal_table(runs, n, [o], conf)
            ax.plot(m[n], m[f"{o}_mean"], "o-", color="C0")
            ax.fill_between(m[n], m[f"{o}_low"], m[f"{o}_high"], color="C0", alpha=0.25, linewidth=0)
            if o.startswith("time_to_"):  # mark levels where some runs never got there: lower bounds
                share = runs.groupby(_levels(runs[n]))[f"censored_{o.rsplit('_', 1)[-1]}"].mean()
                cens = m[n].map(share).fillna(0).to_numpy() > 0
                ax.plot(m[n][cens], m[f"{o}_mean"][cens], "o", mfc="white", mec="C3", mew=1.5,
                        label="some runs censored:\nmean is a lower bound")
                if cens.any() and j == 0:
                    ax.legend(fontsize=7, loc="best")
            if i == len(outcomes) - 1:
                ax.set_xlabel(n)
            if j == 0:
                ax.set_ylabel(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=9)
            ax.grid(alpha=0.3)
    fig.suptitle(f"Outcomes by parameter: mean and {conf:.0%} interval (averaged over the other parameters)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_heatmap(runs: pd.DataFrame, x: str, y: str, outcome: str = "time_to_50"):
    """Heat map of the mean outcome over two parameters, values written in the cells."""
    table = heatmap_table(runs, x, y, outcome)
    fig = _figure(figsize=(1.1 * table.shape[1] + 3, 0.8 * table.shape[0] + 2))
    ax = fig.subplots()
    im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis_r" if outcome.startswith("time") else "viridis",
                   aspect="auto")
    ax.set_xticks(range(table.shape[1]), [f"{v:.3g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:.3g}" for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    level = int(outcome.rsplit("_", 1)[-1]) if outcome.startswith("time_to_") else None
    cens = heatmap_table(runs, x, y, f"censored_{level}").reindex_like(table) if level else None
    for (r, c), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(v):
            red, green, blue, _ = im.cmap(im.norm(v))
            ink = "k" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "w"
            text = f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"
            if cens is not None and cens.iat[r, c] > 0:
                text += "+"  # some runs never got there: the mean is a lower bound
            ax.text(c, r, text, ha="center", va="center", color=ink, fontsize=8)
    fig.colorbar(im, ax=ax, label=OUTCOME_LABELS.get(outcome, outcome))
    note = ""
    if level:
        note = (f"\n{runs[f'censored_{level}'].mean():.0%} of runs never reached {level}% in "
                f"{int(runs['steps'].max())} months (counted at that length; + marks cells with such runs)")
    ax.set_title(f"mean {OUTCOME_LABELS.get(outcome, outcome).split(' (')[0]}{note}", fontsize=9)
    fig.tight_layout()
    return fig


def plot_sensitivity(indices: pd.DataFrame):
    """Bar chart of the headline sensitivity index per parameter, one panel per outcome."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    method = indices["method"].iloc[0] if len(indices) else ""
    label = {"sobol": "total Sobol index ST (first-order S1 hatched)", "morris": "Morris mu* / sd of outcome",
             "spearman": "|Spearman rank correlation|"}.get(method, "index")
    fig = _figure(figsize=(4.2 * len(outcomes), 0.45 * indices["parameter"].nunique() + 2))
    axes = fig.subplots(1, len(outcomes), squeeze=False, sharey=True)
    for ax, o in zip(axes[0], outcomes):
        d = indices[indices["outcome"] == o]
        pos = np.arange(len(d))
        err = d["conf"].to_numpy(dtype=float)
        ax.barh(pos, d["index"], xerr=np.where(np.isfinite(err), err, 0), color="C0", alpha=0.8, capsize=2)
        if method == "sobol":
            ax.barh(pos, d["S1"], color="none", edgecolor="k", hatch="//", linewidth=0.5)
        ax.set_yticks(pos, d["parameter"])
        ax.invert_yaxis()
        ax.set_title(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=10)
        ax.set_xlabel(f"{label}\nbars: {'95% confidence of the estimate' if method != 'spearman' else 'none'}",
                      fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_morris(indices: pd.DataFrame):
    """Morris screening: mu* against sigma per parameter, one panel per outcome.

    A parameter far from zero on mu* matters; a large sigma against mu* means its effect
    depends on the other parameters (interactions) or is non-linear.
    """
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig = _figure(figsize=(4.2 * len(outcomes), 4))
    axes = fig.subplots(1, len(outcomes), squeeze=False)
    for ax, o in zip(axes[0], outcomes):
        d = indices[indices["outcome"] == o]
        ax.errorbar(d["mu_star"], d["sigma"], xerr=d["mu_star_conf"], fmt="o", color="C0", capsize=2)
        for r in d.itertuples():
            ax.annotate(r.parameter, (r.mu_star, r.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
        top = float(np.nanmax(np.r_[d["mu_star"], d["sigma"], 1e-9]))
        ax.plot([0, top], [0, top], color="grey", ls=":", lw=1)
        ax.set_xlabel("mu* (mean |elementary effect|, 95% bootstrap)")
        ax.set_ylabel("sigma (spread of the effects)")
        ax.set_title(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=10)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# -- everything ----------------------------------------------------------------
@dataclass
class Analysis:
    """What :func:`analyse` produced: tables, the files written and a text report."""

    experiment: Experiment
    runs: pd.DataFrame
    summary: pd.DataFrame
    sensitivity: pd.DataFrame
    failed: int
    files: dict[str, Path] = field(default_factory=dict)
    text: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def analyse(root: str | Path, out: str | Path | None = None, *, outcomes: list[str] | None = None,
            heatmap: tuple[str, str] | None = None, conf: float = 0.95, plots: bool = True) -> Analysis:
    """Analyse a sweep folder; write tables, PNG plots and ``report.md`` to ``out``.

    Parameters
    ----------
    root : path
        Sweep folder written by :func:`~simulation.experiments.run_sweep`.
    out : path, optional
        Where to write (default ``root/analysis``).
    outcomes : list of str, optional
        Outcomes to analyse (default: the experiment's).
    heatmap : (str, str), optional
        Two parameters for the heat map (default: the experiment's, or the first two).
    conf : float
        Confidence level of the intervals.
    plots : bool
        Write the PNG plots.

    Raises
    ------
    ScenarioError
        If ``root`` is not a sweep folder, holds no runs, or an outcome or parameter is unknown.
    """
    root = Path(root)
    exp = _experiment(root)
    outcomes = list(outcomes or exp.outcomes)
    for o in outcomes:
        if o not in OUTCOMES:
            raise ScenarioError(f"--outcome {o!r} is not known: expected one of {', '.join(OUTCOMES)}")
    if exp.design == "robustness":
        if heatmap:
            raise ScenarioError("--heatmap: a robustness design has no heat map (it reports claims and regret)")
        from .robust_report import analyse_robustness

        return Analysis(exp, *analyse_robustness(root, exp, Path(out) if out is not None else root / "analysis",
                                                 outcomes, conf, plots, load_runs(root, include_failed=True)))
    if heatmap and exp.design in NO_MARGINALS:
        raise ScenarioError(f"--heatmap: a {exp.design} design has no heat map (its samples are not balanced; "
                            "see the report)")
    hm = tuple(heatmap or exp.heatmap)
    if any(h not in exp.names for h in hm):
        raise ScenarioError(f"--heatmap {' '.join(hm)}: expected two of the varied parameters ({', '.join(exp.names)})")
    out = Path(out) if out is not None else root / "analysis"
    with OutputFolder(out) as folder:  # every file renamed into place when all are written, or none
        return _analyse_grid(root, exp, folder, outcomes, hm, conf, plots)


def _analyse_grid(root: Path, exp: Experiment, folder: OutputFolder, outcomes: list[str], hm: tuple, conf: float,
                  plots: bool) -> Analysis:
    out = folder.root
    all_runs = load_runs(root, include_failed=True)
    runs = all_runs[all_runs["status"] == "ok"].reset_index(drop=True)
    failed = len(all_runs) - len(runs)
    summary = summary_table(runs, exp.names, outcomes, conf)
    indices = sensitivity(root, outcomes)
    files = {"summary": folder.write("summary.csv", lambda p: summary.to_csv(p, index=False)),
             "sensitivity": folder.write("sensitivity.csv", lambda p: indices.to_csv(p, index=False))}
    marginal_runs = base_samples(exp, runs) if exp.design == "sobol" else runs
    for stale in ("marginal.csv", "outcome_vs_parameter.png", "heatmap.png", "morris.png"):
        (out / stale).unlink(missing_ok=True)  # an earlier analysis's files must not outlive a change of design
    if exp.design not in NO_MARGINALS:
        marg = pd.concat([marginal_table(marginal_runs, n, outcomes, conf).rename(columns={n: "value"})
                          .assign(parameter=n) for n in exp.names], ignore_index=True)
        files["marginal"] = folder.write("marginal.csv", lambda p: marg.to_csv(p, index=False))
    if plots:
        figs = {"sensitivity": plot_sensitivity(indices)}
        if exp.design == "morris":
            figs["morris"] = plot_morris(indices)
        else:
            figs["outcome_vs_parameter"] = plot_outcome_vs_parameter(marginal_runs, exp.names, outcomes, conf)
            if len(hm) == 2:
                figs["heatmap"] = plot_heatmap(marginal_runs, hm[0], hm[1], exp.heatmap_outcome)
        for name, fig in figs.items():
            files[name] = folder.write(f"{name}.png", lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
    text = _report(exp, all_runs, runs, indices, outcomes, hm, failed)
    files["report"] = folder.write_text("report.md", text)
    return Analysis(exp, runs, summary, indices, failed, files, text)


def _report(exp: Experiment, all_runs: pd.DataFrame, runs: pd.DataFrame, indices: pd.DataFrame,
            outcomes: list[str], hm: tuple, failed: int) -> str:
    lines = [f"# {exp.name}", "", exp.description.strip(), "",
             f"{exp.design} design, {len(exp.parameters)} parameters ({', '.join(exp.names)}), "
             f"{exp.replicates} replicate(s), {exp.steps} months, master seed {exp.seed}.",
             f"Runs: {len(all_runs)} recorded, {len(runs)} finished, {failed} failed.", ""]
    if len(runs):
        c50 = runs["censored_50"].mean()
        lines.append(f"Overall: time to 50% integration {runs['time_to_50'].mean():.1f} months on average "
                     f"(censored runs counted at {exp.steps}; {c50:.0%} of runs never reached 50%), "
                     f"final integration {runs['final_integration'].mean():.2f}, "
                     f"final mean trust {runs['final_mean_trust'].mean():.2f}.")
        lines.append("")
    headline = {"sobol": "total Sobol index ST", "morris": "Morris mu*/sd", "spearman": "|Spearman rho|"}
    for o in outcomes:
        d = indices[indices["outcome"] == o].sort_values("index", ascending=False)
        if not len(d):
            continue
        ranked = ", ".join(f"{r.parameter} {r.index:.2f}" for r in d.itertuples() if np.isfinite(r.index))
        lines.append(f"- {o}: ranked by {headline.get(d['method'].iloc[0], 'index')}: {ranked or 'n/a'}")
    lines += _design_notes(exp, indices)
    if failed:
        err = all_runs[all_runs["status"] != "ok"]["error"].value_counts()
        lines += ["", f"{failed} run(s) failed:"] + [f"- {n} x {msg}" for msg, n in err.items()]
    return "\n".join(lines) + "\n"


def _design_notes(exp: Experiment, indices: pd.DataFrame) -> list[str]:
    """What the design allows: why marginals are left out (Morris), how they are made and how converged (Sobol)."""
    if exp.design in NO_MARGINALS:
        return ["", f"No marginal plots or tables for a {exp.design} design: {NO_MARGINALS[exp.design]} "
                    "See morris.png (mu* against sigma) and sensitivity.csv."]
    if exp.design != "sobol" or not len(indices):
        return []
    lines = ["", "Marginal tables and plots use the Sobol base samples (matrices A and B) only: two independent "
                 "space-filling samples, so each average is over the other parameters evenly.",
             "Sobol indices carry SALib's 95% bootstrap half-widths (±). Convergence: the indices again from the "
             "first half of the base samples."]
    moved = indices[~indices["converged"].astype(bool)]
    if len(moved):
        lines.append("Not converged (an index moved by more than its half-width between half and all of the base "
                     "samples; more samples needed): " + ", ".join(
                         f"{r.outcome}/{r.parameter} (ST {r.ST_half:.2f} -> {r.ST:.2f} ± {r.ST_conf:.2f}, "
                         f"S1 {r.S1_half:.2f} -> {r.S1:.2f} ± {r.S1_conf:.2f})" for r in moved.itertuples()) + ".")
    else:
        lines.append("Every index is within its half-width of the half-sample estimate.")
    return lines
