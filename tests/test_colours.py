"""One colour scheme for the two arms side by side: the notebooks' figures and the dashboard's live charts."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex

plots = pytest.importorskip("simulation.dashboard.plots")
live = pytest.importorskip("simulation.dashboard.live")


def _series(n: int = 13) -> pd.DataFrame:
    return pd.DataFrame({"integration": [0.1] * n, "mean_trust": [0.3] * n, "conflicts_festering": [1] * n})


def test_the_matplotlib_comparison_draws_the_arms_in_the_dashboard_colours():
    fig = plots.comparison_figure({"structural: board": _series(), "relational: roles": _series()})
    for ax in fig.axes:
        assert [to_hex(line.get_color()) for line in ax.get_lines()] == [plots.STRUCTURAL_COLOUR,
                                                                         plots.RELATIONAL_COLOUR]


def test_the_live_comparison_uses_the_same_two_colours():
    fig = live.comparison_figure(["structural: board", "relational: roles"])
    assert {t.line.color for t in fig.data} == {plots.STRUCTURAL_COLOUR, plots.RELATIONAL_COLOUR}
    assert [t.line.color for t in fig.data[:2]] == [plots.STRUCTURAL_COLOUR, plots.RELATIONAL_COLOUR]


def test_the_arm_colours_are_not_the_kinds_colours():
    kinds = {plots.kind_style(k, i)[0] for i, k in enumerate(("nhs_trust", "council", "voluntary"))}
    assert not kinds & {plots.STRUCTURAL_COLOUR, plots.RELATIONAL_COLOUR}
