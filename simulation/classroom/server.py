"""The classroom server: a Starlette app over a :class:`~simulation.classroom.session.ClassroomSession`.

Pages (plain HTML and JavaScript from the package's ``static/`` folder: no
CDN, works offline): ``/`` the student's page, ``/teacher`` the teacher's.

JSON API (every refusal is ``{"error": message}`` with a 4xx status, or 503
when the session log cannot be written):

=========================================  ==================================================
``POST /api/join``                          ``{code, name, rejoin?}``: a seat (or one's own seat again)
``GET  /api/org/{org}/view``                the student's view (header ``X-Seat-Token``)
``POST /api/org/{org}/choices``             ``{round, contact, transparency, altruism, let_lie}``
``GET  /api/teacher/state``                 the whole place (header ``X-Teacher-Token``)
``POST /api/teacher/{start,pause,advance,end}``
``POST /api/teacher/config``                ``{months_per_round, timer}``
``POST /api/teacher/shock``                 ``{kind, size, months}`` or ``{kind: "leader_leaves", organisation}``
``GET  /api/teacher/debrief``               JSON; ``/api/teacher/debrief.csv`` the CSV
=========================================  ==================================================

A seat token only works for its own organisation (another's gets 403). The
teacher token travels only in the ``X-Teacher-Token`` header (``?token=`` in an
address is refused: addresses end up in logs and browser history). Bodies,
schemas, wrong-code attempts and security headers: :mod:`simulation.classroom.guard`.
The timer, when set, advances a round every ``timer`` seconds while the session runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .debrief import debrief_csv, debrief_summary
from .guard import CONFIG, JOIN, SHOCK, AttemptLimiter, SecurityHeaders, check_fields, read_json
from .session import ClassroomError, ClassroomSession

__all__ = ["create_app", "STATIC_DIR"]

#: The folder of the pages, scripts and styles.
STATIC_DIR = files("simulation.classroom") / "static"


def _clean(value: Any) -> Any:
    """JSON without NaN (``null`` instead), which browsers' ``JSON.parse`` refuses."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_clean(data), status_code=status)


def _error(exc: ClassroomError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)


def _handler(fn: Callable[[Request], Any]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            result = await fn(request)
        except ClassroomError as exc:
            return _error(exc)
        return result if isinstance(result, Response) else _json(result)

    return endpoint


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / name).read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-store"})


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(session: ClassroomSession, join_url: str = "", limiter: AttemptLimiter | None = None) -> Starlette:
    """The Starlette app serving ``session``.

    Parameters
    ----------
    session : ClassroomSession
        The session served.
    join_url : str, default ""
        The address students are told.
    limiter : AttemptLimiter, optional
        Counts wrong join codes, rejoin codes and teacher tokens per client (default: a new one).
    """
    limiter = limiter or AttemptLimiter()

    def org_of(request: Request) -> int:
        try:
            return int(request.path_params["org"])
        except ValueError:
            raise ClassroomError(404, "unknown organisation") from None

    def teacher(request: Request) -> None:
        if "token" in request.query_params:
            raise ClassroomError(400, "the teacher token goes in the X-Teacher-Token header, never in an address")
        client = "teacher " + _client(request)
        limiter.check(client, "teacher tokens")
        try:
            session.check_teacher(request.headers.get("x-teacher-token"))
        except ClassroomError:
            limiter.failed(client)
            raise

    async def run(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args)

    # ------------------------------------------------------------ students
    async def join(request: Request) -> Any:
        body = check_fields(await read_json(request), JOIN, "join")
        client = _client(request)
        limiter.check("join " + client, "join or rejoin codes")
        try:
            return await run(session.join, body["code"], body["name"], body.get("rejoin"), client)
        except ClassroomError as exc:
            if exc.status == 403:
                limiter.failed("join " + client)
            raise

    async def view(request: Request) -> Any:
        return await run(session.student_view, org_of(request), request.headers.get("x-seat-token"))

    async def choices(request: Request) -> Any:
        org, token = org_of(request), request.headers.get("x-seat-token")
        body = await read_json(request)
        return await run(session.submit, org, token, body)

    # ------------------------------------------------------------- teacher
    async def state(request: Request) -> Any:
        teacher(request)
        data = await run(session.teacher_view)
        data["join_url"] = join_url
        return data

    def action(name: str) -> Callable[[Request], Any]:
        async def act(request: Request) -> Any:
            teacher(request)
            body = await read_json(request)
            if name == "config":
                body = check_fields(body, CONFIG, name)
                return await run(lambda: session.configure(body.get("months_per_round"), body.get("timer")))
            if name == "shock":
                body = check_fields(body, SHOCK, name)
                return await run(lambda: session.shock(body["kind"], body.get("size", 0.0),
                                                       body.get("months", 1), body.get("between"),
                                                       body.get("organisation")))
            check_fields(body, {}, name)
            result = await run(getattr(session, name))
            return {"ok": True, "status": session.status, **(result or {})}

        return act

    async def debrief(request: Request) -> Any:
        teacher(request)
        return await run(debrief_summary, session)

    async def debrief_file(request: Request) -> Any:
        teacher(request)
        text = await run(debrief_csv, session)
        return Response(text, media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="classroom-debrief.csv"'})

    async def not_found(request: Request) -> Any:
        raise ClassroomError(404, f"no such API: {request.url.path}")

    # --------------------------------------------------------------- timer
    async def timer_loop() -> None:
        while True:
            await asyncio.sleep(0.2)
            if session.status == "running" and session.timer > 0 and _due(session):
                with contextlib.suppress(ClassroomError):
                    await run(session.advance, "timer")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        task = asyncio.create_task(timer_loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    routes = [
        Route("/", lambda r: _page("student.html")),
        Route("/teacher", lambda r: _page("teacher.html")),
        Route("/api/join", _handler(join), methods=["POST"]),
        Route("/api/org/{org}/view", _handler(view)),
        Route("/api/org/{org}/choices", _handler(choices), methods=["POST"]),
        Route("/api/teacher/state", _handler(state)),
        Route("/api/teacher/debrief", _handler(debrief)),
        Route("/api/teacher/debrief.csv", _handler(debrief_file)),
        *[Route(f"/api/teacher/{name}", _handler(action(name)), methods=["POST"])
          for name in ("start", "pause", "advance", "end", "config", "shock")],
        Route("/api/{rest:path}", _handler(not_found), methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders)])


def _due(session: ClassroomSession) -> bool:
    return time.monotonic() - session.last_advance >= session.timer
