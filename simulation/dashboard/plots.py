"""Pure helpers behind the dashboard (and the notebooks): no Solara here.

* :data:`CONTROLS`: the parameters a class plays with, their slider ranges
  taken from :data:`~simulation.PARAMETERS` (capped to a range worth teaching).
* :func:`build_model`, :func:`build_pair`: one model, or two copies of the same
  place and seed, each with its own intervention; :data:`PAIRINGS`: the
  side-by-side lessons, each pair of levers matched on leader-hours
  (:mod:`simulation.equal_hours`, the contest's pairing).
* :func:`layout_positions`: one seeded networkx layout per place, cached, so
  nodes never jump between steps (nodes never change; new relationships are
  drawn between fixed positions).
* :func:`edge_colours`, :func:`network_figure`, :func:`charts_figure`,
  :func:`comparison_figure`: matplotlib figures built with
  :class:`matplotlib.figure.Figure` (no pyplot, so safe in server threads).

Examples
--------
>>> m = build_model("default", seed=1, values={"contact_rate": 1.5})
>>> m.params["contact_rate"]
1.5
>>> pos = layout_positions(m.place)
>>> pos.shape == (m.leaders.n, 2), layout_positions(m.place) is pos
(True, True)
>>> edge_colours(np.array([0.0, 1.0])).shape
(2, 4)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..equal_hours import lever_at_hours
from ..kinds import default_kinds
from ..model import TrustModel
from ..place import Place
from ..scenario import PARAMETERS, Scenario, load_scenario

__all__ = [
    "Control",
    "CONTROLS",
    "STRUCTURAL_OPTIONS",
    "RELATIONAL_OPTIONS",
    "Pairing",
    "PAIRINGS",
    "LEVER_LABELS",
    "TRUST_CMAP",
    "FORMAL_COLOUR",
    "ROLE_COLOUR",
    "STRUCTURAL_COLOUR",
    "RELATIONAL_COLOUR",
    "INDEX_LINES",
    "kind_style",
    "kind_label",
    "lever_values",
    "build_model",
    "build_pair",
    "place_key",
    "layout_positions",
    "pair_trust",
    "edge_colours",
    "network_figure",
    "charts_figure",
    "comparison_figure",
    "status_line",
    "figure_png",
]

#: Colour map of trust on edges: red (distrust) through yellow to blue (trust).
TRUST_CMAP = "RdYlBu"
_NORM = Normalize(0.0, 1.0)


@dataclass(frozen=True)
class Control:
    """One dashboard control: a slider (float or int) or a switch (bool)."""

    name: str
    label: str
    kind: type
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    doc: str = ""


_SPECS = {p.name: p for p in PARAMETERS}

# name, label, teaching cap on the upper bound, slider step
_CLASS_LEVERS: tuple[tuple[str, str, float, float], ...] = (
    ("contact_rate", "Contact frequency (meetings a month)", 4.0, 0.1),
    ("open_book", "Transparency (open-book agreements)", 1.0, 0.05),
    ("leadership_development", "Leadership development (boundary skills)", 1.0, 0.05),
    ("place_programmes", "Place-based programme cohorts a year", 4.0, 0.5),
    ("shared_vision", "Shared vision work (hours a month per statutory leader)", 16.0, 1.0),
    ("coproduction", "Co-production with citizens (leaders' skill)", 1.0, 0.05),
    ("community_investment", "Council investment in community groups", 1.0, 0.05),
    ("staff_contact", "Frontline joint care (episodes a month, where permitted)", 6.0, 0.5),
    ("competitive_pressure", "Competitive pressure", 1.0, 0.05),
    ("shared_roles", "Shared NHS–council leadership roles", 12, 1),
    ("system_board", "Formal structure: a system board", 1, 1),
    ("turnover_rate", "Leader turnover (chance a month)", 0.1, 0.005),
)


def _control(name: str, label: str, cap: float, step: float) -> Control:
    spec = _SPECS[name]
    high = min(float(spec.high), cap)
    return Control(name, label, spec.kind, float(spec.low), high, step, spec.doc)


#: The controls a class plays with, ranges within those of :data:`~simulation.PARAMETERS`.
CONTROLS: tuple[Control, ...] = tuple(_control(*c) for c in _CLASS_LEVERS)

#: Structural interventions as parameter overrides (notebook 02 pairs them; the dashboard uses :data:`PAIRINGS`).
STRUCTURAL_OPTIONS: dict[str, dict[str, Any]] = {
    "System board": {"system_board": True},
    "Collaboration mandate": {"collaboration_mandate": 0.5},
    "Board and mandate": {"system_board": True, "collaboration_mandate": 0.5},
}
#: Relational interventions as parameter overrides (notebook 02 pairs them; not matched on hours).
RELATIONAL_OPTIONS: dict[str, dict[str, Any]] = {
    "Shared roles": {"shared_roles": 4},
    "Open books and development": {"open_book": 0.5, "leadership_development": 0.5},
    "Relationship programme": {"shared_roles": 4, "open_book": 0.5, "leadership_development": 0.5,
                               "long_term_commitment": 0.5},
    "Place-based programmes": {"place_programmes": 2.0},
    "Co-production and community": {"coproduction": 0.5, "community_investment": 1.0},
}

#: What each lever of :func:`~simulation.equal_hours.lever_at_hours` is called on the screen.
LEVER_LABELS: dict[str, str] = {
    "contact": "Everyone meets more often",
    "open_book": "Open books for everyone",
    "development": "Leadership development for everyone",
    "commitment": "A long-term commitment",
    "statutory_contact": "More one-to-ones between NHS and council leaders",
    "shared_roles": "Shared NHS–council roles",
    "system_board": "A system board",
    "pooled_budget": "A board with a pooled budget",
    "health_wellbeing_board": "A Health and Wellbeing Board",
}


@dataclass(frozen=True)
class Pairing:
    """A side-by-side lesson: two levers costing the same leader-hours (:func:`~simulation.equal_hours.lever_at_hours`).

    ``framing``: ``"place"`` (hours per leader over the whole place) or
    ``"same_leaders"`` (hours of each statutory leader); ``hours``: extra
    hours a month; ``levers``: the two levers compared; ``question``: what
    the class watches for.
    """

    framing: str
    hours: float
    levers: tuple[str, str]
    question: str

    @property
    def labels(self) -> tuple[str, str]:
        """The two copies' names on the screen."""
        return LEVER_LABELS[self.levers[0]], LEVER_LABELS[self.levers[1]]

    def overrides(self, scenario: Scenario | str | None, values: Mapping[str, Any] | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Each copy's parameter changes on top of ``scenario`` with ``values`` (the sliders)."""
        base = _scenario(scenario).replace(**dict(values or {}))
        out = []
        for name in self.levers:
            params = lever_at_hours(base, name, self.hours, self.framing).params
            out.append({k: v for k, v in params.items() if v != base.params[k]})
        return out[0], out[1]

    def hours_text(self) -> str:
        """The equal cost in words."""
        if self.framing == "place":
            return f"each costs {self.hours:g} extra hours a month per leader, over the whole place"
        return f"each costs {self.hours:g} extra hours a month of each NHS trust's and council's leader"


#: The side-by-side lessons, by what they teach; the first (the default) shows the clearest difference.
PAIRINGS: dict[str, Pairing] = {
    "Spread the hours: more contact for all, or a board for ten?": Pairing(
        "place", 2.0, ("contact", "system_board"),
        "The same hours buy every leader a few more meetings, or the ten statutory leaders a board meeting "
        "five times a month. Which place integrates first?"),
    "Openness for all, or a Health and Wellbeing Board?": Pairing(
        "place", 2.0, ("open_book", "health_wellbeing_board"),
        "Open books change how every leader is seen; the forum brings ten leaders and two voluntary bodies "
        "together. Watch the partnerships spread."),
    "The same ten leaders' hours: a forum, or more one-to-ones?": Pairing(
        "same_leaders", 4.0, ("statutory_contact", "health_wellbeing_board"),
        "Counted on the same leaders' hours, a forum that finds common cause holds its own against extra "
        "one-to-ones that eat into their time with voluntary bodies."),
}

_KIND_STYLES: dict[str, tuple[str, str, float]] = {  # colour, marker, size
    "nhs_trust": ("#5e3c99", "s", 120.0),
    "council": ("#1b9e77", "D", 110.0),
    "voluntary": ("#636363", "o", 30.0),
}
_EXTRA_COLOURS = ("#e7298a", "#a6761d", "#66a61e", "#e6ab02", "#7570b3", "#000000")
_EXTRA_MARKERS = ("^", "v", "P", "X", "p", "h")


def kind_style(kind: str, index: int = 0) -> tuple[str, str, float]:
    """Colour, marker and size of a kind's nodes (``index`` picks a style for unknown kinds).

    >>> kind_style("nhs_trust")
    ('#5e3c99', 's', 120.0)
    >>> kind_style("primary_care", 1)
    ('#a6761d', 'v', 70.0)
    """
    if kind in _KIND_STYLES:
        return _KIND_STYLES[kind]
    return _EXTRA_COLOURS[index % len(_EXTRA_COLOURS)], _EXTRA_MARKERS[index % len(_EXTRA_MARKERS)], 70.0


def kind_label(kind: str, scenario: Scenario | None = None) -> str:
    """Human label of a kind (``"NHS trust"``), from the scenario's kinds when given."""
    kinds = scenario.kinds if scenario is not None else default_kinds()
    return kinds[kind].label if kind in kinds else kind.replace("_", " ")


def _scenario(scenario: Scenario | str | None) -> Scenario:
    if scenario is None:
        return Scenario()
    return load_scenario(scenario) if isinstance(scenario, str) else scenario


def lever_values(scenario: Scenario | str | None = None) -> dict[str, Any]:
    """Values of :data:`CONTROLS` in a scenario (what the sliders show after picking it).

    >>> lever_values("system_board")["system_board"]
    True
    """
    sc = _scenario(scenario)
    return {c.name: sc.params[c.name] for c in CONTROLS}


def build_model(
    scenario: Scenario | str | None = None,
    seed: int = 0,
    values: Mapping[str, Any] | None = None,
    place: Place | None = None,
) -> TrustModel:
    """A model of ``scenario`` (a name or a :class:`Scenario`) with ``values`` overriding parameters."""
    return TrustModel(_scenario(scenario), place=place, rng=int(seed), **dict(values or {}))


def build_pair(
    scenario: Scenario | str | None,
    seed: int,
    values: Mapping[str, Any] | None,
    structural: Mapping[str, Any],
    relational: Mapping[str, Any],
) -> tuple[TrustModel, TrustModel]:
    """Two copies of the same place and seed, each with its own parameter overrides (an intervention each).

    Both share the place (drawn once), the seed and ``values``; each then adds
    its own parameter overrides. So any difference between them is the
    intervention's.

    >>> s, r = build_pair("default", 3, {}, {"system_board": True}, {"shared_roles": 4})
    >>> s.place is r.place, s.params["system_board"], r.params["shared_roles"]
    (True, True, 4)
    """
    sc = _scenario(scenario)
    values = dict(values or {})
    place = TrustModel(sc, rng=int(seed), collect=False, **values).place
    structural_model = build_model(sc, seed, {**values, **structural}, place=place)
    relational_model = build_model(sc, seed, {**values, **relational}, place=place)
    return structural_model, relational_model


# --------------------------------------------------------------------- layout
_LAYOUTS: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
_LAYOUT_LOCK = threading.Lock()
_LAYOUT_CACHE_SIZE = 64


def place_key(place: Place) -> str:
    """A digest of a place's organisations and initial relationships (equal places, equal keys)."""
    h = hashlib.sha1(usedforsecurity=False)
    h.update("\x1f".join(map(str, place.kinds)).encode())
    h.update(np.ascontiguousarray(place.pairs, dtype=np.int64).tobytes())
    return h.hexdigest()


def layout_positions(place: Place, seed: int = 0) -> np.ndarray:
    """Node positions ``(N, 2)`` in ``[-1, 1]``: a seeded spring layout of the place, computed once.

    The layout depends only on the place (its organisations and initial
    relationships) and ``seed``, and is cached, so it stays put as the model
    steps, as relationships grow and when the run is reset. The returned array
    is read-only (it is shared).
    """
    import networkx as nx

    key = (place_key(place), int(seed))
    with _LAYOUT_LOCK:
        if key in _LAYOUTS:
            _LAYOUTS.move_to_end(key)
            return _LAYOUTS[key]
    n = place.n_organisations
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(map(tuple, np.asarray(place.pairs).tolist()))
    if n == 1:
        pos = np.zeros((1, 2))
    else:
        k = 1.6 / np.sqrt(max(n, 1))  # more room than networkx's default, for 100+ nodes
        layout = nx.spring_layout(g, k=k, iterations=200, seed=int(seed))
        pos = np.array([layout[i] for i in range(n)], dtype=float)
        pos -= pos.mean(axis=0)
        scale = np.abs(pos).max()
        if scale > 0:
            pos /= scale
    pos.setflags(write=False)
    with _LAYOUT_LOCK:
        _LAYOUTS[key] = pos
        while len(_LAYOUTS) > _LAYOUT_CACHE_SIZE:
            _LAYOUTS.popitem(last=False)
    return pos


# ---------------------------------------------------------------- colours
def pair_trust(model: TrustModel) -> np.ndarray:
    """Trust of each relationship as drawn: the mean of its two directions, ``(P,)``."""
    t = model.relationships.trust.reshape(-1, 2)
    return t.mean(axis=1)


def edge_colours(trust: np.ndarray, cmap: str = TRUST_CMAP, alpha: float | None = None) -> np.ndarray:
    """RGBA colours ``(P, 4)`` of trust values in [0, 1] (clipped): red low, blue high.

    >>> c = edge_colours(np.array([0.0, 0.5, 1.0, 7.0]))
    >>> bool(c[0, 0] > c[0, 2]), bool(c[2, 2] > c[2, 0]), bool((c[3] == c[2]).all())
    (True, True, True)
    """
    rgba = colormaps[cmap](_NORM(np.clip(np.asarray(trust, dtype=float), 0.0, 1.0)))
    rgba = np.atleast_2d(rgba)
    if alpha is not None:
        rgba[:, 3] = alpha
    return rgba


# ---------------------------------------------------------------- figures
def status_line(model: TrustModel) -> str:
    """One line about the model's state: month, integration, mean trust, partnerships."""
    ts = model.datacollector.model_vars
    integ = ts["integration"][-1] if ts.get("integration") else float("nan")
    trust = ts["mean_trust"][-1] if ts.get("mean_trust") else float("nan")
    share = ts["partnership_share"][-1] if ts.get("partnership_share") else float("nan")
    return (f"Month {model.steps} · integration {integ:.0%} · mean trust {trust:.2f} · "
            f"partnerships {share:.0%} of {model.relationships.n_pairs} relationships")


#: Line colours of formal board ties and shared boundary-spanning roles.
FORMAL_COLOUR = "#555555"
ROLE_COLOUR = "#1b9e77"

#: Line colours of the two arms side by side (dashboard, notebooks): the structural arm, the relational arm.
STRUCTURAL_COLOUR = "#b35806"
RELATIONAL_COLOUR = "#542788"
#: The integration indices drawn beside the head-count one: (legend name, outcome column, colour).
INDEX_LINES: tuple[tuple[str, str, str], ...] = (("statutory core", "statutory_integration", "#e6550d"),
                                                 ("size-weighted", "size_integration", "#31a354"))


def network_figure(
    model: TrustModel,
    positions: np.ndarray | None = None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (6.4, 6.0),
    dpi: int = 100,
    legend: bool = True,
    ax: Any = None,
) -> Figure:
    """The relationship network: nodes by kind (colour and shape), edges coloured by trust.

    Partnerships (mutual trust at or above the threshold) are drawn thick with
    a dark outline on top of the other relationships; the rest are thin and
    faded, lowest trust underneath. ``positions`` default to
    :func:`layout_positions` of the model's place. Given ``ax``, draws into
    it (e.g. a grid of moments) and returns its figure.
    """
    pos = layout_positions(model.place) if positions is None else np.asarray(positions)
    rel, leaders = model.relationships, model.leaders
    trust = pair_trust(model)
    partner = rel.mutual_trust() >= model.params["partnership_threshold"]
    segs = pos[rel.pairs]  # (P, 2, 2)

    if ax is None:
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    rest = np.flatnonzero(~partner)
    rest = rest[np.argsort(trust[rest], kind="stable")]
    ax.add_collection(LineCollection(segs[rest], colors=edge_colours(trust[rest], alpha=0.55),
                                     linewidths=0.7, zorder=1))
    best = np.flatnonzero(partner)
    best = best[np.argsort(trust[best], kind="stable")]
    if len(best):
        thin = float(np.clip(np.sqrt(150 / len(best)), 0.45, 1.0))  # dense networks: thinner partnerships
        ax.add_collection(LineCollection(segs[best], colors="#202020", linewidths=3.4 * thin, alpha=0.6, zorder=2))
        ax.add_collection(LineCollection(segs[best], colors=edge_colours(trust[best]), linewidths=2.2 * thin,
                                         zorder=2))
    handles = []
    formal = np.flatnonzero(rel.formal & ~partner)  # board ties imposed from above, not (yet) partnerships
    if len(formal):
        ax.add_collection(LineCollection(segs[formal], colors=FORMAL_COLOUR, linewidths=0.9, linestyles=":",
                                         zorder=1.5))
        handles.append(Line2D([], [], color=FORMAL_COLOUR, lw=0.9, ls=":", label="formal board tie"))
    roles = np.flatnonzero(rel.shared_role)
    if len(roles):
        ax.add_collection(LineCollection(segs[roles], colors=ROLE_COLOUR, linewidths=1.6, linestyles=(0, (3, 2)),
                                         zorder=2.5))
        handles.append(Line2D([], [], color=ROLE_COLOUR, lw=1.6, ls="--", label="shared leadership role"))
    for ki, name in enumerate(leaders.kind_names):
        colour, marker, size = kind_style(name, ki)
        members = np.flatnonzero(leaders.kind == ki)
        ax.scatter(pos[members, 0], pos[members, 1], s=size, c=colour, marker=marker,
                   edgecolors="white", linewidths=0.8, zorder=3)
        handles.append(Line2D([], [], ls="", marker=marker, color=colour, markeredgecolor="white",
                              markersize=8, label=f"{kind_label(name, model.scenario)} ({len(members)})"))
    handles.append(Line2D([], [], color=colormaps[TRUST_CMAP](0.9), lw=2.2,
                          label=f"partnership (mutual trust ≥ {model.params['partnership_threshold']:.2f})"))
    pad = 0.06
    ax.set_xlim(pos[:, 0].min() - pad, pos[:, 0].max() + pad)
    ax.set_ylim(pos[:, 1].min() - pad, pos[:, 1].max() + pad)
    if legend:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8,
                  frameon=False)
        sm = _scalar_mappable()
        cb = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01, aspect=30)
        cb.set_label("trust (mean of both directions)", fontsize=8)
        cb.ax.tick_params(labelsize=7)
    ax.set_title(title if title is not None else status_line(model), fontsize=9)
    return fig


def _scalar_mappable():
    from matplotlib.cm import ScalarMappable

    sm = ScalarMappable(norm=_NORM, cmap=colormaps[TRUST_CMAP])
    sm.set_array([])
    return sm


_SHORT_LABELS = {"nhs_trust": "NHS", "council": "Council", "voluntary": "Voluntary"}


def _kind_pair_label(column: str) -> str:
    """``"trust:council-nhs_trust"`` to ``"Council–NHS"``."""
    a, b = column.removeprefix("trust:").split("-", 1)
    return f"{_SHORT_LABELS.get(a, a)}–{_SHORT_LABELS.get(b, b)}"


def charts_figure(
    timeseries: pd.DataFrame,
    *,
    threshold: float | None = None,
    figsize: tuple[float, float] = (6.4, 6.6),
    dpi: int = 100,
    min_months: int = 12,
) -> Figure:
    """Three live charts of a run: mean trust by kind pair, the integration index, conflicts.

    ``timeseries`` is :meth:`TrustModel.timeseries` (one row per month).
    """
    ts = timeseries.reset_index(drop=True)
    months = np.arange(len(ts))
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    ax_trust, ax_int, ax_conf = fig.subplots(3, 1, sharex=True)

    pair_cols = [c for c in ts.columns if c.startswith("trust:")]
    colours = colormaps["tab10"]
    for i, col in enumerate(pair_cols):
        ax_trust.plot(months, ts[col], lw=1.5, color=colours(i % 10), label=_kind_pair_label(col))
    ax_trust.plot(months, ts["mean_trust"], lw=2.2, color="black", ls="--", label="all")
    if threshold is not None:
        ax_trust.axhline(threshold, color="grey", lw=0.8, ls=":")
    ax_trust.set_ylim(0, 1)
    ax_trust.set_ylabel("mean trust")
    ax_trust.set_title("Mean trust by pair of kinds", fontsize=9, loc="left")
    ax_trust.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)

    ax_int.plot(months, ts["integration"], lw=2.4, color="#08519c", label="integration\nindex")
    for name, column, colour in INDEX_LINES:
        if column in ts:
            ax_int.plot(months, ts[column], lw=1.6, color=colour, label=name)
    ax_int.plot(months, ts["partnership_share"], lw=1.4, color="#6baed6", ls="--",
                label="partnerships\n(share of ties)")
    ax_int.set_ylim(0, 1)
    ax_int.set_ylabel("share")
    ax_int.set_title("Integration: share of organisations (of the statutory core, of the place's size) in the "
                     "largest partnership network", fontsize=9, loc="left")
    ax_int.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)

    ax_conf.plot(months, ts["conflicts_resolved"], lw=1.6, color="#1a9850", label="resolved\nthis month")
    ax_conf.plot(months, ts["conflicts_festering"], lw=2.0, color="#d73027", label="festering\n(open)")
    ax_conf.set_ylim(bottom=0)
    ax_conf.set_ylabel("conflicts")
    ax_conf.set_xlabel("month")
    ax_conf.set_title("Conflicts resolved vs festering", fontsize=9, loc="left")
    ax_conf.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)

    ax_conf.set_xlim(0, max(min_months, len(ts) - 1))
    for ax in (ax_trust, ax_int, ax_conf):
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    return fig


def comparison_figure(
    runs: Mapping[str, pd.DataFrame],
    *,
    figsize: tuple[float, float] = (9.0, 3.2),
    dpi: int = 100,
    min_months: int = 12,
) -> Figure:
    """Runs overlaid (label to time series): integration, mean trust and festering conflicts.

    The first two runs are drawn in the side-by-side colours (:data:`STRUCTURAL_COLOUR`, then
    :data:`RELATIONAL_COLOUR`), as in the dashboard; further runs in grey and pink, dashed.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    axes = fig.subplots(1, 3)
    styles = ((STRUCTURAL_COLOUR, "-"), (RELATIONAL_COLOUR, "-"), ("#636363", "--"), ("#e7298a", "--"))
    longest = 0
    for i, (label, ts) in enumerate(runs.items()):
        colour, ls = styles[i % len(styles)]
        ts = ts.reset_index(drop=True)
        months = np.arange(len(ts))
        longest = max(longest, len(ts) - 1)
        for ax, col in zip(axes, ("integration", "mean_trust", "conflicts_festering")):
            ax.plot(months, ts[col], color=colour, ls=ls, lw=2.2, label=label)
    titles = ("Integration index", "Mean trust", "Festering conflicts")
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlabel("month", fontsize=8)
        ax.set_xlim(0, max(min_months, longest))
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0].set_ylim(0, 1)
    axes[1].set_ylim(0, 1)
    axes[2].set_ylim(bottom=0)
    axes[0].legend(fontsize=8, loc="upper left", frameon=False)
    return fig


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    """A figure as PNG bytes (what the dashboard sends to the browser)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
