"""Changing a running model's parameters (``TrustModel.set_params``, :mod:`simulation.midrun`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import TrustModel
from simulation.midrun import SET_UP_ONLY
from simulation.scenario import ScenarioError


def test_a_change_acts_from_the_next_month_and_the_run_goes_on():
    plain, changed = TrustModel(rng=4, contact_rate=1.0), TrustModel(rng=4, contact_rate=1.0)
    plain.run(12)
    changed.run(12)
    assert changed.set_params(contact_rate=2.5, open_book=0.6) == {"contact_rate": (1.0, 2.5), "open_book": (0.0, 0.6)}
    assert changed.steps == 12 and changed.params["open_book"] == 0.6 and changed.scenario.open_book == 0.6
    plain.run(12)
    changed.run(12)
    a, b = plain.timeseries(), changed.timeseries()
    assert len(b) == 25
    assert a.iloc[:13].equals(b.iloc[:13])  # the months before the change are the same run
    assert not np.allclose(a["mean_trust"].iloc[13:], b["mean_trust"].iloc[13:])


def test_the_same_changes_from_the_same_seed_give_the_same_run():
    runs = []
    for _ in range(2):
        m = TrustModel(rng=9)
        m.run(5)
        m.set_params(shared_roles=3, system_board=True)
        m.run(5)
        runs.append(m.timeseries())
    assert runs[0].equals(runs[1])


def test_contact_rates_of_existing_ties_follow_the_contact_rate():
    m = TrustModel(rng=1, contact_rate=1.0)
    m.run(2)
    before = m.relationships.contact_rate.copy()
    m.set_params(contact_rate=2.0)
    assert np.allclose(m.relationships.contact_rate, 2.0 * before)
    m.set_params(contact_rate=0.0)
    assert not m.relationships.contact_rate.any()
    m.set_params(contact_rate=1.0)  # from 0: drawn up again from the contact weights
    assert np.allclose(m.relationships.contact_rate, before)


def test_structures_are_built_and_taken_down_while_their_lever_acts():
    m = TrustModel(rng=3)
    m.run(4)
    assert not m.relationships.shared_role.any() and not m.relationships.formal.any()
    m.set_params(shared_roles=3, system_board=True)
    assert m.relationships.shared_role.sum() == 3 and m.intervention_report["shared_roles"] == 3
    assert m.relationships.formal.any() and m.intervention_report["board_ties"] > 0
    m.step()
    m.set_params(shared_roles=1, system_board=False)
    assert m.relationships.shared_role.sum() == 1
    assert not m.relationships.formal.any()


def test_a_lever_not_yet_acting_builds_from_its_new_value_when_it_starts():
    m = TrustModel(rng=3, intervention_start=6)
    m.run(2)
    m.set_params(system_board=True)
    assert not m.relationships.formal.any()
    m.run(5)
    assert m.relationships.formal.any()


@pytest.mark.parametrize(("values", "match"), [
    ({"contact_speed": 1.0}, "'contact_speed' is not a parameter"),
    ({SET_UP_ONLY[0]: 0.2}, f"{SET_UP_ONLY[0]} acts only when the place is set up"),
    ({"contact_rate": -1.0}, r"dynamics.contact_rate = -1.0 is out of range"),
    ({"open_book": 0.5, "system_board": 1}, r"system_board = 1 has the wrong type"),
])
def test_bad_changes_are_refused_and_change_nothing(values, match):
    m = TrustModel(rng=0)
    m.run(1)
    params = dict(m.params)
    with pytest.raises(ScenarioError, match=match):
        m.set_params(**values)
    assert m.params == params and m.scenario.params == params


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=4.0), min_size=1, max_size=4))
def test_existing_ties_keep_their_contact_rates_in_proportion_whatever_the_changes(rates):
    m = TrustModel(rng=5, contact_rate=1.0, organisations={"nhs_trust": 2, "council": 2, "voluntary": 8})
    first = m.relationships.contact_rate.copy()
    for rate in rates:
        m.set_params(contact_rate=rate)
    assert m.params["contact_rate"] == rates[-1]
    assert np.allclose(m.relationships.contact_rate, first * rates[-1])  # from contact rate 1
