"""Places: the organisations of a local system and who deals with whom.

A :class:`Place` is plain data: each organisation's id, name and kind,
optionally some of its leader's traits, and the undirected relationships,
optionally with contact rates and initial trust in each direction. Missing
values are drawn by the model from its own generator, so the same place and
seed always give the same run.

Three ways to get one:

* :func:`generate_place` — a stochastic block model over organisation kinds,
  with tie probabilities from each kind's expected ties (``OrganisationKind.ties``);
* :func:`place_from_graph` — any networkx graph whose nodes carry ``kind``;
* :func:`place_from_csv` — two CSV files mapping a real integrated care system.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(3)
>>> nx.set_node_attributes(g, {0: "nhs_trust", 1: "council", 2: "voluntary"}, "kind")
>>> p = place_from_graph(g)
>>> p.n_organisations, p.n_pairs
(3, 2)
>>> p.pairs.tolist()
[[0, 1], [1, 2]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .kinds import MAX_SIZE, TRAITS, OrganisationKind
from .sampling import block_model_pairs
from .scenario import Scenario, ScenarioError, decode_text
from .validation import ArgumentTypeError, available_memory, memory_exceeded

if TYPE_CHECKING:  # networkx is imported where a graph is made: sweeps' worker processes never need it
    import networkx as nx

__all__ = [
    "Place",
    "generate_place",
    "place_from_graph",
    "place_from_csv",
    "tie_probabilities",
    "check_place_size",
    "available_memory",
]


@dataclass(eq=False)  # numpy fields: compare places by identity
class Place:
    """Organisations and their relationships, before any dynamics.

    Parameters
    ----------
    ids : list
        External identifier of each organisation (index ``i`` is node ``i``).
    names : list[str]
        Display names.
    kinds : list[str]
        Kind name of each organisation.
    pairs : numpy.ndarray
        ``(P, 2)`` integer array of undirected relationships with ``i < j``,
        no duplicates.
    traits : dict[str, numpy.ndarray]
        Optional leader traits, each an array of length ``N`` with ``NaN``
        where the value is to be drawn from the kind's distribution.
    contact_rate : numpy.ndarray, optional
        Meetings per month for each pair (``NaN``: derive from the scenario).
    trust : numpy.ndarray, optional
        ``(P, 2)`` initial trust, column 0 is ``i``'s trust in ``j`` and
        column 1 ``j``'s in ``i`` (``NaN``: draw).
    size : numpy.ndarray, optional
        Each organisation's size, its annual budget in £ million, in
        ``(0, MAX_SIZE]`` (``NaN``: draw from the kind's distribution,
        :func:`~simulation.kinds.draw_sizes`).
    """

    ids: list
    names: list[str]
    kinds: list[str]
    pairs: np.ndarray
    traits: dict[str, np.ndarray] = field(default_factory=dict)
    contact_rate: np.ndarray | None = None
    trust: np.ndarray | None = None
    size: np.ndarray | None = None

    def __post_init__(self) -> None:
        for attr in ("ids", "names", "kinds"):
            value = getattr(self, attr)
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence | np.ndarray):
                raise ArgumentTypeError(f"place: {attr} = {value!r:.60} has the wrong type ({type(value).__name__}): "
                                        "expected a list, one per organisation")
        self.pairs = _array(self.pairs, "pairs", np.int64, "(P, 2) integer organisation indices").reshape(-1, 2) \
            if np.size(self.pairs) % 2 == 0 else _odd_pairs(self.pairs)
        n = len(self.ids)
        if len(self.names) != n or len(self.kinds) != n:
            raise ScenarioError("place: ids, names and kinds must have the same length")
        if n < 2:
            raise ScenarioError(f"place has {n} organisation(s): a place needs at least 2")
        if len(self.pairs):
            if self.pairs.min() < 0 or self.pairs.max() >= n:
                raise ScenarioError("place: a relationship refers to an organisation that does not exist")
            if np.any(self.pairs[:, 0] >= self.pairs[:, 1]):
                raise ScenarioError("place: pairs must have i < j (no self-relationships)")
            keys = np.sort(self.pairs[:, 0] * n + self.pairs[:, 1])
            if np.any(keys[1:] == keys[:-1]):
                raise ScenarioError("place: duplicate relationship")
        for name, values in self.traits.items():
            if name not in TRAITS:
                raise ScenarioError(f"place: unknown trait {name!r}; traits: {', '.join(TRAITS)}")
            arr = np.asarray(values, dtype=float)
            ok = np.isnan(arr) | ((arr >= 0) & (arr <= 1))
            if arr.shape != (n,) or not ok.all():
                raise ScenarioError(f"place: trait {name} must hold values in [0, 1] (or be blank)")
            self.traits[name] = arr
        if len(set(map(str, self.ids))) != n:
            raise ScenarioError("place: organisation ids must be distinct")
        if self.contact_rate is not None:
            self.contact_rate = _given(self.contact_rate, "contact_rate", (len(self.pairs),), 0.0, MAX_CONTACT_RATE,
                                       "meetings per month")
        if self.trust is not None:
            self.trust = _given(self.trust, "trust", (len(self.pairs), 2), 0.0, 1.0, "trust")
        if self.size is not None:
            self.size = _given_sizes(self.size, n)

    @property
    def n_organisations(self) -> int:
        """Number of organisations ``N``."""
        return len(self.ids)

    @property
    def n_pairs(self) -> int:
        """Number of undirected relationships ``P``."""
        return len(self.pairs)

    def to_graph(self) -> nx.Graph:
        """The place as a networkx graph (node attributes ``name`` and ``kind``)."""
        import networkx as nx

        g = nx.Graph()
        for i in range(self.n_organisations):
            g.add_node(i, name=self.names[i], kind=self.kinds[i], id=self.ids[i])
        g.add_edges_from(map(tuple, self.pairs.tolist()))
        return g


#: Largest contact rate of a given relationship (meetings a month), the scenario's ``contact_rate`` range.
MAX_CONTACT_RATE = 100.0


def _array(values, name: str, dtype, expected: str) -> np.ndarray:
    """``values`` as a numpy array of ``dtype``; one :class:`ArgumentTypeError` naming ``name`` if it cannot be."""
    try:
        arr = np.asarray(values)
        if dtype is np.int64 and arr.size and not (np.issubdtype(arr.dtype, np.integer)
                                                   or (np.issubdtype(arr.dtype, np.floating)
                                                       and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
                                                       and np.all(np.abs(arr) < 2**62))):
            raise ValueError
        return arr.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        raise ArgumentTypeError(f"place: {name} = {values!r:.60} has the wrong type: expected {expected}") from None


def _given_sizes(values, n: int) -> np.ndarray:
    """Given sizes, one per organisation: each in ``(0, MAX_SIZE]`` (£ million a year) or NaN (to be drawn)."""
    arr = _array(values, "size", float, f"numbers in (0, {MAX_SIZE:,.0f}] (£ million a year) or NaN")
    if arr.shape != (n,):
        raise ScenarioError(f"place: size has shape {arr.shape}: expected ({n},), one per organisation")
    bad = ~np.isnan(arr) & ~((arr > 0) & (arr <= MAX_SIZE))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ScenarioError(f"place: size[{i}] = {float(arr[i])!r} is out of range: expected a number in "
                            f"(0, {MAX_SIZE:,.0f}] (£ million a year), or NaN to draw it")
    return arr


def _odd_pairs(values) -> np.ndarray:
    raise ScenarioError(f"place: pairs has {np.size(values)} numbers: expected (P, 2) organisation indices")


def _given(values, name: str, shape: tuple[int, ...], low: float, high: float, unit: str) -> np.ndarray:
    """Given per-relationship values: finite and in ``[low, high]``, or NaN (to be drawn); of ``shape``."""
    arr = _array(values, name, float, f"numbers in [{low:g}, {high:g}] ({unit}) or NaN")
    if arr.shape != shape:
        raise ScenarioError(f"place: {name} has shape {arr.shape}: expected {shape}, one per relationship"
                            + (" and direction" if len(shape) == 2 else ""))
    bad = ~np.isnan(arr) & ~((arr >= low) & (arr <= high))
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ScenarioError(f"place: {name}{list(where)} = {float(arr[where])!r} is out of range: expected a number in "
                            f"[{low:g}, {high:g}] ({unit}), or NaN to draw it")
    return arr


def tie_probabilities(
    organisations: Mapping[str, int], kinds: Mapping[str, OrganisationKind]
) -> dict[tuple[str, str], float]:
    """Tie probability for each unordered pair of kinds in a generated place.

    The expected ties of kind ``a`` to kind ``b`` (``d_ab``) and of ``b`` to
    ``a`` imply an expected number of edges ``E_ab = (n_a d_ab + n_b d_ba) / 2``
    between the blocks, so the probability is ``E_ab / (n_a n_b)`` (with
    ``n_a (n_a - 1) / 2`` possible pairs inside a block).

    In a small place the expected ties may exceed the possible pairs; the
    probability then saturates at 1 (every possible relationship exists).

    Examples
    --------
    >>> from simulation.kinds import default_kinds
    >>> p = tie_probabilities({"nhs_trust": 6, "council": 4, "voluntary": 90}, default_kinds())
    >>> round(p["nhs_trust", "council"], 2), round(p["nhs_trust", "nhs_trust"], 2)
    (0.5, 0.6)
    >>> tie_probabilities({"council": 2}, default_kinds())["council", "council"]
    1.0
    """
    names = [k for k, n in organisations.items() if n > 0]
    out: dict[tuple[str, str], float] = {}
    for ai, a in enumerate(names):
        for b in names[ai:]:
            na, nb = organisations[a], organisations[b]
            if a == b:
                possible = na * (na - 1) / 2
                edges = na * kinds[a].ties.get(a, 0.0) / 2
            else:
                possible = na * nb
                edges = (na * kinds[a].ties.get(b, 0.0) + nb * kinds[b].ties.get(a, 0.0)) / 2
            # a member cannot have more partners than exist: saturate at every possible pair
            p = 0.0 if possible == 0 else min(1.0, edges / possible)
            out[a, b] = out[b, a] = p
    return out


#: Bytes a generated place and its run state need, per organisation and per relationship (measured with margin:
#: names, ids and kinds as Python objects; sampling temporaries; the relationship buffers, grown by doubling).
BYTES_PER_ORGANISATION = 400
BYTES_PER_RELATIONSHIP = 300
def check_place_size(organisations: Mapping[str, int], kinds: Mapping[str, OrganisationKind],
                     limit: int | None = None) -> None:
    """Refuse, before allocating anything, a place too large for this machine's memory.

    Raises
    ------
    ScenarioError
        Naming the size (organisations, expected relationships, bytes) and the limit.

    Examples
    --------
    >>> from simulation.kinds import default_kinds
    >>> check_place_size({"nhs_trust": 6, "council": 4, "voluntary": 90}, default_kinds())
    >>> check_place_size({"voluntary": 10**9}, default_kinds())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: place.organisations: 1,000,000,000 organisations with about ...
    """
    n = sum(organisations.values())
    probs = tie_probabilities(organisations, kinds)
    names = [k for k, c in organisations.items() if c > 0]
    expected = 0.0
    for ai, a in enumerate(names):
        for b in names[ai:]:
            na, nb = organisations[a], organisations[b]
            expected += probs[a, b] * (na * (na - 1) / 2 if a == b else na * nb)
    need = n * BYTES_PER_ORGANISATION + expected * BYTES_PER_RELATIONSHIP
    limit = memory_exceeded(need, limit)
    if limit is not None:
        raise ScenarioError(
            f"place.organisations: {n:,} organisations with about {expected:,.0f} expected relationships "
            f"need about {need / 2**30:,.1f} GiB, over the limit of {limit / 2**30:,.1f} GiB "
            "(this machine's available memory); use fewer organisations"
        )


@dataclass(frozen=True)
class _Layout:
    """What a generated place takes from its scenario alone: blocks, names, tie chances.

    Built once per set of organisations and kinds (:func:`_layout`) and
    shared by every place generated from them: a sweep's or a batch's runs
    draw their places without recomputing it.
    """

    kind_objects: tuple[OrganisationKind, ...]  # the kinds it was built from (identity checked on reuse)
    blocks: tuple[tuple[str, int], ...]
    starts: np.ndarray  # first organisation of each block, then N
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    chance: np.ndarray  # (blocks, blocks) tie probabilities
    partner_cdf: np.ndarray  # per block, cumulative: the block of an isolated member's one partner


_LAYOUTS: dict[tuple, _Layout] = {}
_MAX_LAYOUTS = 64


def _layout(scenario: Scenario) -> _Layout:
    """The :class:`_Layout` of ``scenario``'s organisations and kinds (cached; checked for size when first built)."""
    blocks = tuple((k, n) for k, n in scenario.organisations.items() if n > 0)
    kind_objects = tuple(scenario.kinds[k] for k, _ in blocks)
    key = (blocks, tuple(map(id, kind_objects)))
    found = _LAYOUTS.get(key)
    if found is not None and all(a is b for a, b in zip(found.kind_objects, kind_objects)):
        return found
    check_place_size(scenario.organisations, scenario.kinds)
    probs = tie_probabilities(scenario.organisations, scenario.kinds)
    starts = np.cumsum([0] + [n for _, n in blocks]).astype(np.int64)
    kinds = tuple(k for k, n in blocks for _ in range(n))
    names = tuple(f"{scenario.kinds[k].label} {i + 1}" for i, k in enumerate(kinds))
    sizes = np.array([n for _, n in blocks], dtype=float)
    chance = np.array([[probs[a, b] for b, _ in blocks] for a, _ in blocks], dtype=float).reshape(len(blocks), -1)
    cdf = np.empty_like(chance)
    for own in range(len(blocks)):
        w = chance[own] * sizes
        w[own] = chance[own, own] * (sizes[own] - 1)
        if w.sum() == 0:  # no ties expected at all: any other organisation
            w = sizes.copy()
            w[own] -= 1
        cdf[own] = np.cumsum(w / w.sum())
        cdf[own, np.flatnonzero(w > 0)[-1]:] = 1.0  # no rounding gap after the last block with a chance
    layout = _Layout(kind_objects, blocks, starts, kinds, names, chance, cdf)
    if len(_LAYOUTS) >= _MAX_LAYOUTS:
        _LAYOUTS.clear()
    _LAYOUTS[key] = layout
    return layout


def generate_place(scenario: Scenario, rng: np.random.Generator) -> Place:
    """A stochastic block model of a place, drawn with ``rng``.

    Organisations are numbered kind by kind in the order of
    ``scenario.organisations``; two of kinds ``a`` and ``b`` are related with
    the probability of :func:`tie_probabilities`. An organisation left with no
    relationship is then tied to one partner drawn with probability
    proportional to its kind's expected ties, so nobody starts outside the
    system. The draws are compiled (:func:`~simulation.sampling.block_model_pairs`,
    O(edges) by geometric skips; networkx's own ``stochastic_block_model`` is
    O(N^2) in the block sizes, 84 s for 50,000 organisations here).

    Examples
    --------
    >>> p = generate_place(Scenario(), np.random.default_rng(1))
    >>> p.n_organisations
    100
    >>> bool(np.all(np.bincount(p.pairs.ravel(), minlength=100) > 0))
    True
    """
    layout = _layout(scenario)
    return _checked_already(layout, block_model_pairs(rng, layout.starts, layout.chance, layout.partner_cdf))


def _checked_already(layout: _Layout, pairs: np.ndarray) -> Place:
    """The place of ``layout`` with ``pairs``, built without :class:`Place`'s checks: it passes them by construction.

    The layout was checked when built, and :func:`~simulation.sampling.block_model_pairs`
    returns int64 pairs ``i < j`` of its organisations, sorted and distinct;
    nothing else is given. Every run of a batch draws a place, so the checks
    would cost a few per cent of its set-up.
    """
    place = object.__new__(Place)
    place.ids, place.names, place.kinds = list(range(len(layout.kinds))), list(layout.names), list(layout.kinds)
    place.pairs, place.traits, place.contact_rate, place.trust, place.size = pairs, {}, None, None, None
    return place


def place_from_graph(graph: nx.Graph, kind_attribute: str = "kind") -> Place:
    """A place from any networkx graph whose nodes carry a kind.

    Optional node attributes: ``name``, ``size`` and any of the traits; optional edge
    attributes: ``contact_rate`` and ``trust`` (the same both ways). Directed
    graphs are read as undirected.

    Raises
    ------
    ScenarioError
        If a node has no kind, or the graph has self-loops.
    """
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    kinds = []
    for node in nodes:
        kind = graph.nodes[node].get(kind_attribute)
        if kind is None:
            raise ScenarioError(f"graph node {node!r} has no {kind_attribute!r} attribute")
        kinds.append(str(kind))
    names = [str(graph.nodes[n].get("name", n)) for n in nodes]
    sizes = [graph.nodes[n].get("size") for n in nodes]
    traits = {}
    for trait in TRAITS:
        vals = [graph.nodes[n].get(trait, np.nan) for n in nodes]
        if not all(v is None or (isinstance(v, float) and np.isnan(v)) for v in vals):
            traits[trait] = np.array([np.nan if v is None else v for v in vals], dtype=float)
    seen: dict[tuple[int, int], dict] = {}
    for u, v, data in graph.edges(data=True):
        i, j = index[u], index[v]
        if i == j:
            raise ScenarioError(f"graph has a self-loop at node {u!r}")
        seen.setdefault((min(i, j), max(i, j)), data)
    keys = sorted(seen)
    pairs = np.array(keys, dtype=np.int64).reshape(-1, 2)
    contact = np.array([seen[k].get("contact_rate", np.nan) for k in keys], dtype=float)
    trust1 = np.array([seen[k].get("trust", np.nan) for k in keys], dtype=float)
    return Place(
        ids=nodes,
        names=names,
        kinds=kinds,
        pairs=pairs,
        traits=traits,
        contact_rate=contact if len(keys) and not np.isnan(contact).all() else None,
        trust=np.column_stack([trust1, trust1]) if len(keys) and not np.isnan(trust1).all() else None,
        size=None if all(v is None for v in sizes) else [np.nan if v is None else v for v in sizes],
    )


#: Largest CSV file of a place read (bytes): a real system's files are a few hundred KiB.
MAX_CSV_BYTES = 200_000_000


def _read_csv(path: str | Path, required: Sequence[str], what: str) -> pd.DataFrame:
    """A CSV file as strings (ids as written: ``01`` is not ``1``; blanks are ``""``), UTF-8 with or without BOM."""
    import io

    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read {what} file {path}: {exc.strerror}") from None
    if len(raw) > MAX_CSV_BYTES:
        raise ScenarioError(f"{what} file {path} is over {MAX_CSV_BYTES:,} bytes")
    text = decode_text(raw, path, what)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"{what} file {path} is not a readable CSV: {first}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ScenarioError(
            f"{what} file {path} lacks column(s) {', '.join(missing)}; "
            f"it has {', '.join(df.columns)}"
        )
    return df


def _numeric(df: pd.DataFrame, col: str, path, low: float, high: float, low_open: bool = False) -> np.ndarray:
    """Column ``col`` as numbers in ``[low, high]`` (``(low, high]`` if ``low_open``), NaN where blank."""
    text = df[col].astype(str).str.strip()
    blank = (text == "").to_numpy()
    vals = pd.to_numeric(text.where(~blank, "nan"), errors="coerce").to_numpy(dtype=float)
    bad = (~blank & ~np.isfinite(vals)) | ((vals <= low) if low_open else (vals < low)) | (vals > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ScenarioError(
            f"{path}: column {col} row {row + 2} = {df[col].astype(str).iloc[row]} is out of range: "
            f"expected a number in {'(' if low_open else '['}{low:g}, {high:,.10g}] or blank"
        )
    return vals


def place_from_csv(
    organisations: str | Path,
    relationships: str | Path,
    kinds: Mapping[str, OrganisationKind] | None = None,
) -> Place:
    """A place from two CSV files, so researchers can map their own system.

    Parameters
    ----------
    organisations : path
        Columns ``id, name, kind`` and optionally any of the traits
        (``transparency, conflict_skill, altruism, institutional_focus``),
        values in [0, 1], and ``size`` (annual budget in £ million, above 0);
        blanks are drawn from the kind's distribution.
    relationships : path
        Columns ``source, target`` (organisation ids) and optionally
        ``contact_rate`` (meetings per month) and ``trust`` (source's initial
        trust in target, in [0, 1]). A row in each direction sets each
        direction's trust; a single row sets both.
    kinds : mapping, optional
        Known kinds (default: :func:`~simulation.kinds.default_kinds`); an
        organisation of another kind is an error.

    Raises
    ------
    ScenarioError
        For missing columns, unknown ids or kinds, duplicates, self-loops or
        out-of-range values, naming the file, column and row.
    """
    from .kinds import default_kinds

    kinds = default_kinds() if kinds is None else kinds
    orgs = _read_csv(organisations, ["id", "name", "kind"], "organisations")
    rels = _read_csv(relationships, ["source", "target"], "relationships")
    ids = orgs["id"].astype(str).str.strip().tolist()
    for column in ("id", "kind"):
        blank = [row for row, v in enumerate(orgs[column].astype(str).str.strip()) if not v]
        if blank:
            raise ScenarioError(f"{organisations}: row {blank[0] + 2} has a blank {column}")
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].iloc[0]
        raise ScenarioError(f"{organisations}: duplicate organisation id {dup!r}")
    kind_list = orgs["kind"].astype(str).str.strip().tolist()
    for row, k in enumerate(kind_list):
        if k not in kinds:
            raise ScenarioError(
                f"{organisations}: row {row + 2} has unknown kind {k!r}; known kinds: "
                f"{', '.join(sorted(kinds))}"
            )
    traits = {t: _numeric(orgs, t, organisations, 0, 1) for t in TRAITS if t in orgs.columns}
    size = _numeric(orgs, "size", organisations, 0, MAX_SIZE, low_open=True) if "size" in orgs.columns else None
    if not len(rels) and len(ids) >= 2:
        raise ScenarioError(f"{relationships}: no relationships, only a header: a place needs at least one "
                            "relationship (source,target)")
    index = {v: i for i, v in enumerate(ids)}
    src = rels["source"].astype(str).str.strip()
    dst = rels["target"].astype(str).str.strip()
    for col, series in (("source", src), ("target", dst)):
        unknown = ~series.isin(index.keys())
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ScenarioError(
                f"{relationships}: row {row + 2} {col} {series.iloc[row]!r} is not an organisation id"
            )
    s = src.map(index).to_numpy(dtype=np.int64)
    t = dst.map(index).to_numpy(dtype=np.int64)
    if np.any(s == t):
        row = int(np.flatnonzero(s == t)[0])
        raise ScenarioError(f"{relationships}: row {row + 2} ties {src.iloc[row]!r} to itself")
    contact = _numeric(rels, "contact_rate", relationships, 0, 100) if "contact_rate" in rels else None
    trust = _numeric(rels, "trust", relationships, 0, 1) if "trust" in rels else None
    lo, hi = np.minimum(s, t), np.maximum(s, t)
    key = lo * len(ids) + hi
    uniq, first = np.unique(key, return_index=True)
    pairs = np.column_stack([lo[first], hi[first]])
    seen_dir = set()
    for row, (a, b) in enumerate(zip(s, t, strict=True)):
        if (a, b) in seen_dir:
            raise ScenarioError(f"{relationships}: row {row + 2} repeats {src.iloc[row]} -> {dst.iloc[row]}")
        seen_dir.add((a, b))
    pos = np.searchsorted(uniq, key)
    contact_p = None
    if contact is not None:
        contact_p = np.full(len(uniq), np.nan)
        contact_p[pos[::-1]] = contact[::-1]  # first row of a pair wins
    trust_p = None
    if trust is not None:
        trust_p = np.full((len(uniq), 2), np.nan)
        forward = s < t
        trust_p[pos[forward], 0] = trust[forward]
        trust_p[pos[~forward], 1] = trust[~forward]
        # a single row sets both directions
        only0 = np.isnan(trust_p[:, 1])
        trust_p[only0, 1] = trust_p[only0, 0]
        only1 = np.isnan(trust_p[:, 0])
        trust_p[only1, 0] = trust_p[only1, 1]
    return Place(
        ids=ids,
        names=orgs["name"].astype(str).tolist(),
        kinds=kind_list,
        pairs=pairs,
        traits=traits,
        contact_rate=contact_p,
        trust=trust_p,
        size=size,
    )
