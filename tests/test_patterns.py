"""Patterns that can fail: each check of the published record tells the model from a model that is wrong.

A pattern is evidence only if a wrong model would miss it. Each test runs England's place set
(:func:`simulation.ics.ics_scenarios`) under the model and under a deliberately wrong variant,
measures the record's target on both (:func:`simulation.record_measures.runs_value`, the
intervals read from ``simulation/data/published_record.toml``, none typed here), and asserts
that the wrong model misses it. Whether the model itself meets the tighter targets is reported,
not asserted (docs/ODD.md, "Calibration"), except where it is asserted below.
"""

from __future__ import annotations

import pytest

from simulation import Scenario
from simulation.batch import run_batch
from simulation.ics import ics_scenarios
from simulation.record import load_record
from simulation.record_measures import inside, runs_value
from simulation.scenario import BEHAVIOUR_OFF

SEEDS = 2  # places per system: 84 places in all
MONTHS = 73  # the longest target read here is at month 72

#: Wrong models, each missing something the record shows.
TRUST_IN_A_YEAR = {"initial_trust": 0.6}  # leaders already trust each other: partnerships from the start
PLACES_ALIKE = BEHAVIOUR_OFF  # the model before behaviour read trust and places differed
TRUST_NEVER_BUILDS = {"gain_rate": 0.01}


@pytest.fixture(scope="module")
def targets():
    return load_record().targets


def _england(change: dict) -> list:
    """One run per place of England's set (each system :data:`SEEDS` times), the model with ``change``."""
    scenarios = [s.replace(**change) for s in ics_scenarios(Scenario()).values() for _ in range(SEEDS)]
    return run_batch(scenarios, list(range(len(scenarios))), MONTHS)


@pytest.fixture(scope="module")
def model_runs():
    return _england({})


def test_no_working_partnership_in_the_first_year_fails_a_model_that_trusts_at_once(targets, model_runs):
    first_year = targets["nw_london_pilot_first_year"]
    assert inside(first_year, runs_value(first_year, model_runs))
    wrong = runs_value(first_year, _england(TRUST_IN_A_YEAR))
    assert not inside(first_year, wrong) and wrong < first_year.low


def test_places_that_differ_fail_a_model_where_places_are_alike(targets, model_runs):
    """The record's spread: a third of England's partnerships were working systems by 2018, nine in ten by 2022.

    With the behaviour that reads trust and the differences between places switched off, nearly every place
    crosses at the same month: all or none by any date, and the record's shares are missed both times.
    """
    by_2018, by_2022 = targets["first_integrated_care_systems"], targets["system_leaders_joint_working_2022"]
    alike = _england(PLACES_ALIKE)
    assert runs_value(by_2018, alike) > by_2018.high and runs_value(by_2022, alike) > by_2022.high
    # the model at its defaults (the calibrated point) lands near the record's 2018 share, the alike model far off
    # (whether the defaults meet both shares is reported in docs/ODD.md; the posterior's draws do, docs/calibration.md)
    centre = (by_2018.low + by_2018.high) / 2
    assert abs(runs_value(by_2018, model_runs) - centre) < abs(runs_value(by_2018, alike) - centre) / 4


def test_integration_by_2022_fails_a_model_where_trust_never_builds(targets):
    by_2022 = targets["system_leaders_joint_working_2022"]
    wrong = runs_value(by_2022, _england(TRUST_NEVER_BUILDS))
    assert wrong < by_2022.low
