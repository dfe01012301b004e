"""What just happened: events read from a model's state between months, and its largest partnership network.

Pure helpers (no Solara, no plotting): the dashboard annotates its timeline
with them and the classroom tells the class. Nothing here changes the model;
:class:`EventTracker` compares the state after each month with the state it
saw before.

Events (:class:`Event`, ``kind``):

``leader_left``
    an NHS trust's or council's leader left (voluntary bodies' leaders are
    counted in one event per month, ``leaders_left``, when a wave of
    :data:`WAVE` or more leave at once);
``festering``
    conflicts unresolved for ``festering_months`` months in a row (12 by
    default): the first, then each time the number of pairs with such a
    conflict reaches a milestone (:data:`MILESTONES`). Every pair crossing
    the line is listed in :attr:`EventTracker.crossed` (for the classroom,
    which tells the two organisations);
``shock``
    a shock of the scenario starts (:mod:`simulation.schedule`);
``structure``
    a lever starts or stops, or structures are created (shared roles, board ties);
``lever``
    someone changed a parameter of the running model (the dashboard's
    sliders, :meth:`~simulation.model.TrustModel.set_params`): not read from
    the state, the caller records it with :func:`lever_event`.

Examples
--------
>>> from simulation import TrustModel
>>> m = TrustModel(rng=1)
>>> tracker = EventTracker(m)
>>> events = []
>>> for _ in range(24):
...     m.step()
...     events += tracker.observe(m)
>>> all(e.month >= 1 for e in events), sorted({e.kind for e in events}) <= sorted(EVENT_KINDS)
(True, True)
>>> largest_partnership_network(m).shape == (m.leaders.n,)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["Event", "EventTracker", "EVENT_KINDS", "WAVE", "MILESTONES", "largest_partnership_network",
           "partnership_pairs", "lever_event"]

#: Voluntary bodies' leaders leaving in one month that make an event.
WAVE = 5
#: Numbers of pairs with a conflict festering for a year that make an event.
MILESTONES: tuple[int, ...] = (1, 5, 10, 20, 40, 80, 160, 320, 640)
#: The kinds of event, in the order a legend lists them.
EVENT_KINDS: tuple[str, ...] = ("leader_left", "leaders_left", "festering", "shock", "structure", "lever")

_SHOCK_TEXT = {
    "financial_crisis": "financial crisis: competitive pressure +{size:g} for {months} months",
    "service_failure": "service failure between {between}: trust -{size:.0%}",
    "departures": "a wave of departures: each leader leaves with chance {size:.0%}",
    "demand": "demand rising {size:.0%} a year",
}


@dataclass(frozen=True)
class Event:
    """Something that happened in month ``month`` (after it was played)."""

    month: int
    kind: str
    text: str
    organisations: tuple[int, ...] = ()


def lever_event(month: int, changes: dict[str, tuple[Any, Any]], labels: dict[str, str] | None = None) -> Event:
    """The event of parameters changed after month ``month`` (``{name: (old, new)}``, acting from the next month).

    >>> lever_event(12, {"open_book": (0.0, 0.5)}, {"open_book": "Transparency"}).text
    'Transparency 0 → 0.5 from month 13'
    """
    labels = labels or {}

    def shown(value: Any) -> str:
        return ("on" if value else "off") if isinstance(value, bool) else f"{value:.3g}"

    parts = [f"{labels.get(name, name.replace('_', ' '))} {shown(old)} → {shown(new)}"
             for name, (old, new) in changes.items()]
    return Event(month, "lever", f"{'; '.join(parts)} from month {month + 1}")


def partnership_pairs(model) -> np.ndarray:
    """Whether each relationship is a partnership (mutual trust at or above the threshold), ``(P,)`` bool."""
    return model.relationships.mutual_trust() >= model.params["partnership_threshold"]


def largest_partnership_network(model) -> np.ndarray:
    """Members of the largest connected network of partnerships, ``(N,)`` bool.

    The organisations the integration index counts
    (:func:`simulation.outcomes.integration_index`): none when there is no
    partnership; ties between components of equal size go to the one with
    the lowest-numbered organisation.
    """
    n = model.leaders.n
    pairs = model.relationships.pairs[partnership_pairs(model)]
    if len(pairs) == 0:
        return np.zeros(n, dtype=bool)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    return labels == int(np.argmax(sizes))


class EventTracker:
    """Reads events from a model between months; call :meth:`observe` after every step.

    Parameters
    ----------
    model : TrustModel
        The model, at the month from which to track.
    festering_months : int, default 12
        Months a conflict must stay unresolved to make an event.
    """

    def __init__(self, model, festering_months: int = 12) -> None:
        if isinstance(festering_months, bool) or not isinstance(festering_months, int) or festering_months < 1:
            raise ValueError(f"festering_months = {festering_months!r} is out of range: expected an integer >= 1")
        self.festering_months = festering_months
        self._keys = model.relationships.keys(model.leaders.n).copy()
        self._age = np.zeros(len(self._keys), dtype=np.int64)
        self._active = frozenset(model.simulator.active) if hasattr(model, "simulator") else frozenset()
        self._report = dict(getattr(model, "intervention_report", {}))
        self._month = model.steps
        self._milestone = 0
        self.crossed: list[tuple[int, int]] = []

    def observe(self, model) -> list[Event]:
        """The events of the months played since the last call (read from the state now)."""
        month = model.steps
        if month == self._month:
            return []
        events: list[Event] = []
        events += self._shocks(model, self._month, month)
        events += self._leavers(model, month)
        events += self._festering(model, month)
        events += self._structures(model, month)
        self._month = month
        return events

    # ---------------------------------------------------------------- kinds
    @staticmethod
    def _shocks(model, before: int, month: int) -> list[Event]:
        out = []
        for s in model.scenario.shocks:
            if before <= s.start < month:
                text = _SHOCK_TEXT.get(s.kind, s.kind).format(size=s.size, months=s.months,
                                                              between="–".join(s.between))
                out.append(Event(s.start + 1, "shock", text))
        return out

    @staticmethod
    def _leavers(model, month: int) -> list[Event]:
        leaders = model.leaders
        left = np.flatnonzero((leaders.tenure == 0) & ~leaders.merged)
        if len(left) == 0:
            return []
        statutory = leaders.statutory[left]
        names = model.place.names
        out = [Event(month, "leader_left", f"{names[i]}: the leader left", (int(i),)) for i in left[statutory]]
        others = left[~statutory]
        if len(others) >= WAVE:
            out.append(Event(month, "leaders_left", f"{len(others)} voluntary bodies' leaders left",
                             tuple(int(i) for i in others)))
        return out

    def _festering(self, model, month: int) -> list[Event]:
        rel, n = model.relationships, model.leaders.n
        keys = rel.keys(n)
        k = len(self._keys)
        if len(keys) >= k and np.array_equal(keys[:k], self._keys):  # only appended: rows keep their order
            age = np.concatenate([self._age, np.zeros(len(keys) - k, dtype=np.int64)])
        else:
            old = dict(zip(self._keys.tolist(), self._age.tolist(), strict=True))
            age = np.array([old.get(key, 0) for key in keys.tolist()], dtype=np.int64)
        age = np.where(rel.backlog > 0, age + (month - self._month), 0)
        long = age >= self.festering_months
        crossed = np.flatnonzero(long & (age - (month - self._month) < self.festering_months))
        self._keys, self._age = keys.copy(), age
        self.crossed = [(int(i), int(j)) for i, j in rel.pairs[crossed]]
        count = int(long.sum())
        reached = [m for m in MILESTONES if self._milestone < m <= count]
        if not reached:
            return []
        self._milestone = reached[-1]
        names = model.place.names
        orgs = tuple(sorted({x for pair in self.crossed for x in pair}))
        if count == 1 and self.crossed:
            i, j = self.crossed[0]
            text = f"{names[i]} – {names[j]}: a conflict festering for {self.festering_months} months"
        else:
            text = f"{count} relationships with a conflict festering for {self.festering_months}+ months"
        return [Event(month, "festering", text, orgs)]

    def _structures(self, model, month: int) -> list[Event]:
        out = []
        if hasattr(model, "simulator"):
            active = frozenset(model.simulator.active)
            for lever in sorted(active - self._active):
                out.append(Event(month, "structure", f"{lever.replace('_', ' ')} starts"))
            for lever in sorted(self._active - active):
                out.append(Event(month, "structure", f"{lever.replace('_', ' ')} stops"))
            self._active = active
        report = dict(getattr(model, "intervention_report", {}))
        for key, value in report.items():
            added = value - self._report.get(key, 0)
            if added > 0:
                out.append(Event(month, "structure", f"{added} {key.replace('_', ' ')} created"))
        self._report = report
        return out
