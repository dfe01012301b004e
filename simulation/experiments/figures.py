"""Figures of the analysis: matplotlib figures on the Agg canvas, and the outcomes' axis labels.

No pyplot: nothing here changes the caller's matplotlib backend or global state.
"""

from __future__ import annotations

__all__ = ["OUTCOME_LABELS", "figure"]

#: Axis labels of the outcomes.
OUTCOME_LABELS: dict[str, str] = {
    "time_to_50": "months to 50% integration (censored = run length)",
    "time_to_80": "months to 80% integration (censored = run length)",
    "connectedness_time_to_50": "months to 50% connectedness (censored = run length)",
    "statutory_time_to_50": "months to 50% of the statutory core (censored = run length)",
    "final_statutory_integration": "final integration of the statutory core",
    "size_time_to_50": "months to 50% of the place's size (budgets; censored = run length)",
    "final_size_integration": "final integration weighted by organisation size",
    "final_integration": "final integration",
    "final_connectedness": "final connectedness (threshold-free)",
    "final_mean_trust": "final mean trust",
    "final_partnership_share": "final partnership share",
    "mean_integration": "mean integration",
    "total_conflicts": "conflicts arisen",
    "total_resolved": "conflicts resolved",
    "final_festering": "conflicts festering at the end",
    "final_joint_care": "final share of care delivered jointly",
    "mean_joint_care": "mean share of care delivered jointly",
}


def figure(**kw):
    """A figure of the object-oriented API with the Agg canvas: no pyplot, no global backend change."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kw)
    FigureCanvasAgg(fig)
    return fig
