"""The Solara page of the dashboard: ``solara run simulation.dashboard.app``.

Started by ``python -m simulation dashboard``. A thin layer: every model,
layout and figure comes from :mod:`simulation.dashboard.plots`; this module
only holds per-session state and wires the controls.

Each browser session (tab) gets its own models: they live in the ``Page``
component's state (``use_memo``), never at module level.

Playing renders without redrawing: the network and the charts are plotly
figures drawn by the browser (:mod:`simulation.dashboard.live`), built once
per run; each frame sends only the data that changed (figures, the month,
the status line and the event list are set directly: the page does not
re-render). The speed control sets
months a second (up to :data:`MAX_SPEED`); frames are capped at 8 a second,
with up to :data:`MAX_BATCH` months stepped between two of them.
"""

from __future__ import annotations

import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # before solara is imported

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from ipywidgets import HTML, Layout
from plotly.graph_objects import FigureWidget

from ..scenario import shipped_scenarios
from . import live, plots
from .timeline import Event, EventTracker

__all__ = ["Page", "Session", "SINGLE", "SIDE_BY_SIDE", "DEFAULT_SPEED", "MAX_SPEED", "MAX_MONTHS"]

SINGLE = "One place"
SIDE_BY_SIDE = "Side by side"
#: Months a second while playing, at first and at most (the speed control's range).
DEFAULT_SPEED, MAX_SPEED = 12, 30
#: Most months stepped between two frames (a slower browser sees months skipped, not a slower run).
MAX_BATCH = 6
#: Shortest time between two frames, in seconds (at most 8 frames a second are sent).
MIN_FRAME = 1 / 8
#: Least idle time after a frame, in seconds: where a frame takes longer than MIN_FRAME (a slow or busy
#: machine), the session's lock and the interpreter are still free long enough to handle a click (Pause).
MIN_IDLE = 0.02
#: Playing stops here (50 years), so an unattended tab does not grow without end.
MAX_MONTHS = 600


class Session:
    """One browser session's models, their events and live figures, stepped together under a lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._models: tuple = ()
        self.trackers: list[EventTracker] = []
        self.events: list[list[Event]] = []
        self.views: dict[str, Callable[[], None]] = {}

    @property
    def models(self) -> tuple:
        """The models played (setting them starts tracking their events)."""
        return self._models

    @models.setter
    def models(self, models: tuple) -> None:
        self.use(models)

    def use(self, models: tuple) -> None:
        """Play ``models`` from now on (their events are tracked from their current month)."""
        with self.lock:
            if models is not self._models:
                self._models = tuple(models)
                self.trackers = [EventTracker(m) for m in self._models]
                self.events = [[] for _ in self._models]

    def step(self, months: int = 1) -> bool:
        """Advance every model ``months`` months; False once :data:`MAX_MONTHS` is reached."""
        with self.lock:
            models = self.models
            if not models or models[0].steps >= MAX_MONTHS:
                return False
            for _ in range(min(months, MAX_MONTHS - models[0].steps)):
                for m, tracker, events in zip(models, self.trackers, self.events, strict=True):
                    m.step()
                    events.extend(tracker.observe(m))
            return models[0].steps < MAX_MONTHS

    def render(self) -> None:
        """Send the models' new state to every live figure (only what changed)."""
        with self.lock:
            for update in list(self.views.values()):
                update()


def _build(scenario: str, seed: int, values: dict[str, Any], mode: str, structural: str, relational: str) -> tuple:
    if mode == SIDE_BY_SIDE:
        return plots.build_pair(scenario, seed, values, plots.STRUCTURAL_OPTIONS[structural],
                                plots.RELATIONAL_OPTIONS[relational])
    return (plots.build_model(scenario, seed, values),)


def _options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in options.items())


@solara.component
def LiveFigure(session: Session, name: str, build: Callable[[], Any], update: Callable[[Any], None],
               models_id: int, css_class: str):
    """A plotly figure drawn by the browser, built once per run and then updated in place by :meth:`Session.render`."""
    widget_ref = solara.use_ref(None)
    with solara.Div(classes=[css_class, "sot-figure"]):
        element = FigureWidget.element()

    def mount():
        widget_ref.current = solara.get_widget(element)  # the same widget for the component's life

    def attach():
        widget = widget_ref.current
        with session.lock:
            fig = build()
            with widget.batch_update():
                widget.data = ()
                widget.add_traces(fig.data)
                widget.layout = fig.layout
            session.views[name] = lambda: update(widget)
            update(widget)

        def detach() -> None:
            session.views.pop(name, None)

        return detach

    solara.use_effect(mount, [])
    solara.use_effect(attach, [models_id])


@solara.component
def LiveText(session: Session, name: str, text: Callable[[], str], models_id: int, css_class: str,
             style: dict[str, str] | None = None, as_html: bool = False):
    """Text set directly by :meth:`Session.render` (no re-render of the page): the month, a status, events.

    Shown in an ``ipywidgets.HTML`` inside a ``div`` of class ``css_class``; ``as_html``: ``text``
    returns HTML (escaped by the caller), else plain text styled with ``style``.
    """
    widget_ref = solara.use_ref(None)
    with solara.Div(classes=[css_class]):
        # no ``value`` prop: reacton never puts an old text back when the page re-renders
        element = HTML.element(layout=Layout(width="100%"))
    css = ";".join(f"{k}: {val}" for k, val in (style or {}).items())

    def update() -> None:
        widget = widget_ref.current
        if widget is not None:
            value = text()
            widget.value = value if as_html else f"<div style='{css}'>{html.escape(value)}</div>"

    def mount():
        widget_ref.current = solara.get_widget(element)

    def attach():
        with session.lock:
            session.views[name] = update
            update()

        def detach() -> None:
            session.views.pop(name, None)

        return detach

    solara.use_effect(mount, [])
    solara.use_effect(attach, [models_id])


def _month_text(session: Session) -> str:
    return f"Month {session.models[0].steps}" if session.models else "Month 0"


def _events_html(session: Session) -> str:
    events = session.events[0][-5:] if session.events else []
    items = "".join(f"<div class='sot-event-{e.kind}'><b>month {e.month}</b>: {html.escape(e.text)}</div>"
                    for e in reversed(events)) or "<div>nothing yet</div>"
    return (f"<div style='font-size: 17px; line-height: 1.4; color: #111'><b>What just happened</b>{items}"
            "<div style='font-size: 15px; color: #333; margin-top: 4px'>On the timeline: ★ shock · "
            "◆ structure started or stopped · ▼ leader left · ✖ conflicts festering for a year</div></div>")


@solara.component
def Controls(session: Session, state: dict[str, solara.Reactive], on_step: Callable[[], None]):
    """Scenario picker, seed, play / pause / step / reset, and the levers a class plays with."""
    scenario, seed, values = state["scenario"], state["seed"], state["values"]
    mode, playing, resets, speed = state["mode"], state["playing"], state["resets"], state["speed"]

    def pick_scenario(name: str) -> None:
        values.set(plots.lever_values(name))
        scenario.set(name)

    def set_seed(value: int | None) -> None:
        seed.set(max(0, int(value or 0)))

    def reset() -> None:
        playing.set(False)
        resets.set(resets.value + 1)

    def set_lever(name: str, value: Any) -> None:
        values.set({**values.value, name: value})

    solara.Markdown("## Speed of trust")
    solara.Markdown("Trust between the leaders of NHS trusts, councils and voluntary bodies, month by month.")
    solara.ToggleButtonsSingle(value=mode, values=[SINGLE, SIDE_BY_SIDE], classes=["sot-mode"])
    solara.Select(label="Scenario", values=list(shipped_scenarios()), value=scenario.value,
                  on_value=pick_scenario, classes=["sot-scenario"])
    solara.InputInt("Seed", value=seed.value, on_value=set_seed, classes=["sot-seed"])
    with solara.Row(classes=["sot-buttons"], style={"flex-wrap": "wrap", "gap": "6px"}):
        solara.Button("Pause" if playing.value else "Play", icon_name="mdi-pause" if playing.value else "mdi-play",
                      color="primary", on_click=lambda: playing.set(not playing.value), classes=["sot-play"])
        solara.Button("Step", icon_name="mdi-skip-next", color="primary", on_click=on_step,
                      disabled=playing.value, classes=["sot-step"])
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset, classes=["sot-reset"])
    with solara.Div(classes=["sot-speed"], style={"margin-top": "8px"}):
        solara.SliderInt(f"Speed: {speed.value} months a second", value=speed, min=1, max=MAX_SPEED)
    solara.Markdown("Changing a setting restarts the run at month 0, with the same place and seed.",
                    style={"font-size": "0.9em", "color": "#333"})
    for c in plots.CONTROLS:
        current = values.value[c.name]
        with solara.Div(classes=[f"sot-control-{c.name}", "sot-control"], style={"margin-top": "6px"}):
            if c.kind is bool:
                solara.Switch(label=c.label, value=bool(current), on_value=lambda v, n=c.name: set_lever(n, bool(v)))
            else:
                shown = f"{current:g}" if c.kind is int else f"{current:.3g}"
                solara.Text(f"{c.label}: {shown}", style={"font-size": "1em"}, classes=["sot-control-label"])
                if c.kind is int:
                    solara.SliderInt("", value=int(current), min=int(c.low), max=int(c.high), step=int(c.step),
                                     on_value=lambda v, n=c.name: set_lever(n, int(v)))
                else:
                    solara.SliderFloat("", value=float(current), min=c.low, max=c.high, step=c.step,
                                       on_value=lambda v, n=c.name: set_lever(n, float(v)))
            solara.Text(c.doc, style={"font-size": "0.85em", "color": "#444"})
    if mode.value == SIDE_BY_SIDE:
        solara.Markdown("**Side by side**: both copies share the place, the seed and the settings above; "
                        "each adds one intervention.")
        solara.Select(label="Structural intervention", values=list(plots.STRUCTURAL_OPTIONS),
                      value=state["structural"], classes=["sot-structural"])
        solara.Select(label="Relational intervention", values=list(plots.RELATIONAL_OPTIONS),
                      value=state["relational"], classes=["sot-relational"])


@solara.component
def ModelView(session: Session, index: int, models_id: int, heading: str | None = None,
              compact: bool = False):
    """Status line and live network of one model."""
    if heading:
        solara.Markdown(f"### {heading}")
    LiveText(session, f"status{index}", lambda: plots.status_line(session.models[index]), models_id, "sot-status",
             {"font-size": "17px", "color": "#111"})
    size = 440 if compact else 480
    LiveFigure(session, f"network{index}", lambda: live.network_figure(session.models[index], size, size),
               lambda w: live.update_network(w, session.models[index]), models_id, "sot-network")


@solara.component
def Page():
    """The dashboard: controls on the left; network and live charts on the right."""
    session = solara.use_memo(Session, [])
    state = {
        "scenario": solara.use_reactive("default"),
        "seed": solara.use_reactive(1),
        "values": solara.use_reactive(plots.lever_values("default")),
        "mode": solara.use_reactive(SINGLE),
        "structural": solara.use_reactive(next(iter(plots.STRUCTURAL_OPTIONS))),
        "relational": solara.use_reactive(next(iter(plots.RELATIONAL_OPTIONS))),
        "resets": solara.use_reactive(0),
        "playing": solara.use_reactive(False),
        "speed": solara.use_reactive(DEFAULT_SPEED),
    }
    error = solara.use_reactive(None)
    playing, speed = state["playing"], state["speed"]
    key = (state["scenario"].value, state["seed"].value, tuple(sorted(state["values"].value.items())),
           state["mode"].value, state["structural"].value, state["relational"].value, state["resets"].value)

    def build() -> tuple:
        try:
            models = _build(key[0], key[1], dict(key[2]), key[3], key[4], key[5])
            error.set(None)
        except ValueError as exc:  # ScenarioError: a value the model cannot use
            error.set(str(exc))
            models = _build("default", 0, {}, SINGLE, key[4], key[5])
        return models

    models = solara.use_memo(build, list(key))
    session.use(models)
    models_id = id(models)

    def step_once() -> None:
        session.step()
        session.render()

    def play_loop() -> None:
        rate = speed.value
        start, done = time.monotonic(), 0
        while playing.value:
            due = int((time.monotonic() - start) * rate) - done
            if due <= 0:
                time.sleep(max(0.0, (done + 1) / rate - (time.monotonic() - start)))
                continue
            frame = time.monotonic()
            more = session.step(min(due, MAX_BATCH))
            done += due  # a backlog beyond one batch is dropped, not caught up later
            session.render()
            if not more:
                playing.set(False)
                break
            time.sleep(max(MIN_IDLE, MIN_FRAME - (time.monotonic() - frame)))

    solara.lab.use_task(play_loop, dependencies=[playing.value, speed.value], prefer_threaded=True)

    solara.Title("Speed of trust")
    with solara.Columns([1, 3], gutters_dense=True):
        with solara.Card(classes=["sot-controls"]):
            Controls(session, state, step_once)
        with solara.Column(classes=["sot-main"]):
            if error.value:
                solara.Error(error.value)
            LiveText(session, "month", lambda: _month_text(session), models_id, "sot-month",
                     {"font-size": "26px", "font-weight": "bold"})
            if len(models) == 1:
                with solara.Columns([1, 1]):
                    ModelView(session, 0, models_id)
                    with solara.Column():
                        LiveFigure(session, "charts", lambda: live.charts_figure(session.models[0]),
                                   lambda w: live.update_charts(w, session.models[0].timeseries(), session.events[0]),
                                   models_id, "sot-charts")
                        LiveText(session, "events", lambda: _events_html(session), models_id, "sot-events",
                                 as_html=True)
            else:
                s_name, r_name = state["structural"].value, state["relational"].value
                names = [f"structural: {s_name}", f"relational: {r_name}"]
                LiveFigure(session, "comparison", lambda: live.comparison_figure(names),
                           lambda w: live.update_comparison(w, dict(zip(names, (m.timeseries()
                                                                               for m in session.models),
                                                                        strict=True))),
                           models_id, "sot-comparison")
                with solara.Columns([1, 1]):
                    with solara.Column():
                        ModelView(session, 0, models_id, heading=f"Structural: {s_name}", compact=True)
                        solara.Text(_options_text(plots.STRUCTURAL_OPTIONS[s_name]), style={"color": "#444"})
                    with solara.Column():
                        ModelView(session, 1, models_id, heading=f"Relational: {r_name}", compact=True)
                        solara.Text(_options_text(plots.RELATIONAL_OPTIONS[r_name]), style={"color": "#444"})
