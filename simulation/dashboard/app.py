"""The Solara page of the dashboard: ``solara run simulation.dashboard.app``.

Started by ``python -m simulation dashboard``. A thin layer: every model,
layout and figure comes from :mod:`simulation.dashboard.plots` and
:mod:`simulation.dashboard.live`; this module only holds per-session state
and wires the controls.

Each browser session (tab) gets its own models: they live in the ``Page``
component's state (``use_memo``), never at module level.

Playing renders without redrawing: the network and the charts are plotly
figures drawn by the browser (:mod:`simulation.dashboard.live`), built once
per run; each frame sends only the data that changed (figures, the month,
the status line and the event list are set directly: the page does not
re-render). Every model of the page (one, or two side by side) is stepped
in the same frame. The speed control sets months a second (up to
:data:`MAX_SPEED`); frames are capped at 8 a second, with up to
:data:`MAX_BATCH` months stepped between two of them.

Flow control: after each frame, playing waits until the browser says it has
drawn it (:class:`FrameAck`, at most :data:`FRAME_TIMEOUT`), so no backlog
of frames builds up in the browser: what the page shows is what the server
played, and Pause stops the run within one frame.

Levers act on the running model from the next month (as NetLogo's sliders
do, :meth:`~simulation.model.TrustModel.set_params`), each change marked on
the timeline; only Reset (or another place, seed, mode or pairing) starts
again at month 0.
"""

from __future__ import annotations

import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # before solara is imported

import html
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from ipywidgets import HTML, Layout
from plotly.graph_objects import FigureWidget

from ..scenario import ScenarioError, shipped_scenarios
from . import live, plots
from .session import FRAME_TIMEOUT, MAX_MONTHS, FrameAck, Session

__all__ = ["Page", "Session", "FrameAck", "SINGLE", "SIDE_BY_SIDE", "DEFAULT_SPEED", "MAX_SPEED", "MAX_MONTHS",
           "MAX_BATCH", "FRAME_TIMEOUT", "CSS"]

SINGLE = "One place"
SIDE_BY_SIDE = "Side by side"
#: Months a second while playing, at first and at most (the speed control's range).
DEFAULT_SPEED, MAX_SPEED = 12, 30
#: Most months stepped between two frames (a slower browser sees months skipped, not a slower run).
MAX_BATCH = 6
#: Shortest time between two frames, in seconds (at most 8 frames a second are sent).
MIN_FRAME = 1 / 8
#: Least idle time after a frame, in seconds: the session's lock and the interpreter stay free for a click.
MIN_IDLE = 0.02
_STEPS = {c.name: c.step for c in plots.CONTROLS}

#: The page's layout: it fills the window and never scrolls (the controls panel scrolls on its own).
CSS = """
.sot-app { position: fixed; inset: 0; display: flex; overflow: hidden; background: white; z-index: 5; }
.sot-controls { width: 300px; min-width: 300px; height: 100%; overflow-y: auto; padding: 8px 12px;
                border-right: 1px solid #ddd; box-sizing: border-box; }
.sot-controls.sot-hidden { display: none; }
.sot-main { flex: 1; height: 100%; overflow: auto; padding: 4px 10px; box-sizing: border-box; }
.sot-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; min-height: 48px; }
.sot-toolbar .sot-speed { width: 230px; }
.sot-toolbar .sot-speed .v-input { margin-top: 0; padding-top: 0; }
.sot-toolbar .sot-speed .v-messages { display: none; }
.sot-month { min-width: 130px; }
.sot-row { display: flex; flex-wrap: nowrap; gap: 10px; align-items: flex-start; }
.sot-col { display: flex; flex-direction: column; }
.sot-control { margin-top: 2px; }
.sot-control .v-input { margin-top: 0; padding-top: 0; }
.sot-control .v-messages { display: none; }
.sot-doc { font-size: 13px; color: #444; line-height: 1.25; }
.sot-heading { font-size: 17px; font-weight: bold; color: #111; }
"""

def _build(scenario: str, seed: int, values: dict[str, Any], mode: str, pairing: str) -> tuple:
    if mode == SIDE_BY_SIDE:
        first, second = plots.PAIRINGS[pairing].overrides(scenario, values)
        return plots.build_pair(scenario, seed, values, first, second)
    return (plots.build_model(scenario, seed, values),)


def _targets(scenario: str, mode: str, pairing: str) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """Each model's parameters for lever values (side by side: each copy's own lever on top)."""
    if mode != SIDE_BY_SIDE:
        return lambda values: [dict(values)]
    chosen = plots.PAIRINGS[pairing]
    return lambda values: [{**values, **own} for own in chosen.overrides(scenario, values)]


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
        element = HTML.element(layout=Layout(width="100%", margin="0"))
    css = ";".join(f"{k}: {val}" for k, val in (style or {}).items())

    def update() -> None:
        widget = widget_ref.current
        if widget is not None:
            value = text()
            value = value if as_html else f"<div style='{css}'>{html.escape(value)}</div>"
            if widget.value != value:
                widget.value = value

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


@solara.component
def AckView(session: Session):
    """The invisible :class:`FrameAck` of the session."""
    element = FrameAck.element()

    def attach():
        session.attach_ack(solara.get_widget(element))
        return lambda: session.attach_ack(None)

    solara.use_effect(attach, [])


def _month_text(session: Session) -> str:
    return f"Month {session.models[0].steps}" if session.models else "Month 0"


_KEY = ("<div class='sot-doc' style='margin-top: 4px'>On the timeline: ★ shock · ◆ structure started or stopped · "
        "● lever changed · ▼ leader left · ✖ conflicts festering for a year</div>")


def _events_html(session: Session, index: int = 0, heading: str = "What just happened", count: int = 4) -> str:
    events = session.events[index][-count:] if len(session.events) > index else []
    items = "".join(f"<div class='sot-event-{e.kind}'><b>month {e.month}</b>: {html.escape(e.text)}</div>"
                    for e in reversed(events)) or "<div>nothing yet</div>"
    return f"<div style='font-size: 15px; line-height: 1.35; color: #111'><b>{heading}</b>{items}</div>"


def _heading(text: str, css_class: str = "sot-heading") -> None:
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=[css_class])


@solara.component
def Controls(session: Session, state: dict[str, solara.Reactive], error: solara.Reactive):
    """Mode, place, seed, pairing, and the levers a class plays with (acting on the running model)."""
    scenario, seed, values, mode = state["scenario"], state["seed"], state["values"], state["mode"]

    def pick_scenario(name: str) -> None:
        values.set(plots.lever_values(name))
        scenario.set(name)

    def set_seed(value: int | None) -> None:
        seed.set(max(0, int(value or 0)))

    def set_lever(name: str, value: Any) -> None:
        current = values.value[name]
        if not isinstance(value, bool) and abs(value - current) < _STEPS[name] / 2:
            return  # the slider snapped a value off its grid (turnover 0.0208 shown as 0.02): not a move
        new = {**values.value, name: value}
        try:
            session.change(new)
        except ScenarioError as exc:
            error.set(str(exc))
            return
        values.set(new)
        with session.lock:
            session.render()

    _heading("Speed of trust", "sot-title")
    solara.HTML(tag="div", unsafe_innerHTML="Trust between the leaders of NHS trusts, councils and voluntary bodies, "
                "month by month.", classes=["sot-doc"])
    solara.ToggleButtonsSingle(value=mode, values=[SINGLE, SIDE_BY_SIDE], classes=["sot-mode"], dense=True)
    solara.Select(label="Place (scenario)", values=list(shipped_scenarios()), value=scenario.value,
                  on_value=pick_scenario, classes=["sot-scenario"], dense=True)
    solara.InputInt("Seed", value=seed.value, on_value=set_seed, classes=["sot-seed"], dense=True)
    if mode.value == SIDE_BY_SIDE:
        solara.Select(label="Lesson", values=list(plots.PAIRINGS), value=state["pairing"], classes=["sot-pairing"],
                      dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(
            f"Both copies share the place, the seed and the levers below; each adds its own intervention, and "
            f"{plots.PAIRINGS[state['pairing'].value].hours_text()}."), classes=["sot-doc"])
    solara.HTML(tag="div", unsafe_innerHTML="<b>Levers</b> act on the running model from the next month (marked ● on "
                "the timeline); Reset starts again at month 0.", classes=["sot-doc"], style="margin-top: 6px")
    for c in plots.CONTROLS:
        current = values.value[c.name]
        with solara.Div(classes=[f"sot-control-{c.name}", "sot-control"]):
            if c.kind is bool:
                solara.Switch(label=c.label, value=bool(current), on_value=lambda v, n=c.name: set_lever(n, bool(v)),
                              classes=["sot-switch"])
            else:
                shown = f"{current:g}" if c.kind is int else f"{current:.3g}"
                solara.Text(f"{c.label}: {shown}", style={"font-size": "14px"}, classes=["sot-control-label"])
                if c.kind is int:
                    solara.SliderInt("", value=int(current), min=int(c.low), max=int(c.high), step=int(c.step),
                                     on_value=lambda v, n=c.name: set_lever(n, int(v)))
                else:
                    solara.SliderFloat("", value=float(current), min=c.low, max=c.high, step=c.step,
                                       on_value=lambda v, n=c.name: set_lever(n, float(v)))
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(c.doc), classes=["sot-doc"])


@solara.component
def Toolbar(session: Session, state: dict[str, solara.Reactive], models_id: int, show_controls: solara.Reactive):
    """Levers panel toggle, Play / Pause, Step, Reset, speed and the month; owns the playing loop."""
    playing = solara.use_reactive(False)
    speed, resets = state["speed"], state["resets"]

    def step_once() -> None:
        session.step()
        session.render()

    def reset() -> None:
        playing.set(False)
        resets.set(resets.value + 1)

    def play_loop() -> None:
        with session.lock:
            session.generation += 1
            mine = session.generation
        rate = speed.value

        def keep_going() -> bool:
            return playing.value and session.generation == mine

        start, done = time.monotonic(), 0
        while keep_going():
            due = int((time.monotonic() - start) * rate) - done
            if due <= 0:
                time.sleep(max(0.0, (done + 1) / rate - (time.monotonic() - start)))
                continue
            frame = time.monotonic()
            more = session.step(min(due, MAX_BATCH), keep_going)
            done += due  # a backlog beyond one batch is dropped, not caught up later
            session.render()
            if not more:
                playing.set(False)
                break
            session.wait_drawn()  # the browser has drawn it: no backlog of frames, Pause within one frame
            time.sleep(max(MIN_IDLE, MIN_FRAME - (time.monotonic() - frame)))

    solara.lab.use_task(play_loop, dependencies=[playing.value, speed.value, models_id], prefer_threaded=True)

    with solara.Div(classes=["sot-toolbar"]):
        solara.Button("Levers", icon_name="mdi-tune", outlined=not show_controls.value, color="primary",
                      on_click=lambda: show_controls.set(not show_controls.value), classes=["sot-levers-toggle"])
        solara.Button("Pause" if playing.value else "Play", icon_name="mdi-pause" if playing.value else "mdi-play",
                      color="primary", on_click=lambda: playing.set(not playing.value), classes=["sot-play"])
        solara.Button("Step", icon_name="mdi-skip-next", color="primary", on_click=step_once,
                      disabled=playing.value, classes=["sot-step"])
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset, classes=["sot-reset"])
        with solara.Div(classes=["sot-speed"]):
            solara.SliderInt(f"{speed.value} months/s", value=speed, min=1, max=MAX_SPEED)
        LiveText(session, "month", lambda: _month_text(session), models_id, "sot-month",
                 {"font-size": "26px", "font-weight": "bold"})


@solara.component
def ModelView(session: Session, index: int, models_id: int, compact: bool = False):
    """Status line and live network of one model."""
    LiveText(session, f"status{index}", lambda: plots.status_line(session.models[index]), models_id, "sot-status",
             {"font-size": "14px" if compact else "15px", "color": "#111", "line-height": "1.3"})
    width, height = (310, 310) if compact else (440, 470)
    LiveFigure(session, f"network{index}",
               lambda: live.network_figure(session.models[index], height, width, legend=not compact),
               lambda w: live.update_network(w, session.models[index]), models_id, "sot-network")


_SMALL_KEY = ("<div class='sot-doc'>■ NHS trust · ◆ council · ● voluntary body; lines: trust from red (low) to blue "
              "(high), thick when a partnership; gold: the largest partnership network</div>")


@solara.component
def Page():
    """The dashboard: a collapsible controls panel on the left; the toolbar, network and live charts on the right."""
    session = solara.use_memo(Session, [])
    state = {
        "scenario": solara.use_reactive("default"),
        "seed": solara.use_reactive(1),
        "values": solara.use_reactive(plots.lever_values("default")),
        "mode": solara.use_reactive(SINGLE),
        "pairing": solara.use_reactive(next(iter(plots.PAIRINGS))),
        "resets": solara.use_reactive(0),
        "speed": solara.use_reactive(DEFAULT_SPEED),
    }
    show_controls = solara.use_reactive(True)
    error = solara.use_reactive(None)
    key = (state["scenario"].value, state["seed"].value, state["mode"].value, state["pairing"].value,
           state["resets"].value)

    def build() -> tuple:
        values = dict(state["values"].value)  # the levers as they are now (they act mid-run, not through the key)
        try:
            models = _build(key[0], key[1], values, key[2], key[3])
            error.set(None)
        except ValueError as exc:  # ScenarioError: a value the model cannot use
            error.set(str(exc))
            models = _build("default", 0, {}, SINGLE, key[3])
        return models

    models = solara.use_memo(build, list(key))
    session.use(models, _targets(key[0], key[2] if len(models) > 1 else SINGLE, key[3]), state["values"].value)
    models_id = id(models)

    solara.Title("Speed of trust")
    solara.Style(CSS)
    with solara.Div(classes=["sot-app"]):
        with solara.Div(classes=["sot-controls"] + ([] if show_controls.value else ["sot-hidden"])):
            Controls(session, state, error)
        with solara.Div(classes=["sot-main"]):
            Toolbar(session, state, models_id, show_controls)
            if error.value:
                solara.Error(error.value)
            if len(models) == 1:
                with solara.Div(classes=["sot-row"]):
                    with solara.Div(classes=["sot-col"]):
                        ModelView(session, 0, models_id)
                    with solara.Div(classes=["sot-col"]):
                        LiveFigure(session, "charts", lambda: live.charts_figure(session.models[0], 430, 500),
                                   lambda w: live.update_charts(w, session.models[0].timeseries(), session.events[0]),
                                   models_id, "sot-charts")
                        LiveText(session, "events", lambda: _events_html(session) + _KEY, models_id, "sot-events",
                                 as_html=True)
            else:
                pairing = plots.PAIRINGS[state["pairing"].value]
                names = list(pairing.labels)
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(pairing.question), classes=["sot-doc"],
                            style="font-size: 14px; margin-bottom: 4px")
                with solara.Div(classes=["sot-row"]):
                    for index, name in enumerate(names):
                        with solara.Div(classes=["sot-col"], style="width: 310px"):
                            _heading(name)
                            ModelView(session, index, models_id, compact=True)
                            LiveText(session, f"events{index}",
                                     lambda i=index: _events_html(session, i, "Latest", 3), models_id,
                                     "sot-events", as_html=True)
                    with solara.Div(classes=["sot-col"]):
                        LiveFigure(session, "comparison", lambda: live.comparison_figure(names, 520, 330, stacked=True),
                                   lambda w: live.update_comparison(w, dict(zip(names, (m.timeseries()
                                                                                       for m in session.models),
                                                                                strict=True)), session.events[0]),
                                   models_id, "sot-comparison")
                        solara.HTML(tag="div", unsafe_innerHTML=_SMALL_KEY)
        AckView(session)
