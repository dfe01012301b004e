"""The Mesa agent: an organisation and its leader, as a view onto the model's arrays.

The compiled engine keeps all state in numpy arrays (see
:mod:`simulation.relationships`); an :class:`Organisation` is the per-agent
window onto it, for inspection, dashboards and notebooks.
"""

from __future__ import annotations

import mesa
import numpy as np

__all__ = ["Organisation"]


class Organisation(mesa.Agent):
    """One organisation of the place (NHS trust, council, voluntary body, ...).

    Parameters
    ----------
    model : simulation.model.TrustModel
        The model holding the arrays (typed as Mesa's model: this module does
        not import the model that imports it).
    index : int
        Row of this organisation in the model's per-organisation arrays.
    name : str
        Display name.
    """

    def __init__(self, model: mesa.Model, index: int, name: str) -> None:
        super().__init__(model)
        self.index = index
        self.name = name

    @property
    def kind(self) -> str:
        """Kind name (``nhs_trust``, ``council``, ...)."""
        leaders = self.model.leaders
        return leaders.kind_names[leaders.kind[self.index]]

    def trait(self, name: str) -> float:
        """Current leader's effective trait ``name`` (after interventions)."""
        return float(self.model.leaders.traits[name][self.index])

    @property
    def transparency(self) -> float:
        """Open-book propensity of the current leader."""
        return self.trait("transparency")

    @property
    def conflict_skill(self) -> float:
        """Skill at surfacing and resolving conflict."""
        return self.trait("conflict_skill")

    @property
    def altruism(self) -> float:
        """Readiness to accept a local cost for a partner's gain."""
        return self.trait("altruism")

    @property
    def institutional_focus(self) -> float:
        """Focus on own organisation's performance over the place."""
        return self.trait("institutional_focus")

    def _edges_out(self) -> np.ndarray:
        return np.flatnonzero(self.model.relationships.src == self.index)

    def trust_in(self, other: Organisation) -> float | None:
        """This leader's trust in ``other``'s, or None if they have no relationship."""
        rel = self.model.relationships
        e = self._edges_out()
        hit = e[rel.dst[e] == other.index]
        return float(rel.trust[hit[0]]) if len(hit) else None

    def partners(self) -> list[Organisation]:
        """Organisations this one has a relationship with."""
        rel = self.model.relationships
        return [self.model.organisations[j] for j in rel.dst[self._edges_out()]]

    def __repr__(self) -> str:
        return f"Organisation({self.index}, {self.name!r}, kind={self.kind!r})"
