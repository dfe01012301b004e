"""The shipped defaults that are a posterior summary: the file, its checks, adopting a calibration's best point."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulation import Scenario, ScenarioError
from simulation.calibrated import CALIBRATED_DEFAULTS_PATH, calibrated_defaults_toml, load_calibrated_defaults
from simulation.cli import main
from simulation.experiments.record_calibration import adopt, candidate_parameters
from simulation.provenance import PROVENANCE
from simulation.scenario import CALIBRATED, PARAMETERS, check_calibrated

SHIPPED = load_calibrated_defaults()


def test_the_shipped_defaults_of_the_calibrated_parameters_are_the_files_best_fitting_particle():
    defaults = {p.name: p.default for p in PARAMETERS}
    assert SHIPPED.values and SHIPPED == CALIBRATED and SHIPPED.statistic == "best_fit"
    fitted = {p.name for p in candidate_parameters()}
    for name, value in SHIPPED.values.items():
        assert defaults[name] == value == getattr(Scenario(), name), name
        assert name in fitted, name  # only what the calibration to the record fits
        assert (SHIPPED.prior[name] == tuple(float(x) for x in PROVENANCE[name].range)), name
        low, high = SHIPPED.prior[name]
        assert low <= SHIPPED.q05[name] <= SHIPPED.q95[name] <= high and low <= value <= high, name
    assert "posterior summary" in CALIBRATED_DEFAULTS_PATH.read_text(encoding="utf-8")  # the file says so


def test_the_file_round_trips():
    text = calibrated_defaults_toml(SHIPPED.values, SHIPPED.q05, SHIPPED.q95, SHIPPED.prior, SHIPPED.source)
    assert text == CALIBRATED_DEFAULTS_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(("body", "message"), [
    ("[source]\n", "expected a \\[source\\] table and at least one \\[parameters.<name>\\] table"),
    ("[source]\n[parameters.gain_rate]\nvalue = 0.06\n", "parameters.gain_rate: expected numbers value, q05, q95"),
    ("[source]\n[parameters.gain_rate]\nvalue = 0.09\nq05 = 0.05\nq95 = 0.07\nprior = [0.04, 0.08]\n",
     r"parameters.gain_rate: expected .* the value inside the prior, got q05 0.05, q95 0.07, value 0.09, prior"),
    ("[source]\n[parameters.gain_rate]\nvalue = 0.06\nq05 = 0.07\nq95 = 0.05\nprior = [0.04, 0.08]\n",
     r"parameters.gain_rate: expected prior low <= q05 <= q95 <= prior high"),
    ("[source\n", "cannot be read"),
])
def test_a_bad_file_gets_one_clear_error(tmp_path, body, message):
    path = tmp_path / "calibrated.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_calibrated_defaults(path)


def test_only_parameters_declared_calibratable_may_be_calibrated_and_only_in_range():
    with pytest.raises(ScenarioError, match="'turnover_rate' is not a parameter whose default may be calibrated"):
        check_calibrated({"turnover_rate": 0.02})
    with pytest.raises(ScenarioError, match=r"dynamics.gain_rate = 2.0 is out of range: expected a number in \[0, 1\]"):
        check_calibrated({"gain_rate": 2.0})


def _result_folder(folder, rows):
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "posterior_summary.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"created": "2026-12-06", "version": "0.1.0", "seed": 7,
                                                      "config": {"base": "default", "population": 10},
                                                      "places": ["a", "b"], "runs": 40}))
    return folder


def test_adopting_writes_each_fitted_parameters_best_point_interval_and_prior(tmp_path):
    folder = _result_folder(tmp_path / "cal", [
        {"parameter": "gain_rate", "prior_low": 0.04, "prior_high": 0.08, "q05": 0.05, "median": 0.0612345,
         "q95": 0.075, "best_fit": 0.0701234},
        {"parameter": "history_spread", "prior_low": 0.0, "prior_high": 1.0, "q05": 0.1, "median": 0.55, "q95": 0.9,
         "best_fit": 0.95}])  # a joint point may lie outside a marginal interval: the interval stays as measured
    adopted = load_calibrated_defaults(adopt(folder, tmp_path / "defaults.toml"))
    assert adopted.values == {"gain_rate": 0.07012, "history_spread": 0.95}
    assert adopted.statistic == "best_fit"
    assert adopted.q05 == {"gain_rate": 0.05, "history_spread": 0.1} and adopted.q95["history_spread"] == 0.9
    assert adopted.prior["gain_rate"] == (0.04, 0.08)
    assert adopted.source["seed"] == 7 and adopted.source["places"] == 2
    assert adopted.interval_share("history_spread") == pytest.approx(0.8)


def test_adopting_refuses_a_folder_that_is_no_calibration_or_fits_what_may_not_be_calibrated(tmp_path):
    with pytest.raises(ScenarioError, match="not the results folder of a calibration to the record"):
        adopt(tmp_path, tmp_path / "defaults.toml")
    folder = _result_folder(tmp_path / "cal", [{"parameter": "turnover_rate", "prior_low": 0.01, "prior_high": 0.03,
                                                 "q05": 0.015, "median": 0.02, "q95": 0.025, "best_fit": 0.02}])
    with pytest.raises(ScenarioError, match="'turnover_rate' is not a parameter whose default may be calibrated"):
        adopt(folder, tmp_path / "defaults.toml")
    older = _result_folder(tmp_path / "older", [{"parameter": "gain_rate", "prior_low": 0.04, "prior_high": 0.08,
                                                 "q05": 0.05, "median": 0.06, "q95": 0.075}])
    with pytest.raises(ScenarioError, match="the posterior summary has no 'best_fit' column"):
        adopt(older, tmp_path / "defaults.toml")
    assert not (tmp_path / "defaults.toml").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["calibrate", "--tiny", "--adopt"], "--adopt: not with --tiny"),
    (["calibrate", "experiments/calibration_example.toml", "--adopt"], "--adopt: only for the published record"),
])
def test_the_command_refuses_to_adopt_a_smoke_run_or_a_calibration_file(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
