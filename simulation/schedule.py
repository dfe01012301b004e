"""Schedules and shocks: when each lever acts, and what happens to a place from outside.

A lever acts from month ``start + 1`` to month ``stop`` (``stop`` empty: for
ever), so ``start = 0`` means from the set-up. Without a schedule every lever
follows ``intervention_start`` and never stops. Shocks come from outside the
relationships:

``financial_crisis``
    competitive pressure rises by ``size`` (capped at 1) for ``months`` months from ``start``.
``service_failure``
    at month ``start`` a failure between two kinds of organisation costs every
    tie between them the share ``size`` of its trust, both ways.
``departures``
    at month ``start`` a wave of leaders leaves: each leader leaves with
    chance ``size`` (on top of ordinary turnover), as turnover does.
``demand``
    from month ``start`` demand grows by ``size`` a year (an ageing
    population), and conflicts over priorities with it: the conflict rate is
    multiplied by :math:`(1 + g)^{(m - \\text{start}) / 12}`.

Scenario files hold them as a ``[schedule]`` table and a ``[[shocks]]`` array::

    [schedule]
    open_book = { start = 12, stop = 36 }

    [[shocks]]
    kind = "financial_crisis"
    start = 24
    months = 12
    size = 0.3

and the command line as ``--set 'schedule.open_book={start=12, stop=36}'`` or
``--set 'shocks=[{kind="departures", start=30, size=0.4}]'``.

Examples
--------
>>> s = LeverSchedule(12, 36)
>>> s.active(11), s.active(12), s.active(35), s.active(36)
(False, True, True, False)
>>> Shock("financial_crisis", start=24, months=12, size=0.3).pressure_added(30)
0.3
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LEVERS", "SHOCK_KINDS", "MAX_DEMAND_GROWTH", "MAX_DEMAND_FACTOR", "LeverSchedule", "Shock", "Merger",
           "parse_schedule", "parse_shocks", "parse_mergers", "levers_active", "month_parameters", "cohort_starts",
           "cohort_start_months", "demand_factor", "demand_horizon", "check_horizon"]

#: Every lever that can be scheduled (relational, then structural).
LEVERS: tuple[str, ...] = ("shared_roles", "statutory_contact", "leadership_development", "open_book",
                           "long_term_commitment", "place_programmes", "shared_vision", "coproduction",
                           "community_investment",
                           "system_board", "collaboration_mandate", "regulator_incentive", "health_wellbeing_board",
                           "pooled_budget")
#: The kinds of shock.
SHOCK_KINDS: tuple[str, ...] = ("financial_crisis", "service_failure", "departures", "demand")

#: Largest yearly growth of demand (a ``demand`` shock's ``size``): 1 doubles demand every year. Demand for health
#: and care grows by a few per cent a year (about 2-4% a year in England's long-run projections of NHS and social-care
#: spending), so 1 is already some 25 times the highest projection; larger sizes add nothing a model of trust can say
#: and make the conflict rate, and the backlog of conflicts it feeds, overflow within a run (size 100 compounds to
#: a rate of 1e20 a month in ten years).
MAX_DEMAND_GROWTH = 1.0
#: Most that rising demand may multiply the conflict rate within a run. With the largest base rate, pressure and
#: cross-sector multiplier the rate then stays below 3e7 conflicts a relationship a month, so the kernel's integer
#: conflict counts stay far from overflow over the longest run; a run that would go past it is refused, naming the
#: month (size 0.04 allows 235 years, size 1 some 13 years).
MAX_DEMAND_FACTOR = 1e4
#: Months past which rising demand is not searched for its horizon: far beyond any run the checks accept.
_NO_HORIZON_PAST = 10**7


class ScheduleError(ValueError):
    """A schedule or shock the model cannot use (re-raised as ``ScenarioError`` by the scenario)."""


@dataclass(frozen=True)
class LeverSchedule:
    """Months a lever acts: from month ``start + 1`` to month ``stop`` (``None``: never stops)."""

    start: int
    stop: int | None = None

    def active(self, months_done: int) -> bool:
        """Whether the lever acts in month ``months_done + 1``."""
        return months_done >= self.start and (self.stop is None or months_done < self.stop)

    def to_dict(self) -> dict[str, int]:
        """The TOML form."""
        return {"start": self.start} if self.stop is None else {"start": self.start, "stop": self.stop}


@dataclass(frozen=True)
class Shock:
    """Something that happens to the place from outside (see the module docstring for each kind)."""

    kind: str
    start: int
    size: float
    months: int = 1
    between: tuple[str, str] = ()

    def live(self, months_done: int) -> bool:
        """Whether the shock acts in month ``months_done + 1``."""
        return self.start <= months_done < self.start + self.months

    def pressure_added(self, months_done: int) -> float:
        """Competitive pressure a financial crisis adds this month."""
        return self.size if self.kind == "financial_crisis" and self.live(months_done) else 0.0

    def conflict_factor(self, months_done: int) -> float:
        """Factor on the conflict rate from rising demand this month."""
        if self.kind != "demand" or months_done < self.start:
            return 1.0
        return (1.0 + self.size) ** ((months_done - self.start) / 12.0)

    def departure_chance(self, months_done: int) -> float:
        """Extra chance each leader leaves this month."""
        return self.size if self.kind == "departures" and months_done == self.start else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The TOML form."""
        out: dict[str, Any] = {"kind": self.kind, "start": self.start, "size": self.size}
        if self.kind == "financial_crisis":
            out["months"] = self.months
        if self.kind == "service_failure":
            out["between"] = list(self.between)
        return out


@dataclass(frozen=True)
class Merger:
    """A reorganisation at month ``month``: organisation ``absorbed`` (an index of the place) merges into ``into``."""

    month: int
    absorbed: int
    into: int

    def to_dict(self) -> dict[str, int]:
        """The TOML form."""
        return {"month": self.month, "absorbed": self.absorbed, "into": self.into}


def parse_mergers(items: Any) -> tuple[Merger, ...]:
    """Validate a ``[[mergers]]`` array of ``{ month, absorbed, into }`` (organisation indices).

    Raises
    ------
    ScheduleError
        For a negative month or index, or a merger of an organisation with itself.
    """
    if isinstance(items, Mapping) or not isinstance(items, Sequence) or isinstance(items, str):
        raise ScheduleError("mergers must be an array of tables [[mergers]] with month, absorbed and into")
    out = []
    for k, item in enumerate(items):
        if isinstance(item, Merger):
            item = item.to_dict()
        where = f"mergers[{k}]"
        if not isinstance(item, Mapping) or set(item) != {"month", "absorbed", "into"}:
            raise ScheduleError(f"{where} must be a table with month, absorbed and into (organisation indices)")
        month = _month(f"{where}.month", item["month"])
        absorbed = _month(f"{where}.absorbed", item["absorbed"])
        into = _month(f"{where}.into", item["into"])
        if absorbed == into:
            raise ScheduleError(f"{where}: organisation {absorbed} cannot merge with itself")
        out.append(Merger(month, absorbed, into))
    gone: dict[int, int] = {}  # organisation absorbed -> the merger that absorbed it, in the order they happen
    for k in sorted(range(len(out)), key=lambda k: out[k].month):
        m = out[k]
        for role, org in (("absorbed", m.absorbed), ("into", m.into)):
            if org in gone:
                first = out[gone[org]]
                raise ScheduleError(f"mergers[{k}].{role} = {org}: organisation {org} was already absorbed into "
                                    f"{first.into} at month {first.month} (mergers[{gone[org]}])")
        gone[m.absorbed] = k
    return tuple(out)


def _month(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScheduleError(f"{where} = {value!r} is out of range: expected an integer month >= 0")
    return value


def parse_schedule(table: Any) -> dict[str, LeverSchedule]:
    """Validate a ``[schedule]`` table: lever name to ``{start, stop}`` (or a bare start month).

    Raises
    ------
    ScheduleError
        For an unknown lever, a negative month, or a schedule that ends before it starts.
    """
    if not isinstance(table, Mapping):
        raise ScheduleError("schedule must be a table of lever = { start = ..., stop = ... }")
    out = {}
    for lever, spec in table.items():
        if isinstance(spec, LeverSchedule):
            spec = spec.to_dict()
        if lever not in LEVERS:
            raise ScheduleError(f"schedule.{lever}: unknown lever; levers: {', '.join(LEVERS)}")
        if isinstance(spec, int) and not isinstance(spec, bool):
            spec = {"start": spec}
        if not isinstance(spec, Mapping) or set(spec) - {"start", "stop"} or "start" not in spec:
            raise ScheduleError(f"schedule.{lever} must be {{ start = MONTH }} or {{ start = MONTH, stop = MONTH }}")
        start = _month(f"schedule.{lever}.start", spec["start"])
        stop = spec.get("stop")
        if stop is not None:
            stop = _month(f"schedule.{lever}.stop", stop)
            if stop <= start:
                raise ScheduleError(f"schedule.{lever}.stop = {stop} ends before it starts: expected a month "
                                    f"> start = {start}")
        out[lever] = LeverSchedule(start, stop)
    return out


def parse_shocks(items: Any, kinds: Sequence[str]) -> tuple[Shock, ...]:
    """Validate a ``[[shocks]]`` array (``kinds``: the organisation kinds a service failure may name).

    Raises
    ------
    ScheduleError
        For an unknown shock or key, a negative month, or a size out of range.
    """
    if isinstance(items, Mapping) or not isinstance(items, Sequence) or isinstance(items, str):
        raise ScheduleError("shocks must be an array of tables [[shocks]] with kind, start and size")
    out = []
    allowed = {"financial_crisis": {"months"}, "service_failure": {"between"}, "departures": set(), "demand": set()}
    for k, item in enumerate(items):
        if isinstance(item, Shock):
            item = item.to_dict()
        where = f"shocks[{k}]"
        if not isinstance(item, Mapping) or "kind" not in item:
            raise ScheduleError(f"{where} must be a table with kind = one of {', '.join(SHOCK_KINDS)}")
        kind = item["kind"]
        if kind not in SHOCK_KINDS:
            raise ScheduleError(f"{where}.kind = {kind!r} is not known: expected one of {', '.join(SHOCK_KINDS)}")
        extra = set(item) - {"kind", "start", "size"} - allowed[kind]
        if extra:
            raise ScheduleError(f"{where}: unknown key {sorted(extra)[0]!r} for a {kind}")
        start = _month(f"{where}.start", item.get("start"))
        size = item.get("size")
        high = MAX_DEMAND_GROWTH if kind == "demand" else 1.0
        if isinstance(size, bool) or not isinstance(size, int | float) or not 0 <= size <= high:
            why = " (yearly growth of demand; 1 doubles it every year)" if kind == "demand" else ""
            raise ScheduleError(f"{where}.size = {size!r} is out of range: expected a number in [0, {high:g}]{why}")
        months = _month(f"{where}.months", item.get("months", 1)) if kind == "financial_crisis" else 1
        if months < 1:
            raise ScheduleError(f"{where}.months = 0 is out of range: expected an integer >= 1")
        between: tuple[str, ...] = ()
        if kind == "service_failure":
            pair = item.get("between")
            if not (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2):
                raise ScheduleError(f"{where}.between must name two kinds of organisation, e.g. "
                                    '["nhs_trust", "council"]')
            for name in pair:
                if name not in kinds:
                    raise ScheduleError(f"{where}.between: unknown kind {name!r}; known kinds: {', '.join(kinds)}")
            between = (str(pair[0]), str(pair[1]))
        out.append(Shock(kind, start, float(size), months, between))
    return tuple(out)


def demand_factor(shocks: Sequence[Shock], months_done: int) -> float:
    """How much rising demand multiplies the conflict rate in month ``months_done + 1`` (1 without demand shocks).

    Examples
    --------
    >>> demand_factor([Shock("demand", 12, 1.0)], 36)
    4.0
    """
    return math.prod(s.conflict_factor(months_done) for s in shocks)


def demand_horizon(shocks: Sequence[Shock]) -> int | None:
    """The most months a run may last before rising demand multiplies the conflict rate past :data:`MAX_DEMAND_FACTOR`.

    ``None`` when the shocks' demand never grows (no ``demand`` shock of positive size).

    Examples
    --------
    >>> demand_horizon([Shock("demand", 0, 1.0)])  # doubling a year: 2 ** (159 / 12) < 1e4 < 2 ** (160 / 12)
    160
    >>> demand_horizon([Shock("financial_crisis", 0, 0.3, 6)]) is None
    True
    """
    growing = [s for s in shocks if s.kind == "demand" and s.size > 0]
    if not growing:
        return None
    limit = math.log(MAX_DEMAND_FACTOR)

    def log_factor(m: int) -> float:
        return sum(max(0, m - s.start) / 12.0 * math.log1p(s.size) for s in growing)

    low, high = min(s.start for s in growing), max(s.start for s in growing) + 1
    while log_factor(high) <= limit:
        if high > _NO_HORIZON_PAST:  # growth so slow that no run could reach the bound (a size of 1e-300)
            return None
        high *= 2
    while high - low > 1:  # log_factor(low) <= limit < log_factor(high)
        mid = (low + high) // 2
        low, high = (mid, high) if log_factor(mid) <= limit else (low, mid)
    return low + 1  # months done 0 .. low keep within the limit: a run of low + 1 months


def check_horizon(shocks: Sequence[Shock], months: int) -> None:
    """Refuse a run of ``months`` months in which rising demand would push the conflict rate past its bound.

    Raises
    ------
    ScheduleError
        Naming the shocks, the bound and the longest run they allow.

    Examples
    --------
    >>> check_horizon([Shock("demand", 0, 1.0)], 120)
    >>> check_horizon([Shock("demand", 0, 1.0)], 240)
    Traceback (most recent call last):
    ...
    simulation.schedule.ScheduleError: shocks: rising demand would multiply the conflict rate by more than 10000 \
after month 160; a run with these shocks may last at most 160 months (asked: 240)
    """
    horizon = demand_horizon(shocks)
    if horizon is not None and months > horizon:
        raise ScheduleError(f"shocks: rising demand would multiply the conflict rate by more than "
                            f"{MAX_DEMAND_FACTOR:g} after month {horizon}; a run with these shocks may last at most "
                            f"{horizon} months (asked: {months})")


def levers_active(schedule: Mapping[str, LeverSchedule], intervention_start: int, months_done: int) -> frozenset:
    """The levers acting in month ``months_done + 1``; unscheduled levers follow ``intervention_start``.

    Examples
    --------
    >>> sorted(levers_active({"open_book": LeverSchedule(0, 12)}, 24, 12))
    []
    >>> sorted(levers_active({"open_book": LeverSchedule(0, 12)}, 24, 30))[:3]
    ['collaboration_mandate', 'community_investment', 'coproduction']
    """
    unscheduled = LeverSchedule(intervention_start).active(months_done)
    return frozenset(lever for lever in LEVERS
                     if (schedule[lever].active(months_done) if lever in schedule else unscheduled))


def cohort_starts(schedule: Mapping[str, LeverSchedule], intervention_start: int, cohorts_per_year: float,
                  months_done: int) -> bool:
    """Whether a place-based programme cohort starts in month ``months_done + 1``.

    While ``place_programmes`` acts, a cohort starts when it starts and then
    every ``round(12 / cohorts_per_year)`` months (at least every month).

    Examples
    --------
    >>> [m for m in range(30) if cohort_starts({}, 3, 2.0, m)]
    [3, 9, 15, 21, 27]
    >>> [m for m in range(30) if cohort_starts({"place_programmes": LeverSchedule(0, 13)}, 3, 1.0, m)]
    [0, 12]
    >>> cohort_starts({}, 0, 0.0, 0)
    False
    """
    return cohort_start_months(schedule, intervention_start, cohorts_per_year, months_done, 1)[0]


def cohort_start_months(schedule: Mapping[str, LeverSchedule], intervention_start: int, cohorts_per_year: float,
                        first: int, count: int) -> list[bool]:
    """:func:`cohort_starts` for the ``count`` months from ``first`` (months done), in one call.

    Examples
    --------
    >>> cohort_start_months({}, 3, 2.0, 0, 10)
    [False, False, False, True, False, False, False, False, False, True]
    """
    if cohorts_per_year <= 0:
        return [False] * count
    sched = schedule.get("place_programmes", LeverSchedule(intervention_start))
    every = max(1, round(min(12.0 / cohorts_per_year, 1e9)))  # a vanishing rate: one cohort, at the start
    return [sched.active(m) and (m - sched.start) % every == 0 for m in range(first, first + count)]


def month_parameters(params: Mapping[str, Any], shocks: Sequence[Shock], months_done: int) -> dict[str, Any]:
    """The scenario parameters in month ``months_done + 1`` after the shocks that act then.

    Examples
    --------
    >>> p = month_parameters({"competitive_pressure": 0.8, "conflict_rate": 0.1, "turnover_rate": 0.0},
    ...                      [Shock("financial_crisis", 0, 0.3, 6), Shock("departures", 2, 0.5)], 2)
    >>> p["competitive_pressure"], p["turnover_rate"]
    (1.0, 0.5)
    """
    out = dict(params)
    if not shocks:
        return out
    out["competitive_pressure"] = min(1.0, params["competitive_pressure"]
                                      + sum(s.pressure_added(months_done) for s in shocks))
    out["conflict_rate"] = params["conflict_rate"] * demand_factor(shocks, months_done)
    stay = (1.0 - params["turnover_rate"]) * math.prod(1.0 - s.departure_chance(months_done) for s in shocks)
    out["turnover_rate"] = 1.0 - stay
    return out
