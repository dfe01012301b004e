"""End to end: ``python -m simulation dashboard`` in a real server, driven by headless Chromium at 1280x720.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, installed by
``ci/install-browser.sh``) and Playwright's Python package; no browser is
downloaded. The screenshots go under pytest's ``tmp_path`` and, when
``SOT_SCREENSHOT_DIR`` is set, are copied there.

Timing on a shared machine is noisy: the pause is measured in months shown
(at most one frame's months, :data:`~simulation.dashboard.app.MAX_BATCH`),
and side by side's speed as a ratio of the single place's, with a wide margin.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 720

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(run ci/install-browser.sh)"),
]

PLOTS_DRAWN = """(sel) => {
    const plots = [...document.querySelectorAll(sel)];
    return plots.length > 0 && plots.every(p => p.data && p.data.length > 0 && p.querySelector('.main-svg'));
}"""
BOXES = """(sels) => sels.flatMap(s => [...document.querySelectorAll(s)].map(e => {
    const b = e.getBoundingClientRect();
    return {sel: s, left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height,
            clipped: e.scrollHeight > e.clientHeight + 1};
}))"""
#: Click Pause from the page itself (no wait for the page to be still) and return the month shown at the click.
PAUSE = """() => {
    const shown = parseInt(document.querySelector('.sot-month').innerText.split(' ')[1]);
    document.querySelector('.sot-play').click();
    return shown;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("solara")
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simulation", "dashboard", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited with {proc.returncode}: {log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail("dashboard did not answer within 90 s")
            time.sleep(0.3)
        assert url in log.read_text().splitlines()[0], "the command should print its URL first"
        yield url, log
    finally:  # the command forwards SIGTERM to the server; the group kill is belt and braces
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture()
def page(server):
    url, _ = server
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            pg.set_default_timeout(60_000)
            pg.requests_seen, pg.failed = [], []
            pg.on("request", lambda r: pg.requests_seen.append(r.url))
            pg.on("requestfailed", lambda r: pg.failed.append(r.url))
            pg.on("response", lambda r: r.status >= 400 and pg.failed.append(f"{r.status} {r.url}"))
            pg.goto(url)
            _wait_plots(pg, ".sot-network .js-plotly-plot")
            yield pg
        finally:
            browser.close()


def _save(pg, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    pg.screenshot(path=str(path))
    target = os.environ.get("SOT_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / name)
    return path


def _month(pg) -> int:
    return int(pg.inner_text(".sot-month").split()[-1])


def _wait_month(pg, month: int) -> None:
    pg.wait_for_function(
        "(m) => { const e = document.querySelector('.sot-month'); return e && e.innerText.trim() === 'Month ' + m; }",
        arg=month,
    )


def _wait_plots(pg, selector: str) -> None:
    pg.wait_for_function(PLOTS_DRAWN, arg=selector)


def _assert_in_window(pg, selectors: list[str]) -> None:
    boxes = pg.evaluate(BOXES, selectors)
    assert {b["sel"] for b in boxes} == set(selectors), boxes
    for b in boxes:
        assert b["width"] > 0 and b["height"] > 0, b
        assert b["left"] >= 0 and b["top"] >= 0 and b["right"] <= WIDTH + 0.5 and b["bottom"] <= HEIGHT + 0.5, b
    scroll = pg.evaluate("() => [document.scrollingElement.scrollHeight, document.scrollingElement.scrollWidth, "
                         "document.querySelector('.sot-main').scrollHeight, "
                         "document.querySelector('.sot-main').clientHeight]")
    assert scroll[0] <= HEIGHT and scroll[1] <= WIDTH, scroll  # the page does not scroll
    assert scroll[2] <= scroll[3] + 1, scroll  # nor does the main area


def _play_for(pg, seconds: float) -> float:
    """Play, then return the months a second shown over ``seconds`` (after a second to start)."""
    pg.locator(".sot-play").dispatch_event("click")
    pg.wait_for_timeout(1500)
    start, t0 = _month(pg), time.monotonic()
    pg.wait_for_timeout(seconds * 1000)
    return (_month(pg) - start) / (time.monotonic() - t0)


def _pause_latency(pg) -> int:
    """Months played after the Pause click, from the month shown at the click to where the run stopped."""
    shown = pg.evaluate(PAUSE)
    pg.wait_for_function("() => document.querySelector('.sot-play').innerText.trim().toLowerCase() === 'play'",
                         timeout=15_000)
    pg.wait_for_timeout(1500)  # anything still in flight lands
    stopped = _month(pg)
    pg.wait_for_timeout(800)
    assert _month(pg) == stopped, "pause should stop the run"
    return stopped - shown


def test_one_place_fits_the_window_quietly_and_a_lever_acts_on_the_running_model(page, server, tmp_path):
    pg = page
    _, log = server
    _wait_plots(pg, ".sot-charts .js-plotly-plot")
    from simulation.dashboard.plots import CONTROLS

    assert pg.locator(".sot-control").count() == len(CONTROLS)
    for month in (1, 2, 3):
        pg.click(".sot-step")
        _wait_month(pg, month)

    # move the contact-frequency slider mid-run: the run goes on from month 3 with the new value
    label_sel = ".sot-control-contact_rate .sot-control-label"
    label = pg.inner_text(label_sel)
    box = pg.locator(".sot-control-contact_rate .v-slider").first.bounding_box()
    pg.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] / 2)
    pg.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old", arg=[label_sel, label])
    new_value = float(pg.inner_text(label_sel).rsplit(":", 1)[1])
    old_value = float(label.rsplit(":", 1)[1])
    assert new_value > old_value
    pg.wait_for_function("([old, v]) => document.querySelector('.sot-events').innerText.includes("
                         "'Contact frequency ' + old + ' → ' + v + ' from month 4')",
                         arg=[f"{old_value:.3g}", f"{new_value:.3g}"])
    assert _month(pg) == 3  # not restarted
    assert pg.evaluate("() => document.querySelector('.sot-charts .js-plotly-plot').layout.shapes"
                       ".map(s => s.x0)") == [3]  # the change marked on the timeline
    pg.click(".sot-step")
    _wait_month(pg, 4)

    # play a while: everything a class looks at stays in the 1280x720 window, nothing scrolls or is clipped
    _play_for(pg, 3)
    _pause_latency(pg)
    _assert_in_window(pg, [".sot-toolbar", ".sot-month", ".sot-play", ".sot-step", ".sot-reset", ".sot-network",
                           ".sot-charts", ".sot-events", ".sot-status"])
    assert not pg.evaluate(BOXES, [".sot-events"])[0]["clipped"]
    assert "What just happened" in pg.inner_text(".sot-events")
    assert not pg.get_by_text("runs on Solara").count()  # no badge over the charts
    _save(pg, tmp_path, "dashboard.png")

    # the levers panel folds away and back
    pg.click(".sot-levers-toggle")
    pg.wait_for_function("() => document.querySelector('.sot-controls').getBoundingClientRect().width === 0")
    _assert_in_window(pg, [".sot-network", ".sot-charts", ".sot-events"])
    pg.click(".sot-levers-toggle")
    pg.wait_for_function("() => document.querySelector('.sot-controls').getBoundingClientRect().width > 200")

    pg.click(".sot-reset")  # only Reset starts again at month 0
    _wait_month(pg, 0)
    # no external fetches: Solara's own assets come from the local solara-assets package; no KaTeX, no mermaid
    outside = [u for u in pg.requests_seen if not u.startswith(("http://127.0.0.1", "blob:", "data:"))
               or any(w in u.lower() for w in ("katex", "mermaid"))]
    assert outside == [] and pg.failed == [], (outside, pg.failed)
    text = log.read_text()
    assert "Could not load URL" not in text and "samesite" not in text and "Traceback" not in text, text[-2000:]


def test_pause_lands_within_one_frame_and_side_by_side_fits_and_plays_at_the_single_speed(page, tmp_path):
    from simulation.dashboard.app import MAX_BATCH
    from simulation.dashboard.plots import PAIRINGS

    pg = page
    single = _play_for(pg, 5)
    late_single = _pause_latency(pg)

    # side by side: the lesson's two copies, their networks above the fold, everything in the window
    pg.get_by_role("button", name="Side by side").click()
    pg.wait_for_function("() => document.querySelectorAll('.sot-network .js-plotly-plot').length === 2")
    _wait_plots(pg, ".sot-comparison .js-plotly-plot")
    _wait_month(pg, 0)
    lesson = next(iter(PAIRINGS))
    assert lesson[:20] in pg.inner_text(".sot-pairing")
    assert all(label in pg.inner_text(".sot-main") for label in PAIRINGS[lesson].labels)
    pg.click(".sot-step")
    _wait_month(pg, 1)
    statuses = pg.locator(".sot-status").all_inner_texts()
    assert len(statuses) == 2 and all(s.startswith("Month 1") for s in statuses), statuses
    _assert_in_window(pg, [".sot-toolbar", ".sot-month", ".sot-play", ".sot-network", ".sot-comparison",
                           ".sot-status"])
    _save(pg, tmp_path, "dashboard_side_by_side.png")
    both = _play_for(pg, 5)
    late_both = _pause_latency(pg)
    print(f"months a second: one place {single:.1f}, side by side {both:.1f}; months after Pause: "
          f"{late_single}, {late_both}")
    assert 0 <= late_single <= MAX_BATCH and 0 <= late_both <= MAX_BATCH  # within one frame
    assert single > 2 and both >= 0.6 * single  # generous: the machine is shared
