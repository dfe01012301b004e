"""Shared fixtures: tiny places with hand-checkable numbers, and a small generated place."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from simulation import Place, Scenario

# Same seed, same results, for the tests too: the suite's property tests draw the same examples on every run, so a
# submission passes or fails on its code, not on the examples of the day. Look for new failures with
# ``python -m pytest --hypothesis-profile=explore`` (fresh random examples on each run).
settings.register_profile("repeatable", derandomize=True, deadline=None, print_blob=True)  # no timing: a shared CI
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")

SMALL = {"nhs_trust": 3, "council": 2, "voluntary": 10}


@pytest.fixture
def small_scenario() -> Scenario:
    """A 15-organisation place: fast enough for many seeds."""
    return Scenario(organisations=SMALL, name="small")


@pytest.fixture
def pair_place() -> Place:
    """Two organisations (an NHS trust and a council) with one relationship and fixed traits."""
    return Place(
        ids=["A", "B"],
        names=["Trust A", "Council B"],
        kinds=["nhs_trust", "council"],
        pairs=np.array([[0, 1]]),
        traits={
            "transparency": np.array([1.0, 1.0]),
            "conflict_skill": np.array([0.5, 0.5]),
            "altruism": np.array([0.0, 0.0]),
            "institutional_focus": np.array([0.0, 0.0]),
        },
        contact_rate=np.array([50.0]),
        trust=np.array([[0.5, 0.5]]),
    )
