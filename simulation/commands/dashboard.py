"""``dashboard``: start the interactive Solara dashboard and print its address."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import threading

from ..scenario import ScenarioError
from .common import port

__all__ = ["register", "cmd_dashboard", "dashboard_command", "APP_MODULE", "SOLARA_ENV", "COOKIE_WARNING"]

#: The Solara app module served.
APP_MODULE = "simulation.dashboard.app"
#: Solara warns on every page load served over plain http on a host other than ``localhost`` (a class's LAN address)
#: that its cookie falls back to ``samesite=lax``: expected here (no iframe), so the log stays quiet.
COOKIE_WARNING = "ignore:Cookies with samesite=none require https:UserWarning"
#: Solara's settings for a quiet page that fetches nothing from outside: no telemetry, no "runs on Solara" banner
#: over the charts.
SOLARA_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_SHOW_BANNER": "False"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` sub-command."""
    p = sub.add_parser("dashboard", help="start the interactive dashboard (a local web page)",
                       description="Start the Solara dashboard; open the printed address in a browser. "
                                   "Works offline. Stop with Ctrl+C.")
    p.add_argument("--host", default="localhost", help="interface to listen on (default localhost)")
    p.add_argument("--port", type=port, default=8765, help="port (default 8765)")
    p.add_argument("--open", action="store_true", help="also open the page in the default browser")
    p.set_defaults(func=cmd_dashboard)


def dashboard_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line serving the dashboard."""
    return [
        sys.executable, "-W", COOKIE_WARNING, "-m", "solara", "run", APP_MODULE,
        "--host", host, "--port", str(port), "--production",
        "--no-check-version", "--open" if open_browser else "--no-open",
        "--log-level", "warning",
    ]


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Run the Solara server in a child process until interrupted."""
    if importlib.util.find_spec("solara") is None:
        raise ScenarioError("the dashboard needs Solara: pip install 'speed-of-trust[dashboard]'")
    if importlib.util.find_spec("solara_assets") is None:
        print("warning: solara-assets is not installed; offline, the page will not load", file=sys.stderr)
    env = dict(os.environ, **SOLARA_ENV)
    print(f"speed-of-trust dashboard: http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    from ..experiments.workers import kill_with_parent

    # the server dies with this process, even when this one is SIGKILLed (Linux: the kernel's parent-death signal)
    proc = subprocess.Popen(dashboard_command(args.host, args.port, args.open), env=env,
                            preexec_fn=kill_with_parent if sys.platform.startswith("linux") else None)
    previous = None
    if threading.current_thread() is threading.main_thread():  # SIGTERM stops the server too: no orphan
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
