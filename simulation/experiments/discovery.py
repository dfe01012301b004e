"""Scenario discovery: PRIM boxes of the uncertainty space where something happens.

PRIM (the Patient Rule Induction Method; Friedman and Fisher 1999) peels a box in the
space of the inputs that holds a large share of the cases of interest (*coverage*) and
few others (*density*). We use the maintained implementation of the EMA Workbench
(``ema_workbench.analysis.prim``), not one of our own. Its import is lazy and wrapped:
it adds warning filters (statsmodels, scipy) and warns about optional back ends, so
:func:`prim_box` imports it inside :func:`warnings.catch_warnings`, which restores the
filters; it does not touch logging handlers, the multiprocessing start method,
matplotlib's settings or numpy's global generator (checked when this was written, with
ema-workbench 2.5).

The box reported is, on PRIM's peeling trajectory, the densest box that still covers at
least ``min_coverage`` of the cases of interest, with every restriction whose
quasi-p-values are all above ``qp_max`` dropped again (a restriction that could as well
be chance only makes the box harder to read).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> x = pd.DataFrame({"a": rng.uniform(size=300), "b": rng.uniform(size=300)})
>>> box = prim_box(x, (x["a"] > 0.6).to_numpy())
>>> box.limits.index.tolist(), bool(box.limits.loc["a", "low"] > 0.5), box.coverage >= 0.5
(['a'], True, True)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["PrimBox", "prim_box", "boxes_table", "plot_boxes"]


@dataclass
class PrimBox:
    """One PRIM box and where it sits on the peeling trajectory.

    Attributes
    ----------
    question : str
        What the cases of interest are.
    limits : pandas.DataFrame
        One row per restricted input: ``low``, ``high`` (numeric) or ``values`` (categories), ``qp`` (the
        quasi-p-value of the restriction).
    coverage, density, mass : float
        Share of the cases of interest inside the box; share of the box's cases that are of interest; share of
        all cases inside the box.
    base_rate : float
        Share of all cases that are of interest (a box is worth reading when its density is well above it).
    n, cases : int
        Cases in all, cases of interest in all.
    trajectory : pandas.DataFrame
        PRIM's peeling trajectory (coverage, density, mass, restricted dimensions).
    chosen : int
        Row of the trajectory reported.
    note : str
        Why there is no box, when there is none.
    """

    question: str
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    n: int
    cases: int
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    chosen: int = -1
    note: str = ""


def _prim_module():
    with warnings.catch_warnings():  # restores the warning filters ema_workbench's import adds
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def prim_box(x: pd.DataFrame, y: np.ndarray, *, question: str = "", min_coverage: float = 0.5,
             qp_max: float = 0.05, peel_alpha: float = 0.05, mass_min: float = 0.05) -> PrimBox:
    """The PRIM box of the cases where ``y`` is true, over the inputs ``x``.

    Parameters
    ----------
    x : pandas.DataFrame
        Inputs, one row per case: numbers, booleans (treated as 0/1) or categories.
    y : array of bool
        Whether each case is of interest.
    question : str
        What ``y`` means, for the tables.
    min_coverage : float
        The densest box on the peeling trajectory with at least this coverage is reported.
    qp_max : float
        Restrictions whose quasi-p-values all exceed this are dropped.
    peel_alpha, mass_min : float
        PRIM's share peeled at each step and the smallest box (share of all cases).

    Returns
    -------
    PrimBox
        With an empty ``limits`` and a ``note`` when no box can be found (no case of interest, or every case).
    """
    if not 0 < min_coverage <= 1:
        raise ValueError(f"min_coverage = {min_coverage!r} is out of range: expected a number in (0, 1]")
    y = np.asarray(y, dtype=bool)
    x = x.reset_index(drop=True).copy()
    for c in x.columns:
        if x[c].dtype == bool:
            x[c] = x[c].astype(int)
        elif x[c].dtype == object:
            x[c] = x[c].astype("category")
    n, cases = len(y), int(y.sum())
    empty = pd.DataFrame(columns=["low", "high", "values", "qp"])
    base = cases / n if n else math.nan
    if cases == 0 or cases == n:
        note = "no case of interest" if cases == 0 else "every case is of interest"
        return PrimBox(question, empty, math.nan, math.nan, math.nan, base, n, cases, note=note)
    prim = _prim_module()
    with warnings.catch_warnings():  # its pandas calls warn of deprecations, not of anything in our data
        warnings.simplefilter("ignore")
        # threshold: ema_workbench discards the whole peeling trajectory when the last box's density is below it,
        # so it is set low (not 0, which it mishandles) and the box is chosen from the trajectory here
        finder = prim.Prim(x, y.astype(int), threshold=1e-3, peel_alpha=peel_alpha, mass_min=mass_min)
        box = finder.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj[traj["coverage"] >= min_coverage]
    chosen = int(ok.sort_values(["density", "coverage"], ascending=False).index[0]) if len(ok) else 0
    qp = _qp_values(box, chosen)
    weak = [c for c, v in qp.items() if not v <= qp_max]
    if chosen and weak:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box.select(chosen)
            for c in weak:
                box.drop_restriction(c)  # appends the wider box to the trajectory and makes it current
        chosen = len(box.box_lims) - 1
        traj = box.peeling_trajectory.reset_index(drop=True)
        qp = _qp_values(box, chosen)
    first, lims = box.box_lims[0], box.box_lims[chosen]
    rows = []
    for c in x.columns:
        lo, hi = lims.loc[0, c], lims.loc[1, c]
        if isinstance(lo, set):
            if lo != first.loc[0, c]:
                rows.append({"input": c, "low": math.nan, "high": math.nan,
                             "values": ", ".join(sorted(map(str, lo))), "qp": qp.get(c, math.nan)})
        elif lo != first.loc[0, c] or hi != first.loc[1, c]:
            rows.append({"input": c, "low": float(lo), "high": float(hi), "values": "", "qp": qp.get(c, math.nan)})
    limits = pd.DataFrame(rows, columns=["input", "low", "high", "values", "qp"]).set_index("input")
    t = traj.loc[chosen]
    note = "" if len(limits) else f"no restriction is clearer than chance: quasi-p-values above {qp_max:g}"
    return PrimBox(question, limits, float(t["coverage"]), float(t["density"]), float(t["mass"]), base, n, cases,
                   traj[["coverage", "density", "mass", "res_dim"]], chosen, note)


def _qp_values(box, i: int) -> dict[str, float]:
    """The smallest quasi-p-value of each restricted input of box ``i`` (empty if the layout is unknown)."""
    if i == 0:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, table = box.inspect(i, style="data")[0]
        return {name: float(np.nanmin(pd.to_numeric(row.iloc[2:], errors="coerce").to_numpy(dtype=float)))
                for name, row in table.iterrows()}
    except Exception:  # another table layout: the limits matter more than their p-values
        return {}


def boxes_table(boxes: list[PrimBox]) -> pd.DataFrame:
    """Every box as rows: one per restricted input, with the box's coverage, density, mass and base rate."""
    rows = []
    for b in boxes:
        common = {"question": b.question, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                  "base_rate": b.base_rate, "cases": b.cases, "n": b.n, "note": b.note}
        if not len(b.limits):
            rows.append({**common, "input": "", "low": math.nan, "high": math.nan, "values": "", "qp": math.nan,
                         "note": b.note or "no restriction"})
        for name, r in b.limits.iterrows():
            rows.append({**common, "input": name, "low": r["low"], "high": r["high"], "values": r["values"],
                         "qp": r["qp"]})
    return pd.DataFrame(rows, columns=["question", "input", "low", "high", "values", "qp", "coverage", "density",
                                       "mass", "base_rate", "cases", "n", "note"])


def plot_boxes(boxes: list[PrimBox], ranges: dict[str, tuple[float, float]]):
    """Per box: the peeling trajectory (coverage against density) and the box's limits within each input's range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .figures import figure as _figure

    fig = _figure(figsize=(10, 3.2 * max(1, len(boxes))))
    axes = fig.subplots(max(1, len(boxes)), 2, squeeze=False)
    for (ax_t, ax_b), b in zip(axes, boxes):
        ax_t.set_title(b.question, fontsize=9)
        if not len(b.trajectory):
            ax_t.text(0.5, 0.5, b.note or "no box", ha="center", va="center", transform=ax_t.transAxes)
            ax_t.set_xticks([])
            ax_t.set_yticks([])
            ax_b.axis("off")
            continue
        tr = b.trajectory
        sc = ax_t.scatter(tr["coverage"], tr["density"], c=tr["res_dim"], cmap="viridis", s=14)
        ax_t.plot([b.coverage], [b.density], "o", mfc="none", mec="C3", ms=12, mew=2, label="reported box")
        ax_t.axhline(b.base_rate, color="grey", ls=":", label=f"base rate {b.base_rate:.2f}")
        ax_t.set_xlabel("coverage")
        ax_t.set_ylabel("density")
        ax_t.legend(fontsize=7, loc="lower left")
        fig.colorbar(sc, ax=ax_t, label="restricted inputs")
        names = [n for n in b.limits.index if n in ranges]
        if not names:
            ax_b.text(0.5, 0.5, b.note or "no numeric restriction", ha="center", va="center", fontsize=8,
                      transform=ax_b.transAxes, wrap=True)
        for k, name in enumerate(names):
            lo, hi = ranges[name]
            span = (hi - lo) or 1.0
            r = b.limits.loc[name]
            ax_b.plot([0, 1], [k, k], color="lightgrey", lw=6, solid_capstyle="butt")
            ax_b.plot([(r["low"] - lo) / span, (r["high"] - lo) / span], [k, k], color="C3", lw=6,
                      solid_capstyle="butt")
            ax_b.text(1.02, k, f"{r['low']:.3g} – {r['high']:.3g}", va="center", fontsize=8)
        ax_b.set_yticks(range(len(names)), names)
        ax_b.set_xlim(0, 1.35)
        ax_b.set_xticks([0, 1], ["low end", "high end"])
        ax_b.set_title(f"box: coverage {b.coverage:.2f}, density {b.density:.2f}, mass {b.mass:.2f}", fontsize=9)
    fig.tight_layout()
    return fig
