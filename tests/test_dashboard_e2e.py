"""End to end: ``python -m simulation dashboard`` in a real server, driven by headless Chromium.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, installed by
``ci/install-browser.sh``) and Playwright's Python package; no browser is
downloaded. The screenshots go under pytest's ``tmp_path`` and, when
``SOT_SCREENSHOT_DIR`` is set, are copied there.
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    pytest.importorskip("solara")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulation", "dashboard", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        first = proc.stdout.readline()
        assert url in first, f"the command should print its URL first, got {first!r}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited with {proc.returncode}: {proc.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail("dashboard did not answer within 90 s")
            time.sleep(0.3)
        yield url
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
def page(server_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1600, "height": 1150})
            pg.set_default_timeout(60_000)
            pg.goto(server_url)
            yield pg
        finally:
            browser.close()


def _save(pg, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    pg.screenshot(path=str(path), full_page=True)
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


def test_dashboard_renders_steps_and_reacts_to_a_slider(page, tmp_path):
    pg = page
    _wait_plots(pg, ".sot-network .js-plotly-plot")
    _wait_plots(pg, ".sot-charts .js-plotly-plot")
    assert _month(pg) == 0
    # the network and the charts are plotly figures of a readable size, drawn by the browser
    for sel in (".sot-network .js-plotly-plot", ".sot-charts .js-plotly-plot"):
        width = pg.eval_on_selector(sel, "p => p.getBoundingClientRect().width")
        assert width >= 400, (sel, width)
    from simulation.dashboard.plots import CONTROLS

    assert pg.locator(".sot-control").count() == len(CONTROLS)
    assert "months a second" in pg.inner_text(".sot-speed")

    # move the contact-frequency slider: the run restarts with the new value
    label_sel = ".sot-control-contact_rate .sot-control-label"
    label = pg.inner_text(label_sel)
    slider = pg.locator(".sot-control-contact_rate .v-slider").first
    box = slider.bounding_box()
    pg.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] / 2)
    pg.wait_for_function(
        "([sel, old]) => document.querySelector(sel).innerText !== old", arg=[label_sel, label],
    )
    old_value, new_value = (float(t.rsplit(":", 1)[1]) for t in (label, pg.inner_text(label_sel)))
    assert new_value > old_value
    _wait_month(pg, 0)
    _wait_plots(pg, ".sot-charts .js-plotly-plot")
    pg.evaluate("() => { document.querySelector('.sot-network .js-plotly-plot').dataset.tag = 'kept'; }")

    # step the model: the month advances and the charts get the new months, in place
    for month in (1, 2, 3):
        pg.click(".sot-step")
        _wait_month(pg, month)
    pg.wait_for_function("() => document.querySelector('.sot-charts .js-plotly-plot').data[0].x.length === 4")
    assert pg.evaluate("() => document.querySelector('.sot-network .js-plotly-plot').dataset.tag") == "kept"

    # play for a few months (at ten a second), then pause
    pg.click(".sot-play")
    pg.wait_for_function("() => parseInt(document.querySelector('.sot-month').innerText.split(' ')[1]) >= 20",
                         timeout=10_000)
    # the click is dispatched without waiting for the page to be still (it redraws while playing: on a busy
    # machine Playwright's wait took seconds), then the button must turn back to Play
    pg.locator(".sot-play").dispatch_event("click")
    pg.wait_for_function("() => document.querySelector('.sot-play').innerText.trim().toLowerCase() === 'play'",
                         timeout=15_000)
    pg.wait_for_timeout(500)  # a frame already under way may still land
    paused_at = _month(pg)
    pg.wait_for_timeout(1000)
    assert _month(pg) == paused_at, "pause should stop the run"
    assert pg.evaluate("() => document.querySelector('.sot-network .js-plotly-plot').dataset.tag") == "kept"
    assert pg.locator(".v-alert.error").count() == 0
    shot = _save(pg, tmp_path, "dashboard.png")
    assert shot.stat().st_size > 20_000

    # reset goes back to month 0
    pg.click(".sot-reset")
    _wait_month(pg, 0)


def test_side_by_side_mode_steps_both_copies(page, tmp_path):
    pg = page
    _wait_plots(pg, ".sot-network .js-plotly-plot")
    pg.get_by_role("button", name="Side by side").click()
    pg.wait_for_selector(".sot-comparison .js-plotly-plot")
    pg.wait_for_function("() => document.querySelectorAll('.sot-network .js-plotly-plot').length === 2")
    for month in range(1, 7):
        pg.click(".sot-step")
        _wait_month(pg, month)
    pg.wait_for_timeout(300)
    _wait_plots(pg, ".sot-figure .js-plotly-plot")
    statuses = pg.locator(".sot-status").all_inner_texts()
    assert len(statuses) == 2 and all(s.startswith("Month 6") for s in statuses), statuses
    text = pg.inner_text(".sot-main")
    assert "Structural: System board" in text and "Relational: Shared roles" in text
    _save(pg, tmp_path, "dashboard_side_by_side.png")
