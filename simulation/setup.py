"""Set-up shared by every engine: scenario and place, initial leaders and relationships.

The compiled engine (:class:`~simulation.model.TrustModel` and
:mod:`simulation.batch`, both through :class:`~simulation.simulator.Simulator`)
and the per-agent reference (:mod:`simulation.reference`) all start from here,
so a seed gives the same place and initial state whichever engine runs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import kernel
from .compiling import compile_ahead
from .conditions import vary_place
from .kinds import TRAITS, draw_sizes, kind_table
from .place import Place, generate_place
from .relationships import Leaders, Relationships
from .sampling import draw_initial_state
from .scenario import Scenario, ScenarioError

__all__ = ["resolve_setup", "build_state", "place_sizes", "base_contact_rate", "contact_rates"]


def resolve_setup(
    scenario: Scenario | None, place: Place | None, params: dict[str, Any], rng: np.random.Generator
) -> tuple[Scenario, Place]:
    """The scenario (defaults plus ``params``, validated) and the place (generated if not given).

    The place is drawn with a generator spawned from ``rng``, so the dynamics'
    stream does not depend on the place's size; then the place-level
    conditions, where their spreads are above 0
    (:func:`~simulation.conditions.vary_place`). Shared by every engine.
    """
    compile_ahead()  # on numba's first use here, the kernel's largest parts compile in a second process meanwhile
    scenario = scenario if scenario is not None else Scenario()
    if params:
        scenario = scenario.replace(**params)
    if place is None:
        (place_rng,) = rng.spawn(1)
        place = generate_place(scenario, place_rng)
    return vary_place(scenario, rng), place


def build_state(scenario: Scenario, place: Place, rng: np.random.Generator) -> tuple[Leaders, Relationships]:
    """Initial leaders and relationships for ``place``, drawing what it leaves open.

    Draw order (fixed, so runs reproduce): each organisation's leader traits in
    index order, each in the order of :data:`~simulation.kinds.TRAITS`
    (:func:`~simulation.sampling.draw_traits`, as for a successor), then
    initial trust per edge. Given values in the place (CSV traits, trust,
    contact rates, sizes) win. Each organisation's size
    (:func:`~simulation.kinds.draw_sizes`) is drawn with a generator spawned
    from ``rng``, so the dynamics' stream does not depend on it.
    """
    unknown = sorted(set(place.kinds) - set(scenario.kinds))
    if unknown:
        raise ScenarioError(
            f"place uses unknown kind(s) {', '.join(unknown)}; known kinds: {', '.join(sorted(scenario.kinds))}"
        )
    kind_names = list(dict.fromkeys(place.kinds))
    index = {k: i for i, k in enumerate(kind_names)}
    kind_idx = np.array([index[k] for k in place.kinds], dtype=np.int64)
    table = kind_table([scenario.kinds[k] for k in kind_names])
    mu, conc = float(scenario.initial_trust), float(scenario.initial_trust_concentration)
    raw, trust = draw_initial_state(rng, kind_idx, table.trait_shapes, mu * conc, (1.0 - mu) * conc, 2 * place.n_pairs)
    for t, given in place.traits.items():
        ok = ~np.isnan(given)
        raw[TRAITS.index(t), ok] = given[ok]
    leaders = Leaders(
        kind=kind_idx,
        kind_names=kind_names,
        sector=table.sector[kind_idx],
        statutory=table.statutory[kind_idx],
        contact_weight=table.contact_weight[kind_idx],
        capacity=table.capacity[kind_idx],
        hours_budget=table.hours[kind_idx],
        raw_traits=raw,
        sector_names=list(table.sector_names),
        community=np.array([float(scenario.params["community_base"])]),
        size=place_sizes(scenario, place, kind_names, kind_idx, rng),
    )
    if place.trust is not None:
        given = place.trust.ravel()
        ok = ~np.isnan(given)
        trust[ok] = given[ok]
    contact = base_contact_rate(scenario, leaders, place.pairs)
    if place.contact_rate is not None:
        ok = ~np.isnan(place.contact_rate)
        contact[ok] = place.contact_rate[ok]
    relationships = Relationships.from_pairs(place.pairs, trust, contact)
    relationships.care = True  # care crosses between organisations that work together at the start
    return leaders, relationships


def place_sizes(scenario: Scenario, place: Place, kind_names: list[str], kind: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """Each organisation's size: the place's where given, else drawn from its kind's distribution.

    The draws come from a generator spawned from ``rng`` (one standard normal
    per organisation, given or not, in index order), so neither the
    dynamics' stream nor the other organisations' sizes depend on which are given.
    """
    (size_rng,) = rng.spawn(1)
    sizes = draw_sizes(size_rng, [scenario.kinds[k] for k in kind_names], kind)
    if place.size is not None:
        ok = ~np.isnan(place.size)
        sizes[ok] = place.size[ok]
    return sizes


def base_contact_rate(scenario: Scenario, leaders: Leaders, pairs: np.ndarray) -> np.ndarray:
    """Contact rate of each relationship in ``pairs`` at the scenario's contact rate (:func:`contact_rates`)."""
    return contact_rates(float(scenario.contact_rate), leaders, pairs)


def contact_rates(contact_rate: float, leaders: Leaders, pairs: np.ndarray) -> np.ndarray:
    """:func:`~simulation.rules.new_tie_contact_rate` of each pair ``(i, j)`` in ``pairs``, compiled."""
    pairs = np.ascontiguousarray(np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
    weight = np.ascontiguousarray(leaders.contact_weight, dtype=np.float64)
    return kernel.new_tie_contact_rates(float(contact_rate), weight, pairs)
