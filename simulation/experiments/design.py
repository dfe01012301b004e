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
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .spec import Experiment

__all__ = ["salib_problem", "build_design", "raw_design", "run_plan", "run_seed", "unit_matrix"]


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
        "names": exp.names,
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
    problem = salib_problem(exp)
    seed = _design_seed(exp)
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


def build_design(exp: Experiment) -> pd.DataFrame:
    """The design table: index ``sample``, one column per varied parameter (typed values).

    Raw SALib values are kept alongside under ``x:<name>`` columns in
    :func:`run_plan`'s design file, as the analysis needs them.
    """
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
    x = unit_matrix(exp)
    design = build_design(exp)
    for j, name in enumerate(exp.names):
        design[f"x:{name}"] = x[:, j]
    return design


def run_plan(exp: Experiment, design: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every run of the sweep: ``run_id``, ``sample``, ``replicate``, ``seed`` and the parameters.

    ``run_id = sample * replicates + replicate``; ordered by ``run_id``.
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
            "seed": [run_seed(exp.seed, s, r) for s, r in zip(samples, replicates)],
        }
    )
    values = design.iloc[samples].reset_index(drop=True)
    return pd.concat([plan, values], axis=1)
