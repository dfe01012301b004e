"""Calibration by ABC-SMC: recovery of known parameters, reproducibility, the command and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import ScenarioError
from simulation.cli import main
from simulation.experiments.calibration import calibrate, calibration_from_dict, load_calibration, simulate_targets

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"organisations": {"nhs_trust": 4, "council": 3, "voluntary": 12}}
TRUTH = {"gain_rate": 0.06, "baseline_trust": 0.3}
MEASURES = [("mean_trust", 12, 0.01), ("mean_trust", 24, 0.01), ("mean_trust", 36, 0.01),
            ("partnership_share", 36, 0.03)]


def config(values=None, population=100, generations=4, seed=3, **extra):
    values = values if values is not None else [0.0] * len(MEASURES)
    data = {"base": {"set": SMALL}, "run": {"steps": 36, "seed": seed, "replicates": 3},
            "parameters": {"gain_rate": {"low": 0.03, "high": 0.09}, "baseline_trust": {"low": 0.15, "high": 0.45}},
            "targets": [{"measure": m, "month": mo, "value": float(v), "sd": sd}
                        for (m, mo, sd), v in zip(MEASURES, values)],
            "abc": {"population": population, "generations": generations, "predictive": 40}}
    data.update(extra)
    return calibration_from_dict(data)


@pytest.mark.slow
def test_known_parameters_are_recovered_inside_the_90_percent_interval(tmp_path):
    # synthetic data: the same measures from the known parameters, on seeds the fit never uses
    observed = simulate_targets(config(), [TRUTH], [[9001, 9002, 9003]])[0]
    result = calibrate(config(observed), tmp_path / "cal")
    summary = result.summary.set_index("parameter")
    for name, value in TRUTH.items():
        assert summary.loc[name, "q05"] <= value <= summary.loc[name, "q95"], (name, summary.loc[name])
    assert (summary["ci90_width_share_of_prior"] < 1).all()  # the data told us something
    assert result.predictive["inside"].all()
    assert np.isclose(result.posterior["weight"].sum(), 1)
    for name in ("posterior", "summary", "predictive", "history", "report", "manifest"):
        assert result.files[name].exists()
    assert pd.read_parquet(result.files["posterior"]).shape == result.posterior.shape
    assert "90% credible interval" in result.text and "Posterior-predictive check" in result.text


def test_same_seed_same_posterior_and_the_global_generator_is_left_alone():
    np.random.seed(123)  # noqa: NPY002 - the legacy global generator is what must be left alone
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    a = calibrate(config([0.38, 0.47, 0.48, 0.55], population=20, generations=2))
    after = np.random.get_state()[1]  # noqa: NPY002
    b = calibrate(config([0.38, 0.47, 0.48, 0.55], population=20, generations=2))
    assert (before == after).all()
    pd.testing.assert_frame_equal(a.posterior, b.posterior)
    c = calibrate(config([0.38, 0.47, 0.48, 0.55], population=20, generations=2, seed=4))
    assert not a.posterior.equals(c.posterior)


def test_partnerships_are_the_share_times_the_relationships():
    from simulation.batch import simulate_run

    cfg = config(targets=[{"measure": "partnerships", "month": 24, "value": 10.0, "sd": 2.0},
                          {"measure": "partnership_share", "month": 24, "value": 0.3, "sd": 0.1},
                          {"measure": "relationships", "month": 24, "value": 30.0, "sd": 5.0}])
    count, share, rels = simulate_targets(cfg, [TRUTH], [[5]])[0]
    assert count == share * rels and count > 0
    arr, cols = simulate_run(cfg.base.replace(**TRUTH), 5, 36)
    assert share == arr[24, cols.index("partnership_share")]


def test_targets_are_simulated_in_one_batch_and_rejected_sets_give_nan():
    cfg = config(parameters={"gain_rate": {"low": 0.03, "high": 0.4}, "negativity_bias": {"low": 1.0, "high": 2.0}})
    values = [{"gain_rate": 0.06, "negativity_bias": 2.0}, {"gain_rate": 0.6, "negativity_bias": 2.0}]
    out = simulate_targets(cfg, values, [[1, 2], [1, 2]])
    assert out.shape == (2, 4) and np.isfinite(out[0]).all() and np.isnan(out[1]).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"targets": [{"measure": "trust_level", "month": 3, "value": 0.4, "sd": 0.1}]},
         r"targets\[0\].measure = 'trust_level' is not known"),
        ({"targets": [{"measure": "mean_trust", "value": 0.4, "sd": 0.1}]}, r"targets\[0\].month is missing"),
        ({"targets": [{"measure": "mean_trust", "month": 99, "value": 0.4, "sd": 0.1}]},
         r"targets\[0\].month = 99 is out of range: expected a month in \[0, 36\]"),
        ({"targets": [{"measure": "mean_trust", "month": 3, "value": 0.4, "sd": 0}]},
         r"targets\[0\].sd = 0 is out of range: expected a number > 0"),
        ({"targets": [{"measure": "months_to_50", "month": 3, "value": 20, "sd": 2}]},
         r"targets\[0\].month: a milestone"),
        ({"parameters": {"gain_rate": [0.05, 0.06]}}, r"parameters.gain_rate: calibration needs a range"),
        ({"parameters": {"gain_rate": {"low": 0.03, "high": 2.0}}}, r"parameters.gain_rate.high: .* out of range"),
        ({"parameters": {"gain_rate": {"low": 0.3, "high": 0.6}}}, r"every parameter at its (low|high) end"),
        ({"abc": {"population": 5}}, r"abc.population = 5 is out of range: expected an integer in \[10, 100000\]"),
        ({"abc": {"speed": 5}}, r"unknown key abc.'speed'"),
    ],
)
def test_bad_calibration_files_name_the_key(change, message):
    with pytest.raises(ScenarioError, match=message):
        config(**change)


def test_shipped_example_loads():
    cfg = load_calibration(ROOT / "experiments" / "calibration_example.toml")
    assert len(cfg.targets) >= 4 and {"gain_rate", "baseline_trust"} <= set(cfg.names)
    assert any(t.month is None for t in cfg.targets)  # a milestone target


def test_cli_calibrate_end_to_end_and_bad_input(tmp_path, capsys):
    path = tmp_path / "cal.toml"
    path.write_text("""
[base]
set = { organisations = { nhs_trust = 3, council = 2, voluntary = 6 } }
[run]
steps = 12
seed = 1
replicates = 1
[[targets]]
measure = "mean_trust"
month = 12
value = 0.35
sd = 0.05
[parameters]
gain_rate = { low = 0.03, high = 0.09 }
[abc]
population = 10
generations = 1
predictive = 5
""")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "## Posterior" in capsys.readouterr().out
    assert (tmp_path / "out" / "posterior_summary.csv").exists()
    assert main(["calibrate", str(path), "--population", "3"]) == 2
    assert capsys.readouterr().err.strip() == "error: --population 3 is out of range: expected an integer >= 10"
    path.write_text(path.read_text().replace('measure = "mean_trust"', 'measure = "trust"'))
    assert main(["calibrate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cal.toml: targets[0].measure = 'trust' is not known")


def test_calibration_plots_prior_against_posterior_and_predictive_against_observed(tmp_path):
    from simulation.experiments.calibration_plots import plot_posterior, plot_predictive

    result = calibrate(config([0.38, 0.47, 0.48, 0.55], population=20, generations=1), tmp_path)
    draws = result.predictive_draws
    assert list(draws.columns) == [t.label for t in result.config.targets] and len(draws) == 40
    q = draws.quantile([0.05, 0.95]).to_numpy()
    assert np.allclose(q, result.predictive[["predicted_q05", "predicted_q95"]].to_numpy().T)
    for name in ("posterior_plot", "predictive_plot"):
        assert result.files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "posterior.png" in result.text and "predictive.png" in result.text
    fig = plot_posterior(result.summary, result.posterior)
    assert [ax.get_title() for ax in fig.axes] == ["gain_rate", "baseline_trust"]  # a panel per parameter
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "prior (uniform)" in labels and "posterior" in labels and "90% credible interval" in labels
    fig = plot_predictive(result.predictive, draws)
    assert len(fig.axes) == 4 and fig.axes[0].get_title().startswith("mean_trust at month 12 (observed ")
    assert "observed 0.38 ± 0.01" in fig.axes[0].texts[0].get_text()
