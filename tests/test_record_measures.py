"""The record's outputs measured on runs: each measurable target gives a number, the rest are refused."""

from __future__ import annotations

import math

import pytest

from simulation import Scenario, run
from simulation.record import load_record
from simulation.record_measures import inside, run_needs, run_value, runs_value
from simulation.scenario import ScenarioError

REC = load_record()
T = REC.targets
SMALL = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10})


@pytest.fixture(scope="module")
def runs():
    needs = [run_needs(t) for t in REC.targets.values() if t.role in ("fit", "check")]
    steps = max(n for n, _ in needs)
    snapshots = sorted({m for _, months in needs for m in months})
    assert snapshots == [15, 91]
    return [run(SMALL, steps=steps, seed=s, snapshot_steps=snapshots) for s in range(4)]


def test_every_fit_and_check_target_is_measured_on_runs(runs):
    for t in REC.targets.values():
        if t.role not in ("fit", "check"):
            continue
        value = runs_value(t, runs)
        assert not math.isnan(value), t.key
        assert isinstance(inside(t, value), bool)


@pytest.mark.parametrize("key", ["chief_executive_tenure", "stp_ratings_2017", "all_places_designated_2021"])
def test_inputs_and_context_are_not_measured(key):
    with pytest.raises(ScenarioError, match="is not measured on runs"):
        run_needs(T[key])


def test_what_a_run_must_keep():
    assert run_needs(T["councillors_engaged_2017"]) == (15, (15,))
    assert run_needs(T["pioneers_plans_to_implementation"]) == (49, ())
    assert run_needs(T["vanguard_effect_in_third_year"]) == (120, ())


def test_a_milestone_never_reached_counts_at_the_run_length():
    r = run(SMALL.replace(contact_rate=0.0, gain_rate=0.0), steps=10, seed=1)
    assert math.isnan(r.summary["months_to_50"])
    assert run_value(T["pioneers_plans_to_implementation"], r) == 10.0


def test_the_share_of_places_counts_runs_integrated_by_the_month(runs):
    t = T["first_integrated_care_systems"]
    expected = sum(r.summary["months_to_50"] <= t.month for r in runs) / len(runs)
    assert runs_value(t, runs) == expected
    with pytest.raises(ScenarioError, match="taken across places; use runs_value"):
        run_value(t, runs[0])


def test_a_missing_snapshot_or_a_short_run_is_one_error():
    r = run(SMALL, steps=20, seed=2)
    with pytest.raises(ScenarioError, match=r"no edge snapshot at month 15 \(run with snapshot_steps=\(15,\)\)"):
        run_value(T["councillors_engaged_2017"], r)
    with pytest.raises(ScenarioError, match="needs a run of 120 months, the run has 20"):
        run_value(T["vanguard_effect_in_third_year"], r)
    with pytest.raises(ScenarioError, match="the run has 20 months; the target reads month 60"):
        run_value(T["london_trust_strengthened"], r)
    with pytest.raises(ScenarioError, match="no runs to measure"):
        runs_value(T["london_trust_strengthened"], [])


def test_nan_is_never_inside():
    assert not inside(T["pioneers_plans_to_implementation"], float("nan"))
    assert inside(T["pioneers_plans_to_implementation"], 30.0)
