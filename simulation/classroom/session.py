"""A classroom session: a shared place, seats for students, rounds, choices, shocks and the log.

:class:`ClassroomSession` knows nothing of HTTP (:mod:`simulation.classroom.server`
serves it). Every change goes through :meth:`ClassroomSession._apply` from a
record that is first appended to the session log, so replaying a log on a
fresh session (:meth:`ClassroomSession.resume`) rebuilds the same state: the
model's randomness comes only from its seed, and the choices reach it only
through :meth:`simulation.TrustModel.steer` and :meth:`~simulation.TrustModel.let_lie`
at the start of a round, in the order of the organisations.

Examples
--------
>>> s = ClassroomSession(seed=1, code="ABCD")
>>> seat = s.join("ABCD", "Ada")
>>> seat["kind"]
'nhs_trust'
>>> s.start()
>>> view = s.student_view(seat["organisation"], seat["token"])
>>> partner = view["partners"][0]["id"]
>>> s.submit(seat["organisation"], seat["token"], {"round": 1, "transparency": 0.8,
...                                                 "contact": {str(partner): 2.0}})["accepted"]
True
>>> s.advance()["month"]
1
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..dashboard.timeline import EventTracker, largest_partnership_network, partnership_pairs
from ..model import TrustModel
from ..scenario import ScenarioError, load_scenario
from ..schedule import SHOCK_KINDS, Shock
from ..steering import MAX_CONTACT
from .log import LogWriteError, SessionLog, read_numbered, repair_log

__all__ = ["ClassroomSession", "ClassroomError", "Seat", "LEADER_LEAVES", "MAX_MONTHS_PER_ROUND", "MIN_TIMER",
           "MAX_TIMER", "MAX_MONTHS", "MAX_SHOCKS", "SHOCK_SIZE", "MAX_DEMAND_GROWTH", "MAX_CRISIS_MONTHS",
           "SEATS_PER_CLIENT", "CHOICE_KEYS", "own_result"]

#: Longest round, in months.
MAX_MONTHS_PER_ROUND = 12
#: Shortest and longest round timer, in seconds (0: no timer).
MIN_TIMER, MAX_TIMER = 10, 600
#: Longest session, in months (20 years).
MAX_MONTHS = 240
#: Most shocks a teacher may inject in one session.
MAX_SHOCKS = 12
#: Largest size of one shock, by kind (demand: growth a year; the others: a share).
SHOCK_SIZE = {"financial_crisis": 1.0, "service_failure": 1.0, "departures": 0.5, "demand": 1.0}
#: Largest combined growth of demand a year from all the session's demand shocks (1.0: doubling a year).
MAX_DEMAND_GROWTH = 1.0
#: Longest financial crisis, in months.
MAX_CRISIS_MONTHS = 36
#: Seats one client (one network address) may take, by default.
SEATS_PER_CLIENT = 2
#: The shock that makes one organisation's leader leave at once (besides the scenario's kinds).
LEADER_LEAVES = "leader_leaves"
#: The keys a student's choice may hold.
CHOICE_KEYS = ("round", "contact", "transparency", "altruism", "let_lie")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
#: Weights of the hours away and of altruism in an organisation's own result (docs/classroom.md).
HOURS_COST, ALTRUISM_COST = 0.5, 0.3


class ClassroomError(Exception):
    """A request the session refuses: ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass
class Seat:
    """A student's seat: the organisation they play, their name, their secret token and rejoin code."""

    organisation: int
    name: str
    token: str
    joined_month: int
    rejoin: str = ""


def own_result(hours_asked: float, budget: float, altruism: float) -> float:
    """An organisation's own result this round, 0-100: what its leader's time and help to others cost it.

    ``100 * (1 - HOURS_COST * min(1, hours_asked / budget) - ALTRUISM_COST * altruism)``.

    >>> own_result(0.0, 16.0, 0.0), own_result(16.0, 16.0, 1.0)
    (100.0, 20.0)
    """
    share = min(1.0, hours_asked / budget) if budget > 0 else 1.0
    return round(100.0 * (1.0 - HOURS_COST * share - ALTRUISM_COST * altruism), 1)


def _number(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ClassroomError(422, f"{name} = {value!r} is out of range: expected a number in [{low:g}, {high:g}]")
    return float(value)


class ClassroomSession:
    """One classroom session (see the module docstring).

    Parameters
    ----------
    scenario : str, default "default"
        A shipped scenario's name or a TOML file.
    overrides : mapping, optional
        Scenario parameters to override (as ``--set``).
    seed : int, default 1
        The model's seed.
    months_per_round : int, default 1
        Months each round plays, in ``[1, MAX_MONTHS_PER_ROUND]``.
    code : str, optional
        The join code (default: six random characters).
    teacher_token : str, optional
        The teacher's secret (default: random).
    log_path : path-like, optional
        The session log to append to (no log if omitted).
    timer : float, default 0
        Seconds a round lasts when the teacher's timer runs: 0 (advance by hand) or in
        ``[MIN_TIMER, MAX_TIMER]``.
    seats_per_client : int, default SEATS_PER_CLIENT
        Seats one client (network address, given to :meth:`join`) may take, in ``[1, 1000]``.
    """

    def __init__(
        self,
        scenario: str = "default",
        overrides: Mapping[str, Any] | None = None,
        seed: int = 1,
        months_per_round: int = 1,
        code: str | None = None,
        teacher_token: str | None = None,
        log_path: str | Path | None = None,
        timer: float = 0.0,
        seats_per_client: int = SEATS_PER_CLIENT,
    ) -> None:
        self.scenario_name, self.overrides, self.seed = scenario, dict(overrides or {}), int(seed)
        self.code = code or "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        self.teacher_token = teacher_token or secrets.token_urlsafe(12)
        self.lock = threading.RLock()
        sc = load_scenario(scenario)
        if self.overrides:
            sc = sc.replace(**self.overrides)
        self.model = TrustModel(sc, rng=self.seed)
        self.months_per_round = self._months_per_round(months_per_round)
        self.timer = self._timer(timer)
        if isinstance(seats_per_client, bool) or not isinstance(seats_per_client, int) \
                or not 1 <= seats_per_client <= 1000:
            raise ClassroomError(422, f"seats_per_client = {seats_per_client!r} is out of range: expected an "
                                      "integer in [1, 1000]")
        self.seats_per_client = seats_per_client
        self._client_seats: dict[str, int] = {}  # seats taken from each client (not logged: reset on resume)
        self._event_keys: set[tuple[Any, ...]] = set()
        self.shocks_injected = 0
        self.demand_growth = 1.0  # the product of (1 + size) over the session's demand shocks
        self.status = "waiting"
        self.round = 1
        self.seats: dict[int, Seat] = {}
        self._by_name: dict[str, int] = {}
        self._by_token: dict[str, int] = {}
        self._pending: dict[int, dict[str, Any]] = {}
        self._order = self._seat_order()
        self._tracker = EventTracker(self.model)
        self.positions = _layout(self.model)
        self.events: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []  # one row per round played (and round 0)
        self.seat_history: list[dict[str, Any]] = []
        self.choices_made: list[dict[str, Any]] = []
        self.last_advance = time.monotonic()
        self._snapshot(0)
        self.log: SessionLog | None = None
        if log_path is not None:
            self.log = SessionLog(log_path)
            self.log.append({"event": "session", "version": 1, "scenario": scenario, "overrides": self.overrides,
                             "seed": self.seed, "months_per_round": self.months_per_round, "code": self.code,
                             "teacher_token": self.teacher_token, "timer": self.timer,
                             "seats_per_client": self.seats_per_client, "organisations": self.model.leaders.n})

    # ----------------------------------------------------------- resume
    @classmethod
    def resume(cls, path: str | Path) -> ClassroomSession:
        """Rebuild a session from its log and go on appending to it (nothing acknowledged is lost).

        The log is locked first (a second server on it is refused), then a last
        line cut by a crash is dropped from the file, so new records start on a
        line of their own. Every record is checked as it is replayed.

        Raises
        ------
        ScenarioError
            If the log is missing, in use, not a session log, or a record is
            not JSON or impossible (a seat that does not exist, a round out of
            turn, a value out of range): the message names the line.
        """
        if not Path(path).is_file():
            raise ScenarioError(f"--resume {path}: no such session log")
        log = SessionLog(path)  # the lock first: no other server appends while this one reads
        try:
            repair_log(path)
            records = read_numbered(path)
            line, head = records[0]
            try:
                s = cls(head["scenario"], head.get("overrides"), head["seed"], head["months_per_round"],
                        head["code"], head["teacher_token"], None, head.get("timer", 0.0),
                        head.get("seats_per_client", SEATS_PER_CLIENT))
                for k, record in records[1:]:
                    line = k
                    s._check_record(record)
                    s._apply(record)
            except ClassroomError as exc:
                raise ScenarioError(f"--resume {path}: line {line}: {exc.message}") from None
            except (KeyError, TypeError, ValueError) as exc:
                raise ScenarioError(f"--resume {path}: line {line}: not a valid record ({exc!r})") from None
        except BaseException:
            log.close()
            raise
        s.log = log
        if s.status == "running":  # a crash interrupted the play: the teacher starts again
            s.status = "paused"
        return s

    def _check_record(self, record: dict[str, Any]) -> None:
        """Refuse (ClassroomError) a replayed record the session could not have written in its state."""
        kind = record.get("event")
        n = self.model.leaders.n
        if kind == "join":
            i, name = record.get("organisation"), record.get("name")
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
                raise ClassroomError(422, f"join: organisation = {i!r} does not exist: expected [0, {n - 1}]")
            if i in self.seats:
                raise ClassroomError(422, f"join: organisation {i} already has a player")
            if not isinstance(name, str) or not 1 <= len(name) <= 40 or not isinstance(record.get("token"), str):
                raise ClassroomError(422, "join: expected a name of 1 to 40 characters and a token")
        elif kind == "choice":
            i = record.get("organisation")
            if i not in self.seats or isinstance(i, bool):
                raise ClassroomError(422, f"choice: organisation = {i!r} has no player")
            if not isinstance(record.get("choice"), dict):
                raise ClassroomError(422, "choice: expected an object")
            self.validate_choice(i, {**record["choice"], "round": record.get("round")})
        elif kind == "advance":
            if record.get("round") != self.round:
                raise ClassroomError(422, f"advance: round = {record.get('round')!r} is out of turn: "
                                          f"the session is at round {self.round}")
            self._check_months(self._months_per_round(record.get("months")))
        elif kind == "config":
            self._months_per_round(record.get("months_per_round"))
            self._timer(record.get("timer"))
        elif kind == "shock":
            self._shock_record(record.get("kind"), record.get("size", 0.0), record.get("months", 1),
                               record.get("between"), record.get("organisation"))
        elif kind not in ("start", "pause", "end"):
            raise ClassroomError(422, f"unknown event {kind!r}")

    # ------------------------------------------------------------ validation
    @staticmethod
    def _months_per_round(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS_PER_ROUND:
            raise ClassroomError(422, f"months_per_round = {value!r} is out of range: expected an integer in "
                                      f"[1, {MAX_MONTHS_PER_ROUND}]")
        return value

    @staticmethod
    def _timer(value: Any) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
            return 0.0
        try:
            return _number("timer", value, MIN_TIMER, MAX_TIMER)
        except ClassroomError:
            raise ClassroomError(422, f"timer = {value!r} is out of range: expected 0 (off) or seconds in "
                                      f"[{MIN_TIMER}, {MAX_TIMER}]") from None

    def _check_months(self, months: int) -> None:
        if self.model.steps + months > MAX_MONTHS:
            raise ClassroomError(409, f"the session has played {self.model.steps} months: a round of {months} "
                                      f"would pass the limit of {MAX_MONTHS} months (end the session)")

    def check_teacher(self, token: str | None) -> None:
        """Refuse (401) a request without the teacher's token."""
        if not token or not secrets.compare_digest(str(token), self.teacher_token):
            raise ClassroomError(401, "teacher token missing or wrong: use the teacher link printed at start")

    def _seat(self, organisation: int, token: str | None) -> Seat:
        if not token or token not in self._by_token:
            raise ClassroomError(401, "seat token missing or unknown: join with the code and your name")
        mine = self._by_token[token]
        if mine != organisation:
            raise ClassroomError(403, f"this seat plays organisation {mine}, not {organisation}: "
                                      "you can act only for your own organisation")
        return self.seats[organisation]

    def _seat_order(self) -> list[int]:
        """Organisations in the order seats are given: kinds in turn (NHS trust, council, voluntary, ...)."""
        leaders = self.model.leaders
        queues = [list(np.flatnonzero(leaders.kind == k)) for k in range(len(leaders.kind_names))]
        order: list[int] = []
        while any(queues):
            for q in queues:
                if q:
                    order.append(int(q.pop(0)))
        return order

    # ---------------------------------------------------------------- record
    def _record(self, record: dict[str, Any]) -> Any:
        """Log a record (durably), then apply it; if the log cannot be written, nothing changes (503)."""
        if self.log is not None:
            try:
                self.log.append(record)
            except LogWriteError as exc:
                raise ClassroomError(503, f"the session log could not be written ({exc.strerror}); nothing was "
                                          "changed: free some space and try again") from None
        return self._apply(record)

    def _apply(self, record: dict[str, Any]) -> Any:
        kind = record["event"]
        if kind == "join":
            seat = Seat(record["organisation"], record["name"], record["token"], self.model.steps,
                        record.get("rejoin", ""))
            self.seats[seat.organisation] = seat
            self._by_name[seat.name.casefold()] = seat.organisation
            self._by_token[seat.token] = seat.organisation
            return seat
        if kind == "choice":
            self._pending[record["organisation"]] = record["choice"]
            return None
        if kind in ("start", "pause", "end"):
            self.status = {"start": "running", "pause": "paused", "end": "ended"}[kind]
            return None
        if kind == "config":
            self.months_per_round = record["months_per_round"]
            self.timer = record["timer"]
            return None
        if kind == "shock" and record["kind"] == LEADER_LEAVES:
            i = record["organisation"]
            self.shocks_injected += 1
            self.model.replace_leader(i)
            self._event("leader_left", f"{self.model.place.names[i]}: the leader left (a shock)", [i],
                        self.model.steps)
            return None
        if kind == "shock":
            shock = Shock(record["kind"], start=self.model.steps, size=record["size"], months=record.get("months", 1),
                          between=tuple(record.get("between", ())))
            self.shocks_injected += 1
            if shock.kind == "demand":
                self.demand_growth *= 1.0 + shock.size
            self.model.add_shock(shock)
            return None
        if kind == "advance":
            return self._play_round(record["months"])
        raise ScenarioError(f"session log: unknown event {kind!r}")

    # --------------------------------------------------------------- students
    def join(self, code: Any, name: Any, rejoin: Any = None, client: str | None = None) -> dict[str, Any]:
        """Give a student a seat, or their own seat back with its rejoin code; returns it with its token.

        A name already seated is given back only with that seat's ``rejoin``
        code (shown to the student alone when they joined): a name is never
        enough. ``client`` (the network address) may take at most
        ``seats_per_client`` seats.
        """
        with self.lock:
            if not isinstance(code, str) or not secrets.compare_digest(code.strip().upper(), self.code):
                raise ClassroomError(403, "wrong join code: ask your teacher for the code on the screen")
            if not isinstance(name, str) or not 1 <= len(name.strip()) <= 40 or not name.isprintable():
                raise ClassroomError(422, "name: expected 1 to 40 printable characters")
            name = " ".join(name.split())
            if name.casefold() in self._by_name:
                seat = self.seats[self._by_name[name.casefold()]]
                if not rejoin:
                    raise ClassroomError(409, f"the name {name!r} is taken: if it is your seat, type the rejoin code "
                                              "your screen showed when you joined; if not, choose another name")
                if not isinstance(rejoin, str) or not seat.rejoin \
                        or not secrets.compare_digest(rejoin.strip().upper(), seat.rejoin):
                    raise ClassroomError(403, f"wrong rejoin code for {name!r}: ask your teacher if you lost it")
                return self._seat_info(seat, rejoined=True)
            if self.status == "ended":
                raise ClassroomError(409, "the session has ended")
            if client is not None and self._client_seats.get(client, 0) >= self.seats_per_client:
                raise ClassroomError(429, f"this device already has {self.seats_per_client} seat(s): one student, "
                                          "one seat")
            free = [i for i in self._order if i not in self.seats and not self.model.leaders.merged[i]]
            if not free:
                raise ClassroomError(409, f"the place is full: all {len(self.seats)} organisations have players")
            seat = self._record({"event": "join", "organisation": free[0], "name": name,
                                 "token": secrets.token_urlsafe(16),
                                 "rejoin": "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6)),
                                 "month": self.model.steps})
            if client is not None:
                self._client_seats[client] = self._client_seats.get(client, 0) + 1
            return self._seat_info(seat, rejoined=False)

    def _seat_info(self, seat: Seat, rejoined: bool) -> dict[str, Any]:
        leaders = self.model.leaders
        kind = leaders.kind_names[leaders.kind[seat.organisation]]
        return {"organisation": seat.organisation, "name": seat.name, "token": seat.token, "rejoin": seat.rejoin,
                "kind": kind, "organisation_name": self.model.place.names[seat.organisation], "rejoined": rejoined}

    def validate_choice(self, organisation: int, payload: Any) -> dict[str, Any]:
        """A student's choice, checked against the state (one clear message for anything wrong)."""
        if not isinstance(payload, Mapping):
            raise ClassroomError(400, "expected a JSON object with round, contact, transparency, altruism, let_lie")
        unknown = sorted(set(payload) - set(CHOICE_KEYS))
        if unknown:
            raise ClassroomError(422, f"unknown key {unknown[0]!r}: expected some of {', '.join(CHOICE_KEYS)}")
        rnd = payload.get("round")
        if isinstance(rnd, bool) or not isinstance(rnd, int):
            raise ClassroomError(422, "round: expected the number of the round you are choosing for")
        if rnd != self.round:
            raise ClassroomError(409, f"round = {rnd} is stale: choices are now for round {self.round}")
        if self.status == "ended":
            raise ClassroomError(409, "the session has ended")
        partners = self._partners(organisation)
        rows = {j: p for j, p in partners}
        choice: dict[str, Any] = {}
        for key in ("transparency", "altruism"):
            if payload.get(key) is not None:
                choice[key] = _number(key, payload[key], 0.0, 1.0)
        contact = payload.get("contact")
        if contact is not None:
            if not isinstance(contact, Mapping):
                raise ClassroomError(422, "contact: expected an object of partner id to meetings a month")
            rates: dict[str, float] = {}
            for key, rate in contact.items():
                j = self._partner_id(key, rows, "contact")
                rates[str(j)] = _number(f"contact[{j}]", rate, 0.0, MAX_CONTACT)
            rel = self.model.relationships
            per_meeting = float(self.model.params["meeting_hours"])
            total = sum(rates.get(str(j), float(rel.contact_rate[p])) for j, p in partners)
            hours = total * per_meeting
            budget = float(self.model.leaders.hours_budget[organisation])
            if hours > budget + 1e-9:
                raise ClassroomError(422, f"contact: {hours:.1f} hours a month of meetings is over your leader's "
                                          f"budget of {budget:g} hours: cut {hours - budget:.1f} hours (each "
                                          f"meeting takes {per_meeting:g} hours), or press 'Fit to my hours'")
            choice["contact"] = rates
        let_lie = payload.get("let_lie")
        if let_lie is not None:
            if not isinstance(let_lie, Sequence) or isinstance(let_lie, str):
                raise ClassroomError(422, "let_lie: expected a list of partner ids")
            choice["let_lie"] = sorted({self._partner_id(x, rows, "let_lie") for x in let_lie})
        return choice

    @staticmethod
    def _partner_id(key: Any, rows: Mapping[int, int], where: str) -> int:
        try:
            j = int(key)
        except (TypeError, ValueError):
            raise ClassroomError(422, f"{where}: partner id {key!r} is not an organisation id") from None
        if isinstance(key, bool) or j not in rows:
            raise ClassroomError(422, f"{where}: {key!r} is not one of your partners "
                                      f"(your partners: {', '.join(map(str, sorted(rows)))})")
        return j

    def submit(self, organisation: int, token: str | None, payload: Any) -> dict[str, Any]:
        """Record a student's choice for the current round (applied when the round is played)."""
        with self.lock:
            self._seat(organisation, token)
            choice = self.validate_choice(organisation, payload)
            self._record({"event": "choice", "organisation": organisation, "round": self.round, "choice": choice})
            return {"accepted": True, "round": self.round, "choice": choice}

    def _partners(self, organisation: int) -> list[tuple[int, int]]:
        """``(partner, pair row)`` of each relationship of an organisation, by partner id."""
        rel = self.model.relationships
        pairs = rel.pairs
        rows = np.flatnonzero((pairs[:, 0] == organisation) | (pairs[:, 1] == organisation))
        out = [(int(pairs[p, 1] if pairs[p, 0] == organisation else pairs[p, 0]), int(p)) for p in rows]
        return sorted(out)

    # ---------------------------------------------------------------- teacher
    def start(self) -> None:
        """Start (or resume) play."""
        with self.lock:
            if self.status == "ended":
                raise ClassroomError(409, "the session has ended")
            self._record({"event": "start"})
            self.last_advance = time.monotonic()

    def pause(self) -> None:
        """Pause play (the timer stops; choices are still taken)."""
        with self.lock:
            if self.status != "running":
                raise ClassroomError(409, f"cannot pause: the session is {self.status}")
            self._record({"event": "pause"})

    def end(self) -> None:
        """End the session (the debrief stays available)."""
        with self.lock:
            if self.status == "ended":
                raise ClassroomError(409, "the session has ended already")
            self._record({"event": "end"})

    def configure(self, months_per_round: Any = None, timer: Any = None) -> dict[str, Any]:
        """Change the round length (months) and the timer (seconds, 0: off)."""
        with self.lock:
            m = self.months_per_round if months_per_round is None else self._months_per_round(months_per_round)
            t = self.timer if timer is None else self._timer(timer)
            self._record({"event": "config", "months_per_round": m, "timer": t})
            return {"months_per_round": m, "timer": t}

    def shock(self, kind: Any, size: Any = 0.0, months: Any = 1, between: Any = None,
              organisation: Any = None) -> dict[str, Any]:
        """Inject a shock: the scenario's own kinds from the next month, or one organisation's leader leaving now.

        Sizes are bounded by :data:`SHOCK_SIZE`, a financial crisis by
        :data:`MAX_CRISIS_MONTHS`, the combined growth of demand by
        :data:`MAX_DEMAND_GROWTH` and the number of shocks by :data:`MAX_SHOCKS`
        (growth without bound would overflow the model's counts).
        """
        with self.lock:
            if self.status == "ended":
                raise ClassroomError(409, "the session has ended")
            record = self._shock_record(kind, size, months, between, organisation)
            self._record(record)
            return record

    def _shock_record(self, kind: Any, size: Any, months: Any, between: Any, organisation: Any) -> dict[str, Any]:
        """The log record of a shock, checked (ClassroomError 409/422 naming the value and its range)."""
        kinds = (*SHOCK_KINDS, LEADER_LEAVES)
        if kind not in kinds:
            raise ClassroomError(422, f"kind = {kind!r} is not known: expected one of {', '.join(kinds)}")
        if self.shocks_injected >= MAX_SHOCKS:
            raise ClassroomError(409, f"this session has had {self.shocks_injected} shocks: the limit is "
                                      f"{MAX_SHOCKS}")
        if kind == LEADER_LEAVES:
            n = self.model.leaders.n
            if isinstance(organisation, bool) or not isinstance(organisation, int) or not 0 <= organisation < n:
                raise ClassroomError(422, f"organisation = {organisation!r} is out of range: expected an "
                                          f"organisation id in [0, {n - 1}]")
            return {"event": "shock", "kind": LEADER_LEAVES, "organisation": organisation, "month": self.model.steps}
        record: dict[str, Any] = {"event": "shock", "kind": kind,
                                  "size": _number("size", size, 0.0, SHOCK_SIZE[kind]), "month": self.model.steps}
        if kind == "demand":
            growth = self.demand_growth * (1.0 + record["size"])
            if growth > 1.0 + MAX_DEMAND_GROWTH + 1e-9:
                raise ClassroomError(422, f"size = {size!r}: demand would grow {100 * (growth - 1):.0f}% a year "
                                          f"with the session's earlier demand shocks; the limit is "
                                          f"{100 * MAX_DEMAND_GROWTH:.0f}% a year (at most size "
                                          f"{(1 + MAX_DEMAND_GROWTH) / self.demand_growth - 1:.2f} now)")
        if kind == "financial_crisis":
            if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_CRISIS_MONTHS:
                raise ClassroomError(422, f"months = {months!r} is out of range: expected an integer in "
                                          f"[1, {MAX_CRISIS_MONTHS}]")
            record["months"] = months
        if kind == "service_failure":
            names = self.model.leaders.kind_names
            if isinstance(between, str | bytes) or not isinstance(between, Sequence) or len(between) != 2 \
                    or any(b not in names for b in between):
                raise ClassroomError(422, f"between: expected two kinds of organisation from {', '.join(names)}")
            record["between"] = list(between)
        return record

    def advance(self, source: str = "teacher") -> dict[str, Any]:
        """Play a round: apply the choices made for it, then ``months_per_round`` months."""
        with self.lock:
            if self.status != "running":
                raise ClassroomError(409, f"cannot advance: the session is {self.status} (start it first)")
            self._check_months(self.months_per_round)
            return self._record({"event": "advance", "round": self.round, "months": self.months_per_round,
                                 "source": source})

    def _play_round(self, months: int) -> dict[str, Any]:
        model = self.model
        for org in sorted(self._pending):
            choice = self._pending[org]
            contact = {int(j): r for j, r in choice.get("contact", {}).items()}
            model.steer(org, transparency=choice.get("transparency"), altruism=choice.get("altruism"),
                        contact=contact)
            for j in choice.get("let_lie", ()):
                model.let_lie(org, j)
            self.choices_made.append({"round": self.round, "organisation": org, **_flat_choice(choice)})
        self._pending.clear()
        leaders = model.leaders
        for _ in range(months):
            model.step()
            names = model.place.names
            # players hear of their own leader leaving: once, by name (not also in a wave of voluntary leavers)
            mine = [i for i in sorted(self.seats)
                    if leaders.tenure[i] == 0 and not leaders.statutory[i] and not leaders.merged[i]]
            for e in self._tracker.observe(model):
                orgs, text = list(e.organisations), e.text
                if e.kind == "leaders_left":
                    orgs = [i for i in orgs if i not in mine]
                    if not orgs:
                        continue
                    if len(orgs) != len(e.organisations):
                        text = f"{len(orgs)} other voluntary bodies' leaders left"
                self._event(e.kind, text, orgs, e.month)
            for i in mine:
                self._event("leader_left", f"{names[i]}: the leader left; trust falls back", [i], model.steps)
            for i, j in self._tracker.crossed:  # players hear of their own conflicts festering for a year
                if i in self.seats or j in self.seats:
                    self._event("festering_pair", f"{names[i]} – {names[j]}: a conflict festering for "
                                                  f"{self._tracker.festering_months} months", [i, j], model.steps)
        self.round += 1
        self.last_advance = time.monotonic()
        self._snapshot(self.round - 1)
        return {"round": self.round, "month": model.steps}

    def _event(self, kind: str, text: str, organisations: list[int], month: int) -> None:
        """Add an event to the list, once (the same kind, month and organisations are not listed twice)."""
        key = (kind, month, tuple(organisations))
        if key in self._event_keys:
            return
        self._event_keys.add(key)
        self.events.append({"round": self.round, "month": month, "kind": kind, "text": text,
                            "organisations": list(organisations)})

    # ------------------------------------------------------------------ views
    def _place_now(self) -> dict[str, float]:
        row = dict(zip(self.model.simulator.columns, self.model.outcome_row().tolist(), strict=True))
        return {"integration": row["integration"], "mean_trust": row["mean_trust"],
                "partnership_share": row["partnership_share"], "festering": row["conflicts_festering"],
                "resolved": row["conflicts_resolved"]}

    def _org_state(self, i: int, largest: np.ndarray, partner_mask: np.ndarray) -> dict[str, Any]:
        rel, leaders = self.model.relationships, self.model.leaders
        partners = self._partners(i)
        rows = np.array([p for _, p in partners], dtype=np.int64)
        mine = np.array([2 * p + (0 if rel.pairs[p, 0] == i else 1) for p in rows], dtype=np.int64)
        theirs = mine ^ 1
        hours = float(rel.contact_rate[rows].sum()) * float(self.model.params["meeting_hours"]) if len(rows) else 0.0
        budget = float(leaders.hours_budget[i])
        return {
            "organisation": i,
            "partnerships": int(partner_mask[rows].sum()) if len(rows) else 0,
            "in_largest": bool(largest[i]),
            "trust_given": float(rel.trust[mine].mean()) if len(rows) else float("nan"),
            "trust_received": float(rel.trust[theirs].mean()) if len(rows) else float("nan"),
            "hours_asked": round(hours, 2),
            "own_result": own_result(hours, budget, float(leaders.effective_traits[2, i])),
            "open_conflicts": int(rel.backlog[rows].sum()) if len(rows) else 0,
        }

    def _snapshot(self, played: int) -> None:
        largest = largest_partnership_network(self.model)
        mask = partnership_pairs(self.model)
        self.history.append({"round": played, "month": self.model.steps, **self._place_now(),
                             "largest_size": int(largest.sum())})
        for i, seat in sorted(self.seats.items()):
            self.seat_history.append({"round": played, "month": self.model.steps, "name": seat.name,
                                      **self._org_state(i, largest, mask)})

    def student_view(self, organisation: int, token: str | None) -> dict[str, Any]:
        """What a student sees: their organisation, their own relationships and performance (docs/classroom.md)."""
        with self.lock:
            seat = self._seat(organisation, token)
            model, i = self.model, organisation
            rel, leaders = model.relationships, model.leaders
            largest = largest_partnership_network(model)
            mask = partnership_pairs(model)
            names = model.place.names
            override = model.steering.overrides.get(i)
            partners = []
            for j, p in self._partners(i):
                mine = 2 * p + (0 if rel.pairs[p, 0] == i else 1)
                partners.append({
                    "id": j, "name": names[j], "kind": leaders.kind_names[leaders.kind[j]],
                    "my_trust": round(float(rel.trust[mine]), 3), "meetings": round(float(rel.contact_rate[p]), 2),
                    "open_conflicts": int(rel.backlog[p]), "lying": int(rel.suppressed[p]),
                    "partnership": bool(mask[p]), "months_known": int(rel.age[p]),
                    "player": j in self.seats,
                })
            state = self._org_state(i, largest, mask)
            state.pop("trust_received")  # hidden: what partners think of you
            mine_history = [{k: h[k] for k in ("round", "month", "partnerships", "own_result", "trust_given")}
                            for h in self.seat_history if h["organisation"] == i]
            place = [{"round": h["round"], "integration": h["integration"]} for h in self.history]
            events = [e for e in self.events if e["kind"] == "shock" or (i in e["organisations"]
                      and e["kind"] in ("leader_left", "leaders_left", "festering_pair"))][-10:]
            return {
                "round": self.round, "month": model.steps, "status": self.status,
                "months_per_round": self.months_per_round, "submitted": i in self._pending,
                "organisation": {"id": i, "name": names[i], "kind": leaders.kind_names[leaders.kind[i]],
                                 "player": seat.name, "rejoin": seat.rejoin,
                                 "hours_budget": float(leaders.hours_budget[i]),
                                 "meeting_hours": float(model.params["meeting_hours"]),
                                 "months_with_leader": int(leaders.tenure[i]),
                                 "own_transparency": round(float(leaders.raw_traits[0, i]), 3),
                                 "own_altruism": round(float(leaders.raw_traits[2, i]), 3)},
                "choices": {"transparency": override.transparency if override else None,
                            "altruism": override.altruism if override else None,
                            "pending": self._pending.get(i)},
                "partners": partners, "performance": state, "history": mine_history,
                "place": {"integration": self._place_now()["integration"], "history": place},
                "events": events, "max_contact": MAX_CONTACT,
            }

    def teacher_view(self) -> dict[str, Any]:
        """The whole place: network, integration, scoreboard, seats, events."""
        with self.lock:
            model = self.model
            rel, leaders = model.relationships, model.leaders
            largest = largest_partnership_network(model)
            mask = partnership_pairs(model)
            trust = rel.trust.reshape(-1, 2).mean(axis=1) if rel.n_pairs else np.zeros(0)
            board = []
            for i, seat in sorted(self.seats.items()):
                st = self._org_state(i, largest, mask)
                board.append({**st, "name": seat.name, "organisation_name": model.place.names[i],
                              "kind": leaders.kind_names[leaders.kind[i]], "submitted": i in self._pending})
            board.sort(key=lambda r: (-r["in_largest"], -r["partnerships"], r["organisation"]))
            place = self._place_now()
            return {
                "status": self.status, "round": self.round, "month": model.steps, "code": self.code,
                "months_per_round": self.months_per_round, "timer": self.timer,
                "seats": len(self.seats), "submitted": len(self._pending),
                "place": place, "place_score": round(100 * place["integration"], 1),
                "history": self.history, "events": self.events[-30:], "scoreboard": board,
                "network": {
                    "nodes": [{"id": i, "kind": leaders.kind_names[leaders.kind[i]], "name": model.place.names[i],
                               "x": round(float(self.positions[i, 0]), 4), "y": round(float(self.positions[i, 1]), 4),
                               "player": self.seats[i].name if i in self.seats else None,
                               "largest": bool(largest[i])} for i in range(leaders.n)],
                    "edges": [[int(a), int(b), round(float(t), 3), bool(m)]
                              for (a, b), t, m in zip(rel.pairs.tolist(), trust.tolist(), mask.tolist(), strict=True)],
                },
                "shock_kinds": [LEADER_LEAVES, *(k for k in SHOCK_KINDS if k != "service_failure")],
            }

    def state_digest(self) -> dict[str, Any]:
        """A compact fingerprint of the model's state (for checks that a resumed session is the same)."""
        with self.lock:
            rel = self.model.relationships
            return {"month": self.model.steps, "round": self.round, "n_pairs": rel.n_pairs,
                    "trust": rel.trust.round(12).tolist(), "backlog": rel.backlog.tolist(),
                    "seats": {i: s.name for i, s in self.seats.items()}, "status": self.status}


def _layout(model: TrustModel) -> np.ndarray:
    """Fixed node positions in [-1, 1] (a seeded spring layout of the initial place), ``(N, 2)``."""
    import networkx as nx

    n = model.leaders.n
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(map(tuple, model.relationships.pairs.tolist()))
    layout = nx.spring_layout(g, k=1.6 / math.sqrt(max(n, 1)), iterations=100, seed=0)
    pos = np.array([layout[i] for i in range(n)], dtype=float)
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos


def _flat_choice(choice: Mapping[str, Any]) -> dict[str, Any]:
    contact = choice.get("contact", {})
    return {"transparency": choice.get("transparency"), "altruism": choice.get("altruism"),
            "partners_set": len(contact), "meetings_asked": sum(contact.values()) if contact else None,
            "let_lie": len(choice.get("let_lie", ()))}
