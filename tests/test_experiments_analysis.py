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


# -- reports that say which way -------------------------------------------------------------------
MORRIS_PARAMS = ("[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nopen_book = { low = 0.0, high = 1.0 }\n"
                 "shared_roles = { low = 0, high = 4 }\n")


@pytest.fixture(scope="module")
def morris(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("morris"), "morris", MORRIS_PARAMS, samples=4, replicates=2, steps=24)


def test_morris_report_shows_signed_mu_beside_mu_star_with_sign_consistency(morris):
    from simulation.experiments.analysis import INDEX_DEFINITIONS, elementary_effects
    from simulation.experiments.design import salib_problem

    result = analyse(morris)
    idx = result.sensitivity
    assert {"mu", "mu_star", "sigma", "same_sign", "mu_norm", "noise_share", "noise_share_means"} <= set(idx.columns)
    assert (idx["mu"].abs() <= idx["mu_star"] + 1e-12).all() and idx["same_sign"].between(0, 1).all()
    # the elementary effects behind same_sign are SALib's: their mean is its mu, their mean size its mu*
    exp = result.experiment
    design = pd.read_parquet(morris / "design.parquet").set_index("sample").sort_index()
    y = result.runs.groupby("sample")["final_mean_trust"].mean().reindex(design.index).to_numpy()
    effects = elementary_effects(design[[f"x:{n}" for n in exp.names]].to_numpy(dtype=float), y,
                                 np.array(salib_problem(exp)["bounds"], dtype=float))
    trust = idx[idx["outcome"] == "final_mean_trust"].set_index("parameter")
    for name, e in zip(exp.names, effects):
        assert len(e) == 4  # one per trajectory
        assert e.mean() == pytest.approx(trust.loc[name, "mu"]) and np.abs(e).mean() == pytest.approx(
            trust.loc[name, "mu_star"])
        assert trust.loc[name, "same_sign"] == pytest.approx(np.mean(np.sign(e) == np.sign(e.mean())))
    text = result.text
    assert "| parameter | mu* (95%) | mu | sigma | same sign | mu*/sd | direction |" in text
    for name, _ in INDEX_DEFINITIONS["morris"]:
        assert f"- **{name}**: " in text  # every index defined in one line
    assert "- **direction**: " in text
    row = next(line for line in text.splitlines() if line.startswith("| contact_rate |"))
    assert row.split("|")[3].strip()[0] in "+-"  # mu is printed with its sign
    assert "ranked by Morris mu*/sd (direction): contact_rate" in text
    assert "Noise: run-to-run variance at fixed parameters is" in text
    # each outcome's table is sorted by importance
    table = [line.split("|")[1].strip() for line in text.split("### final mean trust")[1].splitlines()
             if line.startswith("| ") and "parameter" not in line][:3]
    assert table == trust.sort_values("mu_star_norm", ascending=False).index.tolist()


def test_morris_plot_is_a_readable_bar_chart_sorted_by_importance(morris):
    result = analyse(morris)
    fig = __import__("simulation.experiments.analysis", fromlist=["plot_morris"]).plot_morris(result.sensitivity)
    axes = fig.axes
    assert len(axes) == 3  # one panel per outcome, none empty
    width, height = fig.get_size_inches()
    assert width / height < 2.5  # two panels a row, not a strip
    trust = axes[2]
    assert trust.get_title() == "final mean trust"
    labels = [t.get_text() for t in trust.get_yticklabels()]
    order = result.sensitivity.query("outcome == 'final_mean_trust'").sort_values("mu_star", ascending=False)
    assert labels == order["parameter"].tolist()  # one lever a row, the most important on top


def test_sobol_report_states_noise_and_inflated_totals(tmp_path):
    params = "[parameters]\ncontact_rate = { low = 0.1, high = 3.0 }\nopen_book = { low = 0.0, high = 1.0 }\n"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = analyse(sweep(tmp_path / "one", "sobol", params, samples=8, replicates=1, steps=24), plots=False)
    assert "Noise: not estimated (1 replicate per sample)" in one.text
    assert "- **ST**: " in one.text and "- **S1**: " in one.text and "- **rho**: " in one.text
    assert "Sum of ST" in one.text and np.isfinite(one.sensitivity["rho"]).all()
    two = analyse(sweep(tmp_path / "two", "sobol", params, samples=8, replicates=2, steps=24), plots=False)
    share = two.sensitivity["noise_share"]
    assert share.between(0, 1).all() and "Noise: run-to-run variance at fixed parameters is" in two.text
    inflated = two.sensitivity.assign(ST=[1.4, 0.2] * 3, S1=[0.9, 0.3] * 3)
    from simulation.experiments.analysis import _sobol_notes

    notes = " ".join(_sobol_notes(inflated[inflated["outcome"] == "final_mean_trust"]))
    assert "**These indices are inflated by noise**: ST above 1 for contact_rate (1.40)" in notes
    assert "the S1 summing to 1.20" in notes
    # a floor shared by every ST, with small S1: the signature of noise (SALib on pure noise gives each ST near 1)
    floor = two.sensitivity.assign(ST=[0.5, 0.6] * 3, S1=[0.05, -0.02] * 3, noise_share_means=np.nan)
    notes = " ".join(_sobol_notes(floor[floor["outcome"] == "final_mean_trust"]))
    assert "Every parameter has an ST of at least 0.50, while the S1 sum to 0.03" in notes
    assert "most likely noise, not interactions. Measure it with 2 or more replicates per sample." in notes
    assert "A negative S1 is estimation noise" in notes


def test_spearman_report_is_signed(grid):
    text = analyse(grid, plots=False).text
    assert "| parameter | rho | p | direction |" in text
    row = next(line for line in text.split("### final mean trust")[1].splitlines() if "| contact_rate |" in line)
    assert "| +0." in row and row.rstrip(" |").endswith("raises")


# -- analyse against the plan -------------------------------------------------------------------------
def _drop_chunks(folder: Path, keep: int) -> int:
    """Delete all but ``keep`` chunks of a sweep folder; return the runs left."""
    chunks = sorted((folder / "runs").glob("chunk-*.parquet"))
    for f in chunks[keep:]:
        f.unlink()
        (folder / "timeseries" / f.name).unlink(missing_ok=True)
    return sum(len(pd.read_parquet(f)) for f in chunks[:keep])


def _keep_runs(folder: Path, run_ids: list[int]) -> None:
    """Delete every chunk of a sweep folder, then store the runs ``run_ids`` again as one chunk."""
    from simulation.experiments.store import ResultStore

    store = ResultStore(folder)
    runs = store.read("runs")
    for table in ("runs", "timeseries"):
        for f in (folder / table).glob("chunk-*.parquet"):
            f.unlink()
    store.write_chunk({"runs": runs[runs["run_id"].isin(run_ids)]})


def test_an_incomplete_sweep_is_refused_unless_partial(tmp_path):
    import shutil

    from simulation.experiments.coverage import IncompleteSweep

    path = tmp_path / "grid.toml"
    path.write_text(HEAD.format(method="grid", samples=1, replicates=3, steps=12)
                    + "[parameters]\ncontact_rate = [0.1, 1.0, 3.0]\nopen_book = [0.0, 1.0]\n")
    out = tmp_path / "grid"
    run_sweep(load_experiment(path), out, workers=0, progress=False)
    full = tmp_path / "full"
    shutil.copytree(out, full)
    _keep_runs(out, list(range(10)))  # cells 0-2 whole, cell 3 with 1 of its 3 replicates, cells 4-5 none
    with pytest.raises(IncompleteSweep, match=r"incomplete sweep: 10 of 18 planned runs recorded \(10 finished, "
                                              r"0 failed\); 3 of 6 cells below their 3 replicates") as err:
        analyse(out)
    assert "sample 3 (contact_rate=1, open_book=1): 1 of 3" in str(err.value) and "--partial" in str(err.value)
    assert "\n" not in str(err.value)
    result = analyse(out, partial=True)
    assert "Runs: 10 of 18 planned runs recorded" in result.text and "**Partial analysis (--partial)**" in result.text
    assert "sample 4 (contact_rate=3, open_book=0): 0 of 3" in result.text
    s = result.summary
    assert list(s["planned"]) == [3] * len(s) and s["runs"].tolist() == [3, 3, 3, 1]
    assert "Runs: 18 of 18 planned runs recorded (18 finished, 0 failed)." in analyse(full, plots=False).text


def test_analyse_command_exits_2_in_one_line_on_an_incomplete_sweep(tmp_path, capsys):
    from simulation.cli import main

    path = tmp_path / "morris.toml"
    path.write_text(HEAD.format(method="morris", samples=4, replicates=1, steps=12) + MORRIS_PARAMS)
    out = tmp_path / "m"
    run_sweep(load_experiment(path), out, workers=0, progress=False, chunk_size=5)
    left = _drop_chunks(out, 1)
    assert 0 < left < 16
    capsys.readouterr()
    assert main(["analyse", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: incomplete sweep: {left} of 16 planned runs recorded")
    assert err.count("\n") == 1
    assert main(["analyse", str(out), "--partial"]) == 0
    report = capsys.readouterr().out
    assert f"Runs: {left} of 16 planned runs recorded" in report
    # Morris needs every design sample: the report says why there is no ranking, and no empty plot is drawn
    assert (f"ranked by Morris mu*/sd: n/a (morris indices need a finished run at every design sample: {left} of 16"
            in report)
    assert not (out / "analysis" / "sensitivity.png").exists() and not (out / "analysis" / "morris.png").exists()


def test_outcome_plots_put_the_most_important_parameter_first(grid):
    from simulation.experiments.analysis import _by_importance

    idx = sensitivity(grid)
    order = _by_importance(idx, ["open_book", "contact_rate"])
    assert order == ["contact_rate", "open_book"]  # contact moves every outcome more than open books here
    assert _by_importance(idx.iloc[:0], ["b", "a"]) == ["b", "a"]
    from simulation.experiments.analysis import plot_outcome_vs_parameter

    fig = plot_outcome_vs_parameter(load_runs(grid), order, ["final_mean_trust", "time_to_50"])
    assert len(fig.axes) == 4  # a row per parameter, a column per outcome
    assert [ax.get_xlabel() for ax in fig.axes[::2]] == order
    assert [ax.get_title() for ax in fig.axes[:2]] == ["final mean trust", "months to 50% integration"]


def test_a_sweep_whose_every_run_failed_is_refused_in_one_line(tmp_path):
    out = sweep(tmp_path, "grid", "[parameters]\ngain_rate = [0.5]\nnegativity_bias = [2.5]\n", replicates=2, steps=6)
    with pytest.raises(ScenarioError, match=r"none of the 2 recorded runs finished, nothing to analyse \(most common "
                                            r"error, 2 runs: ScenarioError: dynamics.negativity_bias = 2.5"):
        analyse(out)
