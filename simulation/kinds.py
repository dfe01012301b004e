"""Organisation kinds: a registry of data, not a hierarchy of classes.

Each kind (NHS trust, council, voluntary body, ...) carries the distributions
from which its leaders' traits are drawn, the sector it is accountable to
(conflicts are likelier across sectors with different accountabilities), how
often its leaders meet partners, and how many relationships a member of the
kind typically has with members of each other kind.

A user adds a kind (primary care, an integrated care board, ...) by passing a
new :class:`OrganisationKind` in a scenario's ``kinds`` table; nothing in the
engine branches on a kind's name.

Examples
--------
>>> kinds = default_kinds()
>>> sorted(kinds)
['council', 'nhs_trust', 'voluntary']
>>> kinds["nhs_trust"].sector
'nhs'
>>> round(kinds["voluntary"].altruism.mean, 2)
0.65
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "TRAITS",
    "TraitDistribution",
    "OrganisationKind",
    "default_kinds",
    "trait_shapes",
    "MAX_SIZE",
    "MAX_SIZE_SPREAD",
    "draw_sizes",
    "KindTable",
    "kind_table",
]

#: Largest size of an organisation (£ million a year): far above any English NHS trust or council.
MAX_SIZE = 1_000_000.0
#: Largest spread of a kind's sizes (standard deviation of the log-normal's logarithm).
MAX_SIZE_SPREAD = 5.0

#: Names of the leader traits, each a number in [0, 1].
TRAITS: tuple[str, ...] = (
    "transparency",
    "conflict_skill",
    "altruism",
    "institutional_focus",
)


@dataclass(frozen=True)
class TraitDistribution:
    """A Beta distribution on [0, 1] given by its mean and concentration.

    Parameters
    ----------
    mean : float
        Expected value, in (0, 1).
    concentration : float
        ``a + b`` of the Beta distribution, > 0; larger is less spread.

    Examples
    --------
    >>> d = TraitDistribution(0.25, 8.0)
    >>> d.a, d.b
    (2.0, 6.0)
    >>> x = d.sample(np.random.default_rng(0), 1000)
    >>> bool(0 <= x.min() and x.max() <= 1)
    True
    """

    mean: float
    concentration: float = 10.0

    @property
    def a(self) -> float:
        """First Beta shape parameter."""
        return self.mean * self.concentration

    @property
    def b(self) -> float:
        """Second Beta shape parameter."""
        return (1.0 - self.mean) * self.concentration

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values from the distribution with ``rng``."""
        return rng.beta(self.a, self.b, size=size)


@dataclass(frozen=True)
class OrganisationKind:
    """One kind of organisation and the leaders it tends to have.

    Parameters
    ----------
    name : str
        Identifier used in scenario files and outputs (``"nhs_trust"``).
    label : str
        Human-readable name.
    sector : str
        Accountability the kind answers to (``"nhs"``, ``"local_government"``,
        ``"voluntary"``). Pairs across sectors meet more conflict.
    statutory : bool
        Statutory bodies sit on a formal system board when one is imposed.
    transparency, conflict_skill, altruism, institutional_focus : TraitDistribution
        Distributions of the leader traits (see ``docs/ODD.md``).
    contact_weight : float
        Relative meeting frequency of this kind's leaders; a pair's contact
        rate is scaled by the geometric mean of the two weights.
    ties : Mapping[str, float]
        Expected number of relationships one member of this kind has with
        members of each other kind (and of its own kind) in a generated place.
    capacity : int
        Most relationships a leader of this kind keeps up: introductions
        (triadic closure) only join leaders who both have fewer. Leaders'
        time is finite, so the network cannot fill up.
    hours : float
        Hours a month this kind's leader can give to work outside the
        organisation: one-to-one meetings, boards, shared roles and every
        lever draw on them (``docs/ODD.md`` §7.12).
    size_median, size_spread : float
        The organisation's size (its annual budget in £ million: an NHS
        trust's income, a council's gross current spending on adult social
        care, a voluntary body's income) is drawn at set-up from a log-normal
        distribution with this median and this standard deviation of its
        logarithm (0: every organisation of the kind has the median); a place
        read from CSV may give it. Sizes weigh only the size-weighted
        integration index (:func:`simulation.outcomes.size_integration`).
    """

    name: str
    label: str
    sector: str
    statutory: bool
    transparency: TraitDistribution
    conflict_skill: TraitDistribution
    altruism: TraitDistribution
    institutional_focus: TraitDistribution
    contact_weight: float = 1.0
    ties: Mapping[str, float] = field(default_factory=dict)
    capacity: int = 1_000_000
    hours: float = 40.0
    size_median: float = 1.0
    size_spread: float = 0.0

    def trait(self, name: str) -> TraitDistribution:
        """The distribution of trait ``name`` (one of :data:`TRAITS`)."""
        return getattr(self, name)


def default_kinds() -> dict[str, OrganisationKind]:
    """The three kinds named in the seeds, with stylised leader traits.

    NHS trusts carry the legacy of competition (high institutional focus,
    guarded with information); councils sit in the middle; voluntary and
    community bodies are open and altruistic but small, so their leaders meet
    statutory partners less often.

    Returns
    -------
    dict[str, OrganisationKind]
        A fresh dictionary keyed by kind name; callers may add to it.
    """
    return {
        "nhs_trust": OrganisationKind(
            name="nhs_trust",
            label="NHS trust",
            sector="nhs",
            statutory=True,
            transparency=TraitDistribution(0.45, 10.0),
            conflict_skill=TraitDistribution(0.50, 10.0),
            altruism=TraitDistribution(0.30, 10.0),
            institutional_focus=TraitDistribution(0.70, 10.0),
            contact_weight=1.0,
            ties={"nhs_trust": 3.0, "council": 2.0, "voluntary": 4.0},
            capacity=20,
            hours=32.0,
            size_median=495.0,
            size_spread=0.6,
        ),
        "council": OrganisationKind(
            name="council",
            label="Council",
            sector="local_government",
            statutory=True,
            transparency=TraitDistribution(0.55, 10.0),
            conflict_skill=TraitDistribution(0.55, 10.0),
            altruism=TraitDistribution(0.45, 10.0),
            institutional_focus=TraitDistribution(0.50, 10.0),
            contact_weight=1.0,
            ties={"nhs_trust": 3.0, "council": 1.5, "voluntary": 15.0},
            capacity=40,
            hours=40.0,
            size_median=140.0,
            size_spread=0.7,
        ),
        "voluntary": OrganisationKind(
            name="voluntary",
            label="Voluntary or community body",
            sector="voluntary",
            statutory=False,
            transparency=TraitDistribution(0.70, 10.0),
            conflict_skill=TraitDistribution(0.50, 10.0),
            altruism=TraitDistribution(0.65, 10.0),
            institutional_focus=TraitDistribution(0.30, 10.0),
            contact_weight=0.6,
            ties={"nhs_trust": 0.27, "council": 0.67, "voluntary": 2.0},
            capacity=8,
            hours=16.0,
            size_median=0.0094,
            size_spread=2.4,
        ),
    }


def trait_shapes(kinds: Sequence[OrganisationKind]) -> np.ndarray:
    """The Beta shapes of the kinds' traits, ``(kinds, traits, 2)``: ``[k, t] = (a, b)``, traits as in :data:`TRAITS`.

    Examples
    --------
    >>> trait_shapes([default_kinds()["council"]])[0, 0].tolist()  # transparency: mean 0.55, concentration 10
    [5.5, 4.5]
    """
    return np.array([[[k.trait(t).a, k.trait(t).b] for t in TRAITS] for k in kinds], dtype=float).reshape(-1, 4, 2)


@dataclass(frozen=True, eq=False)
class KindTable:
    """A run's kinds as arrays, one entry per kind in the run's order (a leader's kind index reads them).

    Built once per sequence of kinds (:func:`kind_table`) and shared by every
    run set up with them: the arrays are read, never written.
    """

    kinds: tuple[OrganisationKind, ...]  # the kinds it was built from (identity checked on reuse)
    sector_names: list[str]  # the kinds' sectors, in order of first appearance
    sector: np.ndarray  # each kind's index in sector_names
    statutory: np.ndarray
    contact_weight: np.ndarray
    capacity: np.ndarray
    hours: np.ndarray
    trait_shapes: np.ndarray  # (kinds, traits, 2), :func:`trait_shapes`
    size_median: np.ndarray
    size_spread: np.ndarray


_KIND_TABLES: dict[tuple[int, ...], KindTable] = {}
_MAX_KIND_TABLES = 64


def kind_table(kinds: Sequence[OrganisationKind]) -> KindTable:
    """The :class:`KindTable` of ``kinds`` (cached by the kinds' identity: a batch's runs share one).

    Examples
    --------
    >>> k = default_kinds()
    >>> t = kind_table([k["council"], k["voluntary"], k["nhs_trust"]])
    >>> t.sector_names, t.sector.tolist(), t.capacity.tolist()
    (['local_government', 'voluntary', 'nhs'], [0, 1, 2], [40, 8, 20])
    >>> kind_table([k["council"], k["voluntary"], k["nhs_trust"]]) is t
    True
    """
    kinds = tuple(kinds)
    key = tuple(map(id, kinds))
    found = _KIND_TABLES.get(key)
    if found is not None and all(a is b for a, b in zip(found.kinds, kinds)):
        return found
    sector_names = list(dict.fromkeys(k.sector for k in kinds))
    table = KindTable(
        kinds=kinds,
        sector_names=sector_names,
        sector=np.array([sector_names.index(k.sector) for k in kinds], dtype=np.int64),
        statutory=np.array([k.statutory for k in kinds], dtype=bool),
        contact_weight=np.array([k.contact_weight for k in kinds], dtype=float),
        capacity=np.array([k.capacity for k in kinds], dtype=np.int64),
        hours=np.array([k.hours for k in kinds], dtype=float),
        trait_shapes=trait_shapes(kinds),
        size_median=np.array([k.size_median for k in kinds], dtype=float),
        size_spread=np.array([k.size_spread for k in kinds], dtype=float),
    )
    if len(_KIND_TABLES) >= _MAX_KIND_TABLES:
        _KIND_TABLES.clear()
    _KIND_TABLES[key] = table
    return table


def draw_sizes(rng: np.random.Generator, kinds: Sequence[OrganisationKind], kind: np.ndarray) -> np.ndarray:
    r"""Each organisation's size, drawn from its kind's log-normal distribution.

    .. math:: s_i = m_{k(i)} \exp(\sigma_{k(i)} z_i), \qquad z_i \sim N(0, 1)

    with :math:`m` the kind's ``size_median`` and :math:`\sigma` its
    ``size_spread``; one standard normal per organisation, in index order.

    Examples
    --------
    >>> k = default_kinds()
    >>> s = draw_sizes(np.random.default_rng(0), [k["council"], k["voluntary"]], np.array([0, 1, 1]))
    >>> s.shape, bool(s[0] > s[1:].max())
    ((3,), True)
    >>> draw_sizes(np.random.default_rng(0), [OrganisationKind("x", "x", "x", False, *[TraitDistribution(.5, 10)] * 4,
    ...            size_median=2.0)], np.zeros(2, dtype=np.int64)).tolist()  # no spread: the median
    [2.0, 2.0]
    """
    table = kind_table(kinds)
    return table.size_median[kind] * np.exp(table.size_spread[kind] * rng.standard_normal(len(kind)))
