"""``classroom``: start a classroom session server and print the join address, code and teacher link."""

from __future__ import annotations

import argparse
import importlib.util
import socket
import time
from pathlib import Path

from ..scenario import ScenarioError
from .common import in_range, parse_override, port, positive_int

# the classroom's bounds, repeated here so that --help needs neither Starlette nor the model
MIN_TIMER, MAX_TIMER, SEATS_PER_CLIENT = 10, 600, 2

__all__ = ["register", "cmd_classroom", "lan_address", "timer_seconds"]


def timer_seconds(text: str) -> float:
    """argparse type: 0 (no timer) or seconds in ``[MIN_TIMER, MAX_TIMER]``."""
    allowed = f"0 (off) or seconds in [{MIN_TIMER}, {MAX_TIMER}]"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: expected {allowed}") from None
    if not (value == 0 or MIN_TIMER <= value <= MAX_TIMER):
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: expected {allowed}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``classroom`` sub-command."""
    p = sub.add_parser(
        "classroom", help="start a classroom session: students play the leaders from their browsers",
        description="Start a classroom session on this machine. Students on the same network open the printed "
                    "address, enter the code and their name, and each leads one organisation of a shared place; "
                    "the teacher's screen (the printed teacher link) runs the rounds. Works offline. The session "
                    "log is written as it goes: restart a crashed session with --resume LOG.")
    p.add_argument("--scenario", default="default", help="shipped scenario name or a .toml file (default: default)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set organisations.voluntary=40")
    p.add_argument("--seed", type=positive_int, default=1, help="the model's seed (default 1)")
    p.add_argument("--months-per-round", type=in_range(int, 1, 12, "an integer"), default=1,
                   help="months each round plays, 1-12 (default 1)")
    p.add_argument("--timer", type=timer_seconds, default=0.0,
                   help=f"advance a round every SECONDS while running: 0 (by hand, the default) or "
                        f"{MIN_TIMER}-{MAX_TIMER}")
    p.add_argument("--seats-per-client", type=in_range(int, 1, 1000, "an integer"), default=SEATS_PER_CLIENT,
                   help=f"seats one device (network address) may take, 1-1000 (default {SEATS_PER_CLIENT}; "
                        "raise it if the students' devices share one address)")
    p.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0: the local network)")
    p.add_argument("--port", type=port, default=8000, help="port (default 8000)")
    p.add_argument("--log", type=Path, default=None,
                   help="session log to write (default classroom-YYYYmmdd-HHMMSS.jsonl here)")
    p.add_argument("--resume", type=Path, default=None, metavar="LOG",
                   help="replay this session log and go on (the other model flags are taken from it)")
    p.set_defaults(func=cmd_classroom)


def lan_address() -> str:
    """This machine's address on the local network (127.0.0.1 when there is none); sends no packet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def cmd_classroom(args: argparse.Namespace) -> int:
    """Build (or resume) the session and serve it until interrupted."""
    if importlib.util.find_spec("starlette") is None or importlib.util.find_spec("uvicorn") is None:
        raise ScenarioError("the classroom needs Starlette and uvicorn: pip install 'speed-of-trust[classroom]'")
    import uvicorn

    from ..batch import warm_up
    from ..classroom.server import create_app
    from ..classroom.session import ClassroomError, ClassroomSession

    try:
        if args.resume is not None:
            session = ClassroomSession.resume(args.resume)
        else:
            overrides = dict(parse_override(s) for s in args.overrides)
            log = args.log or Path(f"classroom-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
            if log.exists():
                raise ScenarioError(f"--log {log}: the file exists; resume it with --resume {log}")
            session = ClassroomSession(args.scenario, overrides, args.seed, args.months_per_round,
                                       log_path=log, timer=args.timer, seats_per_client=args.seats_per_client)
    except ClassroomError as exc:
        raise ScenarioError(exc.message) from None
    host = lan_address() if args.host in ("0.0.0.0", "", "::") else args.host
    url = f"http://{host}:{args.port}/"
    print(f"speed-of-trust classroom: students join at {url}  code {session.code}", flush=True)
    print(f"teacher screen: {url}teacher#token={session.teacher_token}", flush=True)
    print(f"session log: {session.log.path} (after a crash: --resume {session.log.path})"
          + (f"; resumed at round {session.round}, month {session.model.steps}" if args.resume else ""), flush=True)
    warm_up()  # the kernel compiled before the server answers: no student waits for it
    app = create_app(session, join_url=url)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning",
                                           access_log=False))
    try:
        server.run()
    finally:
        session.log.close()
    return 0
