"""Outcome measures: model reporters (named, picklable) and per-run summaries.

Reporters take a model exposing ``relationships``, ``leaders``,
``scenario`` and the step counters (``conflicts_arisen``,
``conflicts_resolved``); both engines do, so the same reporters serve the
fast model and the per-agent reference.

Examples
--------
>>> import numpy as np
>>> s = np.array([0.1, 0.4, 0.55, 0.9])
>>> time_to_level(s, 0.5), time_to_level(s, 0.95)
(2.0, nan)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd

from . import rules

__all__ = [
    "INTEGRATION_LEVELS",
    "MILESTONES",
    "mean_trust",
    "partnership_share",
    "partnership_mask",
    "partnership_components",
    "integration_index",
    "connectedness",
    "conflicts_arisen",
    "conflicts_resolved",
    "conflicts_festering",
    "relationship_count",
    "kind_pair_trust",
    "board_decisions",
    "conflicts_suppressed",
    "joint_care",
    "staff_trust",
    "programme_reach",
    "community_strength",
    "statutory_integration",
    "size_integration",
    "leader_hours",
    "HOURS_ACTIVITIES",
    "model_reporters",
    "collect_outcomes",
    "kind_pair_columns",
    "outcome_columns",
    "outcome_dict",
    "INT_COLUMNS",
    "edge_kind_codes",
    "time_to_level",
    "summarise_run",
    "summarise_columns",
]

#: Integration levels whose first-passage time is reported per run.
INTEGRATION_LEVELS: tuple[float, ...] = (0.5, 0.8)

#: Milestones: the month at which a measure first reaches a level (NaN, censored, if never), by summary name.
MILESTONES: dict[str, tuple[str, float]] = {
    "months_to_50": ("integration", 0.5),
    "months_to_80": ("integration", 0.8),
    "connectedness_months_to_50": ("connectedness", 0.5),
}


def mean_trust(model) -> float:
    """Mean trust over all directed relationships."""
    t = model.relationships.trust
    return float(t.mean()) if len(t) else float("nan")


def partnership_mask(model) -> np.ndarray:
    """Pairs whose mutual trust is at or above the partnership threshold."""
    return model.relationships.mutual_trust() >= model.params["partnership_threshold"]


def partnership_share(model) -> float:
    """Share of relationships that are partnerships (mutual trust above threshold)."""
    mask = partnership_mask(model)
    return float(mask.mean()) if len(mask) else 0.0


def integration_index(model) -> float:
    r"""Share of organisations in the largest partnership component.

    .. math:: I = \frac{|C_{\max}|}{N}

    where :math:`C_{\max}` is the largest connected component of the graph
    of partnerships and :math:`N` the organisations that count (all but those
    absorbed by a merger); an organisation with no partnership counts as not
    integrated (a component of one scores 0).
    """
    labels = partnership_components(model)
    return 0.0 if labels is None else float(np.bincount(labels).max() / active_organisations(model))


def partnership_components(model) -> np.ndarray | None:
    """The connected component of each organisation in the graph of partnerships (None with no partnership)."""
    pairs = model.relationships.pairs[partnership_mask(model)]
    if len(pairs) == 0:
        return None
    from scipy.sparse import coo_matrix  # imported here: sweeps' worker processes never need it
    from scipy.sparse.csgraph import connected_components

    n = model.leaders.n
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def connectedness(model) -> float:
    r"""Threshold-free integration: the integration index averaged over every partnership threshold in [0, 1].

    .. math:: C = \int_0^1 I(\theta)\, d\theta

    Pairs are joined in order of falling mutual trust (Kruskal); between two
    successive mutual trusts the largest component is constant, so the
    integral is a finite sum. No model parameter enters it, so it has no knife
    edge at the partnership threshold. The kernel computes the same sum
    (:func:`simulation.kernel.integration_measures`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from simulation.relationships import Relationships
    >>> rel = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.array([0.8, 0.9, 0.4, 0.5]), np.ones(2))
    >>> m = SimpleNamespace(relationships=rel, leaders=SimpleNamespace(n=4, merged=np.zeros(4, dtype=bool)))
    >>> round(connectedness(m), 12)  # 2/4 of the place on (0.4, 0.8], 3/4 on (0, 0.4]
    0.5
    """
    rel, n = model.relationships, model.leaders.n
    mutual = rel.mutual_trust()
    parent = list(range(n))
    size = [1] * n

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = np.argsort(-mutual, kind="stable")
    levels = [*mutual[order].tolist(), 0.0]
    largest, area = 1, 0.0
    for k, p in enumerate(order.tolist()):
        a, b = find(int(rel.pairs[p, 0])), find(int(rel.pairs[p, 1]))
        if a != b:
            parent[a] = b
            size[b] += size[a]
            largest = max(largest, size[b])
        area += largest * (levels[k] - levels[k + 1])
    return area / active_organisations(model)


def board_decisions(model) -> int:
    """Allocation decisions the system board took this month (one per board meeting)."""
    return int(getattr(model, "board_decisions", 0))


def conflicts_suppressed(model) -> int:
    """Conflicts held down by the board's authority at the end of the month: not resolved, not festering."""
    return int(model.relationships.suppressed.sum())


def joint_care(model) -> float:
    """Share of care across organisations delivered jointly and well ("joined up and not fragmented services").

    Over the care pathways (the relationships along which care crosses
    between organisations, ``Relationships.care``): where the leaders permit joint working
    (:func:`~simulation.rules.joint_working_permitted`), the chance a joint
    episode of their teams goes well (:func:`~simulation.rules.joint_success`);
    elsewhere 0 (care stays fragmented), and 0 everywhere if teams never work
    jointly (``staff_contact`` 0).
    """
    rel, p = model.relationships, model.params
    care = rel.care
    if not care.any() or p["staff_contact"] <= 0:
        return 0.0
    total = sum(rules.joint_success(u, p["joint_success_base"])
                for a, b, u, c in zip(rel.trust[0::2].tolist(), rel.trust[1::2].tolist(), rel.staff_trust.tolist(),
                                      care.tolist())
                if c and rules.joint_working_permitted(a, b, p["joint_working_threshold"]))
    return float(total / care.sum())


def staff_trust(model) -> float:
    """Mean trust between the frontline teams of organisations along the care pathways."""
    rel = model.relationships
    return float(rel.staff_trust[rel.care].mean()) if rel.care.any() else float("nan")


def programme_reach(model) -> float:
    """Share of the active organisations whose current leader has been on a place-based programme."""
    leaders = model.leaders
    return float(((leaders.learning[0] > 0) & ~leaders.merged).sum() / active_organisations(model))


def community_strength(model) -> float:
    """Strength of the place's community groups and assets (0-1)."""
    return float(model.leaders.community[0])


def statutory_integration(model) -> float:
    r"""The statutory core's integration: the share of its organisations in one partnership network.

    .. math:: I_S = \max_C \frac{|C \cap S|}{|S|}

    over the connected components :math:`C` of the graph of partnerships,
    for the statutory organisations :math:`S` not absorbed by a merger (NHS
    trusts and councils under the default kinds); 0 with no partnership, NaN
    in a place without statutory organisations. Unlike the integration index
    it does not count heads across the whole place, so the voluntary sector's
    size does not swamp the relationship between the NHS and local government.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from simulation.relationships import Relationships
    >>> rel = Relationships.from_pairs(np.array([[0, 2], [1, 3]]), np.array([0.9, 0.9, 0.9, 0.9]), np.ones(2))
    >>> leaders = SimpleNamespace(n=4, merged=np.zeros(4, dtype=bool), statutory=np.array([1, 1, 0, 0], dtype=bool))
    >>> statutory_integration(SimpleNamespace(relationships=rel, leaders=leaders,
    ...                                       params={"partnership_threshold": 0.5}))
    0.5
    """
    leaders = model.leaders
    core = np.asarray(leaders.statutory, dtype=bool) & ~np.asarray(leaders.merged, dtype=bool)
    if not core.any():
        return float("nan")
    labels = partnership_components(model)
    if labels is None:
        return 0.0
    return float(np.bincount(labels[core], minlength=labels.max() + 1).max() / core.sum())


def size_integration(model) -> float:
    r"""Integration weighted by organisation size: the share of the place's size in one partnership network.

    .. math:: I_W = \max_{C,\ |C| \ge 2} \frac{\sum_{i \in C} s_i}{\sum_i s_i}

    over the connected components :math:`C` of the graph of partnerships
    (the network of the integration index) with at least two organisations,
    :math:`s_i` each organisation's size (``leaders.size``, its annual budget;
    a merger passes the absorbed organisation's size to the acquirer); 0 with
    no partnership. With every size equal it is the integration index; with
    sizes drawn from budgets the large NHS trusts and councils weigh most, and
    a voluntary body little.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from simulation.relationships import Relationships
    >>> rel = Relationships.from_pairs(np.array([[0, 1], [2, 3]]), np.array([0.9, 0.9, 0.9, 0.9]), np.ones(2))
    >>> leaders = SimpleNamespace(n=5, size=np.array([6.0, 2.0, 1.0, 0.5, 0.5]))
    >>> size_integration(SimpleNamespace(relationships=rel, leaders=leaders, params={"partnership_threshold": 0.5}))
    0.8
    """
    sizes = np.asarray(model.leaders.size, dtype=float)
    total = sizes.sum()
    labels = partnership_components(model)
    if labels is None:
        return 0.0
    if total <= 0:
        return float("nan")
    mass = np.bincount(labels, weights=sizes)
    mass[np.bincount(labels) < 2] = 0.0  # an organisation without a partnership is not integrated
    return float(mass.max() / total)


def active_organisations(model) -> int:
    """Organisations that count: all but those absorbed by a merger."""
    leaders = model.leaders
    return int(leaders.n - leaders.merged.sum())


def conflicts_arisen(model) -> int:
    """Conflicts that arose this step."""
    return int(model.conflicts_arisen)


def conflicts_resolved(model) -> int:
    """Conflicts surfaced and resolved this step."""
    return int(model.conflicts_resolved)


def conflicts_festering(model) -> int:
    """Conflicts open (unresolved) at the end of the step."""
    return int(model.relationships.backlog.sum())


def relationship_count(model) -> int:
    """Number of relationships (undirected) in the network."""
    return int(model.relationships.n_pairs)


def edge_kind_codes(model) -> tuple[np.ndarray, list[str]]:
    """Per directed edge, the index of its (unordered) pair of kinds, and the sorted kind names.

    The code of an edge between kinds ``a`` and ``b`` (positions in the sorted
    kind names, ``a <= b``) is ``a * K + b``.
    """
    leaders, rel = model.leaders, model.relationships
    names = sorted(set(leaders.kind_names))
    rank = np.array([names.index(k) for k in leaders.kind_names], dtype=np.int64)
    a, b = rank[leaders.kind[rel.src]], rank[leaders.kind[rel.dst]]
    return np.minimum(a, b) * len(names) + np.maximum(a, b), names


def kind_pair_trust(model, a: str, b: str) -> float:
    """Mean trust on edges between kinds ``a`` and ``b`` (both directions).

    Collected through :func:`functools.partial` so that it pickles for worker
    processes and Mesa's ``DataCollector`` passes it the model.
    """
    codes, names = edge_kind_codes(model)
    if a not in names or b not in names:
        return float("nan")
    ia, ib = sorted((names.index(a), names.index(b)))
    sel = model.relationships.trust[codes == ia * len(names) + ib]
    return float(sel.mean()) if len(sel) else float("nan")


#: Activities whose leader-hours are reported (mean hours a month per leader): ``hours_<activity>``.
HOURS_ACTIVITIES: tuple[str, ...] = ("one_to_one", "board", "roles", "levers", "cut")


def leader_hours(model, activity: str) -> float:
    """Mean hours a leader gave to ``activity`` this month (``cut``: one-to-one hours asked for that did not fit).

    Read from ``model.month_hours``, which each engine fills as it plays a
    month. Collected through :func:`functools.partial`, like
    :func:`kind_pair_trust`.
    """
    return float(model.month_hours.get(activity, 0.0))


def model_reporters(kind_names: list[str]) -> dict[str, Callable[[Any], float]]:
    """The reporters collected every step, including trust for each pair of kinds.

    Examples
    --------
    >>> sorted(model_reporters(["council", "nhs_trust"]))[:3]
    ['board_decisions', 'community_strength', 'conflicts_arisen']
    """
    reporters: dict[str, Callable[[Any], float]] = {
        "mean_trust": mean_trust,
        "partnership_share": partnership_share,
        "integration": integration_index,
        "connectedness": connectedness,
        "conflicts_arisen": conflicts_arisen,
        "conflicts_resolved": conflicts_resolved,
        "conflicts_festering": conflicts_festering,
        "relationships": relationship_count,
    }
    for activity in HOURS_ACTIVITIES:
        reporters[f"hours_{activity}"] = partial(leader_hours, activity=activity)
    reporters["board_decisions"] = board_decisions
    reporters["conflicts_suppressed"] = conflicts_suppressed
    reporters["joint_care"] = joint_care
    reporters["staff_trust"] = staff_trust
    reporters["programme_reach"] = programme_reach
    reporters["community_strength"] = community_strength
    reporters["statutory_integration"] = statutory_integration
    reporters["size_integration"] = size_integration
    kinds = sorted(set(kind_names))
    for i, a in enumerate(kinds):
        for b in kinds[i:]:
            reporters[f"trust:{a}-{b}"] = partial(kind_pair_trust, a=a, b=b)
    return reporters


def outcome_columns(kind_names: list[str]) -> list[str]:
    """The names of :func:`model_reporters`, in order: the columns of every outcome table.

    Examples
    --------
    >>> outcome_columns(["council", "nhs_trust"])[-3:]
    ['trust:council-council', 'trust:council-nhs_trust', 'trust:nhs_trust-nhs_trust']
    """
    return list(_outcome_columns(tuple(kind_names)))


@lru_cache(maxsize=64)
def _outcome_columns(kind_names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(model_reporters(list(kind_names)))


def kind_pair_columns(kind_names: list[str]) -> np.ndarray:
    """For kinds ``a`` and ``b`` (indices into ``kind_names``), the column of their trust in :func:`model_reporters`.

    Examples
    --------
    >>> kind_pair_columns(["nhs_trust", "council"]).tolist()
    [[23, 22], [22, 21]]
    """
    return _kind_pair_columns(tuple(kind_names)).copy()


@lru_cache(maxsize=64)
def _kind_pair_columns(kind_names: tuple[str, ...]) -> np.ndarray:
    columns = _outcome_columns(kind_names)
    nk = len(kind_names)
    colmap = np.empty((nk, nk), dtype=np.int64)
    for a in range(nk):
        for b in range(nk):
            x, y = sorted((kind_names[a], kind_names[b]))
            colmap[a, b] = columns.index(f"trust:{x}-{y}")
    return colmap


#: Time-series columns holding counts (the others are floats).
INT_COLUMNS: tuple[str, ...] = ("conflicts_arisen", "conflicts_resolved", "conflicts_festering", "relationships",
                                "board_decisions", "conflicts_suppressed")


def outcome_dict(row: np.ndarray, columns: list[str]) -> dict[str, float | int]:
    """An outcome row as a dict, counts as ints."""
    return {c: (int(v) if c in INT_COLUMNS else float(v)) for c, v in zip(columns, row.tolist())}


def collect_outcomes(model) -> dict[str, float | int]:
    """Every reporter of :func:`model_reporters` at once, by the kernel's own
    :func:`~simulation.kernel.record_outcomes` (one compiled pass).

    Works for any model exposing ``relationships``, ``leaders``, ``params``
    and the step counters ``conflicts_arisen`` and ``conflicts_resolved``;
    agrees with the named reporters up to rounding.
    """
    from .kernel import outcome_work, record_outcomes

    rel, leaders, p = model.relationships, model.leaders, model.params
    names = list(leaders.kind_names)
    columns = outcome_columns(names)
    row = np.empty(len(columns))
    record_outcomes(row, np.ascontiguousarray(rel.pairs), np.ascontiguousarray(rel.trust),
                    np.ascontiguousarray(rel.backlog), rel.n_pairs, leaders.n, int(model.conflicts_arisen),
                    int(model.conflicts_resolved), float(model.params["partnership_threshold"]),
                    np.ascontiguousarray(leaders.kind, dtype=np.int64), kind_pair_columns(names),
                    np.array([leader_hours(model, a) for a in HOURS_ACTIVITIES]), board_decisions(model),
                    np.ascontiguousarray(rel.suppressed), active_organisations(model),
                    np.ascontiguousarray(rel.staff_trust), np.ascontiguousarray(rel.care), float(p["staff_contact"]),
                    float(p["joint_working_threshold"]),
                    float(p["joint_success_base"]), np.ascontiguousarray(leaders.learning),
                    np.ascontiguousarray(leaders.merged), np.ascontiguousarray(leaders.community, dtype=float),
                    np.ascontiguousarray(leaders.statutory, dtype=bool),
                    np.ascontiguousarray(leaders.size, dtype=float), outcome_work(leaders.n, rel.n_pairs, len(row)))
    return outcome_dict(row, columns)


def time_to_level(series: np.ndarray | pd.Series, level: float) -> float:
    """First step at which ``series`` reaches ``level``; NaN if never (censored).

    The series is indexed by step, step 0 being the initial state.
    """
    values = np.asarray(series, dtype=float)
    hit = np.flatnonzero(values >= level)
    return float(hit[0]) if len(hit) else float("nan")


def summarise_run(frame: pd.DataFrame) -> dict[str, float | int | bool]:
    """Per-run outcomes from a model's time series (one row per step).

    Returns final values, the first month at which integration reaches each
    of :data:`INTEGRATION_LEVELS` (``NaN`` and ``censored_<level> = True``
    when never reached within the run: censored, not invented), and totals.

    Examples
    --------
    >>> df = pd.DataFrame({"integration": [0.0, 0.6, 0.7], "mean_trust": [0.3, 0.4, 0.5],
    ...                    "partnership_share": [0, .2, .3], "conflicts_arisen": [0, 2, 1],
    ...                    "conflicts_resolved": [0, 1, 1], "conflicts_festering": [0, 1, 1]})
    >>> s = summarise_run(df)
    >>> s["months_to_50"], s["censored_80"], s["final_integration"]
    (1.0, True, 0.7)
    """
    return summarise_columns({c: frame[c].to_numpy() for c in _SUMMARY_COLUMNS if c in frame})


_SUMMARY_COLUMNS = ("integration", "connectedness", "mean_trust", "partnership_share", "conflicts_arisen",
                    "conflicts_resolved", "conflicts_festering", "joint_care", "statutory_integration",
                    "size_integration")


def summarise_columns(columns) -> dict[str, float | int | bool]:
    """:func:`summarise_run` on plain arrays (one per column, indexed by step): same numbers, no pandas.

    Means are numpy's (pairwise summation), exactly what pandas computes for
    a float column without missing values.
    """
    integ = np.asarray(columns["integration"], dtype=float)
    n = len(integ)
    out: dict[str, float | int | bool] = {
        "steps": int(n - 1),
        "final_integration": float(integ[-1]),
        "final_mean_trust": float(np.asarray(columns["mean_trust"], dtype=float)[-1]),
        "final_partnership_share": float(np.asarray(columns["partnership_share"], dtype=float)[-1]),
        "mean_integration": float(integ[1:].mean()) if n > 1 else float("nan"),
        "total_conflicts": int(np.asarray(columns["conflicts_arisen"]).sum()),
        "total_resolved": int(np.asarray(columns["conflicts_resolved"]).sum()),
        "final_festering": int(np.asarray(columns["conflicts_festering"])[-1]),
    }
    for level in INTEGRATION_LEVELS:
        months = time_to_level(integ, level)
        tag = round(level * 100)
        out[f"months_to_{tag}"] = months
        out[f"censored_{tag}"] = bool(np.isnan(months))
    if "connectedness" in columns:  # the threshold-free measure
        conn = np.asarray(columns["connectedness"], dtype=float)
        months = time_to_level(conn, 0.5)
        out["final_connectedness"] = float(conn[-1])
        out["connectedness_months_to_50"] = months
        out["connectedness_censored_50"] = bool(np.isnan(months))
    if "statutory_integration" in columns:  # the statutory core (NHS trusts and councils)
        core = np.asarray(columns["statutory_integration"], dtype=float)
        months = time_to_level(core, 0.5)
        out["final_statutory_integration"] = float(core[-1])
        out["statutory_months_to_50"] = months
        out["statutory_censored_50"] = bool(np.isnan(months))
    if "size_integration" in columns:  # weighted by organisation size
        weighted = np.asarray(columns["size_integration"], dtype=float)
        months = time_to_level(weighted, 0.5)
        out["final_size_integration"] = float(weighted[-1])
        out["size_months_to_50"] = months
        out["size_censored_50"] = bool(np.isnan(months))
    if "joint_care" in columns:  # the frontline tier
        joint = np.asarray(columns["joint_care"], dtype=float)
        out["final_joint_care"] = float(joint[-1])
        out["mean_joint_care"] = float(joint[1:].mean()) if n > 1 else float("nan")
    return out
