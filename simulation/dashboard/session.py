"""One browser session of the dashboard: its models stepped together, their events, and frame flow control.

No Solara here (only the widget the browser answers through): :mod:`simulation.dashboard.app` holds one
:class:`Session` per tab and wires it to the page.

Examples
--------
>>> from simulation.dashboard import plots
>>> session = Session()
>>> levers = plots.lever_values("default")
>>> session.use((plots.build_model("default", 1, levers),), values=levers)
>>> session.step(3), session.models[0].steps
(True, 3)
>>> session.change({**levers, "open_book": 0.5})
>>> session.events[0][-1].text
'Transparency 0 → 0.5 from month 4'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import ipyvue
import traitlets

from . import plots
from .timeline import Event, EventTracker, lever_event

__all__ = ["Session", "FrameAck", "FRAME_TIMEOUT", "MAX_MONTHS"]

#: Longest wait for the browser to say it drew a frame, in seconds (a hidden tab, or no browser, draws nothing).
FRAME_TIMEOUT = 2.0
#: Playing stops here (50 years), so an unattended tab does not grow without end.
MAX_MONTHS = 600
_LABELS = {c.name: c.label.split(" (")[0] for c in plots.CONTROLS}

_ACK_TEMPLATE = """
<template><span class="sot-ack" :data-drawn="drawn" style="display: none"></span></template>
<script>
module.exports = {
    watch: {
        frame(value) {
            let sent = false;
            const ack = () => { if (!sent) { sent = true; this.drawn = value; } };
            const timer = setTimeout(ack, 1000);  // a hidden tab paints nothing: answer anyway
            requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); ack(); }, 0));
        }
    }
}
</script>
"""


class FrameAck(ipyvue.VueTemplate):
    """An invisible widget: the server sets ``frame``; the browser sets ``drawn`` once it has painted that frame.

    Widget messages reach the browser in order, so when ``frame`` arrives the
    figures' updates sent before it have been applied; the answer waits for the
    next paint.
    """

    template = traitlets.Unicode(_ACK_TEMPLATE).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    drawn = traitlets.Int(0).tag(sync=True)


class Session:
    """One browser session's models, their events and live figures, stepped together under a lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._models: tuple = ()
        self.trackers: list[EventTracker] = []
        self.events: list[list[Event]] = []
        self.views: dict[str, Callable[[], None]] = {}
        self.targets: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None
        self.generation = 0  # playing loops started: an older loop stops when a newer one starts
        self._ack: FrameAck | None = None
        self._frame = 0
        self._drawn = threading.Condition()
        self._changes: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
        self._values: dict[str, Any] | None = None  # the lever values the models were last given

    @property
    def models(self) -> tuple:
        """The models played (setting them starts tracking their events)."""
        return self._models

    @models.setter
    def models(self, models: tuple) -> None:
        self.use(models)

    def use(self, models: tuple, targets: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
            values: dict[str, Any] | None = None) -> None:
        """Play ``models`` from now on (their events are tracked from their current month).

        ``targets(values)``: each model's parameters for the lever values
        ``values`` (default: the same values for every model). ``values``: the
        lever values the models were built with, so that a later change sets
        only what moved (a place's own drawn conditions, docs/ODD.md §7.20,
        are not levers moved).
        """
        with self.lock:
            if models is not self._models:
                self._values = dict(values) if values is not None else None
                self._models = tuple(models)
                self.trackers = [EventTracker(m) for m in self._models]
                self.events = [[] for _ in self._models]
                self._changes = [(-1, {}) for _ in self._models]
            self.targets = targets

    def step(self, months: int = 1, keep_going: Callable[[], bool] | None = None) -> bool:
        """Advance every model up to ``months`` months (fewer once ``keep_going()`` is false).

        Returns False once :data:`MAX_MONTHS` is reached.
        """
        with self.lock:
            models = self.models
            if not models or models[0].steps >= MAX_MONTHS:
                return False
            for k in range(min(months, MAX_MONTHS - models[0].steps)):
                if k and keep_going is not None and not keep_going():
                    break
                for m, tracker, events in zip(models, self.trackers, self.events, strict=True):
                    m.step()
                    events.extend(tracker.observe(m))
            return models[0].steps < MAX_MONTHS

    def change(self, values: dict[str, Any]) -> None:
        """Set the lever ``values`` on the running models, from their next month; mark each change on the timeline.

        Changes within one month make one event. Raises ``ScenarioError`` for a value the model cannot use.
        """
        with self.lock:
            def per_model(lever_values: dict[str, Any]) -> list[dict[str, Any]]:
                return self.targets(lever_values) if self.targets else [lever_values] * len(self.models)

            targets = per_model(values)
            before = per_model(self._values) if self._values is not None else [m.params for m in self.models]
            for i, (m, target) in enumerate(zip(self.models, targets, strict=True)):
                changed = m.set_params(**{k: v for k, v in target.items() if before[i].get(k) != v})
                if not changed:
                    continue
                month, merged = self._changes[i]
                events = self.events[i]
                if month == m.steps and events and events[-1].kind == "lever" and events[-1].month == month:
                    events.pop()  # one event for the month: first old value, last new value
                    merged = {k: (merged[k][0] if k in merged else old, new) for k, (old, new) in
                              {**merged, **changed}.items()}
                    merged = {k: v for k, v in merged.items() if v[0] != v[1]}
                else:
                    merged = changed
                self._changes[i] = (m.steps, merged)
                if merged:
                    events.append(lever_event(m.steps, merged, _LABELS))
            self._values = dict(values)

    def render(self) -> None:
        """Send the models' new state to every live figure (only what changed), then ask the browser to answer."""
        with self.lock:
            for update in list(self.views.values()):
                update()
            if self._ack is not None:
                self._frame += 1
                self._ack.frame = self._frame

    # ------------------------------------------------------------ flow control
    def attach_ack(self, ack: FrameAck | None) -> None:
        """Use ``ack`` (or none) to learn when the browser has drawn a frame."""
        with self._drawn:
            if self._ack is not None:
                self._ack.unobserve(self._on_drawn, "drawn")
            self._ack = ack
            if ack is not None:
                ack.observe(self._on_drawn, "drawn")

    def _on_drawn(self, change: dict[str, Any]) -> None:
        with self._drawn:
            self._drawn.notify_all()

    def wait_drawn(self, timeout: float = FRAME_TIMEOUT) -> bool:
        """Wait until the browser has drawn the latest frame sent (True), or ``timeout`` seconds (False)."""
        with self._drawn:
            ack = self._ack
            if ack is None:
                return False
            return self._drawn.wait_for(lambda: ack.drawn >= self._frame, timeout)
