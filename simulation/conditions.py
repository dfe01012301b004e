"""Differences between places: each run's place-level conditions drawn around the scenario's values.

Places differ before any leader acts: in the pressure on their finances and
from regulators, in their history of competition or collaboration (the trust
their leaders start with), and in the demand on their services (the conflicts
it brings). With a spread above 0 a run draws its place's condition once, at
set-up, with the scenario's value as the median place (docs/ODD.md §7.20):
in [0, 1] on the logit scale (:func:`~simulation.rules.varied_share`), a rate
on the log scale (:func:`~simulation.rules.varied_rate`). With every spread 0
nothing is drawn and every run has the scenario's values.

Examples
--------
>>> import numpy as np
>>> from simulation import Scenario
>>> alike = Scenario(pressure_spread=0.0, history_spread=0.0, demand_spread=0.0)
>>> vary_place(alike, np.random.default_rng(1)) is alike
True
>>> varied = vary_place(alike.replace(pressure_spread=1.0), np.random.default_rng(1))
>>> 0 < varied.competitive_pressure < 1, varied.competitive_pressure != alike.competitive_pressure
(True, True)
"""

from __future__ import annotations

import numpy as np

from . import rules
from .scenario import PARAMETERS, Scenario, initial_trust_interval

__all__ = ["PLACE_CONDITIONS", "vary_place"]

#: Each place-level condition: (the parameter drawn, the spread parameter, whether a share in [0, 1]).
PLACE_CONDITIONS: tuple[tuple[str, str, bool], ...] = (
    ("competitive_pressure", "pressure_spread", True),
    ("initial_trust", "history_spread", True),
    ("conflict_rate", "demand_spread", False),
)


_SPECS = {spec.name: spec for spec in PARAMETERS}


def _allowed(name: str, params) -> tuple[float, float]:
    """The values a drawn condition may take, given the scenario's other parameters."""
    if name == "initial_trust" and 0.0 < params[name] < 1.0:
        return initial_trust_interval(float(params["initial_trust_concentration"]))
    return _SPECS[name].low, _SPECS[name].high


def vary_place(scenario: Scenario, rng: np.random.Generator) -> Scenario:
    """The scenario with this run's place-level conditions drawn (itself if every spread is 0).

    The draws come from a generator spawned from ``rng`` (one standard normal
    per condition, in the order of :data:`PLACE_CONDITIONS`), so the
    dynamics' own stream does not depend on them, and nothing is spawned
    while every spread is 0. A rate drawn above its parameter's allowed range
    is set to the range's top (the distribution is truncated there).
    """
    params = scenario.params
    if all(params[spread] == 0.0 for _, spread, _ in PLACE_CONDITIONS):
        return scenario
    (conditions_rng,) = rng.spawn(1)
    z = conditions_rng.standard_normal(len(PLACE_CONDITIONS))
    drawn = {}
    for k, (name, spread, share) in enumerate(PLACE_CONDITIONS):
        vary = rules.varied_share if share else rules.varied_rate
        value = vary(float(params[name]), float(params[spread]), float(z[k]))
        low, high = _allowed(name, params)
        drawn[name] = min(max(value, low), high)  # the distribution is truncated at what the parameter allows
    return scenario.replace(**drawn)
