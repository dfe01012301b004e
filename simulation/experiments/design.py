"""Designs (grid, Latin hypercube, Sobol/Saltelli, Morris) and per-run seeds.

A design is a table of *samples* (parameter combinations). Each sample is run
``replicates`` times; run ``(sample, replicate)`` gets the seed derived from
the master seed and its identity alone, so results never depend on the order
in which runs finish or on how many workers there are.

Examples
--------
>>> from simulation.experiments.spec import experiment_from_dict
>>> exp = experiment_from_dict({"parameters": {"contact_rate": [0.5, 1.0], "open_book": [0.0, 0.5, 1.0]},
...                             "design": {"replicates": 2}, "run": {"seed": 7}})
>>> design = build_design(exp)
>>> design.shape
(6, 2)
>>> plan = run_plan(exp, design)
>>> len(plan), plan["seed"].is_unique
(12, True)
>>> run_seed(7, 3, 1) == run_seed(7, 3, 1) != run_seed(7, 1, 3)
True

A robustness design runs every lever setting on every uncertainty draw, with the seeds
of the draw (common random numbers):

>>> rob = experiment_from_dict({"design": {"method": "robustness", "samples": 3, "replicates": 2},
...     "uncertainties": {"baseline_trust": {"low": 0.2, "high": 0.4}},
...     "levers": {"none": {}, "books": {"set": {"open_book": 0.5}}}})
>>> plan = run_plan(rob)
>>> len(plan), sorted(plan["policy"].unique())
(12, ['books', 'none'])
>>> by = plan.set_index(["draw", "replicate", "policy"])["seed"]
>>> bool((by.xs("none", level="policy") == by.xs("books", level="policy")).all())
True
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .spec import Experiment

__all__ = ["salib_problem", "build_design", "raw_design", "run_plan", "run_seed", "unit_matrix",
           "uncertainty_draws"]


def run_seed(master_seed: int, sample: int, replicate: int) -> int:
    """Seed of run ``(sample, replicate)``: a pure function of the master seed and the run's identity.

    Uses ``numpy.random.SeedSequence(master_seed, spawn_key=(sample, replicate))``
    and returns a 63-bit integer.
    """
    ss = np.random.SeedSequence(master_seed, spawn_key=(int(sample), int(replicate)))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def _design_seed(exp: Experiment) -> int:
    """Seed of the sampler itself (distinct stream from the run seeds)."""
    ss = np.random.SeedSequence(exp.seed, spawn_key=(2**31 - 1,))
    return int(ss.generate_state(1, np.uint32)[0])


def salib_problem(exp: Experiment) -> dict:
    """The SALib problem dictionary of an experiment (bools sampled on ``[0, 1]``)."""
    return {
        "num_vars": len(exp.parameters),
        "names": exp.uncertainty_names,
        "bounds": [list(p.bounds()) for p in exp.parameters],
    }


def unit_matrix(exp: Experiment) -> np.ndarray:
    """The raw sample matrix ``X`` (one row per sample), before rounding and bool switches.

    For ``grid`` it is the grid itself (values as floats, bools as 0/1).
    """
    method = exp.design
    if method == "grid":
        axes = []
        for p in exp.parameters:
            if p.values is not None:
                axes.append([float(v) for v in p.values])
            else:
                n = p.num or exp.levels or 5
                pts = np.linspace(p.low, p.high, n)
                if p.kind is int:
                    pts = np.unique(np.round(pts))
                axes.append([float(v) for v in pts])
        return np.array(list(itertools.product(*axes)), dtype=float)
    seed = _design_seed(exp)
    if method == "robustness":  # a Latin hypercube on [0, 1): mapped to values by uncertainty_draws
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=len(exp.parameters), seed=np.random.default_rng(seed)).random(exp.samples)
    problem = salib_problem(exp)
    if method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, exp.samples, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, exp.samples, calc_second_order=exp.second_order, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, exp.samples, num_levels=exp.levels or 4, seed=seed)
    raise ValueError(f"unknown design {method!r}")  # pragma: no cover - validated in spec


def _from_unit_interval(p, u: float):
    """A uniform draw ``u`` in [0, 1) as a value of an uncertainty: in its range, or one of its listed values."""
    if p.values is not None:
        return p.values[min(int(u * len(p.values)), len(p.values) - 1)]
    if p.kind is bool:
        return bool(u >= 0.5)
    if p.kind is int:
        return int(min(p.high, max(p.low, round(p.low - 0.5 + u * (p.high - p.low + 1)))))
    return float(p.low + u * (p.high - p.low))


def uncertainty_draws(exp: Experiment) -> pd.DataFrame:
    """The uncertainty ensemble of a robustness design: index ``draw``, one column per uncertainty.

    A Latin hypercube of ``exp.samples`` draws (seeded by the master seed); raw
    draws in [0, 1) under ``x:<name>``.
    """
    x = unit_matrix(exp)
    cols: dict[str, list] = {}
    for j, p in enumerate(exp.parameters):
        cols[p.name] = [_from_unit_interval(p, u) for u in x[:, j]]
    draws = pd.DataFrame(cols)
    for j, p in enumerate(exp.parameters):
        draws[f"x:{p.name}"] = x[:, j]
    draws.index.name = "draw"
    return draws


def _robust_design(exp: Experiment) -> pd.DataFrame:
    """Every lever setting on every draw (draw-major): ``draw``, ``policy``, ``kind``, then the parameters."""
    draws = uncertainty_draws(exp)
    defaults = {n: exp.base.params[n] if not n.startswith("organisations.")
                else exp.base.organisations.get(n.split(".", 1)[1], 0) for n in exp.lever_names}
    rows = []
    for d, row in enumerate(draws.to_dict("records")):
        for lv in exp.levers:
            rows.append({"draw": d, "policy": lv.name, "kind": lv.kind, **row, **defaults, **lv.values})
    design = pd.DataFrame(rows)
    design.index.name = "sample"
    return design


def build_design(exp: Experiment) -> pd.DataFrame:
    """The design table: index ``sample``, one column per varied parameter (typed values).

    Raw SALib values are kept alongside under ``x:<name>`` columns in
    :func:`run_plan`'s design file, as the analysis needs them. A robustness
    design has one sample per (draw, lever setting), with columns ``draw``,
    ``policy`` and ``kind`` besides the parameters.
    """
    if exp.design == "robustness":
        design = _robust_design(exp)
        return design[[c for c in design.columns if not str(c).startswith("x:")]]
    x = unit_matrix(exp)
    cols = {}
    for j, p in enumerate(exp.parameters):
        col = [p.from_unit(v) for v in x[:, j]]
        dtype = {bool: "bool", int: "int64", float: "float64"}[p.kind]
        cols[p.name] = pd.Series(col, dtype=dtype)
    design = pd.DataFrame(cols)
    design.index.name = "sample"
    return design


def raw_design(exp: Experiment) -> pd.DataFrame:
    """The design with the raw sampler values ``x:<name>`` next to the typed values."""
    if exp.design == "robustness":
        return _robust_design(exp)
    x = unit_matrix(exp)
    design = build_design(exp)
    for j, name in enumerate(exp.names):
        design[f"x:{name}"] = x[:, j]
    return design


def run_plan(exp: Experiment, design: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every run of the sweep: ``run_id``, ``sample``, ``replicate``, ``seed`` and the parameters.

    ``run_id = sample * replicates + replicate``; ordered by ``run_id``. In a
    robustness design the seed depends on the draw and the replicate only, so
    every lever setting of a draw runs on the same seeds (common random numbers).
    """
    design = build_design(exp) if design is None else design
    design = design[[c for c in design.columns if not str(c).startswith("x:")]]
    reps = exp.replicates
    samples = np.repeat(np.arange(len(design)), reps)
    replicates = np.tile(np.arange(reps), len(design))
    plan = pd.DataFrame(
        {
            "run_id": samples * reps + replicates,
            "sample": samples,
            "replicate": replicates,
        }
    )
    if "draw" in design.columns:
        draws = design["draw"].to_numpy()[samples]
        plan["seed"] = [run_seed(exp.seed, d, r) for d, r in zip(draws, replicates)]
    else:
        plan["seed"] = [run_seed(exp.seed, s, r) for s, r in zip(samples, replicates)]
    values = design.iloc[samples].reset_index(drop=True)
    return pd.concat([plan, values], axis=1)
