"""Shared fixtures: tiny places with hand-checkable numbers, a small generated place, the experiments' scripts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _load_script(name: str, module_name: str | None = None):
    """``experiments/<name>.py`` imported as a module, registered as ``module_name`` (its dataclasses look it up)."""
    if str(EXPERIMENTS) not in sys.path:
        sys.path.insert(0, str(EXPERIMENTS))  # the scripts import docblocks and each other
    module_name = module_name or name
    spec = importlib.util.spec_from_file_location(module_name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def experiment_script():
    """A loader of the scripts in experiments/: ``experiment_script("contest")``."""
    return _load_script


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
