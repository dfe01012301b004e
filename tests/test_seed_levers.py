"""The seeds' remaining levers (docs/ODD.md §7.14-7.17): exact values on tiny places, both engines, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation import Place, ReferenceTrustModel, Scenario, ScenarioError, TrustModel, rules
from simulation.scenario import BEHAVIOUR_OFF

ENGINES = [TrustModel, ReferenceTrustModel]
THREE_SECTORS = {"nhs_trust": 3, "council": 3, "voluntary": 6}
# nothing moves but what a test switches on
STILL = dict(turnover_rate=0.0, introduction_rate=0.0, drift_rate=0.0, contact_rate=0.0, conflict_rate=0.0,
             staff_contact=0.0, altruism_rate=0.0, **BEHAVIOUR_OFF)


def trust_pair(model) -> tuple[float, float]:
    t = model.relationships.trust
    return float(t[0]), float(t[1])


# ------------------------------------------------------------- programmes
@pytest.mark.parametrize("engine", ENGINES)
def test_a_cohort_mixes_sectors_ties_its_members_and_develops_them(engine):
    sc = Scenario(organisations=THREE_SECTORS, place_programmes=1.0, programme_cohort_size=6, programme_months=4,
                  programme_growth=0.25, **STILL)
    model = engine(sc, rng=2)
    model.step()  # the cohort starts at the start of month 1
    leaders = model.leaders
    members = np.flatnonzero(leaders.cohort[1] > 0)
    assert len(members) == 6
    assert sorted(np.bincount(leaders.sector[members]).tolist()) == [2, 2, 2]  # two from each sector
    rel = model.relationships
    i, j = np.triu_indices(6, k=1)
    assert rel.has_pairs(np.column_stack([members[i], members[j]]), leaders.n).all()  # every pair now related
    assert model.intervention_report["programme_members"] == 6
    model.run(5)
    level = model.leaders.learning[0]
    assert level[members] == pytest.approx(np.full(6, 1 - 0.75**4), abs=1e-12)  # four months of growth, then none
    assert (level[np.setdiff1d(np.arange(leaders.n), members)] == 0).all()
    assert (model.leaders.cohort[1] == 0).all() and (model.leaders.cohort[0] == -1).all()
    assert model.timeseries()["programme_reach"].iloc[-1] == pytest.approx(6 / 12)


@pytest.mark.parametrize("engine", ENGINES)
def test_cohort_members_meet_and_give_the_programme_their_hours(engine):
    strangers = Place(ids=["A", "B", "C"], names=["A", "B", "C"], kinds=["nhs_trust", "council", "voluntary"],
                      pairs=np.empty((0, 2), dtype=np.int64))
    sc = Scenario(place_programmes=1.0, programme_cohort_size=3, programme_contact=50.0, programme_hours=8.0,
                  contact_evidence=1.0, withholding_evidence=0.0, **STILL)
    model = engine(sc, place=strangers, rng=4)
    model.step()
    t0, alpha = model.params["baseline_trust"], model.params["gain_rate"]
    # three new ties at the baseline; the cohort met for sure (1 - e^-50 == 1.0): good evidence 1, bad 0
    assert model.relationships.n_pairs == 3
    assert model.relationships.trust.tolist() == pytest.approx([t0 + alpha * (1 - t0)] * 6, abs=1e-12)
    assert model.timeseries()["hours_levers"].iloc[-1] == pytest.approx(8.0)


def test_cohorts_start_on_the_lever_schedule():
    sc = Scenario(organisations=THREE_SECTORS, place_programmes=2.0, programme_cohort_size=2, programme_months=1,
                  schedule={"place_programmes": {"start": 3, "stop": 15}}, **STILL)
    model = TrustModel(sc, rng=0)
    starts = []
    for _ in range(24):
        before = model.intervention_report["programme_members"]
        model.step()
        if model.intervention_report["programme_members"] > before:
            starts.append(model.steps - 1)
    assert starts == [3, 9]


@pytest.mark.parametrize("engine", ENGINES)
def test_turnover_takes_what_a_leader_learned(engine):
    sc = Scenario(organisations=THREE_SECTORS, place_programmes=1.0, programme_cohort_size=6, programme_months=12,
                  shared_vision=20.0, **{**STILL, "turnover_rate": 1.0})
    model = engine(sc, rng=1)
    model.step()  # everyone leaves at the end of month 1, before learning
    assert (model.leaders.learning[0] == 0).all() and (model.leaders.cohort[1] == 0).all()
    assert model.timeseries()["programme_reach"].iloc[-1] == 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_development_combines_the_lever_and_the_programme(engine, pair_place):
    sc = Scenario(leadership_development=0.5, development_power_effect=0.5, **STILL)
    model = engine(sc, place=pair_place, rng=0)
    traits = model.leaders.traits
    d = 0.5
    assert traits["conflict_skill"][0] == pytest.approx(0.5 + d * 0.5)  # negotiation
    assert traits["altruism"][0] == pytest.approx(0.0 + 0.5 * d * 1.0)  # sharing power
    assert rules.development_level(0.5, 0.5) == 0.75


# ------------------------------------------------------------------ vision
@pytest.mark.parametrize("engine", ENGINES)
def test_vision_work_grows_statutory_leaders_share_and_shifts_their_focus(engine):
    sc = Scenario(organisations=THREE_SECTORS, shared_vision=40.0, vision_hours_scale=40.0, vision_focus_shift=0.5,
                  **STILL)
    model = engine(sc, rng=3)
    raw_focus = model.leaders.raw["institutional_focus"].copy()
    model.run(3)
    leaders = model.leaders
    growth = 1 - math.exp(-1.0)
    expected = 1 - (1 - growth) ** 3
    assert leaders.learning[1][leaders.statutory] == pytest.approx(np.full(6, expected))
    assert (leaders.learning[1][~leaders.statutory] == 0).all()  # voluntary bodies are not in it
    assert leaders.traits["institutional_focus"][leaders.statutory] == pytest.approx(
        raw_focus[leaders.statutory] * (1 - 0.5 * expected))
    assert model.timeseries()["hours_levers"].iloc[-1] == pytest.approx(6 * 40.0 / 12)


# ------------------------------------------------- open books aimed at the statutory leaders
@pytest.mark.parametrize("engine", ENGINES)
def test_open_books_for_the_statutory_leaders_alone_open_them_and_take_only_their_hours(engine):
    sc = Scenario(organisations=THREE_SECTORS, open_book=0.5, open_book_statutory=True, **STILL)
    model = engine(sc, rng=4)
    raw = model.leaders.raw["transparency"].copy()
    model.run(2)
    statutory = model.leaders.statutory
    opened = model.leaders.traits["transparency"]
    assert opened[statutory] == pytest.approx(raw[statutory] + 0.5 * (1 - raw[statutory]))
    assert (opened[~statutory] == raw[~statutory]).all()  # voluntary bodies keep their books
    assert model.timeseries()["hours_levers"].iloc[-1] == pytest.approx(6 * 0.5 * sc.open_book_hours / 12)
    everyone = engine(sc.replace(open_book_statutory=False), rng=4)
    everyone.run(2)
    assert everyone.timeseries()["hours_levers"].iloc[-1] == pytest.approx(0.5 * sc.open_book_hours)


@pytest.mark.parametrize("engine", ENGINES)
def test_development_for_the_statutory_leaders_alone_develops_them_and_takes_only_their_hours(engine):
    sc = Scenario(organisations=THREE_SECTORS, leadership_development=0.5, development_statutory=True, **STILL)
    model = engine(sc, rng=5)
    raw = model.leaders.raw["conflict_skill"].copy()
    model.run(2)
    statutory = model.leaders.statutory
    skill = model.leaders.traits["conflict_skill"]
    assert skill[statutory] == pytest.approx(raw[statutory] + 0.5 * (1 - raw[statutory]))
    assert (skill[~statutory] == raw[~statutory]).all()  # voluntary bodies' leaders are not developed
    assert model.timeseries()["hours_levers"].iloc[-1] == pytest.approx(6 * 0.5 * sc.development_hours / 12)


# --------------------------------------------------- co-production, community
@pytest.mark.parametrize("engine", ENGINES)
def test_community_investment_strengthens_the_community_month_by_month(engine, pair_place):
    sc = Scenario(community_investment=1.0, community_base=0.2, community_growth=0.1, **STILL)
    model = engine(sc, place=pair_place, rng=0)
    model.run(5)
    expected = 1.0 - 0.8 * 0.9**5
    assert model.timeseries()["community_strength"].iloc[-1] == pytest.approx(expected, abs=1e-12)


def test_coproduction_prevents_conflicts_only_with_a_community_to_take_part():
    common = dict(organisations=THREE_SECTORS, conflict_rate=1.0, turnover_rate=0.0, introduction_rate=0.0)
    arisen = {}
    for label, kw in {"none": {}, "skill, no community": {"coproduction": 1.0, "community_base": 0.0},
                      "skill and community": {"coproduction": 1.0, "community_base": 1.0,
                                              "coproduction_effect": 0.5}}.items():
        runs = [TrustModel(Scenario(**common, **kw), rng=s) for s in range(20)]
        for m in runs:
            m.run(12)
        arisen[label] = np.mean([m.timeseries()["conflicts_arisen"].sum() for m in runs])
    assert arisen["skill, no community"] == pytest.approx(arisen["none"], rel=0.1)
    assert arisen["skill and community"] < 0.7 * arisen["none"]  # half the conflicts over priorities prevented


def test_a_stronger_community_gives_voluntary_bodies_hours():
    assert rules.strengthened_budget(16.0, 0.8, 0.3, 0.5) == 20.0
    assert rules.strengthened_budget(40.0, 0.1, 0.3, 0.5) == 40.0  # never below the budget


# -------------------------------------------------------------------- staff
@pytest.mark.parametrize("engine", ENGINES)
def test_permitted_teams_build_trust_of_their_own(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])  # the leaders do not meet
    sc = Scenario(**{**STILL, "staff_contact": 50.0, "joint_success_base": 1.0, "staff_learning": 1.0,
                     "staff_feedback": 0.0})
    model = engine(sc, place=pair_place, rng=0)
    model.run(3)
    alpha = model.params["gain_rate"]
    assert float(model.relationships.staff_trust[0]) == pytest.approx(1 - (1 - alpha) ** 3, abs=1e-12)
    assert trust_pair(model) == (0.5, 0.5)  # no feedback: the leaders learn nothing from it
    assert model.timeseries()["joint_care"].iloc[-1] == 1.0  # every episode goes well


@pytest.mark.parametrize("engine", ENGINES)
def test_teams_feed_evidence_up_to_their_leaders(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])  # the leaders do not meet
    sc = Scenario(**{**STILL, "staff_contact": 50.0, "joint_success_base": 1.0, "staff_feedback": 1.0})
    model = engine(sc, place=pair_place, rng=0)
    model.step()
    alpha = model.params["gain_rate"]
    assert trust_pair(model) == pytest.approx((0.5 + alpha * 0.5,) * 2, abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_without_permission_teams_do_not_work_jointly(engine, pair_place):
    pair_place.contact_rate = np.array([0.0])  # the leaders do not meet
    pair_place.trust = np.array([[0.9, 0.3]])  # one leader does not trust the other enough
    sc = Scenario(**{**STILL, "staff_contact": 50.0, "joint_working_threshold": 0.45, "drift_rate": 0.1})
    model = engine(sc, place=pair_place, rng=0)
    model.run(2)
    assert float(model.relationships.staff_trust[0]) == 0.0
    assert model.timeseries()["joint_care"].iloc[-1] == 0.0


def test_staff_trust_survives_leader_turnover(pair_place):
    pair_place.contact_rate = np.array([0.0])
    sc = Scenario(**{**STILL, "staff_contact": 50.0, "joint_success_base": 1.0, "staff_learning": 1.0,
                     "joint_working_threshold": 0.0})
    model = TrustModel(sc, place=pair_place, rng=0)
    model.run(3)
    staff = float(model.relationships.staff_trust[0])
    model.params["turnover_rate"] = 1.0
    model.params["staff_contact"] = 0.0
    model.step()
    assert float(model.relationships.staff_trust[0]) == pytest.approx(staff)  # drift 0, no reset
    assert trust_pair(model)[0] < 0.5  # the leaders' trust fell back


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(("key", "value", "message"), [
    ("place_programmes", -1.0, r"place_programmes = -1.0 is out of range: expected a number in \[0, 12\]"),
    ("programme_cohort_size", 1, r"programme_cohort_size = 1 is out of range: expected an integer in \[2, 10000\]"),
    ("shared_vision", 800.0, r"shared_vision = 800.0 is out of range: expected a number in \[0, 744\]"),
    ("staff_contact", -0.5, r"staff_contact = -0.5 is out of range"),
    ("coproduction", 1.5, r"coproduction = 1.5 is out of range: expected a number in \[0, 1\]"),
])
def test_bad_lever_values_are_refused_with_the_range(key, value, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario(**{key: value})


def test_new_levers_can_be_scheduled():
    from simulation.schedule import LEVERS

    for lever in ("place_programmes", "shared_vision", "coproduction", "community_investment"):
        assert lever in LEVERS
