"""Analysis of small sweeps: intervals, censoring, sensitivity indices, plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import ScenarioError
from simulation.experiments import load_experiment, run_sweep
from simulation.experiments.analysis import analyse, heatmap_table, load_runs, marginal_table, sensitivity

HEAD = """
[base]
set = {{ organisations = {{ nhs_trust = 4, council = 3, voluntary = 12 }} }}
[design]
method = "{method}"
samples = {samples}
replicates = {replicates}
[run]
steps = {steps}
seed = 5
outcomes = ["time_to_50", "final_integration", "final_mean_trust"]
"""


def sweep(tmp: Path, method: str, params: str, samples=8, replicates=2, steps=30) -> Path:
    path = tmp / f"{method}.toml"
    path.write_text(HEAD.format(method=method, samples=samples, replicates=replicates, steps=steps) + params)
    out = tmp / method
    run_sweep(load_experiment(path), out, workers=0, progress=False)
    return out


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grid")
    params = "[parameters]\ncontact_rate = [0.1, 1.0, 3.0]\nopen_book = [0.0, 1.0]\n"
    return sweep(tmp, "grid", params, replicates=3)


def test_censored_time_to_50_is_counted_at_the_run_length(grid):
    runs = load_runs(grid)
    assert len(runs) == 18
    censored = runs["months_to_50"].isna()
    assert (runs.loc[censored, "time_to_50"] == 30).all()
    assert (runs.loc[~censored, "time_to_50"] == runs.loc[~censored, "months_to_50"]).all()
    assert (runs["censored_50"] == censored).all()
    assert censored.any() and not censored.all()  # the grid spans slow and fast places


def test_analyse_writes_tables_with_intervals_and_plots(grid):
    result = analyse(grid)
    s = result.summary
    assert len(s) == 6 and (s["runs"] == 3).all()
    for o in ("time_to_50", "final_integration", "final_mean_trust"):
        ok = s[f"{o}_high"] > s[f"{o}_low"]
        assert (ok | (s[f"{o}_high"] == s[f"{o}_low"])).all()
        assert ((s[f"{o}_low"] <= s[f"{o}_mean"]) & (s[f"{o}_mean"] <= s[f"{o}_high"])).all()
    assert s["censored_50"].between(0, 1).all()
    for name in ("summary", "sensitivity", "marginal", "report", "outcome_vs_parameter", "heatmap", "sensitivity"):
        assert result.files[name].exists() and result.files[name].stat().st_size > 0
    assert result.files["heatmap"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "never reached 50%" in result.text and "censored runs counted at 30" in result.text
    idx = result.sensitivity
    assert set(idx["method"]) == {"spearman"}
    rho = idx.set_index(["outcome", "parameter"])["rho"]
    assert rho["final_mean_trust", "contact_rate"] > 0.5  # more contact, more trust


def test_marginal_and_heatmap_tables(grid):
    runs = load_runs(grid)
    m = marginal_table(runs, "contact_rate", ["final_mean_trust"])
    assert list(m["contact_rate"]) == [0.1, 1.0, 3.0] and (m["runs"] == 6).all()
    h = heatmap_table(runs, "contact_rate", "open_book")
    assert h.shape == (2, 3) and np.isfinite(h.to_numpy()).all()


def test_sobol_indices(tmp_path):
    params = "[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nopen_book = { low = 0.0, high = 1.0 }\n"
    out = sweep(tmp_path, "sobol", params, samples=16, replicates=1, steps=24)
    idx = sensitivity(out)
    assert set(idx["method"]) == {"sobol"} and len(idx) == 2 * 3
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns)
    trust = idx[idx["outcome"] == "final_mean_trust"].set_index("parameter")
    assert np.isfinite(trust["ST"]).all()
    assert trust.loc["contact_rate", "ST"] > trust.loc["open_book", "ST"]
    assert (analyse(out, plots=False).sensitivity["index"] == idx["index"]).all()  # seeded bootstrap


def test_morris_indices_with_a_switch_and_an_integer(tmp_path):
    params = ("[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nsystem_board = [false, true]\n"
              "shared_roles = { low = 0, high = 4 }\n")
    out = sweep(tmp_path, "morris", params, samples=4, replicates=1, steps=24)
    idx = sensitivity(out)
    assert set(idx["method"]) == {"morris"} and {"mu_star", "sigma", "mu_star_conf"} <= set(idx.columns)
    trust = idx[idx["outcome"] == "final_mean_trust"].set_index("parameter")
    assert trust["mu_star"].idxmax() == "contact_rate"
    result = analyse(out)
    assert result.files["sensitivity"].exists()


def test_failed_runs_are_excluded_and_reported(tmp_path):
    params = "[parameters]\ngain_rate = [0.08, 0.5]\nnegativity_bias = [2.5]\n"
    out = sweep(tmp_path, "grid", params, replicates=2, steps=12)
    result = analyse(out, plots=False)
    assert result.failed == 2 and len(result.runs) == 2
    assert "2 run(s) failed" in result.text and "negativity_bias" in result.text


def test_analyse_refuses_what_it_cannot_read(tmp_path, grid):
    with pytest.raises(ScenarioError, match="not a sweep folder"):
        analyse(tmp_path)
    with pytest.raises(ScenarioError, match="--outcome 'speed'"):
        analyse(grid, outcomes=["speed"])
    with pytest.raises(ScenarioError, match="--heatmap"):
        analyse(grid, heatmap=("contact_rate", "gain_rate"))


def test_morris_has_no_confounded_marginals_and_says_why(tmp_path):
    params = ("[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nopen_book = { low = 0.0, high = 1.0 }\n"
              "shared_roles = { low = 0, high = 4 }\n")
    out = sweep(tmp_path, "morris", params, samples=4, replicates=1, steps=24)
    result = analyse(out)
    assert "marginal" not in result.files and "outcome_vs_parameter" not in result.files
    assert "heatmap" not in result.files and result.files["morris"].exists()
    assert not (out / "analysis" / "marginal.csv").exists()
    assert "No marginal plots or tables for a morris design" in result.text and "not balanced" in result.text
    with pytest.raises(ScenarioError, match="--heatmap: a morris design has no heat map"):
        analyse(out, heatmap=("contact_rate", "open_book"))


def test_sobol_convergence_check_and_base_sample_marginals(tmp_path):
    from simulation.experiments.analysis import base_samples

    params = "[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nopen_book = { low = 0.0, high = 1.0 }\n"
    out = sweep(tmp_path, "sobol", params, samples=16, replicates=1, steps=24)
    result = analyse(out)
    idx = result.sensitivity
    assert {"S1_half", "ST_half", "converged"} <= set(idx.columns)
    assert np.isfinite(idx["ST_half"]).all() and idx["converged"].dtype == bool
    moved = (idx["ST"] - idx["ST_half"]).abs() > idx["ST_conf"]
    assert (~idx.loc[moved, "converged"]).all()  # a moved index is flagged
    assert "Convergence" in result.text and "base samples" in result.text
    runs = load_runs(out)
    base = base_samples(result.experiment, runs)
    assert len(base) == 2 * 16  # A and B: two rows of each block of d + 2 = 4
    marginal = pd.read_csv(result.files["marginal"])
    assert marginal.groupby("parameter")["runs"].sum().eq(32).all()
