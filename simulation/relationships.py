"""Edge-aligned state: leaders (per organisation) and relationships (per pair).

Layout
------
Undirected relationship ``p`` joins organisations ``i < j``; its two directed
edges are ``2p`` (``i -> j``: ``i``'s trust in ``j``) and ``2p + 1``
(``j -> i``). So ``pair = edge // 2`` and ``reverse = edge ^ 1``; nothing
needs a lookup table. Per-pair arrays (length ``P``): contact rate, conflict
backlog, age, formal and shared-role flags. Per-edge arrays (length ``2P``):
source, target, trust.

Examples
--------
>>> r = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), trust=np.full(4, 0.5),
...                              contact_rate=np.ones(2))
>>> r.src.tolist(), r.dst.tolist()
([0, 1, 1, 2], [1, 0, 2, 1])
>>> r.n_pairs, r.n_edges
(2, 4)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .kinds import TRAITS

__all__ = ["Leaders", "Relationships"]


@dataclass
class Leaders:
    """Per-organisation arrays: kind, sector and the current leader's traits.

    ``raw`` holds traits as drawn for the current leader; ``traits`` the
    effective values after interventions (see :mod:`simulation.interventions`).
    ``tenure`` counts months since the leader arrived; ``capacity`` is the
    most relationships the leader keeps up (introductions need room on both sides).
    """

    kind: np.ndarray  # int index into kind_names
    kind_names: list[str]
    sector: np.ndarray  # int index
    statutory: np.ndarray  # bool
    contact_weight: np.ndarray  # float
    raw: dict[str, np.ndarray]
    sector_names: list[str] = field(default_factory=list)
    traits: dict[str, np.ndarray] = field(default_factory=dict)
    tenure: np.ndarray | None = None
    capacity: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.traits:
            self.traits = {t: self.raw[t].copy() for t in TRAITS}
        if self.tenure is None:
            self.tenure = np.zeros(len(self.kind), dtype=np.int64)
        if self.capacity is None:
            self.capacity = np.full(len(self.kind), np.iinfo(np.int64).max, dtype=np.int64)

    @property
    def n(self) -> int:
        """Number of organisations."""
        return len(self.kind)


@dataclass
class Relationships:
    """Per-pair and per-edge arrays of the relationship network."""

    pairs: np.ndarray  # (P, 2) int64, i < j
    trust: np.ndarray  # (2P,) float64
    contact_rate: np.ndarray  # (P,) meetings per month
    backlog: np.ndarray = None  # (P,) int64 unresolved conflicts
    age: np.ndarray = None  # (P,) int64 months since the tie began
    formal: np.ndarray = None  # (P,) bool: tie imposed by a formal structure
    shared_role: np.ndarray = None  # (P,) bool: pair shares a boundary-spanning role

    def __post_init__(self) -> None:
        p = len(self.pairs)
        if self.backlog is None:
            self.backlog = np.zeros(p, dtype=np.int64)
        if self.age is None:
            self.age = np.zeros(p, dtype=np.int64)
        if self.formal is None:
            self.formal = np.zeros(p, dtype=bool)
        if self.shared_role is None:
            self.shared_role = np.zeros(p, dtype=bool)
        self._derive()

    def _derive(self) -> None:
        # edge 2p is i -> j and 2p + 1 is j -> i, so the flattened pairs are the sources
        self.src = self.pairs.ravel()
        self.dst = self.pairs[:, ::-1].ravel()
        self._sorted_keys: tuple[int, np.ndarray] | None = None

    @classmethod
    def from_pairs(cls, pairs: np.ndarray, trust: np.ndarray, contact_rate: np.ndarray) -> Relationships:
        """Relationships with given pairs, edge trust and pair contact rates."""
        return cls(
            pairs=np.asarray(pairs, dtype=np.int64).reshape(-1, 2),
            trust=np.asarray(trust, dtype=float),
            contact_rate=np.asarray(contact_rate, dtype=float),
        )

    @property
    def n_pairs(self) -> int:
        """Number of undirected relationships ``P``."""
        return len(self.pairs)

    @property
    def n_edges(self) -> int:
        """Number of directed edges ``2P``."""
        return 2 * len(self.pairs)

    def keys(self, n: int) -> np.ndarray:
        """Integer key ``i * n + j`` of each pair, for membership tests."""
        return self.pairs[:, 0] * n + self.pairs[:, 1]

    def sorted_keys(self, n: int) -> np.ndarray:
        """:meth:`keys` sorted ascending (cached until relationships are added), for fast membership tests."""
        if self._sorted_keys is None or self._sorted_keys[0] != n or len(self._sorted_keys[1]) != self.n_pairs:
            self._sorted_keys = (n, np.sort(self.keys(n)))
        return self._sorted_keys[1]

    def has_pairs(self, candidates: np.ndarray, n: int) -> np.ndarray:
        """Whether each candidate pair ``(i, j)``, ``i < j``, is already a relationship (bool per row).

        Same answer as ``np.isin(keys, self.keys(n))`` in O(k log P), without re-sorting ``P`` keys each call.

        Examples
        --------
        >>> r = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.full(4, 0.5), np.ones(2))
        >>> r.has_pairs(np.array([[1, 2], [0, 2]]), 3).tolist()
        [True, False]
        """
        keys = self.sorted_keys(n)
        cand = np.asarray(candidates, dtype=np.int64).reshape(-1, 2)
        ck = cand[:, 0] * n + cand[:, 1]
        if len(keys) == 0:
            return np.zeros(len(ck), dtype=bool)
        pos = np.minimum(np.searchsorted(keys, ck), len(keys) - 1)
        return keys[pos] == ck

    def mutual_trust(self) -> np.ndarray:
        """``min(t_ij, t_ji)`` for each pair."""
        return np.minimum(self.trust[0::2], self.trust[1::2])

    def add(self, pairs: np.ndarray, trust: np.ndarray, contact_rate: np.ndarray, formal: bool = False) -> None:
        """Append new relationships (pairs not already present, ``i < j``)."""
        if len(pairs) == 0:
            return
        k = len(pairs)
        self.pairs = np.concatenate([self.pairs, np.asarray(pairs, dtype=np.int64)])
        self.trust = np.concatenate([self.trust, np.asarray(trust, dtype=float)])
        self.contact_rate = np.concatenate([self.contact_rate, contact_rate])
        self.backlog = np.concatenate([self.backlog, np.zeros(k, dtype=np.int64)])
        self.age = np.concatenate([self.age, np.zeros(k, dtype=np.int64)])
        self.formal = np.concatenate([self.formal, np.full(k, formal)])
        self.shared_role = np.concatenate([self.shared_role, np.zeros(k, dtype=bool)])
        self._derive()

    def copy(self) -> Relationships:
        """A deep copy."""
        return Relationships(**{f.name: getattr(self, f.name).copy() for f in fields(self)})
