"""Measure the dashboard's playing speed in months a second, and how late Pause lands, as a class would see it.

Starts ``python -m simulation dashboard`` on a free port, opens it in headless
Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) at 1280x720, presses Play and reads
the month counter on the page twice, ``--seconds`` seconds apart (the speed control
at its default, or with ``--fastest`` at its highest), then clicks Pause and
counts the months played after the click. ``--side-by-side`` measures that mode
too (two copies stepped in one frame). Independent of the test suite::

    python ci/dashboard_speed.py --seconds 20 [--fastest] [--side-by-side] [--screenshot shot.png]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _month(page) -> int:
    return int(page.inner_text(".sot-month").split()[1])


def _measure(page, mode: str, seconds: float, screenshot: Path | None) -> None:
    """Play ``seconds`` seconds in ``mode``; print months a second and the months played after Pause."""
    page.click(".sot-play")
    page.wait_for_timeout(2000)  # playing has started (the first frames are not timed)
    start_month = _month(page)
    t0 = time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    month = _month(page)
    elapsed = time.monotonic() - t0
    if screenshot:
        page.screenshot(path=str(screenshot.with_stem(f"{screenshot.stem}-{mode.replace(' ', '-').lower()}")))
    shown = page.evaluate("() => { const m = parseInt(document.querySelector('.sot-month').innerText.split(' ')[1]);"
                          " document.querySelector('.sot-play').click(); return m; }")
    page.wait_for_timeout(3000)
    settled = _month(page)  # where the run stopped, once anything in flight has landed
    print(f"{mode}: {month - start_month} months shown in {elapsed:.1f} s: {(month - start_month) / elapsed:.2f} "
          f"months a second while playing; Pause clicked at month {shown}, the run stopped at {settled} "
          f"({settled - shown} months later)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds to play (default 20)")
    parser.add_argument("--fastest", action="store_true", help="set the speed control to its highest value")
    parser.add_argument("--side-by-side", action="store_true", help="measure side by side too")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a 1280x720 screenshot here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, "-m", "simulation", "dashboard", "--host", "127.0.0.1", "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("the dashboard did not start within 90 s")
            time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(90_000)
            page.goto(url)
            page.wait_for_selector(".sot-month")
            page.wait_for_timeout(3000)  # the first figures drawn
            slider = page.locator(".sot-speed .v-slider")
            if args.fastest and slider.count():  # the speed control's highest setting
                box = slider.first.bounding_box()
                page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
                page.wait_for_timeout(500)
            print("speed control:", page.inner_text(".sot-speed") if slider.count() else "none")
            modes = ["One place", "Side by side"] if args.side_by_side else ["One place"]
            for mode in modes:
                if mode != "One place":
                    page.get_by_role("button", name=mode).click()
                    page.wait_for_function("() => document.querySelectorAll('.sot-network .js-plotly-plot')"
                                           ".length === 2")
                    page.wait_for_timeout(2000)
                _measure(page, mode, args.seconds, args.screenshot)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
