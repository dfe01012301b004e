"""Figures of a calibration: prior against posterior per parameter, predictive against observed per target.

matplotlib figures on the Agg canvas (:func:`~simulation.experiments.figures.figure`), without
pyplot; :func:`~simulation.experiments.calibration.calibrate` writes them as ``posterior.png``
and ``predictive.png``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .figures import figure

__all__ = ["plot_posterior", "plot_predictive"]


def _grid(n: int, width: float = 4.2, height: float = 3.0):
    cols = min(3, max(1, n))
    rows = math.ceil(n / cols)
    fig = figure(figsize=(width * cols, height * rows + 0.5))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[n:]:
        ax.remove()
    return fig, list(axes.flat[:n])


def _legend(fig, axes, title: str) -> None:
    """One legend for every panel, below them, so that none hides a panel's data."""
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle(title, fontsize=11)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))


def plot_posterior(summary: pd.DataFrame, posterior: pd.DataFrame):
    """Per parameter: the uniform prior over its range and the weighted posterior, with the 90% credible interval.

    Parameters
    ----------
    summary : pandas.DataFrame
        The calibration's ``summary`` (``parameter``, ``prior_low``, ``prior_high``, ``median``, ``q05``, ``q95``).
    posterior : pandas.DataFrame
        The last generation's particles, one column per parameter, and ``weight``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _grid(len(summary))
    w = posterior["weight"].to_numpy(dtype=float)
    for ax, r in zip(axes, summary.itertuples()):
        lo, hi = float(r.prior_low), float(r.prior_high)
        bins = np.linspace(lo, hi, 25)
        ax.hist(posterior[r.parameter].to_numpy(dtype=float), bins=bins, weights=w, density=True, color="C0",
                alpha=0.7, label="posterior")
        ax.plot([lo, lo, hi, hi], [0, 1 / (hi - lo), 1 / (hi - lo), 0], color="0.3", ls="--", label="prior (uniform)")
        ax.axvspan(r.q05, r.q95, color="C0", alpha=0.12, label="90% credible interval")
        ax.axvline(r.median, color="C0", lw=1.5, label="posterior median")
        ax.set_title(r.parameter, fontsize=10)
        ax.set_xlabel("value")
        ax.set_ylabel("density")
        ax.text(0.02, 0.97, f"median {r.median:.3g}\n90%: {r.q05:.3g}–{r.q95:.3g}", transform=ax.transAxes,
                va="top", fontsize=7)
    _legend(fig, axes, "Prior and posterior of each fitted parameter")
    return fig


def plot_predictive(predictive: pd.DataFrame, draws: pd.DataFrame):
    """Per target: the posterior-predictive distribution of the simulated value against the observed one.

    Parameters
    ----------
    predictive : pandas.DataFrame
        The calibration's ``predictive`` table (``target``, ``observed``, ``sd``, ``predicted_q05``,
        ``predicted_q95``, ``inside``).
    draws : pandas.DataFrame
        The simulated value of each target (a column per target label) for each posterior draw.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _grid(len(predictive))
    for ax, r in zip(axes, predictive.itertuples()):
        values = draws[r.target].to_numpy(dtype=float) if r.target in draws else np.array([])
        values = values[np.isfinite(values)]
        if len(values):
            ax.hist(values, bins=20, color="C0", alpha=0.7, label="predicted (posterior draws)")
        ax.axvspan(r.predicted_q05, r.predicted_q95, color="C0", alpha=0.12, label="90% predictive interval")
        ax.axvspan(r.observed - r.sd, r.observed + r.sd, color="C3", alpha=0.15, label="observed ± sd")
        ax.axvline(r.observed, color="C3", lw=2, label="observed")
        verdict = "inside" if r.inside else "OUTSIDE"
        ax.set_title(f"{r.target} (observed {verdict} the interval)", fontsize=9)
        ax.set_xlabel("simulated value")
        ax.set_ylabel("draws")
        ax.text(0.02, 0.97, f"observed {r.observed:.3g} ± {r.sd:.2g}\n{len(values)} draws", transform=ax.transAxes,
                va="top", fontsize=7)
    _legend(fig, axes, "Posterior-predictive check: simulated against observed, per target")
    return fig
