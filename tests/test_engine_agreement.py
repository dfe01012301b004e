"""The fast engine and the per-agent reference agree statistically on small places."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import Scenario, run
from simulation.scenario import BEHAVIOUR_OFF

SEEDS = 30
STEPS = 48
SMALL = {"nhs_trust": 4, "council": 2, "voluntary": 14}


def trajectories(scenario, engine):
    runs = [run(scenario, steps=STEPS, seed=s, engine=engine).timeseries for s in range(SEEDS)]
    cols = ["mean_trust", "integration", "size_integration", "conflicts_festering", "relationships", "joint_care",
            "staff_trust", "programme_reach", "hours_levers"]
    return {c: np.array([r[c].to_numpy(dtype=float) for r in runs]) for c in cols}


def z_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    return np.abs(a.mean(axis=0) - b.mean(axis=0)) / np.maximum(se, 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(organisations=SMALL),
        Scenario(organisations=SMALL, competitive_pressure=0.9, turnover_rate=0.05, initial_trust=0.2),
        Scenario(organisations=SMALL, shared_roles=2, system_board=True, open_book=0.4,
                 leadership_development=0.4, long_term_commitment=0.4, collaboration_mandate=0.5,
                 intervention_start=6),
        Scenario(organisations=SMALL, system_board=True, board_contact_rate=1.0, pooled_budget=0.5,
                 health_wellbeing_board=True, statutory_contact=0.5, regulator_incentive=-0.3,
                 schedule={"health_wellbeing_board": {"start": 6, "stop": 30}},
                 shocks=[{"kind": "financial_crisis", "start": 10, "months": 12, "size": 0.3},
                         {"kind": "service_failure", "start": 20, "size": 0.3, "between": ["nhs_trust", "council"]}],
                 mergers=[{"month": 24, "absorbed": 5, "into": 4}]),
        Scenario(organisations=SMALL, place_programmes=3.0, programme_cohort_size=6, programme_months=6,
                 shared_vision=12.0, coproduction=1.0, community_investment=1.0, leadership_development=0.3,
                 development_statutory=True,
                 system_board=True, health_wellbeing_board=True, turnover_rate=0.05, staff_feedback=0.2,
                 schedule={"shared_vision": {"start": 3, "stop": 24}}),
        Scenario(organisations=SMALL, reciprocity=1.5, contact_reciprocity=0.8, suspicion=0.4, conflict_strain=0.4,
                 rivalry=1.5, group_meeting_weight=0.3, conflict_rate=0.12, competitive_pressure=0.8,
                 system_board=True, health_wellbeing_board=True, place_programmes=3.0, programme_cohort_size=6,
                 shared_roles=2, open_book=0.3, open_book_statutory=True, role_brokerage=0.8, role_relay=0.4,
                 introduction_rate=0.05),
    ],
    ids=["default", "legacy", "interventions", "structures-schedules-shocks", "seeds-levers", "behaviour-reads-trust"],
)
def test_mean_trajectories_agree(scenario):
    fast, ref = trajectories(scenario, "fast"), trajectories(scenario, "reference")
    # the same place and initial state: step 0 is identical run by run
    for col in fast:
        np.testing.assert_allclose(fast[col][:, 0], ref[col][:, 0])
    # afterwards: means within tolerance and no step with an implausible gap
    assert np.abs(fast["mean_trust"].mean(0) - ref["mean_trust"].mean(0)).max() < 0.03
    assert np.abs(fast["integration"].mean(0) - ref["integration"].mean(0)).max() < 0.2
    for col in fast:
        # time-averaged per-run values: one Welch z per outcome
        assert z_scores(fast[col].mean(1, keepdims=True), ref[col].mean(1, keepdims=True))[0] < 4, col
        assert z_scores(fast[col][:, 1:], ref[col][:, 1:]).max() < 4.5, col


@pytest.mark.parametrize("change", [
    {**BEHAVIOUR_OFF, "negativity_bias": 1.0, "withholding_evidence": 0.0},  # no negativity bias (earlier rules)
    BEHAVIOUR_OFF,  # behaviour that does not read trust, against the defaults where it does
], ids=["negativity-bias", "behaviour-reads-trust"])
def test_agreement_test_has_power(change):
    """A deliberately different rule is detected by the same statistics."""
    scenario = Scenario(organisations=SMALL)
    base = scenario.replace(**BEHAVIOUR_OFF) if "negativity_bias" in change else scenario
    fast = trajectories(base, "fast")
    other = trajectories(scenario.replace(**change), "reference")
    assert z_scores(fast["mean_trust"].mean(1, keepdims=True), other["mean_trust"].mean(1, keepdims=True))[0] > 4
