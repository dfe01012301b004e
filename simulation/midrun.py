"""Changing a running model's parameters between two months, as NetLogo's sliders do.

:func:`change_parameters` (``TrustModel.set_params``) validates the new
values like a scenario's, writes them into the run's parameters (the
:class:`~simulation.simulator.Simulator` reads them at the start of every
month, so they act from the next month) and brings the state the levers
built at their start into line with them:

``contact_rate``
    the relationships' own contact rates (set when each tie was made, from
    the contact rate then) are rescaled by the ratio of the new rate to the
    old one; from a rate of 0 (below 1e-9) they are drawn up again from the
    place's contact weights (:func:`~simulation.setup.contact_rates`);
``shared_roles`` (while the lever acts)
    roles are added (:func:`~simulation.interventions.add_shared_roles`,
    drawing from the run's generator) or the latest taken away, to the new
    number;
``system_board``, ``health_wellbeing_board`` (while the lever acts)
    the board is set up (its ties made) or dissolved (its ties stay, as
    relationships), as when the lever starts or stops.

A lever not acting yet only has its value changed: its structures are built
from the new value when it starts. Parameters that act only when the place
is set up (:data:`SET_UP_ONLY`) are refused. The run's scenario is replaced
by one with the new values, so a manifest written afterwards records them.

Examples
--------
>>> from simulation import Scenario, TrustModel
>>> m = TrustModel(Scenario(contact_rate=1.0), rng=2)
>>> m.run(3)
>>> change_parameters(m, {"contact_rate": 2.0, "open_book": 0.5})
{'contact_rate': (1.0, 2.0), 'open_book': (0.0, 0.5)}
>>> m.params["contact_rate"], m.scenario.contact_rate, m.steps
(2.0, 2.0, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .interventions import add_health_wellbeing_board, add_shared_roles, add_system_board
from .scenario import PARAMETERS, ScenarioError
from .setup import contact_rates

__all__ = ["SET_UP_ONLY", "change_parameters"]

#: Parameters read only when the place and its leaders are set up: changing them mid-run would do nothing.
SET_UP_ONLY: tuple[str, ...] = ("initial_trust", "initial_trust_concentration", "organisation_budget",
                               "pressure_spread", "history_spread", "demand_spread")  # the place conditions (§7.20)
_NAMES = frozenset(p.name for p in PARAMETERS)
_TINY = 1e-9  # a contact rate below this counts as none: the ties' rates are drawn up again, not rescaled


def change_parameters(model, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set ``values`` on a running ``model`` from its next month; return ``{name: (old, new)}`` of those changed.

    Parameters
    ----------
    model : TrustModel
        The running model (its ``params``, ``scenario``, ``simulator``,
        ``leaders``, ``relationships`` and ``rng``).
    values : mapping of str to value
        Parameters by name, in the ranges of :data:`~simulation.PARAMETERS`.

    Raises
    ------
    ScenarioError
        For an unknown parameter, one in :data:`SET_UP_ONLY`, or a value of
        the wrong type or out of range (nothing is changed then).
    """
    for name in values:
        if name not in _NAMES:
            raise ScenarioError(f"{name!r} is not a parameter: see `python -m simulation params`")
        if name in SET_UP_ONLY:
            raise ScenarioError(f"{name} acts only when the place is set up: it cannot change in a running model "
                                "(start a new run with it)")
    scenario = model.scenario.replace(**dict(values))  # validated as a scenario's values are
    old = dict(model.params)
    changed = {name: (old[name], scenario.params[name]) for name in values if scenario.params[name] != old[name]}
    model.params.update({name: new for name, (_, new) in changed.items()})
    model.scenario = model.simulator.scenario = scenario
    active = model.simulator.active
    if "contact_rate" in changed:
        _rescale_contact(model, *changed["contact_rate"])
    if "shared_roles" in changed and "shared_roles" in active:
        _set_shared_roles(model, int(changed["shared_roles"][1]))
    if "system_board" in changed and "system_board" in active:
        if changed["system_board"][1]:
            _report(model, "board_ties", add_system_board(model.relationships, model.leaders,
                                                          model.params["baseline_trust"]))
        else:
            model.relationships.formal = False
    if "health_wellbeing_board" in changed and "health_wellbeing_board" in active:
        if changed["health_wellbeing_board"][1]:
            _report(model, "forum_ties", add_health_wellbeing_board(
                model.relationships, model.leaders, model.params["hwb_voluntary_members"],
                model.params["baseline_trust"], model.rng))
        else:
            model.leaders.forum_member[:] = False
    return changed


def _report(model, key: str, added: int) -> None:
    report = model.simulator.intervention_report
    report[key] = report.get(key, 0) + int(added)


def _rescale_contact(model, old: float, new: float) -> None:
    rel = model.relationships
    if rel.n_pairs == 0:
        return
    if old > _TINY:
        rel.contact_rate[:] = rel.contact_rate / old * new
    else:
        rel.contact_rate[:] = contact_rates(float(new), model.leaders, rel.pairs)


def _set_shared_roles(model, wanted: int) -> None:
    rel, params = model.relationships, model.params
    roles = np.flatnonzero(rel.shared_role)
    if wanted > len(roles):
        _report(model, "shared_roles", add_shared_roles(
            rel, model.leaders, model.leaders.sector_names, wanted - len(roles), params["baseline_trust"],
            model.rng, base_contact=params["contact_rate"]))
    elif wanted < len(roles):
        flags = rel.shared_role.copy()
        flags[roles[wanted:]] = False  # the latest roles end first
        rel.shared_role = flags
