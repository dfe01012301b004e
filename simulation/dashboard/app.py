"""The Solara page of the dashboard: ``solara run simulation.dashboard.app``.

Started by ``python -m simulation dashboard``. A thin layer: every model,
layout and figure comes from :mod:`simulation.dashboard.plots`; this module
only holds per-session state and wires the controls.

Each browser session (tab) gets its own models: they live in the ``Page``
component's state (``use_memo``), never at module level.
"""

from __future__ import annotations

import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # before solara is imported

import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from ..scenario import shipped_scenarios
from . import plots

__all__ = ["Page", "Session", "SINGLE", "SIDE_BY_SIDE", "PLAY_INTERVAL", "MAX_MONTHS"]

SINGLE = "One place"
SIDE_BY_SIDE = "Side by side"
#: Seconds between months while playing.
PLAY_INTERVAL = 0.35
#: Playing stops here (50 years), so an unattended tab does not grow without end.
MAX_MONTHS = 600


class Session:
    """One browser session's models, stepped together under a lock."""

    def __init__(self) -> None:
        self.models: tuple = ()
        self.lock = threading.RLock()

    def step(self) -> bool:
        """Advance every model one month; False once :data:`MAX_MONTHS` is reached."""
        with self.lock:
            models = self.models
            if not models or models[0].steps >= MAX_MONTHS:
                return False
            for m in models:
                m.step()
            return models[0].steps < MAX_MONTHS


def _build(scenario: str, seed: int, values: dict[str, Any], mode: str, structural: str, relational: str) -> tuple:
    if mode == SIDE_BY_SIDE:
        return plots.build_pair(scenario, seed, values, plots.STRUCTURAL_OPTIONS[structural],
                                plots.RELATIONAL_OPTIONS[relational])
    return (plots.build_model(scenario, seed, values),)


def _options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in options.items())


@solara.component
def FigureImage(make: Callable[[], Any], dependencies: list, css_class: str, lock: threading.RLock):
    """A matplotlib figure as a PNG image, redrawn only when ``dependencies`` change."""

    def render() -> bytes:
        with lock:
            fig = make()
        return plots.figure_png(fig)

    png = solara.use_memo(render, dependencies)
    with solara.Div(classes=[css_class, "sot-figure"]):
        solara.Image(png, width="100%", format="png", classes=[css_class + "-img"])


@solara.component
def Controls(session: Session, state: dict[str, solara.Reactive], on_step: Callable[[], None]):
    """Scenario picker, seed, play / pause / step / reset, and the levers a class plays with."""
    scenario, seed, values = state["scenario"], state["seed"], state["values"]
    mode, playing, resets = state["mode"], state["playing"], state["resets"]

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
    with solara.Row(classes=["sot-buttons"]):
        solara.Button("Pause" if playing.value else "Play", icon_name="mdi-pause" if playing.value else "mdi-play",
                      color="primary", on_click=lambda: playing.set(not playing.value), classes=["sot-play"])
        solara.Button("Step", icon_name="mdi-skip-next", color="primary", on_click=on_step,
                      disabled=playing.value, classes=["sot-step"])
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset, classes=["sot-reset"])
    solara.Markdown("Changing a setting restarts the run at month 0, with the same place and seed.",
                    style={"font-size": "0.8em", "color": "#666"})
    for c in plots.CONTROLS:
        current = values.value[c.name]
        with solara.Div(classes=[f"sot-control-{c.name}", "sot-control"], style={"margin-top": "6px"}):
            if c.kind is bool:
                solara.Switch(label=c.label, value=bool(current), on_value=lambda v, n=c.name: set_lever(n, bool(v)))
            else:
                shown = f"{current:g}" if c.kind is int else f"{current:.3g}"
                solara.Text(f"{c.label}: {shown}", style={"font-size": "0.9em"}, classes=["sot-control-label"])
                if c.kind is int:
                    solara.SliderInt("", value=int(current), min=int(c.low), max=int(c.high), step=int(c.step),
                                     on_value=lambda v, n=c.name: set_lever(n, int(v)))
                else:
                    solara.SliderFloat("", value=float(current), min=c.low, max=c.high, step=c.step,
                                       on_value=lambda v, n=c.name: set_lever(n, float(v)))
            solara.Text(c.doc, style={"font-size": "0.72em", "color": "#777"})
    if mode.value == SIDE_BY_SIDE:
        solara.Markdown("**Side by side**: both copies share the place, the seed and the settings above; "
                        "each adds one intervention.")
        solara.Select(label="Structural intervention", values=list(plots.STRUCTURAL_OPTIONS),
                      value=state["structural"], classes=["sot-structural"])
        solara.Select(label="Relational intervention", values=list(plots.RELATIONAL_OPTIONS),
                      value=state["relational"], classes=["sot-relational"])


@solara.component
def ModelView(model, session: Session, tick: int, heading: str | None = None, compact: bool = False):
    """Status line and network of one model."""
    deps = [id(model), tick]
    if heading:
        solara.Markdown(f"### {heading}")
    with session.lock:
        status = plots.status_line(model)
    solara.Text(status, classes=["sot-status"])
    size = (5.6, 5.4) if compact else (6.4, 6.0)
    FigureImage(lambda: plots.network_figure(model, figsize=size, title=""), deps, "sot-network", session.lock)


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
    }
    tick = solara.use_reactive(0)
    error = solara.use_reactive(None)
    playing = state["playing"]
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
    with session.lock:
        session.models = models

    def step_once() -> None:
        session.step()
        tick.set(tick.value + 1)

    def play_loop() -> None:
        while playing.value:
            time.sleep(PLAY_INTERVAL)
            if not playing.value:
                break
            more = session.step()
            tick.set(tick.value + 1)
            if not more:
                playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    solara.Title("Speed of trust")
    with solara.Columns([1, 3], gutters_dense=True):
        with solara.Card(classes=["sot-controls"]):
            Controls(session, state, step_once)
        with solara.Column(classes=["sot-main"]):
            if error.value:
                solara.Error(error.value)
            solara.Text(f"Month {models[0].steps}", classes=["sot-month"],
                        style={"font-size": "1.4em", "font-weight": "bold"})
            if len(models) == 1:
                with solara.Columns([1, 1]):
                    ModelView(models[0], session, tick.value)
                    FigureImage(lambda: plots.charts_figure(
                        models[0].timeseries(), threshold=models[0].params["partnership_threshold"]),
                        [id(models[0]), tick.value], "sot-charts", session.lock)
            else:
                s_name, r_name = state["structural"].value, state["relational"].value
                FigureImage(lambda: plots.comparison_figure(
                    {f"structural: {s_name}": models[0].timeseries(),
                     f"relational: {r_name}": models[1].timeseries()}, figsize=(11, 3.0)),
                    [id(models[0]), tick.value], "sot-comparison", session.lock)
                with solara.Columns([1, 1]):
                    with solara.Column():
                        ModelView(models[0], session, tick.value, heading=f"Structural: {s_name}", compact=True)
                        solara.Text(_options_text(plots.STRUCTURAL_OPTIONS[s_name]), style={"color": "#666"})
                    with solara.Column():
                        ModelView(models[1], session, tick.value, heading=f"Relational: {r_name}", compact=True)
                        solara.Text(_options_text(plots.RELATIONAL_OPTIONS[r_name]), style={"color": "#666"})
