"""Steering: a person's choices for one organisation, applied to the state between months.

A participatory session (:mod:`simulation.classroom`) lets people play the
leaders of some organisations; the model's own leaders play the rest. Their
choices reach the model only through this module, as edits of the state
between two months, never inside the compiled month:

``transparency``, ``altruism``
    replace the current leader's *drawn* disposition (rows 0 and 2 of
    :attr:`~simulation.relationships.Leaders.raw_traits`) for the months the
    organisation is steered. The kernel derives the effective traits from
    the drawn ones at the start of every month (the open-book lever and
    leadership development act on the chosen values as on anyone's), so the
    choice is written into the drawn row before each month and the leader's
    own draw is put back after it. A leader who leaves during a month is
    replaced by a newly drawn one, whose draw is kept as the organisation's
    own from then on; the choice still applies to the new leader.
``contact``
    the expected one-to-one meetings a month with a partner: the pair's
    :attr:`~simulation.relationships.Relationships.contact_rate`, set before
    each month (the kernel still cuts it when either leader's hours run out).
    When both ends of a pair are steered, the pair meets at the lower of the
    two rates asked (a meeting needs both).
:meth:`Steering.let_lie`
    moves the open conflicts of a pair into ``suppressed`` at once: they stop
    eroding trust as festering conflicts do, cannot be resolved while they lie,
    and resurface at the kernel's ``suppressed_resurface`` rate. Surfacing
    (doing nothing) leaves them open, to be resolved at meetings or fester.

:func:`replace_leader`
    one organisation's leader leaves now (a teacher's shock), as leaders
    leave in the kernel's turnover: trust on its ties falls back
    (:func:`~simulation.rules.turnover_reset`), what the leader learned goes
    with them, and the successor's traits are drawn from the kind's Beta
    distributions with the run's own generator.

Only :func:`replace_leader` draws random numbers (from the run's generator),
so a run steered the same way from the same seed gives the same numbers.

Examples
--------
>>> from simulation import TrustModel
>>> m = TrustModel(rng=3, organisations={"nhs_trust": 2, "council": 1, "voluntary": 5})
>>> drawn = m.leaders.raw_traits[0, 0]
>>> m.steer(0, transparency=0.9, altruism=0.1)
>>> m.step()
>>> float(m.leaders.raw_traits[0, 0]) == float(drawn) or m.leaders.tenure[0] == 0
True
>>> m.steering.overrides[0].transparency
0.9
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .kinds import TRAITS
from .relationships import Leaders, Relationships
from .rules import turnover_reset
from .scenario import Scenario, ScenarioError

__all__ = ["Override", "Steering", "MAX_CONTACT", "pair_row", "replace_leader"]

#: Upper bound of a steered contact rate (meetings a month with one partner).
MAX_CONTACT = 8.0
_TRANSPARENCY, _ALTRUISM = 0, 2  # rows of Leaders.raw_traits (simulation.kinds.TRAITS)


@dataclass
class Override:
    """The standing choices for one organisation (``None``: the leader's own disposition)."""

    transparency: float | None = None
    altruism: float | None = None
    contact: dict[int, float] = field(default_factory=dict)


def pair_row(relationships: Relationships, i: int, j: int) -> int:
    """Row of the relationship between organisations ``i`` and ``j``, or -1 if they have none.

    >>> r = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.full(4, 0.5), np.ones(2))
    >>> pair_row(r, 2, 1), pair_row(r, 0, 2)
    (1, -1)
    """
    a, b = (i, j) if i < j else (j, i)
    pairs = relationships.pairs
    hit = np.flatnonzero((pairs[:, 0] == a) & (pairs[:, 1] == b))
    return int(hit[0]) if len(hit) else -1


def _unit(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ScenarioError(f"{name} = {value!r} is out of range: expected a number in [0, 1]")
    return float(value)


class Steering:
    """Standing choices per organisation, applied around each month (see the module docstring).

    Attributes
    ----------
    overrides : dict of int to Override
        The steered organisations and their choices.
    """

    def __init__(self) -> None:
        self.overrides: dict[int, Override] = {}
        self._drawn: dict[int, np.ndarray] = {}

    def steer(
        self,
        leaders: Leaders,
        relationships: Relationships,
        organisation: int,
        *,
        transparency: float | None = None,
        altruism: float | None = None,
        contact: Mapping[int, float] | None = None,
    ) -> None:
        """Set the choices of ``organisation`` (given ones replace the standing ones; ``contact`` merges).

        Raises
        ------
        ScenarioError
            For an unknown organisation, a value out of range, or a partner it
            has no relationship with (the message names the parameter).
        """
        i = self._organisation(leaders, organisation)
        transparency, altruism = _unit("transparency", transparency), _unit("altruism", altruism)
        rates: dict[int, float] = {}
        for partner, rate in dict(contact or {}).items():
            j = self._organisation(leaders, partner, "partner")
            if pair_row(relationships, i, j) < 0:
                raise ScenarioError(f"contact[{j}]: organisation {i} has no relationship with {j}")
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate) \
                    or not 0.0 <= rate <= MAX_CONTACT:
                raise ScenarioError(f"contact[{j}] = {rate!r} is out of range: expected meetings a month "
                                    f"in [0, {MAX_CONTACT:g}]")
            rates[j] = float(rate)
        o = self.overrides.setdefault(i, Override())
        if transparency is not None:
            o.transparency = transparency
        if altruism is not None:
            o.altruism = altruism
        o.contact.update(rates)

    def release(self, leaders: Leaders, organisation: int) -> None:
        """Stop steering ``organisation``: its leader's own disposition acts again (contact rates stay)."""
        i = self._organisation(leaders, organisation)
        self.overrides.pop(i, None)
        self._drawn.pop(i, None)

    @staticmethod
    def let_lie(leaders: Leaders, relationships: Relationships, organisation: int, partner: int) -> int:
        """Move the open conflicts between two organisations into ``suppressed``; return how many."""
        i = Steering._organisation(leaders, organisation)
        j = Steering._organisation(leaders, partner, "partner")
        p = pair_row(relationships, i, j)
        if p < 0:
            raise ScenarioError(f"partner = {j}: organisation {i} has no relationship with {j}")
        moved = int(relationships.backlog[p])
        relationships.suppressed[p] += moved
        relationships.backlog[p] = 0
        return moved

    # ------------------------------------------------------------ each month
    def before_month(self, leaders: Leaders, relationships: Relationships) -> None:
        """Write the choices into the state: drawn traits (kept aside) and contact rates."""
        raw = leaders.raw_traits
        for i, o in self.overrides.items():
            self._drawn[i] = raw[:, i].copy()
            if o.transparency is not None:
                raw[_TRANSPARENCY, i] = o.transparency
            if o.altruism is not None:
                raw[_ALTRUISM, i] = o.altruism
        asked: dict[int, float] = {}
        for i, o in self.overrides.items():
            for j, rate in o.contact.items():
                p = pair_row(relationships, i, j)
                if p >= 0:  # a merger may have removed the tie
                    asked[p] = min(rate, asked.get(p, math.inf))
        for p, rate in asked.items():
            relationships.contact_rate[p] = rate

    def after_month(self, leaders: Leaders) -> None:
        """Put the leaders' own draws back (a leader who left this month keeps the successor's draw)."""
        raw = leaders.raw_traits
        for i, drawn in self._drawn.items():
            if leaders.tenure[i] != 0:
                raw[:, i] = drawn
        self._drawn.clear()

    @staticmethod
    def _organisation(leaders: Leaders, value: int, name: str = "organisation") -> int:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value < leaders.n:
            raise ScenarioError(f"{name} = {value!r} is out of range: expected an organisation index in "
                                f"[0, {leaders.n - 1}]")
        return int(value)


def replace_leader(leaders: Leaders, relationships: Relationships, scenario: Scenario,
                   params: Mapping[str, float], rng: np.random.Generator, organisation: int) -> None:
    """The leader of ``organisation`` leaves now and a new one, drawn from the kind's traits, takes over.

    Raises
    ------
    ScenarioError
        For an unknown organisation.
    """
    i = Steering._organisation(leaders, organisation)
    kind = scenario.kinds[leaders.kind_names[leaders.kind[i]]]
    for row, name in enumerate(TRAITS):
        dist = kind.trait(name)
        leaders.raw_traits[row, i] = rng.beta(dist.a, dist.b)
    leaders.tenure[i] = 0
    leaders.learning[:, i] = 0.0
    leaders.cohort[0, i], leaders.cohort[1, i] = -1, 0
    pairs, trust = relationships.pairs, relationships.trust
    base, loss = float(params["baseline_trust"]), float(params["turnover_trust_loss"])
    for p in np.flatnonzero((pairs[:, 0] == i) | (pairs[:, 1] == i)):
        trust[2 * p] = turnover_reset(float(trust[2 * p]), base, loss)
        trust[2 * p + 1] = turnover_reset(float(trust[2 * p + 1]), base, loss)
