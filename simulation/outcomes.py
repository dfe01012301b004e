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
    "time_to_level",
    "summarise_run",
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


def kind_pair_trust(model, a: str, b: str) -> float:
    """Mean trust on edges between kinds ``a`` and ``b`` (both directions).

    Collected through :func:`functools.partial` so that it pickles for worker
    processes and Mesa's ``DataCollector`` passes it the model.
    """
    leaders, rel = model.leaders, model.relationships
    names = np.array(leaders.kind_names)
    ks, kd = names[leaders.kind[rel.src]], names[leaders.kind[rel.dst]]
    mask = ((ks == a) & (kd == b)) | ((ks == b) & (kd == a))
    return float(rel.trust[mask].mean()) if mask.any() else float("nan")


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
    out: dict[str, float | int | bool] = {
        "steps": int(len(frame) - 1),
        "final_integration": float(frame["integration"].iloc[-1]),
        "final_mean_trust": float(frame["mean_trust"].iloc[-1]),
        "final_partnership_share": float(frame["partnership_share"].iloc[-1]),
        "mean_integration": float(frame["integration"].iloc[1:].mean()) if len(frame) > 1 else float("nan"),
        "total_conflicts": int(frame["conflicts_arisen"].sum()),
        "total_resolved": int(frame["conflicts_resolved"].sum()),
        "final_festering": int(frame["conflicts_festering"].iloc[-1]),
    }
    for level in INTEGRATION_LEVELS:
        months = time_to_level(frame["integration"], level)
        tag = int(round(level * 100))
        out[f"months_to_{tag}"] = months
        out[f"censored_{tag}"] = bool(np.isnan(months))
    return out
