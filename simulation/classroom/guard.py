"""What the classroom server checks before a request reaches the session, and what it adds to every answer.

* :func:`read_json`: the body read up to :data:`MAX_BODY` bytes (413 past it,
  before reading the rest), its nesting checked to :data:`MAX_DEPTH` before it
  is parsed and its numbers to :data:`MAX_NUMBER_CHARS` characters while it is
  (400 otherwise; NaN and Infinity refused).
* :func:`check_fields`: a request object against its schema (the keys it may
  hold, the type of each, the required ones): 400 or 422 with one message
  naming the key.
* :class:`AttemptLimiter`: wrong join codes, rejoin codes and teacher tokens
  counted per client; past :data:`FREE_ATTEMPTS` wrong ones, one more attempt
  every :data:`ATTEMPT_INTERVAL` seconds (429 with ``Retry-After``).
* :class:`SecurityHeaders`: Content-Security-Policy, X-Frame-Options,
  X-Content-Type-Options and Referrer-Policy on every response.

Examples
--------
>>> parse_json(b'{"round": 1, "contact": {"3": 0.5}}')
{'round': 1, 'contact': {'3': 0.5}}
>>> parse_json(b"[" * 50 + b"]" * 50)
Traceback (most recent call last):
simulation.classroom.session.ClassroomError: the request body is nested more than 8 deep
>>> check_fields({"code": "AB", "name": 3}, JOIN, "join")
Traceback (most recent call last):
simulation.classroom.session.ClassroomError: join: name = 3 has the wrong type: expected text
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .session import ClassroomError

__all__ = ["MAX_BODY", "MAX_DEPTH", "MAX_NUMBER_CHARS", "FREE_ATTEMPTS", "ATTEMPT_INTERVAL", "SECURITY_HEADERS",
           "JOIN", "CONFIG", "SHOCK", "read_json", "parse_json", "check_fields", "AttemptLimiter",
           "SecurityHeaders"]

#: Largest request body, in bytes.
MAX_BODY = 64 * 1024
#: Deepest nesting of arrays and objects in a request body.
MAX_DEPTH = 8
#: Longest number literal in a request body, in characters.
MAX_NUMBER_CHARS = 24
#: Wrong attempts (join code, rejoin code, teacher token) a client may make before being slowed down.
FREE_ATTEMPTS = 5
#: Seconds between two attempts of a client past its free ones.
ATTEMPT_INTERVAL = 5.0

#: Headers on every response: nothing but this server's own scripts, styles and data; never framed.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

_NUMBER = (int, float)
#: Schemas: key -> (allowed types, required). ``bool`` is never a number.
JOIN = {"code": (str, True), "name": (str, True), "rejoin": (str, False)}
CONFIG = {"months_per_round": (int, False), "timer": (_NUMBER, False)}
SHOCK = {"kind": (str, True), "size": (_NUMBER, False), "months": (int, False), "between": (list, False),
         "organisation": (int, False)}
_TYPE_NAMES = {str: "text", int: "an integer", _NUMBER: "a number", list: "a list", dict: "an object"}


async def read_json(request: Any, limit: int = MAX_BODY) -> Any:
    """The request's JSON body (``{}`` when empty), read at most ``limit`` bytes; see the module docstring."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ClassroomError(400, f"Content-Length = {length!r} is not a number of bytes")
        if int(length) > limit:
            raise ClassroomError(413, f"the request body is {int(length)} bytes: the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ClassroomError(413, f"the request body is over {limit} bytes: the limit is {limit}")
        chunks.append(chunk)
    raw = b"".join(chunks)
    return parse_json(raw) if raw.strip() else {}


def _depth_ok(text: str, limit: int) -> bool:
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise ClassroomError(400, f"a number of {len(text)} characters in the request body: "
                                      f"the limit is {MAX_NUMBER_CHARS}")
        value = convert(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise ClassroomError(400, f"the number {text} is too large")
        return value

    return parse


def _constant(name: str) -> Any:
    raise ClassroomError(400, f"{name} is not a number JSON allows")


def parse_json(raw: bytes) -> Any:
    """Parse a request body: UTF-8 JSON, nested at most :data:`MAX_DEPTH`, numbers of at most
    :data:`MAX_NUMBER_CHARS` characters (400 with one message otherwise)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClassroomError(400, "the request body is not UTF-8 text") from None
    if not _depth_ok(text, MAX_DEPTH):
        raise ClassroomError(400, f"the request body is nested more than {MAX_DEPTH} deep")
    try:
        return json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except (ValueError, RecursionError):
        raise ClassroomError(400, "the request body is not valid JSON") from None


def check_fields(body: Any, schema: Mapping[str, tuple[Any, bool]], where: str) -> dict[str, Any]:
    """``body`` checked against ``schema`` (key -> (types, required)); returns it as a dict.

    Raises
    ------
    ClassroomError
        400 if ``body`` is not an object; 422 for an unknown key, a missing
        required one or a value of the wrong type (``true`` is not a number).
    """
    if not isinstance(body, dict):
        keys = f"with {', '.join(schema)}" if schema else "(or no body)"
        raise ClassroomError(400, f"{where}: expected a JSON object {keys}")
    unknown = sorted(set(body) - set(schema))
    if unknown:
        allowed = f"some of {', '.join(schema)}" if schema else "no keys"
        raise ClassroomError(422, f"{where}: unknown key {_short(unknown[0])}: expected {allowed}")
    for key, (types, required) in schema.items():
        if key not in body or body[key] is None:
            if required:
                raise ClassroomError(422, f"{where}: {key} is missing")
            continue
        value = body[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise ClassroomError(422, f"{where}: {key} = {_short(value)} has the wrong type: "
                                      f"expected {_TYPE_NAMES.get(types, types)}")
    return body


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class AttemptLimiter:
    """Wrong attempts per client: :data:`FREE_ATTEMPTS` free, then one every :data:`ATTEMPT_INTERVAL` seconds.

    Parameters
    ----------
    free : int
        Wrong attempts a client may make at once.
    interval : float
        Seconds for one wrong attempt to be forgiven.
    clock : callable, optional
        The clock (seconds; default :func:`time.monotonic`).
    """

    def __init__(self, free: int = FREE_ATTEMPTS, interval: float = ATTEMPT_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.interval, self.clock = free, interval, clock
        self._debt: dict[str, float] = {}  # client -> when its wrong attempts are all forgiven
        self._lock = threading.Lock()

    def check(self, client: str, what: str) -> None:
        """Refuse (429) a client with no attempt left."""
        with self._lock:
            wait = self._debt.get(client, 0.0) - self.clock() - (self.free - 1) * self.interval
        if wait > 0:
            raise ClassroomError(429, f"too many wrong {what} from this device: try again in {math.ceil(wait)} s",
                                 retry_after=math.ceil(wait))

    def failed(self, client: str) -> None:
        """Count a wrong attempt of ``client``."""
        with self._lock:
            now = self.clock()
            self._debt[client] = max(self._debt.get(client, 0.0), now) + self.interval
            if len(self._debt) > 10_000:  # forget clients already forgiven (bounded memory)
                self._debt = {k: v for k, v in self._debt.items() if v > now}


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in self._headers if k not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
