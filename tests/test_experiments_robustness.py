"""Robustness designs (XLRM): validation, common random numbers, claims, regret and PRIM boxes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import ScenarioError
from simulation.cli import main
from simulation.experiments import experiment_from_dict, load_experiment, run_plan, run_sweep
from simulation.experiments.analysis import analyse
from simulation.experiments.discovery import prim_box
from simulation.experiments.robust import verdict, wilson

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"organisations": {"nhs_trust": 4, "council": 3, "voluntary": 12}}


def spec(**over) -> dict:
    data = {
        "base": {"set": SMALL},
        "design": {"method": "robustness", "samples": 6, "replicates": 3},
        "run": {"steps": 36, "seed": 11, "outcomes": ["time_to_50", "final_integration"]},
        "uncertainties": {"baseline_trust": {"low": 0.2, "high": 0.4}, "turnover_rate": [0.01, 0.03, 0.06]},
        "levers": {"none": {}, "books": {"kind": "relational", "set": {"open_book": 1.0}},
                   "board": {"kind": "structural", "set": {"system_board": True}}},
    }
    data.update(over)
    return data


def test_default_claims_and_names():
    exp = experiment_from_dict(spec())
    assert exp.design == "robustness" and exp.baseline == "none"
    assert exp.uncertainty_names == ["baseline_trust", "turnover_rate"]
    assert exp.lever_names == ["open_book", "system_board"]
    assert [c.text for c in exp.claims] == [
        "books beats none on time_to_50", "board beats none on time_to_50",
        "relational beats structural on time_to_50", "structural beats relational on time_to_50"]


def test_every_lever_setting_of_a_draw_has_the_same_seeds():
    exp = experiment_from_dict(spec())
    plan = run_plan(exp)
    assert len(plan) == 6 * 3 * 3 and plan["run_id"].is_unique
    seeds = plan.pivot_table(index=["draw", "replicate"], columns="policy", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # common random numbers
    assert seeds["none"].is_unique  # but every draw and replicate its own
    # the draws are shared too: each uncertainty takes the same value for every setting of a draw
    assert (plan.groupby("draw")[["baseline_trust", "turnover_rate"]].nunique() == 1).all().all()
    assert set(plan["turnover_rate"]) <= {0.01, 0.03, 0.06}
    assert plan.loc[plan["policy"] == "books", "open_book"].eq(1.0).all()
    assert plan.loc[plan["policy"] == "none", "open_book"].eq(0.0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parameters": {"contact_rate": [1.0]}}, r"\[parameters\]: a robustness design takes"),
        ({"uncertainties": {}}, r"\[uncertainties\] is missing or empty"),
        ({"levers": {"none": {}}}, r"\[levers\] needs at least two settings"),
        ({"levers": {"none": {}, "x": {"set": {"open_bok": 0.5}}}}, r"levers.x.set.open_bok: unknown parameter"),
        ({"levers": {"none": {}, "x": {"set": {"open_book": 2}}}}, r"levers.x.set.open_book: .* out of range"),
        ({"levers": {"none": {}, "x": {"set": {"baseline_trust": 0.5}}}}, r"also an uncertainty"),
        ({"levers": {"none": {}, "x": {"sett": {}}}}, r"unknown key levers.x.'sett' \(did you mean 'set'\?\)"),
        ({"claims": [{"better": "books", "than": "nobody"}]}, r"claims\[0\].than = 'nobody'"),
        ({"claims": [{"better": "books", "than": "none", "margin": -1}]}, r"claims\[0\].margin = -1 is out of range"),
        ({"analysis": {"baseline": "nobody"}}, r"analysis.baseline = 'nobody'"),
        ({"analysis": {"stall_threshold": 0}}, r"analysis.stall_threshold = 0 is out of range"),
    ],
)
def test_bad_robustness_files_name_the_key(change, message):
    with pytest.raises(ScenarioError, match=message):
        experiment_from_dict(spec(**change))


def test_levers_need_a_robustness_design():
    data = {"parameters": {"contact_rate": [1.0, 2.0]}, "levers": {"none": {}, "b": {}}}
    with pytest.raises(ScenarioError, match=r"\[levers\] needs design.method = 'robustness'"):
        experiment_from_dict(data)


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("robust")
    text = """
name = "rob"
[base]
set = { organisations = { nhs_trust = 4, council = 3, voluntary = 12 } }
[design]
method = "robustness"
samples = 8
replicates = 3
[run]
steps = 48
seed = 11
outcomes = ["time_to_50", "final_integration"]
timeseries = false
[uncertainties]
baseline_trust = { low = 0.2, high = 0.4 }
contact_rate = { low = 0.3, high = 1.5 }
[levers.none]
[levers.books]
kind = "relational"
set = { open_book = 1.0 }
[levers.board]
kind = "structural"
set = { system_board = true }
"""
    path = tmp / "rob.toml"
    path.write_text(text)
    run_sweep(load_experiment(path), tmp / "out", workers=0, progress=False)
    return tmp / "out"


def test_claims_regret_and_prim_are_written(swept):
    result = analyse(swept)
    for name in ("claims", "claims_by_draw", "regret", "regret_by_draw", "policies", "prim", "report",
                 "claims_plot", "regret_plot", "prim_plot"):
        assert result.files[name].exists() and result.files[name].stat().st_size > 0, name
    claims = result.tables["claims"].set_index("claim")
    assert claims["share"].between(0, 1).all() and (claims["share_low"] <= claims["share"]).all()
    assert (claims["share"] <= claims["share_high"] + 1e-12).all()
    assert (claims[["clear_holds", "clear_fails", "unclear"]].sum(axis=1).round(9) == 1).all()
    # full open books make trust grow faster in this place: the claim holds in most of the space
    assert claims.loc["books beats none on time_to_50", "share"] >= 0.75
    # two opposite claims between kinds cannot both hold in one draw
    both = claims.loc["relational beats structural on time_to_50", "holds"] + \
        claims.loc["structural beats relational on time_to_50", "holds"]
    assert both <= 8
    regret = result.tables["regret"]
    head = regret[regret["outcome"] == "time_to_50"]
    assert (head["regret_mean"] >= 0).all() and (head["regret_max"] >= head["regret_p90"]).all()
    by_draw = result.tables["regret_by_draw"]
    assert np.allclose(by_draw.min(axis=1), 0)  # the best setting of every draw has no regret
    assert "Claims" in result.text and "Regret on time_to_50" in result.text and "PRIM" in result.text


def test_claims_are_the_same_when_analysed_again(swept, tmp_path):
    a = analyse(swept, tmp_path / "a", plots=False).tables["claims"]
    b = analyse(swept, tmp_path / "b", plots=False).tables["claims"]
    pd.testing.assert_frame_equal(a, b)


def test_heatmap_is_refused_for_a_robustness_design(swept):
    with pytest.raises(ScenarioError, match="--heatmap: a robustness design has no heat map"):
        analyse(swept, heatmap=("baseline_trust", "contact_rate"))


def test_shipped_example_is_small_enough():
    exp = load_experiment(ROOT / "experiments" / "robustness_xlrm.toml")
    assert exp.design == "robustness" and len(exp.levers) >= 4
    assert exp.samples * exp.replicates * len(exp.levers) <= 5000  # about half a minute on one core
    kinds = {lv.kind for lv in exp.levers}
    assert {"relational", "structural"} <= kinds


def test_cli_bad_robustness_file_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[design]\nmethod = "robustness"\n[uncertainties]\nbaseline_trust = [0.2]\n'
                    '[levers.none]\n[levers.x]\nset = { open_book = 5 }\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "0", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: bad.toml: levers.x.set.open_book")


def test_prim_finds_a_planted_box_with_a_category():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.uniform(size=600), "b": rng.uniform(size=600),
                      "policy": pd.Categorical(rng.choice(["p", "q"], size=600))})
    y = ((x["a"] > 0.7) & (x["policy"] == "q")).to_numpy()
    box = prim_box(x, y, question="planted")
    assert box.density > 0.8 and box.coverage >= 0.5
    assert box.limits.loc["a", "low"] > 0.6 and "q" in box.limits.loc["policy", "values"]
    assert "b" not in box.limits.index  # noise is not a restriction
    nothing = prim_box(x, np.zeros(600, dtype=bool))
    assert nothing.note == "no case of interest" and not len(nothing.limits)


def test_wilson_and_verdict():
    lo, hi = wilson(40, 50)
    assert 0.66 < lo < 0.8 < hi < 0.9
    assert verdict(0.8, lo, hi) == "holds in most of the uncertainty space"
    assert verdict(0.2, 0.1, 0.34) == "fails in most of the uncertainty space"


def test_the_same_runs_on_any_number_of_workers(swept, tmp_path):
    exp = load_experiment(swept / "experiment.toml")
    run_sweep(exp, tmp_path / "two", workers=2, progress=False)
    cols = ["run_id", "seed", "final_integration", "months_to_50", "final_mean_trust"]
    a = pd.read_parquet(swept / "runs")[cols].sort_values("run_id").reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "two" / "runs")[cols].sort_values("run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_heavy_libraries_are_imported_lazily_and_leave_global_state_alone():
    import subprocess
    import sys

    code = """
import logging, multiprocessing, sys, warnings
import simulation.experiments.analysis, simulation.experiments.robust_report, simulation.experiments.calibration
assert "ema_workbench" not in sys.modules and "pyabc" not in sys.modules, "imported eagerly"
filters, handlers = list(warnings.filters), list(logging.getLogger().handlers)
method = multiprocessing.get_start_method(allow_none=True)  # (mesa's import sets it already)
import numpy as np, pandas as pd
from simulation.experiments.discovery import prim_box
rng = np.random.default_rng(0)
x = pd.DataFrame({"a": rng.uniform(size=100)})
prim_box(x, (x["a"] > 0.5).to_numpy())
assert "ema_workbench" in sys.modules
assert warnings.filters == filters, "warning filters changed"
assert logging.getLogger().handlers == handlers, "root logging changed"
assert multiprocessing.get_start_method(allow_none=True) == method, "start method changed"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_prim_plot_draws_only_questions_with_a_box(swept, tmp_path, monkeypatch):
    import struct

    from simulation.experiments import robust_report
    from simulation.experiments.discovery import PrimBox

    result = analyse(swept, tmp_path / "a")
    prim = result.tables["prim"]
    boxed = prim.loc[prim["input"].ne(""), "question"].nunique()
    assert boxed > 0 and f"prim.png draws the {boxed} question(s) with a box." in result.text
    _width, height = struct.unpack(">II", result.files["prim_plot"].read_bytes()[16:24])
    assert height == round(3.2 * boxed * 110)  # a row per question with a box, none for the others
    empty = PrimBox("nothing stands out", pd.DataFrame(columns=["low", "high", "values", "qp"]), np.nan, np.nan,
                    np.nan, 0.0, 8, 0, note="no case of interest")
    monkeypatch.setattr(robust_report, "discover", lambda *args: [empty])
    none = analyse(swept, tmp_path / "a")  # the same folder: the earlier prim.png must go
    assert "prim_plot" not in none.files and not (tmp_path / "a" / "prim.png").exists()
    assert "PRIM found no box for any question, so there is no prim.png." in none.text
