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
says why and shows mu*, the signed mu and sigma instead). Sobol indices come with bootstrap
intervals and a half-sample convergence check. Robustness designs are analysed by
:mod:`.robust_report` (claims over the uncertainty space, regret, PRIM boxes).

Which way: every report defines its indices (:data:`INDEX_DEFINITIONS`) and gives each
parameter's direction beside its importance (:func:`direction`): Morris mu beside mu*, with
the share of elementary effects of mu's sign; Spearman's signed rho (for Sobol, over the base
samples). Sobol and Morris reports give the outcome's run-to-run noise share, estimated from
the replicates (:func:`noise_share`), and a Sobol report says when noise pushes the indices past
the bounds of a noise-free model. The runs are checked against the sweep's plan first
(:mod:`.coverage`): an incomplete sweep is refused unless ``partial``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs import OutputFolder
from ..scenario import ScenarioError
from .coverage import IncompleteSweep, coverage
from .figures import OUTCOME_LABELS
from .figures import figure as _figure
from .spec import OUTCOMES, Experiment, load_experiment
from .store import read_parquet_file, read_table

__all__ = [
    "Analysis",
    "analyse",
    "spread_text",
    "load_runs",
    "summary_table",
    "marginal_table",
    "heatmap_table",
    "sensitivity",
    "elementary_effects",
    "same_sign_share",
    "noise_share",
    "INDEX_DEFINITIONS",
    "direction",
    "SAME_SIGN_CALL",
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
    for prefix, level in (("", 50), ("", 80), ("connectedness_", 50), ("statutory_", 50), ("size_", 50)):
        if f"{prefix}months_to_{level}" not in runs:  # sweeps made before the measure existed
            continue
        months = runs[f"{prefix}months_to_{level}"].astype(float)
        runs[f"{prefix}censored_{level}"] = months.isna() & runs["status"].eq("ok")
        runs[f"{prefix}time_to_{level}"] = months.fillna(steps)
    return runs.reset_index(drop=True)


def spread_text(months, steps: int) -> str:
    """Median [IQR] {10th-90th percentile} of a milestone across runs (places), never-reached runs beyond the run.

    Every run counts: one that never got there sits above the run length, so a
    quantile there reads ``>steps`` ("not within the run") rather than being
    left out.

    Examples
    --------
    >>> spread_text([10, 20, 30, 40, None], 60)
    '30 [20–40] {10–>60}'
    """
    m = pd.Series(months, dtype=float).fillna(steps + 1)

    def q(x: float) -> str:
        v = m.quantile(x, interpolation="nearest")  # a run's own value: never one between a month and "never"
        return f">{steps}" if v > steps else f"{v:.0f}"

    return f"{q(.5)} [{q(.25)}–{q(.75)}] {{{q(.1)}–{q(.9)}}}"


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
    if outcome in ("final_integration", "final_mean_trust", "final_partnership_share", "mean_integration",
                   "final_statutory_integration", "final_size_integration", "final_joint_care", "mean_joint_care",
                   "final_connectedness"):
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
    """Sensitivity indices of each outcome to each parameter, as a long table, with their signs.

    * ``sobol`` designs: first-order ``S1`` and total ``ST`` Sobol indices with
      95% bootstrap half-widths (SALib, on the replicate mean of each sample),
      and a convergence check: the same indices from the first half of the base
      samples (``S1_half``, ``ST_half``); ``converged`` is false where an
      index moved by more than its full-sample half-width. Sobol indices carry
      no sign: ``rho`` (the Spearman rank correlation of the replicate means with
      the parameter over the base samples) says which way.
    * ``morris`` designs: ``mu_star`` (with half-width), the signed ``mu`` and
      ``sigma``; ``same_sign``, the share of the parameter's elementary effects
      with the sign of ``mu``; ``mu_star_norm`` and ``mu_norm``, mu* and mu
      divided by the outcome's standard deviation.
    * ``grid``/``lhs``: Spearman rank correlation ``rho`` over runs (with p-value).

    Sobol and Morris rows also carry the outcome's ``noise_share`` (:func:`noise_share`).

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
        ok = runs[runs["status"] == "ok"]
        means = ok.groupby("sample")[outcomes].mean().reindex(design.index)
        x = design[[f"x:{n}" for n in names]].to_numpy(dtype=float)
        from .design import salib_problem

        problem = salib_problem(exp)
        for o in outcomes:
            y = means[o].to_numpy(dtype=float)
            complete = bool(np.isfinite(y).all())
            noise = noise_share(ok, o)
            if exp.design == "sobol":
                from SALib.analyze import sobol

                res = (sobol.analyze(problem, y, calc_second_order=exp.second_order, seed=exp.seed)
                       if complete else None)
                half = _sobol_half(problem, y, exp) if complete else None
                base = np.zeros(len(y), dtype=bool)
                base[base_samples(exp, pd.DataFrame({"sample": np.arange(len(y))}))["sample"].to_numpy()] = True
                for j, n in enumerate(names):
                    r = {k: (float(res[k][j]) if res else math.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
                    for k in ("S1", "ST"):
                        r[f"{k}_half"] = float(half[k][j]) if half else math.nan
                    r["converged"] = bool(half) and all(
                        abs(r[k] - r[f"{k}_half"]) <= r[f"{k}_conf"] for k in ("S1", "ST"))
                    r["rho"], r["p_value"] = _spearman(x[base, j], y[base]) if complete else (math.nan, math.nan)
                    rows.append({"outcome": o, "parameter": n, "method": "sobol", "index": r["ST"],
                                 "conf": r["ST_conf"], **r, **noise})
            else:
                from SALib.analyze import morris

                res = (morris.analyze(problem, x, y, num_levels=exp.levels or 4, seed=exp.seed)
                       if complete else None)
                effects = elementary_effects(x, y, np.asarray(problem["bounds"], dtype=float)) if complete else None
                sd = float(np.nanstd(y)) or math.nan
                for j, n in enumerate(names):
                    r = {k: (float(res[k][j]) if res else math.nan) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
                    r["same_sign"] = same_sign_share(effects[j]) if effects is not None else math.nan
                    rows.append({"outcome": o, "parameter": n, "method": "morris", "index": r["mu_star"] / sd,
                                 "conf": r["mu_star_conf"] / sd, "mu_star_norm": r["mu_star"] / sd,
                                 "mu_norm": r["mu"] / sd, **r, **noise})
    else:
        ok = runs[runs["status"] == "ok"]
        for o in outcomes:
            for n in names:
                rho, p = _spearman(ok[n].astype(float).to_numpy(), ok[o].astype(float).to_numpy())
                rows.append({"outcome": o, "parameter": n, "method": "spearman", "index": abs(rho),
                             "conf": math.nan, "rho": rho, "p_value": p})
    return pd.DataFrame(rows)


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its p-value; NaN when either side is constant."""
    from scipy import stats

    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < 2 or len(np.unique(y)) < 2:
        return math.nan, math.nan
    rho, p = stats.spearmanr(x, y)
    return float(rho), float(p)


def elementary_effects(x: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> list[np.ndarray]:
    """Per parameter, the signed elementary effects of a Morris design.

    The design is laid out in trajectories of ``d + 1`` rows, each row moving one
    parameter by a Morris step from the row before. An elementary effect is the
    change in the outcome divided by that step as a share of the parameter's
    range (``bounds``): the outcome's change over the whole range, were the effect
    linear. Their mean is SALib's ``mu`` and the mean of their absolute values its ``mu_star``.

    Examples
    --------
    >>> x = np.array([[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]])
    >>> [e.tolist() for e in elementary_effects(x, np.array([1.0, 2.0, 1.5]), np.array([[0, 1], [0, 1]]))]
    [[2.0], [-1.0]]
    """
    n, d = x.shape
    unit = x / (bounds[:, 1] - bounds[:, 0])
    effects: list[list[float]] = [[] for _ in range(d)]
    for start in range(0, n - d, d + 1):
        dx = np.diff(unit[start:start + d + 1], axis=0)
        dy = np.diff(y[start:start + d + 1])
        moved = np.argmax(np.abs(dx), axis=1)
        for k, j in enumerate(moved):
            effects[j].append(dy[k] / dx[k, j])
    return [np.array(e) for e in effects]


def same_sign_share(effects: np.ndarray) -> float:
    """Share of the elementary effects with the sign of their mean (NaN if the mean is zero or none).

    Examples
    --------
    >>> same_sign_share(np.array([1.0, 2.0, -0.5, 0.0]))
    0.5
    """
    mean = float(np.mean(effects)) if len(effects) else 0.0
    if mean == 0 or not np.isfinite(mean):
        return math.nan
    return float(np.mean(np.sign(effects) == np.sign(mean)))


def noise_share(runs: pd.DataFrame, outcome: str) -> dict[str, float]:
    """How much of an outcome's variance is run-to-run noise, estimated from replicates at fixed parameters.

    ``noise_share``: the mean variance between replicates of a sample over the
    variance of all runs (single runs' share of noise); ``noise_share_means``: the
    same noise divided by the replicates, over the variance of the replicate
    means (the noise left in the means the indices are computed from). NaN with
    fewer than two replicates per sample.

    Examples
    --------
    >>> runs = pd.DataFrame({"sample": [0, 0, 1, 1], "y": [1.0, 1.2, 3.0, 3.2]})
    >>> {k: round(v, 3) for k, v in noise_share(runs, "y").items()}
    {'noise_share': 0.015, 'noise_share_means': 0.005}
    """
    g = runs.groupby("sample")[outcome]
    counts = g.count()
    if not len(counts) or counts.min() < 2:
        return {"noise_share": math.nan, "noise_share_means": math.nan}
    within = float(g.var(ddof=1).mean())
    total = float(runs[outcome].var(ddof=1))
    between = float(g.mean().var(ddof=1))
    reps = float(counts.mean())
    return {"noise_share": within / total if total > 0 else math.nan,
            "noise_share_means": min(1.0, within / reps / between) if between > 0 else math.nan}


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
    """Grid of panels: each parameter (rows, in the order given) against each outcome (columns), mean and interval.

    A row per parameter keeps the figure a readable column however many parameters
    vary (no wide strip); an outcome's panels share their y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    height = 2.3 * len(names) + 0.8
    fig = _figure(figsize=(3.2 * len(outcomes) + 0.6, height))
    axes = fig.subplots(len(names), len(outcomes), squeeze=False, sharey="col")
    for i, n in enumerate(names):
        for j, o in enumerate(outcomes):
            ax = axes[i, j]
            m = marginal_table(runs, n, [o], conf)
            ax.plot(m[n], m[f"{o}_mean"], "o-", color="C0")
            ax.fill_between(m[n], m[f"{o}_low"], m[f"{o}_high"], color="C0", alpha=0.25, linewidth=0)
            if o.startswith("time_to_"):  # mark levels where some runs never got there: lower bounds
                share = runs.groupby(_levels(runs[n]))[f"censored_{o.rsplit('_', 1)[-1]}"].mean()
                cens = m[n].map(share).fillna(0).to_numpy() > 0
                ax.plot(m[n][cens], m[f"{o}_mean"][cens], "o", mfc="white", mec="C3", mew=1.5,
                        label="some runs censored:\nmean is a lower bound")
                if cens.any() and i == 0:
                    ax.legend(fontsize=7, loc="best")
            ax.set_xlabel(n, fontsize=9)
            if i == 0:
                ax.set_title(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=9)
            ax.grid(alpha=0.3)
    fig.suptitle(f"Outcomes by parameter (most important first): mean and {conf:.0%} interval, averaged over the "
                 "other parameters", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / height))  # the title above the columns' titles
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


_DIRECTION_COLOURS = {"raises": "#1f77b4", "lowers": "#d62728", "either way": "#7f7f7f",
                      "no clear direction": "#7f7f7f", "none measured": "#c7c7c7"}


def _ranked_panels(indices: pd.DataFrame, title: str):
    """A figure with one panel per outcome that has indices, two panels a row, each sized for one parameter a row.

    Returns ``(fig, [(axis, outcome, rows sorted by importance, most important first)])``, or ``(None, [])``
    when no outcome has a finite index.
    """
    panels = []
    for o in dict.fromkeys(indices["outcome"]):
        d = indices[indices["outcome"] == o]
        if np.isfinite(d["index"]).any():
            panels.append((o, d.sort_values("index", ascending=False, na_position="last")))
    if not panels:
        return None, []
    n_params = max(len(d) for _, d in panels)
    cols = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / cols)
    height = 0.34 * n_params + 1.6
    fig = _figure(figsize=(6.4 * cols, height * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.remove()  # no empty panels
    fig.suptitle(title, fontsize=11)
    return fig, [(ax, o, d) for ax, (o, d) in zip(axes.flat, panels)]


def _direction_legend(fig, method: str, extra: list | None = None) -> None:
    from matplotlib.patches import Patch

    unclear = "either way" if method == "morris" else "no clear direction"
    handles = [Patch(color=_DIRECTION_COLOURS[k], label=k) for k in ("raises", "lowers", unclear)]
    fig.legend(handles=handles + (extra or []), loc="lower center", ncol=len(handles) + len(extra or []),
               fontsize=8, frameon=False)


def plot_sensitivity(indices: pd.DataFrame):
    """The headline sensitivity index per parameter, sorted by importance: one panel per outcome, one lever a row.

    Bars are coloured by direction (raises, lowers, either way or unclear). Sobol: ST bars with
    S1 hatched; Morris: mu*/sd; grid and Latin hypercube: the signed Spearman rho.

    Returns
    -------
    matplotlib.figure.Figure or None
        None when no outcome has an index (the report says why).
    """
    method = indices["method"].iloc[0] if len(indices) else ""
    label = {"sobol": "total Sobol index ST (first-order S1 hatched), 95% bootstrap",
             "morris": "Morris mu* / sd of the outcome, 95% bootstrap",
             "spearman": "Spearman rank correlation rho (signed)"}.get(method, "index")
    fig, panels = _ranked_panels(indices, f"Parameters by importance: {label}")
    if fig is None:
        return None
    for ax, o, d in panels:
        pos = np.arange(len(d))
        colours = [_DIRECTION_COLOURS[direction(r, method)] for r in d.itertuples()]
        value = d["rho"] if method == "spearman" else d["index"]
        err = d["conf"].to_numpy(dtype=float)
        ax.barh(pos, value, xerr=np.where(np.isfinite(err), err, 0), color=colours, alpha=0.85, capsize=2)
        if method == "sobol":
            ax.barh(pos, d["S1"], color="none", edgecolor="k", hatch="//", linewidth=0.5)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_yticks(pos, d["parameter"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    _direction_legend(fig, method)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def plot_morris(indices: pd.DataFrame):
    """Morris screening, one panel per outcome, one parameter a row sorted by mu*.

    The bar is mu* (with its 95% bootstrap interval), coloured by direction; the
    diamond is the signed mu on the same axis (left of zero: lowers the outcome);
    the right margin gives the share of elementary effects with mu's sign and sigma.

    Returns
    -------
    matplotlib.figure.Figure or None
        None when no outcome has indices.
    """
    from matplotlib.lines import Line2D

    fig, panels = _ranked_panels(indices.assign(index=indices["mu_star"]),
                                 "Morris screening: mu* (bar) and signed mu (diamond), outcome units per range")
    if fig is None:
        return None
    for ax, o, d in panels:
        pos = np.arange(len(d))
        colours = [_DIRECTION_COLOURS[direction(r, "morris")] for r in d.itertuples()]
        err = d["mu_star_conf"].to_numpy(dtype=float)
        ax.barh(pos, d["mu_star"], xerr=np.where(np.isfinite(err), err, 0), color=colours, alpha=0.8, capsize=2)
        ax.plot(d["mu"], pos, "D", color="k", ms=4)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_yticks(pos, d["parameter"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(OUTCOME_LABELS.get(o, o).split(" (")[0], fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        low = min(0.0, float(np.nanmin(np.r_[d["mu"], 0.0])))
        high = float(np.nanmax(np.r_[d["mu_star"] + np.nan_to_num(err), 1e-9]))
        ax.set_xlim(low - 0.05 * (high - low), high + 0.75 * (high - low))  # room on the right for the notes
        for k, r in enumerate(d.itertuples()):
            if np.isfinite(r.same_sign):
                ax.text(1.0, k, f"{r.same_sign:.0%} same sign, sigma {r.sigma:.2g} ",
                        transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=7, color="0.25")
    _direction_legend(fig, "morris", [Line2D([], [], marker="D", color="k", ls="none", ms=4, label="mu (signed)")])
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def _by_importance(indices: pd.DataFrame, names: list[str]) -> list[str]:
    """The parameters, most important first by the headline index averaged over the outcomes."""
    if not len(indices):
        return list(names)
    mean = indices.groupby("parameter")["index"].mean().reindex(names).fillna(-1.0)
    return sorted(names, key=lambda n: -mean[n])


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
            heatmap: tuple[str, str] | None = None, conf: float = 0.95, plots: bool = True,
            partial: bool = False) -> Analysis:
    """Analyse a sweep folder; write tables, PNG plots and ``report.md`` to ``out``.

    The runs recorded are compared with the sweep's plan (:mod:`.coverage`): an
    incomplete sweep is refused unless ``partial``; then the report says how many
    of the planned runs it reads and names the cells below their replicates,
    and ``summary.csv`` gives each cell's ``planned`` runs beside ``runs``.

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
    partial : bool
        Analyse an incomplete sweep (what is recorded so far).

    Raises
    ------
    IncompleteSweep
        If the sweep holds fewer runs than planned and ``partial`` is false (a :class:`ScenarioError`).
    ScenarioError
        If ``root`` is not a sweep folder, holds no runs, or an outcome or parameter is unknown.
    """
    root = Path(root)
    exp = _experiment(root)
    outcomes = list(outcomes or exp.outcomes)
    for o in outcomes:
        if o not in OUTCOMES:
            raise ScenarioError(f"--outcome {o!r} is not known: expected one of {', '.join(OUTCOMES)}")
    all_runs = load_runs(root, include_failed=True)
    cov = coverage(root, ["draw", "policy"] if exp.design == "robustness" else exp.names, all_runs)
    if not cov.complete and not partial:
        raise IncompleteSweep(cov.refusal(root))
    if exp.design == "robustness":
        if heatmap:
            raise ScenarioError("--heatmap: a robustness design has no heat map (it reports claims and regret)")
        from .robust_report import analyse_robustness

        return Analysis(exp, *analyse_robustness(root, exp, Path(out) if out is not None else root / "analysis",
                                                 outcomes, conf, plots, all_runs, coverage=cov))
    if heatmap and exp.design in NO_MARGINALS:
        raise ScenarioError(f"--heatmap: a {exp.design} design has no heat map (its samples are not balanced; "
                            "see the report)")
    hm = tuple(heatmap or exp.heatmap)
    if any(h not in exp.names for h in hm):
        raise ScenarioError(f"--heatmap {' '.join(hm)}: expected two of the varied parameters ({', '.join(exp.names)})")
    out = Path(out) if out is not None else root / "analysis"
    with OutputFolder(out) as folder:  # every file renamed into place when all are written, or none
        return _analyse_grid(root, exp, folder, outcomes, hm, conf, plots, all_runs, cov)


def _analyse_grid(root: Path, exp: Experiment, folder: OutputFolder, outcomes: list[str], hm: tuple, conf: float,
                  plots: bool, all_runs: pd.DataFrame, cov) -> Analysis:
    out = folder.root
    runs = all_runs[all_runs["status"] == "ok"].reset_index(drop=True)
    failed = len(all_runs) - len(runs)
    if not len(runs):
        error = all_runs["error"].value_counts()
        raise ScenarioError(f"{root}: none of the {len(all_runs):,} recorded runs finished, nothing to analyse "
                            f"(most common error, {int(error.iloc[0])} runs: {error.index[0]})")
    summary = summary_table(runs, exp.names, outcomes, conf)
    summary.insert(summary.columns.get_loc("runs") + 1, "planned",
                   summary["sample"].map(cov.cells.set_index("sample")["planned"]).astype(int))
    indices = sensitivity(root, outcomes)
    files = {"summary": folder.write("summary.csv", lambda p: summary.to_csv(p, index=False)),
             "sensitivity": folder.write("sensitivity.csv", lambda p: indices.to_csv(p, index=False))}
    marginal_runs = base_samples(exp, runs) if exp.design == "sobol" else runs
    for stale in ("marginal.csv", "outcome_vs_parameter.png", "heatmap.png", "morris.png", "sensitivity.png"):
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
            figs["outcome_vs_parameter"] = plot_outcome_vs_parameter(marginal_runs, _by_importance(indices, exp.names),
                                                                     outcomes, conf)
            if len(hm) == 2:
                figs["heatmap"] = plot_heatmap(marginal_runs, hm[0], hm[1], exp.heatmap_outcome)
        for name, fig in figs.items():
            if fig is None:  # no outcome has indices: no empty plot (the report says why)
                continue
            files[name] = folder.write(f"{name}.png", lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
    text = _report(exp, all_runs, runs, indices, outcomes, hm, failed, cov)
    files["report"] = folder.write_text("report.md", text)
    return Analysis(exp, runs, summary, indices, failed, files, text)


#: One line per index: what each number in a report means, by design method.
INDEX_DEFINITIONS: dict[str, list[tuple[str, str]]] = {
    "morris": [
        ("elementary effect", "the change in the outcome when one parameter takes one Morris step and the others stay "
                              "put, divided by the step as a share of the parameter's range (outcome units per "
                              "whole range)"),
        ("mu*", "mean of the absolute elementary effects: how much the parameter moves the outcome, either way "
                "(importance; ranks the parameters)"),
        ("mu", "mean of the signed elementary effects: which way (positive raises the outcome); much smaller than "
               "mu* when effects of both signs cancel"),
        ("sigma", "standard deviation of the elementary effects: large against mu* when the effect depends on the "
                  "other parameters (interactions) or is not linear"),
        ("same sign", "share of the elementary effects with the sign of mu: near 100% the direction holds everywhere "
                      "in the space; near 50% it depends on where you start"),
        ("mu*/sd", "mu* divided by the standard deviation of the outcome over the design samples, to compare "
                   "outcomes in different units"),
    ],
    "sobol": [
        ("S1", "first-order Sobol index: the share of the outcome's variance due to the parameter alone"),
        ("ST", "total Sobol index: the share due to the parameter alone and in all its interactions; every ST is at "
               "most 1 and the S1 sum to at most 1 for a model without noise"),
        ("rho", "Spearman rank correlation of the outcome with the parameter over the base samples: which way "
                "(Sobol indices carry no sign)"),
        ("p", "the p-value of rho against no association"),
        ("±", "SALib's 95% bootstrap half-width"),
    ],
    "spearman": [
        ("rho", "Spearman rank correlation between the parameter and the outcome over all runs: the sign says which "
                "way, |rho| ranks the parameters (monotone association, not a variance share)"),
        ("p", "the p-value of rho against no association"),
    ],
}
_HEADLINE = {"sobol": "total Sobol index ST", "morris": "Morris mu*/sd", "spearman": "|Spearman rho|"}
#: A Morris direction is called when ``|mu| >= SAME_SIGN_CALL * mu*``: the effects against mu's sign are small
#: (at most about a tenth of all the effects' size), however many they are.
SAME_SIGN_CALL = 0.8


def direction(r, method: str) -> str:
    """In words, which way a parameter moves an outcome: a row of :func:`sensitivity` and its method.

    Morris: "raises" or "lowers" by mu's sign when ``|mu| >= SAME_SIGN_CALL * mu*``, else "either
    way"; Spearman (and Sobol, by the rho of its base samples): by rho's sign when ``|rho| >= 0.1``
    (and, with a p-value, ``p < 0.05``), else "no clear direction".
    """
    if method == "morris":
        if not np.isfinite(r.mu) or not np.isfinite(r.mu_star) or r.mu_star == 0:
            return "none measured"
        if abs(r.mu) < SAME_SIGN_CALL * r.mu_star:
            return "either way"
        return "raises" if r.mu > 0 else "lowers"
    rho, p = r.rho, getattr(r, "p_value", math.nan)
    if not np.isfinite(rho) or (np.isfinite(p) and p >= 0.05) or abs(rho) < 0.1:
        return "no clear direction"
    return "raises" if rho > 0 else "lowers"


def _signed(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:+.3g}"


def _unavailable(exp: Experiment, runs: pd.DataFrame, samples: int) -> str:
    """Why indices are n/a: the design samples without a finished run (Sobol and Morris need all of them)."""
    if exp.design not in ("sobol", "morris"):
        return "the parameter or the outcome was constant over the runs"
    have = runs["sample"].nunique()
    if have < samples:
        return (f"{exp.design} indices need a finished run at every design sample: {have:,} of {samples:,} "
                "samples have one")
    return "the outcome is missing in some samples"


def _outcome_lines(exp: Experiment, o: str, d: pd.DataFrame, runs: pd.DataFrame, samples: int) -> list[str]:
    """The ranking line and the table of one outcome, sorted by importance, with signs and the noise."""
    method = d["method"].iloc[0]
    label = OUTCOME_LABELS.get(o, o).split(" (")[0]
    slower = " (higher is slower)" if o.startswith(("time_to_", "connectedness_time")) else ""
    d = d.sort_values("index", ascending=False, na_position="last")
    if not np.isfinite(d["index"]).any():
        return [f"- {o}: ranked by {_HEADLINE[method]}: n/a ({_unavailable(exp, runs, samples)})"]
    ranked = ", ".join(f"{r.parameter} {r.index:.2f} ({direction(r, method)})"
                       for r in d.itertuples() if np.isfinite(r.index))
    lines = [f"- {o}: ranked by {_HEADLINE[method]} (direction): {ranked}", "", f"### {label}{slower}", ""]
    if method == "morris":
        lines += ["| parameter | mu* (95%) | mu | sigma | same sign | mu*/sd | direction |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r.parameter} | {r.mu_star:.3g} ± {r.mu_star_conf:.2g} | {_signed(r.mu)} | {r.sigma:.3g} "
                  f"| {r.same_sign:.0%} | {r.mu_star_norm:.2f} | {direction(r, method)} |" for r in d.itertuples()]
    elif method == "sobol":
        lines += ["| parameter | ST ± | S1 ± | rho | p | direction |", "|---|---|---|---|---|---|"]
        lines += [f"| {r.parameter} | {r.ST:.2f} ± {r.ST_conf:.2f} | {r.S1:.2f} ± {r.S1_conf:.2f} | {_signed(r.rho)} "
                  f"| {r.p_value:.2g} | {direction(r, method)} |" for r in d.itertuples()]
        lines += ["", *_sobol_notes(d)]
    else:
        lines += ["| parameter | rho | p | direction |", "|---|---|---|---|"]
        lines += [f"| {r.parameter} | {_signed(r.rho)} | {r.p_value:.2g} | {direction(r, method)} |"
                  for r in d.itertuples()]
    if method in ("sobol", "morris"):
        lines += ["", _noise_line(d.iloc[0], exp)]
    return [*lines, ""]


def _sobol_notes(d: pd.DataFrame) -> list[str]:
    """Say plainly when the indices break the bounds a noise-free model keeps."""
    total_st, total_s1 = float(d["ST"].sum()), float(d["S1"].sum())
    lines = [f"Sum of ST {total_st:.2f}, sum of S1 {total_s1:.2f}."]
    over = d[d["ST"] > 1]
    if len(over) or total_s1 > 1:
        what = []
        if len(over):
            what.append("ST above 1 for " + ", ".join(f"{r.parameter} ({r.ST:.2f})" for r in over.itertuples()))
        if total_s1 > 1:
            what.append(f"the S1 summing to {total_s1:.2f}")
        lines.append("**These indices are inflated by noise**: " + " and ".join(what) + " cannot happen for a model "
                     "without noise (or with enough samples). Read the ranking, not the values; more replicates per "
                     "sample and more samples shrink it.")
    elif total_st > 1:
        lines.append("ST summing above 1 means interactions (each is counted in every parameter it involves), "
                     "or noise.")
    floor = float(d["ST"].min())
    if total_st > 1 and floor >= 0.2 and len(d) > 1:
        noise = float(d["noise_share_means"].iloc[0])
        check = ("Measure it with 2 or more replicates per sample." if not np.isfinite(noise) else
                 f"Measured here: noise is {noise:.0%} of the variance of the means analysed.")
        lines.append(f"Every parameter has an ST of at least {floor:.2f}, while the S1 sum to {total_s1:.2f}: "
                     "run-to-run noise adds about its share of the variance to every ST alike (pure noise would give "
                     "each an ST near 1), so a floor shared by all the parameters is most likely noise, not "
                     f"interactions. {check}")
    if (d["S1"] < 0).any():
        lines.append("A negative S1 is estimation noise (a share of variance cannot be negative): read it as about 0.")
    return lines


def _noise_line(r, exp: Experiment) -> str:
    """The outcome's run-to-run noise, as estimated from the replicates, or why it cannot be."""
    if not np.isfinite(r.noise_share):
        return (f"Noise: not estimated ({exp.replicates} replicate per sample). The model is stochastic: its "
                "run-to-run noise enters the indices as if it were an effect of the parameters (inflating sigma, and "
                "ST for a Sobol design). Use 2 or more replicates to measure it.")
    return (f"Noise: run-to-run variance at fixed parameters is {r.noise_share:.0%} of the variance of single runs; "
            f"in the means over {exp.replicates} replicates that the indices use it is {r.noise_share_means:.0%}.")


def _report(exp: Experiment, all_runs: pd.DataFrame, runs: pd.DataFrame, indices: pd.DataFrame,
            outcomes: list[str], hm: tuple, failed: int, cov=None) -> str:
    lines = [f"# {exp.name}", "", exp.description.strip(), "",
             f"{exp.design} design, {len(exp.parameters)} parameters ({', '.join(exp.names)}), "
             f"{exp.replicates} replicate(s), {exp.steps} months, master seed {exp.seed}.",
             (f"Runs: {cov.line()}." if cov is not None else
              f"Runs: {len(all_runs)} recorded, {len(runs)} finished, {failed} failed."), ""]
    if cov is not None and not cov.complete:
        lines += [f"**Partial analysis (--partial)**: the sweep is incomplete. Cells below their replicates: "
                  f"{cov.missing_text(10)}. Their rows in summary.csv average fewer runs than planned (column "
                  "`planned`), and averages over parameters weight the cells unevenly.", ""]
    if len(runs):
        c50 = runs["censored_50"].mean()
        lines.append(f"Overall: time to 50% integration {runs['time_to_50'].mean():.1f} months on average "
                     f"(censored runs counted at {exp.steps}; {c50:.0%} of runs never reached 50%), "
                     f"final integration {runs['final_integration'].mean():.2f}, "
                     f"final mean trust {runs['final_mean_trust'].mean():.2f}.")
        lines.append("")
    method = indices["method"].iloc[0] if len(indices) else None
    if method:
        lines += ["## What the numbers mean", ""]
        lines += [f"- **{name}**: {text}." for name, text in INDEX_DEFINITIONS[method]]
        if method == "morris":
            lines.append(f"- **direction**: raises or lowers (the sign of mu) when |mu| is at least "
                         f"{SAME_SIGN_CALL:.0%} of mu*, so the effects the other way are small; otherwise either way.")
        else:
            lines.append("- **direction**: raises or lowers by the sign of rho when |rho| >= 0.1 and p < 0.05; "
                         "otherwise no clear direction.")
        lines += ["", "## Parameters by importance, each outcome", ""]
    for o in outcomes:
        d = indices[indices["outcome"] == o]
        if len(d):
            samples = len(cov.cells) if cov is not None else runs["sample"].nunique()
            lines += _outcome_lines(exp, o, d, runs, samples)
    lines += _design_notes(exp, indices)
    if failed:
        err = all_runs[all_runs["status"] != "ok"]["error"].value_counts()
        lines += ["", f"{failed} run(s) failed:"] + [f"- {n} x {msg}" for msg, n in err.items()]
    return "\n".join(lines) + "\n"


def _design_notes(exp: Experiment, indices: pd.DataFrame) -> list[str]:
    """What the design allows: why marginals are left out (Morris), how they are made and how converged (Sobol)."""
    if exp.design in NO_MARGINALS:
        return ["", f"No marginal plots or tables for a {exp.design} design: {NO_MARGINALS[exp.design]} "
                    "See morris.png (mu* by parameter, with the signed mu) and sensitivity.csv."]
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
