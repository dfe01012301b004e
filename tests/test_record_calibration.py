"""Calibration to the published record (tiny mode): every target reported, posterior within priors, reproducible."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, ScenarioError, load_scenario, run
from simulation.cli import main
from simulation.experiments.record_calibration import (
    PLACE_SPREADS,
    SHIPPED_STATISTIC,
    TINY,
    RecordCalibration,
    best_point,
    calibrate_record,
    candidate_parameters,
    chosen_parameters,
    fit_targets,
    load_result,
    place_set,
    posterior_defaults,
    simulate_record,
    write_posterior_scenario,
)
from simulation.provenance import PROVENANCE
from simulation.record import load_record
from simulation.record_measures import runs_value

REC = load_record()
SMALL = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The command on the shipped record in tiny mode: its output folder and what it printed."""
    out = tmp_path_factory.mktemp("record") / "cal"
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["calibrate", "--tiny", "--out", str(out)]) == 0
    return out, printed.getvalue()


def test_the_report_lists_every_target_and_checks_every_fit_and_check_target(tiny):
    out, printed = tiny
    report = (out / "report.md").read_text(encoding="utf-8")
    assert printed.startswith("# Calibration to the published record")
    for key in REC.targets:
        assert f"`{key}`" in report, key
    predictive = pd.read_csv(out / "predictive.csv")
    checked = [t.key for t in REC.targets.values() if t.role in ("fit", "check")]
    assert predictive["target"].tolist() == checked
    assert predictive["draws"].eq(TINY["predictive"]).all()
    for r in predictive.itertuples():  # each verdict follows from the interval and the predictive quantiles
        assert r.inside == (r.predicted_q05 <= r.high and r.predicted_q95 >= r.low)
        assert (f"`{r.target}`" in report) and (isinstance(r.why, str) != r.inside)
    assert "## Posterior-predictive check" in report and "## Which parameters are fitted, and why" in report


def test_the_posterior_lies_within_the_priors_declared_in_the_provenance(tiny):
    out, _ = tiny
    posterior = pd.read_parquet(out / "posterior.parquet")
    summary = pd.read_csv(out / "posterior_summary.csv")
    screening = pd.read_csv(out / "screening.csv")
    fitted = summary["parameter"].tolist()
    assert list(posterior.columns) == [*fitted, "weight"]
    chosen = chosen_parameters(screening, TINY["fitted"])  # the ones that move the targets most, and the spreads
    assert set(fitted) == set(chosen) and sum(name not in PLACE_SPREADS for name in fitted) == TINY["fitted"]
    assert screening["largest"].is_monotonic_decreasing and screening["fitted"].sum() == len(chosen)
    for name in fitted:
        low, high = PROVENANCE[name].range
        assert posterior[name].between(low, high).all(), name
    assert np.isclose(posterior["weight"].sum(), 1)
    assert ((summary["q05"] >= summary["prior_low"]) & (summary["q95"] <= summary["prior_high"])).all()


def test_the_report_renders_again_from_the_results_folder(tiny, tmp_path):
    out, _ = tiny
    assert load_result(out).text == (out / "report.md").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a record calibration's results folder"):
        load_result(tmp_path)


def test_same_seed_same_result(tiny):
    out, _ = tiny
    again = calibrate_record(RecordCalibration(**TINY))
    pd.testing.assert_frame_equal(again.posterior, pd.read_parquet(out / "posterior.parquet"))
    pd.testing.assert_frame_equal(again.predictive.drop(columns="why"),
                                  pd.read_csv(out / "predictive.csv").drop(columns="why"), check_dtype=False)


def test_the_posterior_summary_is_written_as_a_scenario_without_changing_the_defaults(tiny, tmp_path):
    out, _ = tiny
    summary = pd.read_csv(out / "posterior_summary.csv")
    values = posterior_defaults(summary)
    assert values == {r.parameter: float(f"{getattr(r, SHIPPED_STATISTIC):.4g}") for r in summary.itertuples()}
    medians = {r.parameter: float(f"{r.median:.4g}") for r in summary.itertuples()}
    assert posterior_defaults(summary, "median") == medians
    for path in (out / "posterior_defaults.toml",
                 write_posterior_scenario(tmp_path / "post.toml", load_scenario("default"), summary)):
        fitted = load_scenario(path)
        assert fitted == load_scenario("default").replace(name=fitted.name, **values)
        assert tomllib.loads(path.read_text())["name"] == "posterior_summary"
    assert load_scenario("default") == Scenario(name="default", initial_trust=0.2)  # shipped defaults untouched
    with pytest.raises(ScenarioError, match="statistic: 'mode' is not one of best_fit, median, mean"):
        posterior_defaults(summary, "mode")


def test_the_shipped_point_is_the_particle_nearest_the_fit_targets_on_fresh_seeds(tiny):
    out, _ = tiny
    summary = pd.read_csv(out / "posterior_summary.csv")
    posterior = pd.read_parquet(out / "posterior.parquet")
    points = pd.read_csv(out / "point_fit.csv")
    particles = points[points["point"].str.startswith("particle ")]
    assert len(particles) == len(posterior) and (points["point"] == "marginal medians").sum() == 1
    assert points["distance"].is_monotonic_increasing
    best = particles.iloc[0]
    assert best["distance"] == particles["distance"].min()
    row = posterior.iloc[int(best["point"].split()[1])]  # a particle of the posterior, not a made-up point
    assert summary.set_index("parameter")[SHIPPED_STATISTIC].to_dict() == {n: row[n] for n in summary["parameter"]}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## One point for the defaults" in report and "marginal medians" in report


def test_best_point_scores_each_point_by_the_fits_distance_on_common_seeds():
    fit = fit_targets(REC, 2)
    posterior = pd.DataFrame({"gain_rate": [0.02, 0.05, 0.08], "weight": [0.2, 0.5, 0.3]})
    points = best_point(fit, posterior, ["gain_rate"], [SMALL, SMALL], [[1], [2]], also={"m": {"gain_rate": 0.05}})
    assert sorted(points["point"]) == ["m", "particle 0", "particle 1", "particle 2"]
    same = points.set_index("point")
    assert same.loc["m", "distance"] == same.loc["particle 1", "distance"]  # the same point on the same seeds
    assert np.isnan(same.loc["m", "weight"]) and same.loc["particle 1", "weight"] == 0.5
    again = simulate_record([f.target for f in fit], [{"gain_rate": 0.08}], [SMALL, SMALL], [[[1], [2]]])[0]
    assert [same.loc["particle 2", f.target.key] for f in fit] == again.tolist()


def test_record_runs_measure_what_single_runs_with_snapshots_measure():
    targets = [t for t in REC.targets.values() if t.role in ("fit", "check")]
    results = [run(SMALL, steps=157, seed=s, snapshot_steps=[15, 91]) for s in (1, 2, 3)]
    batched = simulate_record(targets, [{}], [SMALL], [[[1, 2, 3]]])[0]
    assert batched.tolist() == [runs_value(t, results) for t in targets]
    rejected = simulate_record(targets, [{"gain_rate": 0.6, "negativity_bias": 3.0}], [SMALL], [[[1]]])
    assert np.isnan(rejected).all()  # beta = alpha * lambda above 1: the scenario refuses it


def test_fit_targets_read_the_interval_as_a_90_percent_normal_plus_the_noise_of_a_share():
    fit = {f.target.key: f for f in fit_targets(REC, 42)}
    assert set(fit) == {t.key for t in REC.by_role("fit")}
    assert round(fit["pioneers_plans_to_implementation"].sd, 3) == 9.119
    f = fit["first_integrated_care_systems"]
    assert f.centre == pytest.approx((0.227 + 0.318) / 2)
    assert f.sd == pytest.approx(math.sqrt(((0.318 - 0.227) / 2 / 1.6448536) ** 2 + f.centre * (1 - f.centre) / 42))


def test_candidates_are_the_assumed_behavioural_parameters_with_their_declared_ranges():
    names = [p.name for p in candidate_parameters()]
    assert {"gain_rate", "contact_rate", "reciprocity", "baseline_trust"} <= set(names)
    assert not {"turnover_rate", "partnership_threshold", "competitive_pressure", "open_book"} & set(names)
    assert set(PLACE_SPREADS) <= set(names)  # how much places differ, which the shares of places observe
    assert all((p.low, p.high) == PROVENANCE[p.name].range for p in candidate_parameters())
    assert len(place_set(load_scenario("default"))) == 42
    codes = [c for c, _ in place_set(load_scenario("default"), 4)]
    assert len(set(codes)) == 4 and codes == sorted(codes)


def test_every_place_spread_is_fitted_beside_the_behavioural_parameters_that_move_the_targets_most():
    screening = pd.DataFrame({"parameter": ["contact_rate", "pressure_spread", "gain_rate", "history_spread",
                                            "suspicion", "demand_spread"],
                              "largest": [9.0, 4.0, 3.0, 1.0, 0.9, 0.2]})
    spreads = ["pressure_spread", "history_spread", "demand_spread"]
    assert chosen_parameters(screening, 2) == ["contact_rate", "gain_rate", *spreads]
    assert chosen_parameters(screening, 3) == ["contact_rate", "gain_rate", "suspicion", *spreads]


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"places": 43}, r"places = 43 is out of range: expected an integer in \[1, 42\]"),
     ({"population": 5}, r"population = 5 is out of range: expected an integer in \[10, 100000\]"),
     ({"parameters": ("open_book",)}, r"parameters: 'open_book' is not a behavioural parameter declared uncertain"),
     ({"min_epsilon": -1.0}, r"min_epsilon = -1.0 is out of range: expected a number >= 0")],
)
def test_bad_settings_name_the_setting(settings, message):
    with pytest.raises(ScenarioError, match=message):
        RecordCalibration(**settings)


def test_the_command_refuses_record_options_with_a_file_and_a_missing_record(tmp_path, capsys):
    assert main(["calibrate", "experiments/calibration_example.toml", "--tiny"]) == 2
    assert capsys.readouterr().err.strip() == "error: --tiny: only for the published record (give no file)"
    assert main(["calibrate", "--record", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "cannot read the record" in err[0]
    with pytest.raises(SystemExit):
        main(["calibrate", "--places", "0"])
