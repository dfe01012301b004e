"""State arrays: leaders (per organisation) and relationships (per pair and per directed edge).

Layout
------
Undirected relationship ``p`` joins organisations ``i < j``; its two directed
edges are ``2p`` (``i -> j``: ``i``'s trust in ``j``) and ``2p + 1``
(``j -> i``). So ``pair = edge // 2`` and ``reverse = edge ^ 1``; nothing
needs a lookup table. Per-pair arrays (length ``P``): contact rate, conflict
backlog, age, formal and shared-role flags. Per-edge arrays (length ``2P``):
trust (and the derived source and target).

Relationships live in buffers with room to grow (the compiled kernel adds
introductions in place and doubles a buffer when it is full); the public
attributes are views of the first ``n_pairs`` rows.

Examples
--------
>>> r = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), trust=np.full(4, 0.5),
...                              contact_rate=np.ones(2))
>>> r.src.tolist(), r.dst.tolist()
([0, 1, 1, 2], [1, 0, 2, 1])
>>> r.n_pairs, r.n_edges
(2, 4)
>>> r.add(np.array([[0, 2]]), np.full(2, 0.4), np.ones(1))
>>> r.pairs.tolist(), r.trust.tolist()
([[0, 1], [1, 2], [0, 2]], [0.5, 0.5, 0.5, 0.5, 0.4, 0.4])
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np

from .kinds import TRAITS

__all__ = ["Leaders", "Relationships", "PAIR_FIELDS", "RelationshipArrays"]

#: Per-pair buffers of :class:`Relationships` (trust is per edge: two rows per pair), with their dtypes.
PAIR_FIELDS: tuple[tuple[str, type], ...] = (
    ("pairs", np.int64),
    ("trust", np.float64),
    ("contact_rate", np.float64),
    ("backlog", np.int64),
    ("age", np.int64),
    ("formal", np.bool_),
    ("shared_role", np.bool_),
    ("suppressed", np.int64),
    ("staff_trust", np.float64),
    ("care", np.bool_),
)

#: The buffers of :class:`Relationships` by name, in the order of :data:`PAIR_FIELDS` (a tuple, so the compiled
#: kernel takes and returns them as one structure: ``buffers.trust``, ``buffers.backlog`` ...).
RelationshipArrays = namedtuple("RelationshipArrays", [name for name, _ in PAIR_FIELDS])


@dataclass
class Leaders:
    """Per-organisation arrays: kind, sector and the current leader's traits.

    ``raw_traits`` holds traits as drawn for each current leader and
    ``effective_traits`` the values after interventions, both ``(4, N)`` with
    rows in the order of :data:`~simulation.kinds.TRAITS` (the kernel's
    layout); ``raw`` and ``traits`` are the same as dicts of row views.
    ``tenure`` counts months since the leader arrived; ``capacity`` is the
    most relationships the leader keeps up (introductions need room on both sides);
    ``hours_budget`` the hours a month the leader can give to work outside the organisation;
    ``forum_member`` whether the organisation sits on the Health and Wellbeing Board;
    ``merged`` whether it has been absorbed by another (it then has no relationships and no longer counts);
    ``learning`` the ``(2, N)`` programme level and share in the place's vision of the current leader (0 for a
    new leader); ``cohort`` the ``(2, N)`` programme cohort the leader is in (-1: none) and the months left in it;
    ``community`` the place's community strength (one value; place-level state);
    ``size`` each organisation's size, its annual budget in £ million (1 each if not given; a merger moves the
    absorbed organisation's size to the acquirer).
    """

    kind: np.ndarray  # int index into kind_names
    kind_names: list[str]
    sector: np.ndarray  # int index into sector_names
    statutory: np.ndarray  # bool
    contact_weight: np.ndarray  # float
    raw_traits: np.ndarray  # (4, N) float
    sector_names: list[str] = field(default_factory=list)
    effective_traits: np.ndarray | None = None
    tenure: np.ndarray | None = None
    capacity: np.ndarray | None = None
    hours_budget: np.ndarray | None = None
    forum_member: np.ndarray | None = None
    merged: np.ndarray | None = None
    learning: np.ndarray | None = None
    cohort: np.ndarray | None = None
    community: np.ndarray | None = None
    size: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.kind)
        self.raw_traits = np.ascontiguousarray(self.raw_traits, dtype=np.float64).reshape(len(TRAITS), n)
        if self.effective_traits is None:
            self.effective_traits = self.raw_traits.copy()
        if self.tenure is None:
            self.tenure = np.zeros(n, dtype=np.int64)
        if self.capacity is None:
            self.capacity = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        if self.hours_budget is None:
            self.hours_budget = np.full(n, np.inf)
        if self.forum_member is None:
            self.forum_member = np.zeros(n, dtype=bool)
        if self.merged is None:
            self.merged = np.zeros(n, dtype=bool)
        if self.learning is None:
            self.learning = np.zeros((2, n))
        if self.cohort is None:
            self.cohort = np.full((2, n), -1, dtype=np.int64)
            self.cohort[1] = 0
        if self.community is None:
            self.community = np.zeros(1)
        self.size = np.ones(n) if self.size is None else np.ascontiguousarray(self.size, dtype=np.float64)

    @property
    def n(self) -> int:
        """Number of organisations."""
        return len(self.kind)

    @property
    def raw(self) -> dict[str, np.ndarray]:
        """Drawn traits by name (views: writing into them changes the leaders)."""
        return {t: self.raw_traits[k] for k, t in enumerate(TRAITS)}

    @property
    def traits(self) -> dict[str, np.ndarray]:
        """Effective traits (after interventions) by name (views)."""
        return {t: self.effective_traits[k] for k, t in enumerate(TRAITS)}


class Relationships:
    """Per-pair and per-edge arrays of the relationship network, in growable buffers.

    Parameters
    ----------
    pairs : (P, 2) int array
        Organisation indices ``i < j`` of each relationship.
    trust : (2P,) float array
        Trust per directed edge (``2p``: ``i`` in ``j``; ``2p + 1``: ``j`` in ``i``).
    contact_rate : (P,) float array
        Expected meetings a month.
    backlog, age, formal, shared_role, suppressed, staff_trust, care : (P,) arrays, optional
        Unresolved conflicts, months since the tie began, tie imposed by a
        formal structure, pair sharing a boundary-spanning role, conflicts
        suppressed by a board's authority, trust between the two
        organisations' frontline teams, whether care crosses between the two
        (the place's relationships at the start; zeros/False if omitted).
    """

    def __init__(
        self,
        pairs: np.ndarray,
        trust: np.ndarray,
        contact_rate: np.ndarray,
        backlog: np.ndarray | None = None,
        age: np.ndarray | None = None,
        formal: np.ndarray | None = None,
        shared_role: np.ndarray | None = None,
        suppressed: np.ndarray | None = None,
        staff_trust: np.ndarray | None = None,
        care: np.ndarray | None = None,
    ) -> None:
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        p = len(pairs)
        given = {"pairs": pairs, "trust": trust, "contact_rate": contact_rate, "backlog": backlog, "age": age,
                 "formal": formal, "shared_role": shared_role, "suppressed": suppressed,
                 "staff_trust": staff_trust, "care": care}
        self.n_pairs = 0
        self._allocate(max(16, 2 * p))
        self.n_pairs = p
        for name, _ in PAIR_FIELDS:
            if given[name] is not None:
                getattr(self, name)[...] = np.asarray(given[name]).reshape(getattr(self, name).shape)

    def _allocate(self, capacity: int) -> None:
        old = getattr(self, "buffers", None)
        new = []
        for k, (name, dtype) in enumerate(PAIR_FIELDS):
            shape = (capacity, 2) if name == "pairs" else (2 * capacity,) if name == "trust" else (capacity,)
            buf = np.zeros(shape, dtype=dtype)
            if old is not None:
                rows = 2 * self.n_pairs if name == "trust" else self.n_pairs
                buf[:rows] = old[k][:rows]
            new.append(buf)
        self.buffers = RelationshipArrays(*new)

    def adopt(self, buffers: tuple[np.ndarray, ...], n_pairs: int) -> None:
        """Take the buffers (possibly regrown) and count the compiled kernel hands back."""
        self.buffers = RelationshipArrays(*buffers)
        self.n_pairs = int(n_pairs)

    @classmethod
    def from_pairs(cls, pairs: np.ndarray, trust: np.ndarray, contact_rate: np.ndarray) -> Relationships:
        """Relationships with given pairs, edge trust and pair contact rates."""
        return cls(pairs, trust, contact_rate)

    # views of the first n_pairs rows ------------------------------------
    def _view(self, k: int) -> np.ndarray:
        rows = 2 * self.n_pairs if k == 1 else self.n_pairs
        return self.buffers[k][:rows]

    def _set(self, k: int, value) -> None:
        self._view(k)[...] = value

    pairs = property(lambda self: self._view(0), lambda self, v: self._set(0, v), doc="(P, 2) organisations i < j")
    trust = property(lambda self: self._view(1), lambda self, v: self._set(1, v), doc="(2P,) trust per edge")
    contact_rate = property(lambda self: self._view(2), lambda self, v: self._set(2, v), doc="(P,) meetings/month")
    backlog = property(lambda self: self._view(3), lambda self, v: self._set(3, v), doc="(P,) open conflicts")
    age = property(lambda self: self._view(4), lambda self, v: self._set(4, v), doc="(P,) months since the tie began")
    formal = property(lambda self: self._view(5), lambda self, v: self._set(5, v), doc="(P,) tie of a structure")
    shared_role = property(lambda self: self._view(6), lambda self, v: self._set(6, v), doc="(P,) shared role")
    suppressed = property(lambda self: self._view(7), lambda self, v: self._set(7, v),
                          doc="(P,) conflicts a board's authority suppressed, unresolved")
    staff_trust = property(lambda self: self._view(8), lambda self, v: self._set(8, v),
                           doc="(P,) trust between the two organisations' frontline teams")
    care = property(lambda self: self._view(9), lambda self, v: self._set(9, v),
                    doc="(P,) care crosses between the two organisations (a care pathway)")

    @property
    def src(self) -> np.ndarray:
        """Source organisation of each directed edge."""
        return self.pairs.ravel()

    @property
    def dst(self) -> np.ndarray:
        """Target organisation of each directed edge."""
        return self.pairs[:, ::-1].ravel()

    @property
    def n_edges(self) -> int:
        """Number of directed edges ``2P``."""
        return 2 * self.n_pairs

    def keys(self, n: int) -> np.ndarray:
        """Integer key ``i * n + j`` of each pair, for membership tests."""
        return self.pairs[:, 0] * n + self.pairs[:, 1]

    def has_pairs(self, candidates: np.ndarray, n: int) -> np.ndarray:
        """Whether each candidate pair ``(i, j)``, ``i < j``, is already a relationship (bool per row).

        Examples
        --------
        >>> r = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.full(4, 0.5), np.ones(2))
        >>> r.has_pairs(np.array([[1, 2], [0, 2]]), 3).tolist()
        [True, False]
        """
        return self.index_of(candidates, n) >= 0

    def index_of(self, candidates: np.ndarray, n: int) -> np.ndarray:
        """Row of each candidate pair ``(i, j)``, ``i < j`` (-1 where there is no relationship)."""
        cand = np.asarray(candidates, dtype=np.int64).reshape(-1, 2)
        keys = self.keys(n)
        order = np.argsort(keys, kind="stable")
        ck = cand[:, 0] * n + cand[:, 1]
        if len(keys) == 0:
            return np.full(len(ck), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys[order], ck), len(keys) - 1)
        return np.where(keys[order][pos] == ck, order[pos], -1)

    def mutual_trust(self) -> np.ndarray:
        """``min(t_ij, t_ji)`` for each pair."""
        return np.minimum(self.trust[0::2], self.trust[1::2])

    def add(self, pairs: np.ndarray, trust: np.ndarray, contact_rate: np.ndarray, formal: bool = False) -> None:
        """Append new relationships (pairs not already present, ``i < j``)."""
        k = len(pairs)
        if k == 0:
            return
        p = self.n_pairs
        if p + k > len(self.buffers[0]):
            self._allocate(max(2 * len(self.buffers[0]), p + k))
        self.n_pairs = p + k
        self.pairs[p:] = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        self.trust[2 * p:] = trust
        self.contact_rate[p:] = contact_rate
        self.backlog[p:] = 0
        self.age[p:] = 0
        self.formal[p:] = formal
        self.shared_role[p:] = False
        self.suppressed[p:] = 0
        self.staff_trust[p:] = 0.0
        self.care[p:] = False

    def remove(self, rows: np.ndarray) -> None:
        """Delete the relationships at ``rows`` (the others keep their order)."""
        keep = np.ones(self.n_pairs, dtype=bool)
        keep[np.asarray(rows, dtype=np.int64)] = False
        kept = [getattr(self, name)[np.repeat(keep, 2) if name == "trust" else keep].copy() for name, _ in PAIR_FIELDS]
        self.n_pairs = 0
        self._allocate(max(16, 2 * int(keep.sum())))
        self.n_pairs = int(keep.sum())
        for (name, _), values in zip(PAIR_FIELDS, kept):
            getattr(self, name)[...] = values

    def copy(self) -> Relationships:
        """A deep copy (of the used rows)."""
        return Relationships(*(getattr(self, name).copy() for name, _ in PAIR_FIELDS))
