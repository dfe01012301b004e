"""Robustness of a robustness design: claims over the uncertainty space, regret, scenario discovery.

A robustness design (``design.method = "robustness"``) runs every lever setting on every
draw of the uncertainties, with the same seeds (common random numbers). Here:

* :func:`draw_outcomes`: the outcome of each lever setting in each draw (mean over the
  draw's replicates; times to a level count censored runs at the run length);
* :func:`claims_table`: for each claim ("open books beat no lever on months to 50%",
  "structural beats relational"), the share of draws in which it holds, with a 95%
  Wilson interval over draws; and, from the paired replicates of each draw, the shares
  of draws where it clearly holds or clearly fails (paired 95% t-interval apart from
  zero) and where the replicates are too few to tell. A kind (``structural``) stands
  for its best setting in each draw, chosen on the same replicates: that favours a
  kind with more settings a little (compare kinds with as many settings each, or
  name settings);
* :func:`regret_table`: per setting, regret = its shortfall against the best setting
  in each draw: mean (95% interval), 90th percentile and maximum, and the share of
  draws in which it is the best (regret is measured on the draw's mean over replicates,
  so it includes their noise);
* :func:`discover`: PRIM boxes (:mod:`.discovery`) of where integration stalls, and of
  where each claim between kinds of lever holds.

Examples
--------
>>> [round(v, 3) for v in wilson(8, 10)]   # 8 of 10 draws: a share of 0.8, with its 95% interval
[0.49, 0.943]
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .discovery import PrimBox, prim_box
from .spec import LOWER_IS_BETTER, Experiment
from .store import read_parquet_file

__all__ = ["wilson", "plan_runs", "draw_outcomes", "claims_table", "regret_table", "discover", "verdict",
           "regret_by_draw", "plot_regret", "plot_claims"]


def wilson(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share ``k / n``.

    Examples
    --------
    >>> wilson(0, 20)[0], round(wilson(20, 20)[1], 9)
    (0.0, 1.0)
    """
    from scipy import stats

    if n == 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + conf / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def plan_runs(root: str | Path, runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with their ``draw``, ``policy`` and ``kind`` from the sweep's plan."""
    plan = read_parquet_file(Path(root) / "plan.parquet", columns=["run_id", "draw", "policy", "kind"])
    return runs.merge(plan, on="run_id", how="left")


def _sign(outcome: str) -> float:
    """+1 where more is better, -1 where less is (so ``sign * value`` is always "more is better")."""
    return -1.0 if outcome in LOWER_IS_BETTER else 1.0


def draw_outcomes(runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Mean ``outcome`` over replicates: rows ``draw``, columns the lever settings (in plan order)."""
    order = list(dict.fromkeys(runs.sort_values("run_id")["policy"]))
    wide = runs.pivot_table(index="draw", columns="policy", values=outcome, aggfunc="mean")
    return wide[[p for p in order if p in wide.columns]]


def _side(exp: Experiment, name: str, wide: pd.DataFrame, outcome: str) -> pd.Series:
    """Per draw, the setting standing for ``name``: itself, or the best setting of the kind ``name``."""
    if name in wide.columns:
        return pd.Series(name, index=wide.index)
    members = [lv.name for lv in exp.levers if lv.kind == name and lv.name in wide.columns]
    scored = wide[members] * _sign(outcome)
    return scored.idxmax(axis=1)


def _paired(runs: pd.DataFrame, outcome: str, a: pd.Series, b: pd.Series, sign: float, margin: float,
            conf: float) -> pd.DataFrame:
    """Per draw: the mean of the paired differences (in favour of ``a``) and its t-interval over replicates."""
    from scipy import stats

    rep = runs.pivot_table(index=["draw", "replicate"], columns="policy", values=outcome, aggfunc="mean")
    rows = []
    for d in a.index:
        x = rep.loc[d]
        diff = (sign * (x[a[d]] - x[b[d]]) - margin).dropna().to_numpy(dtype=float)
        n = len(diff)
        mean = float(diff.mean()) if n else math.nan
        half = float(stats.t.ppf(0.5 + conf / 2, n - 1) * diff.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        rows.append({"draw": d, "advantage": mean, "low": mean - half, "high": mean + half, "replicates": n})
    return pd.DataFrame(rows).set_index("draw")


def verdict(share: float, low: float, high: float) -> str:
    """Words for a share of the uncertainty space and its 95% interval.

    Examples
    --------
    >>> verdict(0.9, 0.75, 0.97), verdict(0.55, 0.4, 0.7)
    ('holds in most of the uncertainty space', 'too small to tell whether it holds in most of the uncertainty space')
    """
    if share == 1.0:
        return "holds in every draw"
    if share == 0.0:
        return "holds in no draw"
    if low > 0.5:
        return "holds in most of the uncertainty space"
    if high < 0.5:
        return "fails in most of the uncertainty space"
    return "too small to tell whether it holds in most of the uncertainty space"


def claims_table(exp: Experiment, runs: pd.DataFrame, conf: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each claim's share of the uncertainty space, and each draw's verdict.

    Parameters
    ----------
    exp : Experiment
        A robustness experiment (its ``claims`` and ``levers``).
    runs : pandas.DataFrame
        Finished runs with ``draw``, ``policy`` and ``replicate`` (:func:`plan_runs`).
    conf : float
        Level of the intervals.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per claim: ``claim``, ``outcome``, ``draws``, ``holds`` (draws where the mean over replicates
        favours it by more than the margin), ``share``, ``share_low``, ``share_high`` (Wilson), ``clear_holds``,
        ``clear_fails``, ``unclear`` (shares of draws by the paired interval), ``mean_advantage`` and
        ``verdict``. And per claim and draw: the settings compared, the advantage and its interval, ``holds``.
    """
    rows, per_draw = [], []
    for claim in exp.claims:
        wide = draw_outcomes(runs, claim.outcome)
        sign = _sign(claim.outcome)
        a, b = _side(exp, claim.better, wide, claim.outcome), _side(exp, claim.than, wide, claim.outcome)
        paired = _paired(runs, claim.outcome, a, b, sign, claim.margin, conf)
        holds = paired["advantage"] > 0
        n, k = int(paired["advantage"].notna().sum()), int(holds.sum())
        lo, hi = wilson(k, n, conf)
        share = k / n if n else math.nan
        rows.append({"claim": claim.text, "better": claim.better, "than": claim.than, "outcome": claim.outcome,
                     "margin": claim.margin, "draws": n, "holds": k, "share": share, "share_low": lo,
                     "share_high": hi, "clear_holds": float((paired["low"] > 0).mean()),
                     "clear_fails": float((paired["high"] < 0).mean()),
                     "unclear": float(((paired["low"] <= 0) & (paired["high"] >= 0)).mean()),
                     "mean_advantage": float(paired["advantage"].mean()), "verdict": verdict(share, lo, hi)})
        per_draw.append(paired.assign(claim=claim.text, better_setting=a, than_setting=b, holds=holds)
                        .reset_index())
    return pd.DataFrame(rows), (pd.concat(per_draw, ignore_index=True) if per_draw else pd.DataFrame())


def regret_table(exp: Experiment, runs: pd.DataFrame, outcome: str | None = None,
                 conf: float = 0.95) -> pd.DataFrame:
    """Per lever setting: its outcome, and its regret (shortfall against the best setting in each draw).

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``kind``, ``outcome``, ``mean`` (outcome over draws), ``regret_mean`` with
        ``regret_low``/``regret_high`` (a t-interval over draws), ``regret_p90``, ``regret_max``,
        ``best_share`` (draws where it is best or tied best), ``draws``; sorted by mean regret.
    """
    from scipy import stats

    outcome = outcome or exp.outcome
    wide = draw_outcomes(runs, outcome)
    scored = wide * _sign(outcome)
    regret = scored.max(axis=1).to_numpy()[:, None] - scored.to_numpy()
    kinds = {lv.name: lv.kind for lv in exp.levers}
    rows = []
    for j, policy in enumerate(wide.columns):
        r = regret[:, j][np.isfinite(regret[:, j])]
        n = len(r)
        half = float(stats.t.ppf(0.5 + conf / 2, n - 1) * r.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        rows.append({"policy": policy, "kind": kinds.get(policy, ""), "outcome": outcome,
                     "mean": float(wide[policy].mean()), "regret_mean": float(r.mean()) if n else math.nan,
                     "regret_low": max(0.0, float(r.mean()) - half) if n else math.nan,
                     "regret_high": float(r.mean()) + half if n else math.nan,
                     "regret_p90": float(np.quantile(r, 0.9)) if n else math.nan,
                     "regret_max": float(r.max()) if n else math.nan,
                     "best_share": float(np.mean(r <= 1e-12)) if n else math.nan, "draws": n})
    return pd.DataFrame(rows).sort_values("regret_mean", kind="stable").reset_index(drop=True)


def discover(exp: Experiment, runs: pd.DataFrame, per_draw: pd.DataFrame, min_coverage: float = 0.5) -> list[PrimBox]:
    """PRIM boxes: where integration stalls, and where each claim between two kinds of lever holds.

    "Stalls": a run whose integration is below ``exp.stall_threshold`` at the horizon. Its
    inputs are the uncertainties and the lever setting (a category). A claim's inputs are
    the uncertainties of each draw.
    """
    names = exp.uncertainty_names
    x = runs[names].copy()
    x["policy"] = runs["policy"].astype("category")
    stalled = (runs["final_integration"] < exp.stall_threshold).to_numpy()
    boxes = [prim_box(x, stalled, question=f"integration stalls (below {exp.stall_threshold:g} at month "
                                           f"{exp.steps})", min_coverage=min_coverage)]
    kinds = {lv.kind for lv in exp.levers if lv.kind}
    draws = runs.groupby("draw")[names].first()
    for claim in exp.claims:
        if claim.better in kinds and claim.than in kinds and len(per_draw):
            d = per_draw[per_draw["claim"] == claim.text].set_index("draw")
            boxes.append(prim_box(draws.loc[d.index], d["holds"].to_numpy(dtype=bool), question=claim.text,
                                  min_coverage=min_coverage))
    return boxes


def plot_regret(regret_runs: pd.DataFrame, table: pd.DataFrame, outcome: str):
    """Box plot of each setting's regret over the draws (settings ordered by mean regret)."""
    from .figures import OUTCOME_LABELS
    from .figures import figure as _figure

    fig = _figure(figsize=(7, 0.5 * len(table) + 2))
    ax = fig.subplots()
    data = [regret_runs[p].dropna().to_numpy() for p in table["policy"]]
    try:
        ax.boxplot(data, orientation="horizontal", whis=(0, 90))
    except TypeError:  # matplotlib < 3.10
        ax.boxplot(data, vert=False, whis=(0, 90))
    ax.plot(table["regret_mean"], np.arange(1, len(table) + 1), "D", color="C3", label="mean")
    ax.set_yticks(np.arange(1, len(table) + 1), table["policy"])
    ax.invert_yaxis()
    ax.set_xlabel(f"regret: shortfall against the best setting in the draw\n"
                  f"({OUTCOME_LABELS.get(outcome, outcome)}; whiskers to the 90th percentile)", fontsize=8)
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_claims(claims: pd.DataFrame):
    """Each claim's share of the uncertainty space with its 95% interval."""
    from .figures import figure as _figure

    fig = _figure(figsize=(8, 0.5 * len(claims) + 1.8))
    ax = fig.subplots()
    y = np.arange(len(claims))
    err = np.clip(np.vstack([claims["share"] - claims["share_low"], claims["share_high"] - claims["share"]]), 0, None)
    ax.errorbar(claims["share"], y, xerr=err, fmt="o", color="C0", capsize=3)
    ax.axvline(0.5, color="grey", ls=":")
    ax.set_yticks(y, claims["claim"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("share of uncertainty draws in which the claim holds\n(95% Wilson interval over draws)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def regret_by_draw(runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Regret of each setting (columns) in each draw (rows)."""
    scored = draw_outcomes(runs, outcome) * _sign(outcome)
    return scored.rsub(scored.max(axis=1), axis=0)
