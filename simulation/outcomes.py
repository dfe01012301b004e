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
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "INTEGRATION_LEVELS",
    "mean_trust",
    "partnership_share",
    "partnership_mask",
    "integration_index",
    "conflicts_arisen",
    "conflicts_resolved",
    "conflicts_festering",
    "relationship_count",
    "kind_pair_trust",
    "model_reporters",
    "collect_outcomes",
    "OutcomeCollector",
    "edge_kind_codes",
    "time_to_level",
    "summarise_run",
    "summarise_columns",
]

#: Integration levels whose first-passage time is reported per run.
INTEGRATION_LEVELS: tuple[float, ...] = (0.5, 0.8)


def mean_trust(model) -> float:
    """Mean trust over all directed relationships."""
    t = model.relationships.trust
    return float(t.mean()) if len(t) else float("nan")


def partnership_mask(model) -> np.ndarray:
    """Pairs whose mutual trust is at or above the partnership threshold."""
    return model.relationships.mutual_trust() >= model.scenario.partnership_threshold


def partnership_share(model) -> float:
    """Share of relationships that are partnerships (mutual trust above threshold)."""
    mask = partnership_mask(model)
    return float(mask.mean()) if len(mask) else 0.0


def integration_index(model) -> float:
    r"""Share of organisations in the largest partnership component.

    .. math:: I = \frac{|C_{\max}|}{N}

    where :math:`C_{\max}` is the largest connected component of the graph
    of partnerships; an organisation with no partnership counts as not
    integrated (a component of one scores 0).
    """
    rel = model.relationships
    n = model.leaders.n
    pairs = rel.pairs[partnership_mask(model)]
    if len(pairs) == 0:
        return 0.0
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return float(np.bincount(labels).max() / n)


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
    kind names, ``a <= b``) is ``a * K + b``. Kinds never change and edges are
    only appended, so codes are cached on the model and extended for new edges.
    """
    leaders, rel = model.leaders, model.relationships
    names = sorted(set(leaders.kind_names))
    rank = np.array([names.index(k) for k in leaders.kind_names], dtype=np.int64)
    cache = model.__dict__.get("_edge_kind_cache")
    k = len(names)
    if cache is not None and cache[0] is rel and cache[1] is leaders and len(cache[2]) <= rel.n_edges:
        codes = cache[2]
        if len(codes) < rel.n_edges:
            s, d = rel.src[len(codes):], rel.dst[len(codes):]
            a, b = rank[leaders.kind[s]], rank[leaders.kind[d]]
            codes = np.concatenate([codes, np.minimum(a, b) * k + np.maximum(a, b)])
    else:
        a, b = rank[leaders.kind[rel.src]], rank[leaders.kind[rel.dst]]
        codes = np.minimum(a, b) * k + np.maximum(a, b)
    model.__dict__["_edge_kind_cache"] = (rel, leaders, codes)
    return codes, names


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


def model_reporters(kind_names: list[str]) -> dict[str, Callable[[Any], float]]:
    """The reporters collected every step, including trust for each pair of kinds.

    Examples
    --------
    >>> sorted(model_reporters(["council", "nhs_trust"]))[:3]
    ['conflicts_arisen', 'conflicts_festering', 'conflicts_resolved']
    """
    reporters: dict[str, Callable[[Any], float]] = {
        "mean_trust": mean_trust,
        "partnership_share": partnership_share,
        "integration": integration_index,
        "conflicts_arisen": conflicts_arisen,
        "conflicts_resolved": conflicts_resolved,
        "conflicts_festering": conflicts_festering,
        "relationships": relationship_count,
    }
    kinds = sorted(set(kind_names))
    for i, a in enumerate(kinds):
        for b in kinds[i:]:
            reporters[f"trust:{a}-{b}"] = partial(kind_pair_trust, a=a, b=b)
    return reporters


def _compiled_kernels():
    try:
        from . import batch
    except ImportError:  # pragma: no cover
        return None
    return batch if batch.HAVE_NUMBA else None


def collect_outcomes(model, kind_names: list[str] | None = None) -> dict[str, float | int]:
    """Every reporter of :func:`model_reporters` at once, sharing the work between them.

    Same values as calling each reporter in turn (same operations on the same
    arrays, in the same order), computed once: the partnership mask, the
    per-edge kind-pair codes (cached) and the components.
    """
    rel, n = model.relationships, model.leaders.n
    t = rel.trust
    mask = rel.mutual_trust() >= model.scenario.partnership_threshold
    out: dict[str, float | int] = {
        "mean_trust": float(t.mean()) if len(t) else float("nan"),
        "partnership_share": float(mask.mean()) if len(mask) else 0.0,
    }
    pairs = rel.pairs[mask]
    kernels = _compiled_kernels()
    if len(pairs) == 0:
        out["integration"] = 0.0
    elif kernels is not None:  # union-find: same largest component, no sparse matrix
        size = kernels._largest_component(rel.pairs, t, rel.n_pairs, n, model.scenario.partnership_threshold)
        out["integration"] = float(size / n)
    else:
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        out["integration"] = float(np.bincount(labels).max() / n)
    out["conflicts_arisen"] = int(model.conflicts_arisen)
    out["conflicts_resolved"] = int(model.conflicts_resolved)
    out["conflicts_festering"] = int(rel.backlog.sum())
    out["relationships"] = int(rel.n_pairs)
    codes, names = edge_kind_codes(model)
    k = len(names)
    kinds = sorted(set(kind_names if kind_names is not None else names))
    for i, a in enumerate(kinds):
        for b in kinds[i:]:
            if a in names and b in names:
                ia, ib = sorted((names.index(a), names.index(b)))
                sel = t[codes == ia * k + ib]
                out[f"trust:{a}-{b}"] = float(sel.mean()) if len(sel) else float("nan")
            else:
                out[f"trust:{a}-{b}"] = float("nan")
    return out


class OutcomeCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with the model reporters, collected in one pass.

    ``model_reporters`` holds the same named reporters as before (so
    ``get_model_vars_dataframe()`` and everything built on the collector work
    unchanged); :meth:`collect` computes them all together with
    :func:`collect_outcomes` instead of one call (and one deep copy) each.
    """

    def __init__(self, kind_names: list[str]) -> None:
        super().__init__(model_reporters=model_reporters(kind_names))
        self._kind_names = list(kind_names)

    def collect(self, model) -> None:
        """Append one row of outcomes for ``model``."""
        values = collect_outcomes(model, self._kind_names)
        for name, column in self.model_vars.items():
            column.append(values[name])


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
    return summarise_columns({c: frame[c].to_numpy() for c in _SUMMARY_COLUMNS})


_SUMMARY_COLUMNS = ("integration", "mean_trust", "partnership_share", "conflicts_arisen", "conflicts_resolved",
                    "conflicts_festering")


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
    return out
