"""Exact values on tiny, hand-checkable places, for both engines."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import ReferenceTrustModel, Scenario, TrustModel, rules
from simulation.scenario import BEHAVIOUR_OFF

ENGINES = [TrustModel, ReferenceTrustModel]
QUIET = dict(turnover_rate=0.0, introduction_rate=0.0, altruism_rate=0.0, meeting_hours=0.0,  # time never binds
             staff_contact=0.0,  # frontline teams never work jointly
             **BEHAVIOUR_OFF)  # the rules of §7.1-7.7 alone (behaviour reading trust: tests/test_behaviour.py)


def trust_pair(model) -> tuple[float, float]:
    t = model.relationships.trust
    return float(t[0]), float(t[1])


@pytest.mark.parametrize("engine", ENGINES)
def test_open_partners_meeting_every_month_close_the_gap_geometrically(engine, pair_place):
    # meet for sure (1 - e^-50 == 1.0), always share, no conflict: good = 1, bad = 0
    model = engine(Scenario(**QUIET), place=pair_place, rng=0)
    model.run(5)
    alpha = model.params["gain_rate"]
    expected = 1 - 0.5 * (1 - alpha) ** 5
    assert trust_pair(model) == pytest.approx((expected, expected), abs=1e-12)
    assert model.timeseries()["conflicts_arisen"].sum() == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_withholding_partner_loses_trust_faster_than_open_one_gains(engine, pair_place):
    pair_place.traits["transparency"] = np.array([1.0, 0.0])  # A opens the book at every meeting, B never
    # every meeting is full evidence of both kinds, so the month's count of meetings does not matter
    model = engine(Scenario(contact_evidence=1.0, withholding_evidence=1.0, **QUIET), place=pair_place, rng=0)
    model.step()
    p = model.params
    a, lam = p["gain_rate"], p["negativity_bias"]
    # A's trust in B: good 1 (met) and bad 1 (B withheld); B's trust in A: good 1, bad 0
    assert trust_pair(model) == pytest.approx((0.5 + a * 0.5 - a * lam * 0.5, 0.5 + a * 0.5), abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_evidence_counts_meetings_with_diminishing_returns(engine, pair_place):
    """The same pair at three contact rates: trust gains grow with meetings, less than in proportion."""
    gains = []
    for rate in (1.0, 3.0, 9.0):
        pair_place.contact_rate = np.array([rate])
        pair_place.traits["transparency"] = np.array([0.0, 0.0])
        model = engine(Scenario(withholding_evidence=0.0, **QUIET), place=pair_place, rng=1)
        model.run(3)
        gains.append(trust_pair(model)[0] - 0.5)
    assert gains[0] < gains[1] < gains[2]  # more meetings, more trust
    assert gains[1] < 3 * gains[0] and gains[2] < 3 * gains[1]  # three times the meetings, less than three times


@pytest.mark.parametrize("engine", ENGINES)
def test_without_contact_trust_drifts_to_baseline(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])
    pair_place.trust = np.array([[0.9, 0.1]])
    model = engine(Scenario(**QUIET), place=pair_place, rng=0)
    model.run(3)
    d, t0 = model.params["drift_rate"], model.params["baseline_trust"]
    up = t0 + (0.9 - t0) * (1 - d) ** 3
    down = t0 + (0.1 - t0) * (1 - d) ** 3
    assert trust_pair(model) == pytest.approx((up, down), abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_conflict_festering_without_a_meeting_costs_trust_and_trust_still_drifts(engine, pair_place):
    """No meeting, but conflicts left to fester: bad evidence only, then the drift of any month without a meeting."""
    pair_place.contact_rate = np.array([0.0])
    pair_place.traits["institutional_focus"] = np.array([1.0, 1.0])  # conflicts arise for sure at this rate
    model = engine(Scenario(conflict_rate=10.0, festering_evidence=1.0, **QUIET), place=pair_place, rng=0)
    model.step()
    p = model.params
    fallen = 0.5 - p["gain_rate"] * p["negativity_bias"] * 0.5  # good = 0, bad = 1
    expected = fallen + p["drift_rate"] * (p["baseline_trust"] - fallen)
    assert model.timeseries()["conflicts_festering"].iloc[-1] > 0
    assert trust_pair(model) == pytest.approx((expected, expected), abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_turnover_pulls_trust_part_way_back_to_baseline(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])
    pair_place.trust = np.array([[0.9, 0.9]])
    model = engine(Scenario(turnover_rate=1.0, introduction_rate=0.0, drift_rate=0.0, staff_contact=0.0),
                   place=pair_place, rng=0)
    model.step()
    loss, t0 = model.params["turnover_trust_loss"], model.params["baseline_trust"]
    # both leaders leave in the same month: the relationship falls back once
    assert trust_pair(model) == pytest.approx((0.9 + loss * (t0 - 0.9),) * 2, abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_long_term_commitment_slows_drift(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])
    pair_place.trust = np.array([[0.9, 0.9]])
    model = engine(Scenario(long_term_commitment=0.5, **QUIET), place=pair_place, rng=0)
    model.step()
    d, t0 = model.params["drift_rate"], model.params["baseline_trust"]
    assert trust_pair(model)[0] == pytest.approx(0.9 + 0.5 * d * (t0 - 0.9), abs=1e-12)


def test_conflict_rate_equation_by_hand():
    # c0 (0.5 + pi) (phi_i + phi_j) kappa, cross-sector
    assert rules.conflict_rate(0.06, 0.5, 1.0, 1.0, True, 1.5) == pytest.approx(0.06 * 1.0 * 2.0 * 1.5)
    assert rules.conflict_rate(0.06, 0.5, 0.2, 0.2, False, 1.5) == pytest.approx(0.06 * 1.0 * 0.4)


@pytest.mark.parametrize("engine", ENGINES)
def test_conflicts_arise_at_the_documented_rate(engine, pair_place):
    pair_place.traits["institutional_focus"] = np.array([1.0, 1.0])
    pair_place.traits["conflict_skill"] = np.array([0.0, 0.0])
    # resolution impossible, so every conflict festers and the backlog only grows
    model = engine(Scenario(resolution_rate=0.0, **QUIET), place=pair_place, rng=7)
    model.run(400)
    p = model.params
    rate = p["conflict_rate"] * (0.5 + p["competitive_pressure"]) * 2.0 * p["cross_sector_conflict"]
    arisen = model.timeseries()["conflicts_arisen"].iloc[1:]
    assert arisen.mean() == pytest.approx(rate, rel=0.15)
    assert model.relationships.backlog.sum() == arisen.sum()
    # festering conflicts keep eroding trust: far below where open contact alone would take it
    assert max(trust_pair(model)) < 0.5


def test_update_trust_stays_in_unit_interval_at_extremes():
    cases = [(0.0, 1.0, 1.0), (1.0, 1.0, 1.0), (0.5, 1.0, 0.0), (0.5, 0.0, 1.0)]
    out = [rules.update_trust(t, g, b, 1.0, 1.0) for t, g, b in cases]
    assert out == [1.0, 0.0, 1.0, 0.0]


def test_losses_outweigh_equal_gains():
    """Trust falls faster than it rises (negativity bias)."""
    s = Scenario()
    up = rules.update_trust(0.5, 0.5, 0.0, s.gain_rate, s.gain_rate * s.negativity_bias) - 0.5
    down = 0.5 - rules.update_trust(0.5, 0.0, 0.5, s.gain_rate, s.gain_rate * s.negativity_bias)
    assert down == pytest.approx(up * s.negativity_bias)
    assert down > up
