"""The dashboard: pure helpers, the command, and the Solara page built without a browser."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from simulation import PARAMETERS, Scenario, TrustModel, shipped_scenarios
from simulation.cli import COMMAND_MODULES, build_parser
from simulation.dashboard import plots


# ------------------------------------------------------------------ helpers
def test_controls_cover_the_class_levers_within_parameter_ranges():
    specs = {p.name: p for p in PARAMETERS}
    names = [c.name for c in plots.CONTROLS]
    assert names == ["contact_rate", "open_book", "leadership_development", "place_programmes", "shared_vision",
                     "coproduction", "community_investment", "staff_contact", "competitive_pressure",
                     "shared_roles", "system_board", "turnover_rate"]
    for c in plots.CONTROLS:
        spec = specs[c.name]
        assert c.kind is spec.kind
        assert spec.low <= c.low < c.high <= spec.high
        assert c.low <= spec.default <= c.high, c.name
        assert c.doc == spec.doc


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_lever_values_of_every_shipped_scenario_fit_the_sliders(name):
    values = plots.lever_values(name)
    for c in plots.CONTROLS:
        assert c.low <= values[c.name] <= c.high, (name, c.name)
    plots.build_model(name, 0, values)  # and they build a model


def test_build_model_applies_values_and_seed():
    a = plots.build_model("default", 5, {"contact_rate": 2.0, "system_board": True})
    b = plots.build_model("default", 5, {"contact_rate": 2.0, "system_board": True})
    assert a.params["contact_rate"] == 2.0 and a.params["system_board"] is True
    a.run(3)
    b.run(3)
    assert a.timeseries().equals(b.timeseries())


def test_build_pair_shares_place_and_seed_and_differs_only_by_intervention():
    s, r = plots.build_pair("default", 2, {"contact_rate": 1.5}, {"system_board": True}, {"shared_roles": 4})
    assert s.place is r.place
    assert s.params["contact_rate"] == r.params["contact_rate"] == 1.5
    assert s.params["system_board"] and not r.params["system_board"]
    assert r.params["shared_roles"] == 4 and s.params["shared_roles"] == 0
    plain = TrustModel(rng=2, contact_rate=1.5)
    assert plots.place_key(plain.place) == plots.place_key(s.place)  # the place of a plain run, same seed
    for options in (*plots.STRUCTURAL_OPTIONS.values(), *plots.RELATIONAL_OPTIONS.values()):
        plots.build_model("default", 0, options)  # every preset is a valid override


def test_layout_is_computed_once_per_place_and_stays_put():
    m = plots.build_model("default", 1)
    pos = plots.layout_positions(m.place)
    assert pos.shape == (m.leaders.n, 2)
    assert np.isfinite(pos).all() and np.abs(pos).max() <= 1.0 + 1e-9
    assert not pos.flags.writeable
    n_pairs = m.relationships.n_pairs
    m.run(60)  # relationships grow (board ties, introductions); nodes and their positions do not
    assert plots.layout_positions(m.place) is pos
    # the same place rebuilt (a reset, or another copy in the side-by-side) has the same layout
    again = plots.build_model("default", 1, {"contact_rate": 3.0})
    assert plots.layout_positions(again.place) is pos
    fresh = plots.layout_positions(again.place, seed=1)
    assert fresh is not pos
    assert m.relationships.n_pairs >= n_pairs
    other = plots.build_model("default", 2)
    assert plots.place_key(other.place) != plots.place_key(m.place)


def test_layout_spreads_a_large_place():
    m = plots.build_model("default", 0, place=None)
    big = plots.build_model(m.scenario.replace(organisations={"nhs_trust": 10, "council": 6, "voluntary": 150}), 0)
    pos = plots.layout_positions(big.place)
    d = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1))
    d[np.diag_indices_from(d)] = np.inf
    assert np.median(d.min(axis=1)) > 0.02  # nodes do not pile up


def test_edge_colours_map_low_trust_to_red_and_high_to_blue():
    c = plots.edge_colours(np.linspace(0, 1, 5))
    assert c.shape == (5, 4)
    assert c[0, 0] > c[0, 2] and c[-1, 2] > c[-1, 0]
    assert np.allclose(plots.edge_colours(np.array([-1.0, 2.0])), plots.edge_colours(np.array([0.0, 1.0])))
    assert np.allclose(plots.edge_colours(np.array([0.3]), alpha=0.5)[:, 3], 0.5)


def test_figures_draw_and_track_the_model():
    m = plots.build_model("system_board", 3)
    m.run(6)
    net = plots.network_figure(m)
    assert isinstance(net, Figure)
    ax = net.axes[0]
    rel = m.relationships
    partner = rel.mutual_trust() >= m.params["partnership_threshold"]
    overlays = (rel.formal & ~partner).sum() + rel.shared_role.sum()  # board ties dotted, roles dashed on top
    drawn = sum(len(col.get_segments()) for col in ax.collections if hasattr(col, "get_segments"))
    assert drawn == rel.n_pairs + partner.sum() + overlays  # partnerships drawn twice (outline + colour)
    assert "Month 6" in ax.get_title()
    charts = plots.charts_figure(m.timeseries(), threshold=0.6)
    assert len(charts.axes) == 3
    assert len(charts.axes[0].lines) == 1 + sum(c.startswith("trust:") for c in m.timeseries().columns) + 1
    cmp = plots.comparison_figure({"a": m.timeseries(), "b": m.timeseries()})
    assert len(cmp.axes) == 3
    png = plots.figure_png(charts)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_network_marks_board_ties_and_shared_roles_only_when_present():
    def labels(model):
        fig = plots.network_figure(model)
        return {t.get_text() for t in fig.axes[0].get_legend().get_texts()}

    plain = labels(TrustModel(rng=0))
    assert "formal board tie" not in plain and "shared leadership role" not in plain
    both = labels(TrustModel(rng=0, system_board=True, shared_roles=2))
    assert {"formal board tie", "shared leadership role"} <= both


def test_status_line():
    m = plots.build_model("default", 0)
    assert plots.status_line(m).startswith("Month 0 · integration 0%")


def test_the_model_does_not_import_solara():
    import subprocess

    code = "import sys, simulation; simulation.TrustModel(rng=1).run(2); print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ command
def test_dashboard_command_is_registered():
    assert "simulation.commands.dashboard" in COMMAND_MODULES
    args = build_parser().parse_args(["dashboard", "--port", "9001", "--host", "0.0.0.0"])
    assert (args.host, args.port) == ("0.0.0.0", 9001)
    assert build_parser().parse_args(["dashboard"]).port == 8765
    with pytest.raises(SystemExit):
        build_parser().parse_args(["dashboard", "--port", "70000"])


def test_dashboard_command_line_serves_the_app_offline(monkeypatch, capsys):
    from simulation.commands import dashboard

    cmd = dashboard.dashboard_command("127.0.0.1", 8765)
    assert cmd[:7] == [sys.executable, "-W", dashboard.COOKIE_WARNING, "-m", "solara", "run",
                       "simulation.dashboard.app"]
    assert "--no-open" in cmd and "--production" in cmd and "--no-check-version" in cmd
    seen = {}

    class FakePopen:
        def __init__(self, argv, env, preexec_fn=None):
            seen["argv"], seen["env"] = argv, env

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(dashboard.subprocess, "Popen", FakePopen)
    rc = dashboard.cmd_dashboard(SimpleNamespace(host="127.0.0.1", port=8123, open=False))
    assert rc == 0
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert seen["env"]["SOLARA_THEME_SHOW_BANNER"] == "False"  # no badge over the charts
    assert "8123" in seen["argv"]


# ------------------------------------------------------------------ the page
solara = pytest.importorskip("solara")


def _by_class(rc, widget_type, css: str):
    return [w for w in rc.find(widget_type).widgets if css in (getattr(w, "class_", None) or "").split()]


def _month_text(rc):
    import ipywidgets

    return [w.value for w in rc.find(ipywidgets.HTML).widgets if w.value.endswith("</div>") and ">Month " in w.value
            and "·" not in w.value]


def _figures(rc):
    from plotly.graph_objects import FigureWidget

    return rc.find(FigureWidget).widgets


def test_app_imports_and_page_builds_and_steps():
    import ipyvuetify as v

    from simulation.dashboard import app

    _, rc = solara.render(app.Page(), handle_error=False)
    try:
        figures = _figures(rc)
        assert len(figures) == 2  # the network and the charts, drawn by the browser
        charts, network = sorted(figures, key=lambda f: not f.layout.meta)  # the charts carry their columns
        assert len(network.data) >= 14 and len(charts.data) >= 10
        assert len(charts.data[0].y) == 1
        assert _month_text(rc) == ["<div style='font-size: 26px;font-weight: bold'>Month 0</div>"]
        nodes = [t.x for t in network.data if t.mode == "markers" and t.name and "(" in t.name]
        (step,) = _by_class(rc, v.Btn, "sot-step")
        for _ in range(3):
            step.click()
        assert "Month 3<" in _month_text(rc)[0]
        assert len(charts.data[0].y) == 4  # the charts got the new months, in place
        assert [t.x for t in network.data if t.mode == "markers" and t.name and "(" in t.name] == nodes  # fixed
        assert _figures(rc) == figures  # the same widgets: updated, not redrawn
        (reset,) = _by_class(rc, v.Btn, "sot-reset")
        reset.click()
        assert "Month 0<" in _month_text(rc)[0]
        assert len(_figures(rc)[0].data) > 0
    finally:
        rc.close()


def test_the_month_survives_a_re_render_of_the_page():
    import ipyvuetify as v

    from simulation.dashboard import app

    _, rc = solara.render(app.Page(), handle_error=False)
    try:
        (step,) = _by_class(rc, v.Btn, "sot-step")
        for _ in range(2):
            step.click()
        (play,) = _by_class(rc, v.Btn, "sot-play")
        play.click()  # play, then pause: the page re-renders; the month shown stays the model's
        play.click()
        (session_month,) = {int(t.split("Month ")[1].split("<")[0]) for t in _month_text(rc)}
        assert session_month >= 2
    finally:
        rc.close()


def test_session_steps_in_batches_and_tracks_events():
    from simulation.dashboard import app

    session = app.Session()
    session.use((plots.build_model("default", 1, {"turnover_rate": 0.1}),))
    assert session.step(24)
    assert session.models[0].steps == 24
    assert any(e.kind == "leader_left" for e in session.events[0])
    calls = []
    session.views["probe"] = lambda: calls.append(1)
    session.render()
    assert calls == [1]
    assert app.DEFAULT_SPEED >= 10 and app.MAX_SPEED >= app.DEFAULT_SPEED


def test_each_session_gets_its_own_model():
    import ipyvuetify as v

    from simulation.dashboard import app

    _, rc1 = solara.render(app.Page(), handle_error=False)
    _, rc2 = solara.render(app.Page(), handle_error=False)
    try:
        (step,) = _by_class(rc1, v.Btn, "sot-step")
        step.click()
        assert "Month 1<" in _month_text(rc1)[0]
        assert "Month 0<" in _month_text(rc2)[0]
    finally:
        rc1.close()
        rc2.close()


def test_session_steps_models_together_and_stops_at_the_limit():
    from simulation.dashboard import app

    session = app.Session()
    session.models = plots.build_pair("default", 0, {}, {"system_board": True}, {"shared_roles": 4})
    assert session.step()
    assert [m.steps for m in session.models] == [1, 1]
    session.models[0].steps = session.models[1].steps = app.MAX_MONTHS
    assert not session.step()
    assert app.Session().step() is False


# ------------------------------------------------------------------ live figures and events
def test_the_largest_partnership_network_is_what_the_integration_index_counts():
    from simulation.dashboard.timeline import largest_partnership_network

    m = plots.build_model("default", 2)
    for _ in range(4):
        m.run(9)
        largest = largest_partnership_network(m)
        assert largest.sum() / m.leaders.n == pytest.approx(m.timeseries()["integration"].iloc[-1])


def test_live_network_keeps_nodes_and_rings_the_largest_network():
    from simulation.dashboard import live
    from simulation.dashboard.timeline import largest_partnership_network

    m = plots.build_model("default", 1)
    fig = live.network_figure(m)
    nodes = [(t.name, tuple(t.x)) for t in fig.data if t.mode == "markers" and t.name]
    m.run(30)
    live.update_network(fig, m)
    assert [(t.name, tuple(t.x)) for t in fig.data if t.mode == "markers" and t.name] == nodes
    halo = fig.data[3 + 2 * live.TRUST_BINS]
    assert len(halo.x) == largest_partnership_network(m).sum() > 0
    drawn = sum(np.isfinite(np.asarray(t.x, dtype=float)).sum() // 2 for t in fig.data[1:1 + live.TRUST_BINS])
    drawn += sum(np.isfinite(np.asarray(t.x, dtype=float)).sum() // 2
                 for t in fig.data[2 + live.TRUST_BINS:2 + 2 * live.TRUST_BINS])
    assert drawn == m.relationships.n_pairs  # every tie once, in its trust bin


def test_events_are_read_from_the_state_and_marked_on_the_timeline():
    from simulation.dashboard import live
    from simulation.dashboard.timeline import EventTracker
    from simulation.schedule import Shock

    m = plots.build_model("default", 3, {"turnover_rate": 0.1, "shared_roles": 2})
    m.add_shock(Shock("financial_crisis", start=5, size=0.3, months=6))
    tracker = EventTracker(m)
    events = []
    for _ in range(30):
        m.step()
        events += tracker.observe(m)
    kinds = {e.kind for e in events}
    assert {"shock", "leader_left", "festering"} <= kinds
    shock = next(e for e in events if e.kind == "shock")
    assert shock.month == 6 and "financial crisis" in shock.text
    assert all(m.leaders.statutory[e.organisations[0]] for e in events if e.kind == "leader_left")
    fig = live.charts_figure(m)
    live.update_charts(fig, m.timeseries(), events)
    marked = {t.meta: len(t.x) for t in fig.data if t.meta}
    assert marked["shock"] == 1 and marked["leader_left"] >= 1
    assert len(fig.layout.shapes) >= 1  # the shock as a line across the charts
    with pytest.raises(ValueError, match="festering_months = 0 is out of range"):
        EventTracker(m, festering_months=0)


# ------------------------------------------------------------------ levers mid-run, lessons, a quiet page
def _implied_hours(scenario, lever: str, framing: str) -> float:
    """Extra hours a month the contest's formulas give a lever (per leader of the place, or per statutory leader)."""
    from simulation import Scenario
    from simulation.equal_hours import STATUTORY_PARTNERS

    p, base = scenario.params, Scenario().params
    per_member = 10 / scenario.n_organisations if framing == "place" else 1.0  # a structure's hours over the place
    hours = {
        "contact": lambda: (p["contact_rate"] - base["contact_rate"]) * p["meeting_hours"] * 2.9,
        "open_book": lambda: p["open_book"] * p["open_book_hours"],
        "statutory_contact": lambda: p["statutory_contact"] * p["meeting_hours"] * STATUTORY_PARTNERS,
        "system_board": lambda: p["board_contact_rate"] * p["board_meeting_hours"] * per_member,
        "health_wellbeing_board": lambda: p["hwb_contact_rate"] * p["hwb_meeting_hours"] * per_member,
    }
    return hours[lever]()


@pytest.mark.parametrize("lesson", list(plots.PAIRINGS))
def test_each_side_by_side_lesson_matches_its_levers_on_leader_hours(lesson):
    from simulation import Scenario

    pairing = plots.PAIRINGS[lesson]
    first, second = pairing.overrides("default", {})
    assert first and second and set(first) != set(second)
    for lever, overrides in zip(pairing.levers, (first, second), strict=True):
        sc = Scenario().replace(**overrides)
        assert _implied_hours(sc, lever, pairing.framing) == pytest.approx(pairing.hours), lever
    assert len(set(pairing.labels)) == 2 and lesson.endswith("?")


def test_the_default_lesson_is_not_board_against_shared_roles_and_the_contest_shares_the_arms(experiment_script):

    from simulation.equal_hours import ARMS

    first = plots.PAIRINGS[next(iter(plots.PAIRINGS))]
    assert set(first.levers) != {"system_board", "shared_roles"}
    contest = experiment_script("contest", "contest_for_test")
    for framing in contest.framings(180).values():  # the contest's arms are equal_hours' arms
        assert set(framing.arms) <= set(ARMS)
    for pairing in plots.PAIRINGS.values():  # and each lesson's levers are arms the contest knows
        assert set(pairing.levers) - {"none"} <= set(ARMS), pairing.levers


def test_session_changes_levers_of_each_copy_from_the_next_month_with_one_event_a_month():
    from simulation.dashboard import app

    lesson = next(iter(plots.PAIRINGS))
    session = app.Session()
    values = plots.lever_values("default")
    session.use(app._build("default", 1, values, app.SIDE_BY_SIDE, lesson),
                app._targets("default", app.SIDE_BY_SIDE, lesson), values)
    more, board = session.models
    extra = more.params["contact_rate"] - values["contact_rate"]  # the first copy's own lever: more contact
    session.step(5)
    session.change({**values, "contact_rate": 2.0})
    session.change({**values, "contact_rate": 2.5, "open_book": 0.5})
    assert [m.steps for m in session.models] == [5, 5]
    assert more.params["contact_rate"] == pytest.approx(2.5 + extra) and board.params["contact_rate"] == 2.5
    assert board.params["system_board"] and not more.params["system_board"]
    (event,) = [e for e in session.events[1] if e.kind == "lever"]
    default = f"{values['contact_rate']:.3g}"  # the default's value as the timeline shows it
    assert event.month == 5 and event.text == f"Contact frequency {default} → 2.5; Transparency 0 → 0.5 from month 6"
    session.step()
    session.change(values)  # back, in the next month: a second event
    assert [e.month for e in session.events[1] if e.kind == "lever"] == [5, 6]
    assert board.params["contact_rate"] == values["contact_rate"] and board.steps == 6
    with pytest.raises(ValueError, match="contact_rate = -1"):
        session.change({**values, "contact_rate": -1.0})


def test_a_lever_moved_mid_run_acts_on_the_running_model_and_shows_on_the_timeline():
    import ipyvuetify as v

    from simulation.dashboard import app

    _, rc = solara.render(app.Page(), handle_error=False)
    try:
        (step,) = _by_class(rc, v.Btn, "sot-step")
        for _ in range(4):
            step.click()
        box = rc.find(v.Html, class_="sot-control-contact_rate sot-control").widget
        (slider,) = [w for w in box.children if isinstance(w, v.Slider)]
        slider.v_model = 2.0
        assert "Month 4<" in _month_text(rc)[0]  # the run goes on: no restart at month 0
        import ipywidgets

        text = " ".join(w.value for w in rc.find(ipywidgets.HTML).widgets)
        assert f"Contact frequency {Scenario().contact_rate:.3g} → 2 from month 5" in text
        charts = next(f for f in _figures(rc) if f.layout.meta)
        assert [s.x0 for s in charts.layout.shapes] == [4]  # the change marked on the timeline
        step.click()
        assert "Month 5<" in _month_text(rc)[0]
        (reset,) = _by_class(rc, v.Btn, "sot-reset")
        reset.click()
        assert "Month 0<" in _month_text(rc)[0]
    finally:
        rc.close()


def test_the_page_uses_no_markdown_so_fetches_no_math_renderer():
    import ipyvue

    from simulation.dashboard import app

    _, rc = solara.render(app.Page(), handle_error=False)
    try:
        sources = [getattr(w.template, "template", w.template) or "" for w in rc.find(ipyvue.VueTemplate).widgets]
        assert sources and not [s for s in sources if "katex" in s.lower() or "getCdn" in s]  # solara.Markdown's
    finally:
        rc.close()


def test_playing_waits_for_the_browser_to_draw_each_frame_and_stops_within_a_batch():
    import threading

    from simulation.dashboard.session import FrameAck, Session

    session = Session()
    session.use((plots.build_model("default", 1),))
    assert session.wait_drawn(timeout=0.01) is False  # no browser: nothing to wait for
    ack = FrameAck()
    session.attach_ack(ack)
    session.step(2)
    session.render()
    assert ack.frame == 1
    assert session.wait_drawn(timeout=0.05) is False  # not drawn yet
    threading.Timer(0.05, lambda: setattr(ack, "drawn", 1)).start()  # the browser answers
    assert session.wait_drawn(timeout=5.0) is True
    asked = iter([True, True, False])
    session.step(6, keep_going=lambda: next(asked))  # Pause clicked during the batch: the batch stops
    assert session.models[0].steps == 2 + 3
    session.attach_ack(None)
    assert session.wait_drawn(timeout=0.01) is False
