"""Live figures of the dashboard: plotly traces updated in place, month by month (no Solara here).

The browser draws them (plotly.js ships inside the plotly package: works
offline). A figure is built once per model (:func:`network_figure`,
:func:`charts_figure`, :func:`comparison_figure`); each month only the data
that changed is sent (:func:`update_network`, :func:`update_charts`,
:func:`update_comparison`): nodes never move and are never re-sent; edges
are grouped into a few traces by trust and partnership, whose segments are
replaced; the charts' lines get their new arrays.

The largest partnership network (the organisations the integration index
counts, :func:`~simulation.dashboard.timeline.largest_partnership_network`)
is drawn as a gold band under its partnerships and a gold ring round its
members. Events (:mod:`simulation.dashboard.timeline`) mark the timeline.

Examples
--------
>>> from simulation import TrustModel
>>> m = TrustModel(rng=1)
>>> fig = network_figure(m)
>>> m.run(3)
>>> update_network(fig, m)
>>> charts = charts_figure(m)
>>> update_charts(charts, m.timeseries(), [])
>>> len(charts.data[0].y), charts.data[0].x0, charts.data[0].dx
(4, 0, 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib import colormaps
from matplotlib.colors import to_hex
from plotly.subplots import make_subplots

from .plots import (
    FORMAL_COLOUR,
    INDEX_LINES,
    RELATIONAL_COLOUR,
    ROLE_COLOUR,
    STRUCTURAL_COLOUR,
    TRUST_CMAP,
    kind_label,
    kind_style,
    layout_positions,
)
from .timeline import Event, largest_partnership_network, partnership_pairs

__all__ = ["network_figure", "update_network", "charts_figure", "update_charts", "comparison_figure",
           "update_comparison", "FONT_SIZE", "TRUST_BINS", "EVENT_STYLE", "LINE_KINDS"]

#: Base font size: readable on a projector at 1280x720.
FONT_SIZE = 16
#: Edges are drawn in this many trust bins (one trace per bin, for thin ties and for partnerships).
TRUST_BINS = 5
GOLD = "#f0a500"
_MARKERS = {"s": "square", "D": "diamond", "o": "circle", "^": "triangle-up", "v": "triangle-down", "P": "cross",
            "X": "x", "p": "pentagon", "h": "hexagon"}
#: Marker colour and symbol of each kind of event on the timeline.
EVENT_STYLE: dict[str, tuple[str, str, str]] = {
    "shock": ("#b42318", "star", "shock"),
    "structure": ("#1b7a5a", "diamond", "structure started or stopped"),
    "leader_left": ("#5e3c99", "triangle-down", "NHS trust or council leader left"),
    "leaders_left": ("#7a7a7a", "triangle-down", "several voluntary leaders left"),
    "festering": ("#d9480f", "x", "conflict festering 12+ months"),
    "lever": ("#0b6e99", "circle", "a lever changed"),
}
#: Kinds of event also drawn as a dotted line across the charts.
LINE_KINDS: tuple[str, ...] = ("shock", "structure", "lever")
_BASE_LAYOUT = dict(font=dict(size=FONT_SIZE, color="#111"), paper_bgcolor="white", plot_bgcolor="white",
                    margin=dict(l=10, r=10, t=50, b=10), uirevision="keep")


def _bin_colours() -> list[str]:
    cmap = colormaps[TRUST_CMAP]
    return [to_hex(cmap((k + 0.5) / TRUST_BINS)) for k in range(TRUST_BINS)]


def _segments(pos: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of line segments between ``pairs``, separated by gaps (NaN)."""
    k = len(pairs)
    xy = np.full((k, 3, 2), np.nan)
    xy[:, 0] = pos[pairs[:, 0]]
    xy[:, 1] = pos[pairs[:, 1]]
    return xy[:, :, 0].ravel(), xy[:, :, 1].ravel()


def network_figure(model, height: int = 480, width: int | None = 480, legend: bool = True) -> go.Figure:
    """The relationship network as a plotly figure with fixed node positions (see the module docstring).

    ``legend=False``: no legend, title or colour bar (a small copy, beside another; the page gives the key).
    """
    pos = layout_positions(model.place)
    leaders = model.leaders
    colours = _bin_colours()
    threshold = model.params["partnership_threshold"]
    traces: list[Any] = [go.Scatter(mode="lines", line=dict(color=GOLD, width=7), opacity=0.3, hoverinfo="skip",
                                    name="largest partnership network", showlegend=False)]
    for k in range(TRUST_BINS):
        traces.append(go.Scatter(mode="lines", line=dict(color=colours[k], width=1.1), opacity=0.55,
                                 hoverinfo="skip", showlegend=False))
    traces.append(go.Scatter(mode="lines", line=dict(color=FORMAL_COLOUR, width=1.4, dash="dot"), hoverinfo="skip",
                             name="formal board tie", showlegend=False))
    for k in range(TRUST_BINS):
        traces.append(go.Scatter(mode="lines", line=dict(color=colours[k], width=3.2), hoverinfo="skip",
                                 showlegend=False))
    traces.append(go.Scatter(mode="lines", line=dict(color=ROLE_COLOUR, width=2, dash="dash"), hoverinfo="skip",
                             name="shared leadership role", showlegend=False))
    ring = dict(color="rgba(0,0,0,0)", size=15, line=dict(color=GOLD, width=2.5))
    traces.append(go.Scatter(mode="markers", marker=ring, hoverinfo="skip", showlegend=False))
    for ki, name in enumerate(leaders.kind_names):
        colour, marker, size = kind_style(name, ki)
        members = np.flatnonzero(leaders.kind == ki)
        traces.append(go.Scatter(
            x=pos[members, 0], y=pos[members, 1], mode="markers", name=f"{kind_label(name, model.scenario)} "
            f"({len(members)})", text=[model.place.names[i] for i in members], hoverinfo="text",
            marker=dict(color=colour, symbol=_MARKERS.get(marker, "circle"), size=max(8.0, np.sqrt(size) * 1.45),
                        line=dict(color="white", width=1))))
    traces.append(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
                             marker=dict(colorscale=[[k / (TRUST_BINS - 1), c] for k, c in enumerate(colours)],
                                         cmin=0, cmax=1, color=[0.5], showscale=legend,
                                         colorbar=dict(title=dict(text="trust", side="right"), thickness=14,
                                                       len=0.55, x=1.0, tickfont=dict(size=14)))))
    for name, line in ((f"partnership (trust ≥ {threshold:.2f} both ways)", dict(color=colours[-1], width=3.2)),
                       ("largest partnership network", dict(color=GOLD, width=8))):  # legend entries only
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", line=line, name=name, hoverinfo="skip"))
    fig = go.Figure(traces)
    axis = dict(visible=False, range=[-1.08, 1.08], fixedrange=True)
    fig.update_layout(**_BASE_LAYOUT, height=height, width=width, xaxis=axis, yaxis={**axis, "scaleanchor": "x"},
                      legend=dict(orientation="h", x=0, y=-0.02, yanchor="top", font=dict(size=14)),
                      title=dict(text="Colour: trust · gold: the largest partnership network" if legend else "",
                                 x=0.01, font=dict(size=FONT_SIZE)), showlegend=legend)
    if not legend:
        fig.update_layout(margin=dict(l=4, r=4, t=4, b=4))
    update_network(fig, model)
    return fig


def update_network(fig: go.Figure, model, title: str | None = None) -> None:
    """Send this month's edges and largest network to ``fig`` (nodes stay put; the title only if given)."""
    pos = layout_positions(model.place)
    rel = model.relationships
    pairs = rel.pairs
    trust = rel.trust.reshape(-1, 2).mean(axis=1) if rel.n_pairs else np.zeros(0)
    partner = partnership_pairs(model)
    largest = largest_partnership_network(model)
    bins = np.minimum((np.clip(trust, 0, 1) * TRUST_BINS).astype(int), TRUST_BINS - 1)
    in_largest = partner & largest[pairs[:, 0]] & largest[pairs[:, 1]] if len(pairs) else partner
    groups = [in_largest]
    groups += [~partner & (bins == k) for k in range(TRUST_BINS)]
    groups.append(rel.formal & ~partner)
    groups += [partner & (bins == k) for k in range(TRUST_BINS)]
    groups.append(rel.shared_role)
    sent = fig.__dict__.setdefault("_sot_sent", {})  # what was last sent to this figure: only changes are sent
    with fig.batch_update():
        for k, (trace, mask) in enumerate(zip(fig.data, groups, strict=False)):
            chosen = pairs[mask]
            key = chosen.tobytes()
            if sent.get(k) == key:
                continue  # the same segments as last time: nothing sent
            sent[k] = key
            x, y = _segments(pos, chosen)
            trace.x, trace.y = x, y
        formal_trace, role_trace = fig.data[1 + TRUST_BINS], fig.data[2 + 2 * TRUST_BINS]
        formal_trace.showlegend = bool(groups[1 + TRUST_BINS].any())
        role_trace.showlegend = bool(groups[-1].any())
        halo = fig.data[3 + 2 * TRUST_BINS]
        key = largest.tobytes()
        if sent.get("halo") != key:
            sent["halo"] = key
            halo.x, halo.y = pos[largest, 0], pos[largest, 1]
        if title is not None:
            fig.layout.title.text = title


# ------------------------------------------------------------------ charts
_SHORT = {"nhs_trust": "NHS", "council": "Council", "voluntary": "Voluntary"}


def _pair_label(column: str) -> str:
    a, b = column.removeprefix("trust:").split("-", 1)
    return f"{_SHORT.get(a, a)}–{_SHORT.get(b, b)}"


def charts_figure(model, height: int = 580, width: int | None = 480) -> go.Figure:
    """Three live charts: trust by pair of kinds, the integration indices and joint care (with events), conflicts.

    The integration chart offers every index: head-count, the statutory
    core's and the size-weighted one (click a legend entry to hide a line).
    """
    columns = [c for c in model.simulator.columns if c.startswith("trust:")]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=("Mean trust by pair of kinds",
                                        "Integration (head-count, statutory core, size) and joint care",
                                        "Conflicts: resolved this month vs festering"))
    palette = colormaps["tab10"]
    for k, col in enumerate(columns):
        fig.add_trace(go.Scatter(mode="lines", name=_pair_label(col), line=dict(width=2, color=to_hex(palette(k % 10))),
                                 hoverinfo="x+y+name"), row=1, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="all pairs", line=dict(width=3.5, color="black", dash="dash")),
                  row=1, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="integration", line=dict(width=4, color="#08519c")), row=2, col=1)
    for name, _, colour in INDEX_LINES:
        fig.add_trace(go.Scatter(mode="lines", name=name, line=dict(width=2.5, color=colour)),
                      row=2, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="partnerships",
                             line=dict(width=2, color="#4a90c8", dash="dash")), row=2, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="joint care", line=dict(width=2.5, color="#7b3294", dash="dot")),
                  row=2, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="resolved", line=dict(width=2.5, color="#1a7f37")), row=3, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="festering", line=dict(width=3, color="#c92a2a")), row=3, col=1)
    for kind, (colour, symbol, label) in EVENT_STYLE.items():
        fig.add_trace(go.Scatter(mode="markers", name=label, marker=dict(color=colour, symbol=symbol, size=13,
                                                                        line=dict(color="white", width=1)),
                                 hoverinfo="text", showlegend=False, meta=kind), row=2, col=1)  # no legend: caption
    fig.update_yaxes(range=[0, 1.0], row=1, col=1)
    fig.update_yaxes(range=[0, 1.12], row=2, col=1)
    fig.update_yaxes(rangemode="tozero", row=3, col=1)
    fig.update_xaxes(title_text="month", title_standoff=4, row=3, col=1)
    fig.update_xaxes(gridcolor="#ddd", zeroline=False)
    fig.update_yaxes(gridcolor="#ddd", zeroline=False)
    fig.update_annotations(font=dict(size=FONT_SIZE), x=0, xanchor="left")
    fig.update_layout(**{**_BASE_LAYOUT, "margin": dict(l=10, r=10, t=40, b=10)}, height=height, width=width,
                      legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(size=13), entrywidth=120,
                                  tracegroupgap=0))
    fig.update_traces(x0=0, dx=1, selector=dict(mode="lines"))  # a line's x is its month: only y is sent
    fig.layout.meta = {"pair_columns": columns}
    return fig


def update_charts(fig: go.Figure, timeseries: pd.DataFrame, events: Sequence[Event]) -> None:
    """Send the run's series and its events to ``fig`` (from :func:`charts_figure`)."""
    ts = timeseries.reset_index(drop=True)
    columns = fig.layout.meta["pair_columns"]
    series = [ts[c] for c in columns] + [ts["mean_trust"], ts["integration"],
                                         *(ts[c] for _, c, _ in INDEX_LINES), ts["partnership_share"],
                                         ts["joint_care"], ts["conflicts_resolved"], ts["conflicts_festering"]]
    right = 24 * (1 + (len(ts) - 1) // 24)  # the axis grows by two years at a time: no relayout every month
    shapes = _event_lines(events)
    with fig.batch_update():
        for trace, values in zip(fig.data, series, strict=False):
            trace.y = values.to_numpy(dtype=float)
        sent = fig.__dict__.setdefault("_sot_sent", {})  # the events' markers are sent only when there are new ones
        if sent.get("events") != len(events):
            sent["events"] = len(events)
            for trace in fig.data[len(series):]:
                kind = trace.meta
                mine = [e for e in events if e.kind == kind]
                trace.x = [e.month for e in mine]
                trace.y = [1.06] * len(mine)
                trace.hovertext = [f"month {e.month}: {e.text}" for e in mine]
        _set_shapes(fig, shapes)
        _set_right(fig, ("xaxis", "xaxis2", "xaxis3"), right)


def _event_lines(events: Sequence[Event]) -> list[dict]:
    """Dotted lines across the charts at the latest 20 shocks, structures and lever changes."""
    return [dict(type="line", xref="x", yref="paper", x0=e.month, x1=e.month, y0=0, y1=1,
                 line=dict(color=EVENT_STYLE[e.kind][0], width=1.5, dash="dot"))
            for e in events if e.kind in LINE_KINDS][-20:]


def _set_shapes(fig: go.Figure, shapes: list[dict]) -> None:
    if len(fig.layout.shapes) != len(shapes) or (shapes and fig.layout.shapes[-1].x0 != shapes[-1]["x0"]):
        fig.layout.shapes = shapes


def _set_right(fig: go.Figure, axes: Sequence[str], right: int) -> None:
    for axis in axes:
        if fig.layout[axis].range is None or fig.layout[axis].range[1] != right:
            fig.layout[axis].range = [0, right]


# -------------------------------------------------------------- side by side
_COMPARED = (("integration", "Integration index"), ("mean_trust", "Mean trust"),
             ("conflicts_festering", "Conflicts festering"))


def comparison_figure(names: Sequence[str], height: int = 300, width: int | None = 960,
                      stacked: bool = False) -> go.Figure:
    """Two runs' integration, trust and festering conflicts (one line per run, x: the month).

    Side by side in one row, or ``stacked`` in one column (beside two networks).
    """
    titles = [t for _, t in _COMPARED]
    if stacked:
        fig = make_subplots(rows=3, cols=1, subplot_titles=titles, shared_xaxes=True, vertical_spacing=0.08)
    else:
        fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    colours = (STRUCTURAL_COLOUR, RELATIONAL_COLOUR)
    for c, _ in enumerate(_COMPARED):
        row, col = (c + 1, 1) if stacked else (1, c + 1)
        for r, name in enumerate(names):
            fig.add_trace(go.Scatter(mode="lines", name=name, line=dict(width=3, color=colours[r % 2]), x0=0, dx=1,
                                     showlegend=c == 0, legendgroup=name), row=row, col=col)
    for k in (1, 2):
        fig.update_yaxes(range=[0, 1], **({"row": k} if stacked else {"col": k}))
    fig.update_yaxes(rangemode="tozero", **({"row": 3} if stacked else {"col": 3}))
    fig.update_xaxes(gridcolor="#ddd")
    if stacked:
        fig.update_xaxes(title_text="month", title_standoff=2, row=3, col=1)
    else:
        fig.update_xaxes(title_text="month")
    fig.update_yaxes(gridcolor="#ddd")
    fig.update_annotations(font=dict(size=FONT_SIZE), **({"x": 0, "xanchor": "left"} if stacked else {}))
    legend_y = -0.12 if stacked else -0.3
    fig.update_layout(**{**_BASE_LAYOUT, "margin": dict(l=10, r=10, t=40, b=10)}, height=height, width=width,
                      legend=dict(orientation="h", x=0, y=legend_y, yanchor="top", font=dict(size=14)))
    return fig


def update_comparison(fig: go.Figure, series: Mapping[str, pd.DataFrame], events: Sequence[Event] = ()) -> None:
    """Send each run's series to ``fig`` (from :func:`comparison_figure`, same order of runs), lever changes as lines.

    Shocks and lever changes in ``events`` (those both runs share) are drawn as dotted lines across the charts.
    """
    frames = list(series.values())
    longest = max((len(ts) for ts in frames), default=1)
    right = 24 * (1 + (longest - 1) // 24)
    shared = [e for e in events if e.kind in ("shock", "lever")]
    shapes = [{**line, "xref": xref} for line in _event_lines(shared) for xref in ("x", "x2", "x3")]
    with fig.batch_update():
        k = 0
        for column, _ in _COMPARED:
            for ts in frames:
                fig.data[k].y = ts[column].to_numpy(dtype=float)
                k += 1
        _set_shapes(fig, shapes)
        _set_right(fig, ("xaxis", "xaxis2", "xaxis3"), right)
