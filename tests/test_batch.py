"""Batched replicates equal single runs with the same seeds, to the last bit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, ScenarioError, generate_place, run
from simulation import batch as batch_mod
from simulation.batch import run_replicates, simulate_replicates

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
    "everyone-introduced": {"introduction_rate": 1.0, "partnership_threshold": 0.35},
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


def test_generator_fallback_path(monkeypatch):
    """With the inlined PCG64 switched off, draws come from ``rng.random()``: same numbers."""
    scenario = Scenario(organisations=SMALL, **CASES["turnover-and-introductions"])
    monkeypatch.setattr(batch_mod, "_FAST_UNIFORMS", False)
    slow = run_replicates(scenario, seeds=[6], steps=STEPS)[0]
    monkeypatch.setattr(batch_mod, "_FAST_UNIFORMS", None)
    fast = run_replicates(scenario, seeds=[6], steps=STEPS)[0]
    _same(slow, fast)


@pytest.mark.skipif(not batch_mod.HAVE_NUMBA, reason="needs numba")
def test_inlined_pcg64_matches_numpy():
    assert batch_mod._fast_uniforms()


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


def test_kernel_as_plain_python(monkeypatch):
    """Without numba the same kernel runs as Python (slowly) and gives the same numbers."""
    for name in dir(batch_mod):
        fn = getattr(batch_mod, name)
        if hasattr(fn, "py_func"):
            monkeypatch.setattr(batch_mod, name, fn.py_func)
    monkeypatch.setattr(batch_mod, "_FAST_UNIFORMS", False)
    scenario = Scenario(organisations=SMALL, **CASES["turnover-and-introductions"])
    (r,) = run_replicates(scenario, seeds=[2], steps=6)
    _same(run(scenario, steps=6, seed=2), r)
