"""Experiment files and designs: validation, design sizes, per-run seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation import ScenarioError
from simulation.experiments import build_design, experiment_from_dict, load_experiment, run_plan, run_seed
from simulation.experiments.design import raw_design

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
TINY = {"organisations": {"nhs_trust": 4, "council": 3, "voluntary": 12}}


def exp_of(**sections):
    data = {"base": {"set": TINY}, "run": {"steps": 6}}
    data.update(sections)
    return experiment_from_dict(data)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- seeds -----------------------------------------------------------------------
def test_run_seed_is_a_pure_function_of_master_seed_and_identity():
    assert run_seed(7, 3, 1) == run_seed(7, 3, 1)
    seeds = {run_seed(7, s, r) for s in range(50) for r in range(4)}
    assert len(seeds) == 200
    assert run_seed(8, 3, 1) != run_seed(7, 3, 1)
    assert all(0 <= s < 2**63 for s in seeds)


def test_plan_seeds_do_not_depend_on_the_rest_of_the_design():
    small = run_plan(exp_of(parameters={"contact_rate": [0.5, 1.0]}, design={"replicates": 2}))
    big = run_plan(exp_of(parameters={"contact_rate": [0.5, 1.0, 2.0]}, design={"replicates": 3}))
    # the run (sample 1, replicate 1) has the same seed in both sweeps
    s = small.set_index(["sample", "replicate"])["seed"]
    b = big.set_index(["sample", "replicate"])["seed"]
    assert s[(1, 1)] == b[(1, 1)]
    assert small["seed"].is_unique and big["seed"].is_unique
    assert list(big["run_id"]) == list(range(9))


# -- designs -----------------------------------------------------------------------
def test_grid_is_the_full_product_with_typed_values():
    exp = exp_of(parameters={"contact_rate": {"low": 0.5, "high": 2.0, "num": 4}, "system_board": [False, True],
                             "shared_roles": [0, 2]})
    d = build_design(exp)
    assert d.shape == (16, 3)
    assert sorted(d["contact_rate"].unique()) == [0.5, 1.0, 1.5, 2.0]
    assert d["system_board"].dtype == bool and d["shared_roles"].dtype == np.int64
    assert len(d.drop_duplicates()) == 16


def test_lhs_is_reproducible_and_within_bounds():
    exp = exp_of(parameters={"contact_rate": {"low": 0.5, "high": 2.0}, "shared_roles": {"low": 0, "high": 4}},
                 design={"method": "lhs", "samples": 20})
    a, b = build_design(exp), build_design(exp)
    assert a.equals(b) and len(a) == 20
    assert a["contact_rate"].between(0.5, 2.0).all()
    assert set(a["shared_roles"]) <= {0, 1, 2, 3, 4} and a["shared_roles"].dtype == np.int64


def test_sobol_and_morris_sizes_follow_salib():
    params = {"contact_rate": {"low": 0.5, "high": 2.0}, "open_book": {"low": 0.0, "high": 1.0},
              "system_board": [False, True]}
    sob = exp_of(parameters=params, design={"method": "sobol", "samples": 8})
    assert len(build_design(sob)) == 8 * (3 + 2)
    sob2 = exp_of(parameters=params, design={"method": "sobol", "samples": 8, "second_order": True})
    assert len(build_design(sob2)) == 8 * (2 * 3 + 2)
    mor = exp_of(parameters=params, design={"method": "morris", "samples": 5, "levels": 4})
    raw = raw_design(mor)
    assert len(raw) == 5 * (3 + 1)
    assert set(raw["system_board"]) == {False, True}
    assert {"x:contact_rate", "x:open_book", "x:system_board"} <= set(raw.columns)


def test_shipped_experiments_load_and_validate():
    import tomllib

    from simulation.experiments.calibration import load_calibration

    files = sorted(EXPERIMENTS.glob("*.toml"))
    names = {f.stem for f in files}
    assert {"quick", "relationships_vs_structures", "speed_of_trust", "legacy_of_competition",
            "boundary_spanners", "leader_turnover", "robustness_xlrm"} <= names
    for f in files:
        if "targets" in tomllib.loads(f.read_text(encoding="utf-8")):  # a calibration file, not an experiment
            assert load_calibration(f).targets
            continue
        exp = load_experiment(f)
        assert exp.name == f.stem
        assert len(run_plan(exp)) > 0


# -- bad experiment files --------------------------------------------------------------
BAD = [
    ("[parameters]\ncontact_rate = [1.0]\n[design]\nmethod = 'factorial'\n", r"design\.method = 'factorial'"),
    ("[parameters]\ncontact_rat = [1.0]\n", r"parameters\.contact_rat.*did you mean 'contact_rate'"),
    ("[parameters]\ncontact_rate = { low = 0.5, high = 500 }\n", r"parameters\.contact_rate\.high.*\[0, 100\]"),
    ("[parameters]\ncontact_rate = { low = 2, high = 1 }\n", r"parameters\.contact_rate: low = 2\.0 must be below"),
    ("[parameters]\ngain_rate = [0.1, 1.5]\n", r"parameters\.gain_rate\[1\].*out of range"),
    ("[parameters]\nsystem_board = [0, 1]\n", r"parameters\.system_board\[0\].*true or false"),
    ("[parameters]\n", r"\[parameters\] is missing or empty"),
    ("[design]\nmethod = 'sobol'\nsamples = 10\n[parameters]\nopen_book = { low = 0, high = 1 }\n"
     "contact_rate = { low = 0.5, high = 2 }\n", r"design\.samples = 10.*power of 2"),
    ("[design]\nmethod = 'morris'\n[parameters]\nopen_book = [0.0, 1.0]\ncontact_rate = { low = 0.5, high = 2 }\n",
     r"parameters\.open_book: design\.method = 'morris' needs a range"),
    ("[design]\nreplicates = 0\n[parameters]\nopen_book = [0.0]\n", r"design\.replicates = 0 is out of range"),
    ("[design]\nreplicates = 'two'\n[parameters]\nopen_book = [0.0]\n", r"design\.replicates = 'two' has the wrong"),
    ("[run]\noutcomes = ['time_to_90']\n[parameters]\nopen_book = [0.0]\n", r"run\.outcomes: unknown outcome"),
    ("[run]\nsteps = 10\nsnapshots = [20]\n[parameters]\nopen_book = [0.0]\n", r"run\.snapshots"),
    ("[run]\nsead = 1\n[parameters]\nopen_book = [0.0]\n", r"unknown key run\.'sead'.*did you mean 'seed'"),
    ("[base]\nscenario = 'utopia'\n[parameters]\nopen_book = [0.0]\n", r"base\.scenario: unknown scenario 'utopia'"),
    ("[base]\nset = { contact_rate = -1 }\n[parameters]\nopen_book = [0.0]\n", r"base\.set: dynamics\.contact_rate"),
    ("[analysis]\nheatmap = ['open_book', 'gain_rate']\n[parameters]\nopen_book = [0.0]\ncontact_rate = [1.0]\n",
     r"analysis\.heatmap"),
    ("colour = 'blue'\n[parameters]\nopen_book = [0.0]\n", r"unknown key 'colour' in the top level"),
    ("[parameters]\n\"organisations.hospices\" = [1, 2]\n", r"parameters\.organisations\.hospices: unknown kind"),
    ("[parameters\nopen_book = [0.0]\n", r"is not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_experiment_files_raise_one_clear_error(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message) as info:
        load_experiment(write(tmp_path, text))
    assert str(info.value).startswith("exp.toml") or "exp.toml" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_experiment_file(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read experiment file"):
        load_experiment(tmp_path / "nope.toml")


def test_combination_errors_are_left_to_the_runs():
    # each value is valid alone; gain_rate * negativity_bias > 1 only for one combination
    exp = exp_of(parameters={"gain_rate": [0.08, 0.5], "negativity_bias": [2.5]})
    assert len(build_design(exp)) == 2
