"""Batched runs equal a Mesa model stepped month by month with the same seeds, to the last bit (by construction)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, ScenarioError, TrustModel, generate_place, run
from simulation.batch import run_batch, run_replicates, simulate_batch, simulate_replicates

SMALL = {"nhs_trust": 3, "council": 2, "voluntary": 10}
STEPS = 30

CASES = {
    "default-dynamics": {},
    "turnover-and-introductions": {"turnover_rate": 0.2, "introduction_rate": 0.3, "partnership_threshold": 0.45},
    "interventions-from-start": {
        "shared_roles": 2, "system_board": True, "open_book": 0.4, "leadership_development": 0.5,
        "long_term_commitment": 0.5, "collaboration_mandate": 0.5, "turnover_rate": 0.1,
    },
    "interventions-later": {
        "shared_roles": 3, "system_board": True, "open_book": 0.3, "intervention_start": 7,
        "turnover_rate": 0.1, "introduction_rate": 0.2,
    },
    "high-conflict": {"conflict_rate": 6.0, "competitive_pressure": 1.0, "resolution_rate": 0.3},
    "seeds-levers": {
        "place_programmes": 4.0, "programme_cohort_size": 5, "programme_months": 5, "shared_vision": 10.0,
        "coproduction": 0.8, "community_investment": 1.0, "leadership_development": 0.3, "turnover_rate": 0.1,
        "system_board": True, "health_wellbeing_board": True,
        "schedule": {"place_programmes": {"start": 2, "stop": 14}, "shared_vision": {"start": 4, "stop": 9}},
    },
    "everyone-introduced": {"introduction_rate": 1.0, "partnership_threshold": 0.35},
    "schedules-and-shocks": {
        "shared_roles": 2, "system_board": True, "open_book": 0.5,
        "schedule": {"shared_roles": {"start": 3, "stop": 12}, "open_book": {"start": 5}, "system_board": {"start": 8}},
        "shocks": [{"kind": "financial_crisis", "start": 4, "months": 6, "size": 0.4},
                   {"kind": "service_failure", "start": 10, "size": 0.3, "between": ["nhs_trust", "council"]},
                   {"kind": "departures", "start": 15, "size": 0.3}, {"kind": "demand", "start": 2, "size": 0.2}],
    },
}


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert a.timeseries.index.name == b.timeseries.index.name == "step"
    assert a.summary.keys() == b.summary.keys()
    for k in a.summary:
        x, y = a.summary[k], b.summary[k]
        assert (x == y) or (isinstance(x, float) and math.isnan(x) and math.isnan(y)), k
        assert type(x) is type(y), k


@pytest.mark.parametrize("case", sorted(CASES))
def test_batched_equals_single_runs(case):
    scenario = Scenario(organisations=SMALL, **CASES[case])
    seeds = [0, 1, 5, 11]
    batch = run_replicates(scenario, seeds=seeds, steps=STEPS)
    assert [r.seed for r in batch] == seeds
    for r in batch:
        _same(run(scenario, steps=STEPS, seed=r.seed), r)


def test_default_place_full_length():
    scenario = Scenario()
    for r in run_replicates(scenario, seeds=[3, 4], steps=120):
        _same(run(scenario, steps=120, seed=r.seed), r)


def test_shared_place():
    scenario = Scenario(organisations=SMALL, turnover_rate=0.1)
    place = generate_place(scenario, np.random.default_rng(99))
    batch = run_replicates(scenario, seeds=[2, 3], steps=STEPS, place=place)
    for r in batch:
        _same(run(scenario, steps=STEPS, seed=r.seed, place=place), r)
    assert not batch[0].timeseries.equals(batch[1].timeseries)


def test_given_place_values_are_used(pair_place):
    scenario = Scenario(turnover_rate=0.0, introduction_rate=0.0)
    (r,) = run_replicates(scenario, seeds=[4], steps=12, place=pair_place)
    _same(run(scenario, steps=12, seed=4, place=pair_place), r)


def test_capacity_growth():
    """Introductions that more than double the relationships regrow the kernel's arrays."""
    scenario = Scenario(organisations={"nhs_trust": 6, "council": 4, "voluntary": 40}, introduction_rate=0.9,
                        partnership_threshold=0.3, initial_trust=0.5)
    (r,) = run_replicates(scenario, seeds=[8], steps=24)
    counts = r.timeseries["relationships"]
    assert counts.iloc[-1] > 2 * counts.iloc[0]
    _same(run(scenario, steps=24, seed=8), r)


def _stepped(scenario, seed, steps, place=None):
    model = TrustModel(scenario, rng=seed, place=place)
    model.run(steps)
    return model.timeseries()


@pytest.mark.parametrize("case", sorted(CASES))
def test_batched_equals_a_mesa_model_stepped_month_by_month(case):
    scenario = Scenario(organisations=SMALL, **CASES[case])
    for r in run_replicates(scenario, seeds=[3, 7], steps=STEPS):
        pd.testing.assert_frame_equal(r.timeseries, _stepped(scenario, r.seed, STEPS), check_exact=True)


def test_a_batch_takes_per_run_parameters_and_places():
    """Sobol, LHS or grid designs: every run its own parameters; each equals its single run, in any order."""
    scenarios = [Scenario(organisations=SMALL, contact_rate=c, open_book=o) for c, o in ((0.5, 0.0), (2.0, 0.7))]
    scenarios.append(Scenario(organisations={"nhs_trust": 2, "council": 2, "voluntary": 4}, shared_roles=1))
    seeds = [4, 4, 9]
    place = generate_place(scenarios[0], np.random.default_rng(1))
    places = [None, place, None]
    forward = run_batch(scenarios, seeds, STEPS, places)
    backward = run_batch(scenarios[::-1], seeds[::-1], STEPS, places[::-1])[::-1]
    for sc, s, pl, a, b in zip(scenarios, seeds, places, forward, backward):
        _same(a, b)
        pd.testing.assert_frame_equal(a.timeseries, _stepped(sc, s, STEPS, pl), check_exact=True)
    assert not forward[0].timeseries.equals(forward[1].timeseries)


def test_runs_set_up_in_groups_equal_single_runs_and_leave_the_collector_as_found():
    """Runs are set up SET_UP_TOGETHER at a time, then played; grouping changes no number, and the collector
    runs again afterwards (or stays off if it was off)."""
    import gc

    from simulation.batch import SET_UP_TOGETHER, set_up_groups

    scenario = Scenario(organisations=SMALL, turnover_rate=0.1)
    seeds = list(range(SET_UP_TOGETHER + 2))  # two groups
    arrays = simulate_batch(scenario, seeds, 8)
    for k in (0, SET_UP_TOGETHER - 1, SET_UP_TOGETHER + 1):
        single = run(scenario, steps=8, seed=seeds[k]).timeseries.to_numpy(dtype=float)
        assert np.array_equal(arrays[k][0], single, equal_nan=True)
    assert gc.isenabled()
    assert [len(g) for g in set_up_groups(seeds)] == [SET_UP_TOGETHER, 2]
    gc.disable()
    try:
        for _ in set_up_groups(seeds):
            break
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError, match="stop"):
        for _ in set_up_groups(seeds):
            raise RuntimeError("stop")
    assert gc.isenabled()


def test_batch_arguments_are_checked():
    with pytest.raises(ScenarioError, match="scenarios: 2 given for 3 seeds"):
        simulate_batch([Scenario(), Scenario()], [1, 2, 3], 5)


def test_processes_do_not_change_results():
    scenario = Scenario(organisations=SMALL, turnover_rate=0.1)
    one, cols = simulate_replicates(scenario, seeds=range(6), steps=10)
    two, cols2 = simulate_replicates(scenario, seeds=range(6), steps=10, processes=2)
    assert cols == cols2
    assert np.array_equal(one, two, equal_nan=True)


def test_array_output_layout():
    scenario = Scenario(organisations=SMALL)
    arr, cols = simulate_replicates(scenario, seeds=[1, 2, 3], steps=5)
    assert arr.shape == (3, 6, len(cols))
    single = run(scenario, steps=5, seed=2).timeseries
    assert cols == list(single.columns)
    assert np.array_equal(arr[1], single.to_numpy(dtype=float), equal_nan=True)


def test_zero_steps_and_no_seeds():
    scenario = Scenario(organisations=SMALL)
    (r,) = run_replicates(scenario, seeds=[1], steps=0)
    _same(run(scenario, steps=0, seed=1), r)
    assert run_replicates(scenario, seeds=[], steps=3) == []


@pytest.mark.parametrize("bad", [{"seeds": [-1]}, {"seeds": [True]}, {"seeds": [1.5]}, {"steps": -2}])
def test_bad_input(bad):
    kw = {"seeds": [1], "steps": 3, **bad}
    with pytest.raises(ScenarioError):
        run_replicates(Scenario(organisations=SMALL), **kw)


def test_a_sweep_worker_imports_neither_mesa_nor_networkx():
    """What a sweep's worker process needs (the kernel and the runner) loads without Mesa or networkx."""
    import subprocess
    import sys

    code = ("import sys, simulation.batch, simulation.experiments.runner; "
            "print(sorted(m for m in ('mesa', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
