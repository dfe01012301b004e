"""Schedules and shocks: levers that start and stop, and shocks from outside, in both engines."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import ReferenceTrustModel, Scenario, ScenarioError, TrustModel, run
from simulation.schedule import LeverSchedule, Shock, levers_active, month_parameters

ENGINES = [TrustModel, ReferenceTrustModel]
SMALL = {"nhs_trust": 3, "council": 2, "voluntary": 6}
STILL = dict(turnover_rate=0.0, introduction_rate=0.0, drift_rate=0.0, contact_rate=0.0, conflict_rate=0.0,
             staff_contact=0.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lever_acts_only_between_its_start_and_stop(engine):
    model = engine(Scenario(organisations=SMALL, open_book=1.0, schedule={"open_book": {"start": 2, "stop": 4}}),
                   rng=1)
    opened = []
    for _ in range(6):
        model.step()
        opened.append(bool(np.allclose(model.leaders.traits["transparency"], 1.0)))
    # traits follow the levers of the month being played: months 3 and 4 open
    assert opened == [False, False, True, True, False, False]


@pytest.mark.parametrize("engine", ENGINES)
def test_structures_are_taken_down_when_their_lever_stops(engine):
    sc = Scenario(organisations=SMALL, shared_roles=2, system_board=True,
                  schedule={"shared_roles": {"start": 0, "stop": 3}, "system_board": {"start": 1, "stop": 4}})
    model = engine(sc, rng=2)
    rel = model.relationships
    assert rel.shared_role.sum() == 2 and not rel.formal.any()
    model.run(2)
    assert model.relationships.formal.any()
    model.run(3)
    rel = model.relationships
    assert not rel.shared_role.any() and not rel.formal.any()
    assert model.timeseries()["hours_roles"].iloc[-1] == 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_service_failure_costs_trust_on_ties_between_its_kinds(engine, pair_place):
    shock = {"kind": "service_failure", "start": 1, "size": 0.25, "between": ["council", "nhs_trust"]}
    pair_place.contact_rate = np.array([0.0])  # nothing else moves trust
    model = engine(Scenario(shocks=[shock], **STILL), place=pair_place, rng=0)
    model.step()
    assert model.relationships.trust.tolist() == pytest.approx([0.5, 0.5], abs=1e-12)
    model.step()  # the failure strikes at the start of month 2
    assert model.relationships.trust.tolist() == pytest.approx([0.375, 0.375], abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_wave_of_departures_is_turnover_for_one_month(engine, pair_place):
    shock = {"kind": "departures", "start": 0, "size": 1.0}
    pair_place.trust = np.array([[0.9, 0.9]])
    pair_place.contact_rate = np.array([0.0])
    model = engine(Scenario(shocks=[shock], turnover_trust_loss=0.5, **STILL), place=pair_place, rng=0)
    model.run(2)
    t0 = model.params["baseline_trust"]
    assert model.relationships.trust.tolist() == pytest.approx([0.9 + 0.5 * (t0 - 0.9)] * 2, abs=1e-12)


def test_shocks_set_the_months_parameters():
    params = Scenario(competitive_pressure=0.5, conflict_rate=0.1, turnover_rate=0.02).params
    shocks = (Shock("financial_crisis", 12, 0.3, months=6), Shock("demand", 0, 0.1))
    assert month_parameters(params, shocks, 11)["competitive_pressure"] == 0.5
    assert month_parameters(params, shocks, 12)["competitive_pressure"] == pytest.approx(0.8)
    assert month_parameters(params, shocks, 18)["competitive_pressure"] == 0.5
    assert month_parameters(params, shocks, 24)["conflict_rate"] == pytest.approx(0.1 * 1.1**2)


def test_a_financial_crisis_raises_conflict():
    base = Scenario(organisations=SMALL)
    crisis = base.replace(shocks=[{"kind": "financial_crisis", "start": 0, "months": 24, "size": 0.5}])
    arisen = [sum(run(sc, steps=24, seed=s).timeseries["conflicts_arisen"].sum() for s in range(8))
              for sc in (base, crisis)]
    assert arisen[1] > 1.3 * arisen[0]


def test_levers_follow_intervention_start_unless_scheduled():
    assert levers_active({}, 6, 5) == frozenset()
    assert "open_book" in levers_active({}, 6, 6)
    assert "open_book" not in levers_active({"open_book": LeverSchedule(8)}, 6, 6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedule": {"nonsense": {"start": 1}}}, "schedule.nonsense: unknown lever"),
        ({"schedule": {"open_book": {"start": 5, "stop": 2}}}, "schedule.open_book.stop = 2 ends before it starts"),
        ({"schedule": {"open_book": {"start": -1}}}, r"schedule.open_book.start = -1 is out of range"),
        ({"shocks": [{"kind": "earthquake", "start": 1, "size": 0.1}]}, "shocks\\[0\\].kind = 'earthquake'"),
        ({"shocks": [{"kind": "departures", "start": 1, "size": 2.0}]}, r"shocks\[0\].size = 2.0 is out of range"),
        ({"shocks": [{"kind": "service_failure", "start": 1, "size": 0.1, "between": ["nhs_trust", "x"]}]},
         "unknown kind 'x'"),
    ],
)
def test_bad_schedules_and_shocks_get_one_clear_error(changes, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario(**changes)


def test_scenario_files_hold_schedules_and_shocks(tmp_path):
    from simulation import load_scenario

    path = tmp_path / "crisis.toml"
    path.write_text(
        '[interventions]\nopen_book = 0.5\n\n[schedule]\nopen_book = { start = 12, stop = 36 }\n\n'
        '[[shocks]]\nkind = "financial_crisis"\nstart = 24\nmonths = 12\nsize = 0.3\n', encoding="utf-8")
    sc = load_scenario(path)
    assert sc.schedule["open_book"] == LeverSchedule(12, 36)
    assert sc.shocks == (Shock("financial_crisis", 24, 0.3, months=12),)
    assert Scenario.from_dict(sc.to_dict()) == sc


@pytest.mark.parametrize("engine", ENGINES)
def test_the_boards_authority_suppresses_conflicts_without_resolving_them(engine):
    """Festering conflicts on board ties are held down (no festering harm) and come back when the board goes."""
    sc = Scenario(organisations=SMALL, system_board=True, board_authority=1.0, suppressed_resurface=0.0,
                  resolution_rate=0.0, conflict_rate=0.5, turnover_rate=0.0,
                  schedule={"system_board": {"start": 0, "stop": 12}})
    model = engine(sc, rng=5)
    model.run(12)
    rel = model.relationships
    assert rel.suppressed[rel.formal].sum() > 0 and rel.suppressed[~rel.formal].sum() == 0
    assert rel.backlog[rel.formal].sum() == 0  # with full authority nothing festers on board ties
    assert rel.backlog[~rel.formal].sum() > 0  # elsewhere conflicts fester
    held = int(rel.suppressed.sum())
    model.run(6)  # the board is gone; suppressed conflicts stay down (resurface chance 0)
    assert int(model.relationships.suppressed.sum()) == held


@pytest.mark.parametrize("engine", ENGINES)
def test_board_decisions_create_distributional_conflict(engine):
    quiet = dict(organisations=SMALL, system_board=True, board_contact_rate=4.0, conflict_rate=0.0,
                 board_authority=0.0, turnover_rate=0.0)
    none = engine(Scenario(board_decision_conflict=0.0, **quiet), rng=3)
    some = engine(Scenario(board_decision_conflict=1.0, **quiet), rng=3)
    none.run(12)
    some.run(12)
    assert none.timeseries()["conflicts_arisen"].sum() == 0
    decisions = some.timeseries()["board_decisions"].sum()
    assert decisions > 12 and some.timeseries()["conflicts_arisen"].sum() == decisions


@pytest.mark.parametrize("engine", ENGINES)
def test_a_health_and_wellbeing_board_convenes_members_who_find_common_cause(engine):
    sc = Scenario(organisations=SMALL, health_wellbeing_board=True, hwb_voluntary_members=2, hwb_contact_rate=2.0)
    model = engine(sc, rng=4)
    members = np.flatnonzero(model.leaders.forum_member)
    assert len(members) == 5 + 2 and model.leaders.statutory[members].sum() == 5
    keys = set(map(tuple, model.relationships.pairs.tolist()))
    assert all((i, j) in keys for x, i in enumerate(members) for j in members[x + 1:])
    model.run(3)
    assert model.timeseries()["hours_board"].iloc[1:].sum() > 0


def test_the_regulator_moves_leaders_focus_both_ways():
    focus = {}
    for r in (-0.5, 0.0, 0.5):
        model = TrustModel(Scenario(organisations=SMALL, regulator_incentive=r), rng=1)
        focus[r] = model.leaders.traits["institutional_focus"].mean()
    assert focus[-0.5] < focus[0.0] < focus[0.5]


def test_a_pooled_budget_aligns_the_board_and_raises_the_stakes():
    """Fewer ordinary conflicts on board ties, more disputed decisions: both directions of the mechanism."""
    base = dict(organisations=SMALL, system_board=True, board_contact_rate=2.0, turnover_rate=0.0)
    from simulation.interventions import effective_parameters
    from simulation.kernel import KERNEL_PARAMETERS, parameter_vector

    pooled = Scenario(pooled_budget=0.8, **base)
    v = parameter_vector(effective_parameters(pooled.params, True))
    assert v[KERNEL_PARAMETERS.index("pooled_budget")] == 0.8
    assert effective_parameters(Scenario(pooled_budget=0.8).params, True)["pooled_budget"] == 0.0  # no board
    quiet = dict(conflict_rate=0.0, board_authority=0.0)
    disputes = [run(Scenario(pooled_budget=s, board_decision_conflict=0.2, **quiet, **base), steps=24,
                    seed=2).timeseries["conflicts_arisen"].sum() for s in (0.0, 1.0)]
    assert disputes[1] > 2 * disputes[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_merger_passes_relationships_to_the_acquirer_at_reduced_trust(engine):
    from simulation import Place

    place = Place(ids=["A", "B", "C", "D"], names=["A", "B", "C", "D"],
                  kinds=["nhs_trust", "nhs_trust", "voluntary", "voluntary"],
                  pairs=np.array([[0, 1], [0, 2], [0, 3], [1, 2]]),
                  contact_rate=np.zeros(4), trust=np.array([[0.9, 0.9], [0.8, 0.6], [0.8, 0.6], [0.5, 0.5]]))
    sc = Scenario(mergers=[{"month": 0, "absorbed": 0, "into": 1}], merger_trust_kept=0.5, merger_disruption=0.2,
                  **STILL)
    model = engine(sc, place=place, rng=0)
    model.step()
    rel = model.relationships
    got = {tuple(p): [rel.trust[2 * k], rel.trust[2 * k + 1]] for k, p in enumerate(rel.pairs.tolist())}
    # A-B gone; A-C dropped (B already knows C); B-C disrupted; A-D passes to B at half the trust
    assert sorted(got) == [(1, 2), (1, 3)]
    assert got[(1, 2)] == pytest.approx([0.4, 0.4]) and got[(1, 3)] == pytest.approx([0.4, 0.3])
    assert model.leaders.merged.tolist() == [True, False, False, False]


@pytest.mark.parametrize(
    ("mergers", "message"),
    [([{"month": 1, "absorbed": 2, "into": 2}], "organisation 2 cannot merge with itself"),
     ([{"month": -1, "absorbed": 2, "into": 3}], r"mergers\[0\].month = -1 is out of range"),
     ([{"month": 1, "absorbed": 2}], "must be a table with month, absorbed and into")],
)
def test_bad_mergers_get_one_clear_error(mergers, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario(mergers=mergers)
