"""Calibration to observed data by simulation-based inference (ABC-SMC with pyabc).

A calibration file names a base scenario, the observed *targets* (a measure of the time
series at a month, e.g. the partnership share or surveyed mean trust, or the months to
a milestone) and the uncertain parameters to fit, with uniform priors over their
ranges::

    name = "calibration_example"
    [base]
    scenario = "default"
    [run]
    steps = 60
    seed = 7
    replicates = 3                 # runs per proposed parameter set, averaged (through the batched kernel)
    [[targets]]
    measure = "mean_trust"         # a time-series column (python -m simulation run prints them),
                                   # or "partnerships" (a count), ...
    month = 24
    value = 0.45
    sd = 0.02                      # how far off a simulation may be (measurement error + tolerance)
    [[targets]]
    measure = "months_to_50"       # ... or a milestone: months_to_50, months_to_80, connectedness_months_to_50
    value = 22
    sd = 3
    [parameters]
    gain_rate = { low = 0.03, high = 0.09 }
    baseline_trust = { low = 0.2, high = 0.4 }
    [abc]
    population = 200               # particles per generation
    generations = 6                # at most
    min_epsilon = 0.0              # stop early when the distance threshold falls below this
    predictive = 100               # posterior draws for the posterior-predictive check

The distance between a simulation and the data is the root mean square of the
standardised misses, ``sqrt(mean(((simulated - observed) / sd)^2))`` over the targets;
a milestone never reached counts at the run length. Every simulation runs through the
compiled kernel (:func:`simulation.batch.simulate_batch`, the ``replicates`` runs of a
proposal in one call; the posterior-predictive check's runs in one call).

Why pyabc: ABC-SMC with adaptive thresholds and perturbation kernels, installable from
PyPI without torch, maintained, and it reports weighted particles from which the
posterior's quantiles follow directly (docs/calibration.md compares elfi, sbi and
black-it). pyabc draws its proposals from numpy's global generator: :func:`calibrate`
seeds it from the file's seed for the run and restores its previous state afterwards,
so results are reproducible and the caller's global state is left as it was. pyabc's
import adds warning filters and an INFO handler on its own ``ABC`` logger; both are
contained (filters restored, its loggers held at WARNING while it runs unless
``verbose``).

Examples
--------
>>> cfg = calibration_from_dict({
...     "parameters": {"gain_rate": {"low": 0.03, "high": 0.09}},
...     "targets": [{"measure": "mean_trust", "month": 12, "value": 0.4, "sd": 0.02}]})
>>> cfg.names, cfg.targets[0].label
(['gain_rate'], 'mean_trust at month 12')
>>> calibration_from_dict({"parameters": {"gain_rate": {"low": 0.03, "high": 0.09}}, "targets": []})
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: targets: expected at least one [[targets]] table (measure, value, sd, and month \
for a time-series measure)
"""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..outcomes import MILESTONES
from ..scenario import Scenario, ScenarioError
from ..validation import MAX_STEPS
from .spec import Parameter, _check_keys, _int, _parameter, base_scenario, check_layout, load_file

__all__ = ["DERIVED", "MILESTONES", "Target", "CalibrationConfig", "CalibrationResult", "calibration_from_dict",
           "load_calibration", "simulate_targets", "calibrate", "run_abc", "rms_distance", "posterior_summary",
           "weighted_quantile"]

#: Measures derived from the time series: the number of partnerships (share of relationships in partnership
#: times the number of relationships).
DERIVED: dict[str, tuple[str, str]] = {"partnerships": ("partnership_share", "relationships")}

_TOP = {"name", "description", "base", "run", "targets", "parameters", "abc"}
_SECTIONS = {"base": {"scenario", "set"}, "run": {"steps", "seed", "replicates"},
             "abc": {"population", "generations", "min_epsilon", "predictive"}}


@dataclass(frozen=True)
class Target:
    """One observed value: ``measure`` (at ``month`` for a time-series measure), its ``value`` and ``sd``."""

    measure: str
    value: float
    sd: float
    month: int | None = None

    @property
    def label(self) -> str:
        """The target in words."""
        return self.measure if self.month is None else f"{self.measure} at month {self.month}"


@dataclass(frozen=True)
class CalibrationConfig:
    """A validated calibration file (see the module docstring for the keys)."""

    name: str
    description: str
    base: Scenario
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    steps: int = 120
    seed: int = 0
    replicates: int = 3
    population: int = 200
    generations: int = 6
    min_epsilon: float = 0.0
    predictive: int = 100
    source: str = ""

    @property
    def names(self) -> list[str]:
        """The fitted parameters."""
        return [p.name for p in self.parameters]


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes
    ----------
    posterior : pandas.DataFrame
        The last generation's particles: one column per parameter and ``weight``.
    summary : pandas.DataFrame
        Per parameter: prior range, weighted mean and sd, quantiles (5, 25, 50, 75, 95%); the 90% credible
        interval is ``q05``–``q95``.
    predictive : pandas.DataFrame
        Per target: observed, and the posterior-predictive 5%, 50% and 95% of the simulated value
        (mean over ``replicates`` runs, as fitted); ``inside`` the 90% predictive interval.
    history : pandas.DataFrame
        Per generation: threshold ``epsilon``, particles, simulations.
    predictive_draws : pandas.DataFrame
        The posterior-predictive check's simulated value of each target (a column per target label), one row
        per posterior draw.
    seconds, simulations : float, int
    files : dict
        Files written (when an output folder was given).
    text : str
        The markdown report.
    """

    config: CalibrationConfig
    posterior: pd.DataFrame
    summary: pd.DataFrame
    predictive: pd.DataFrame
    history: pd.DataFrame
    seconds: float
    simulations: int
    files: dict[str, Path] = field(default_factory=dict)
    text: str = ""
    predictive_draws: pd.DataFrame = field(default_factory=pd.DataFrame)


# -- the file ------------------------------------------------------------------------------
def load_calibration(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration TOML file.

    Raises
    ------
    ScenarioError
        Naming the file and the first bad key.
    """
    return load_file(path, "calibration", calibration_from_dict)


def _number(table: Mapping[str, Any], key: str, where: str, low: float = -math.inf, strict: bool = False) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}.{key} = {value!r} has the wrong type: expected a number")
    if value < low or (strict and value == low):
        bound = f"> {low:g}" if strict else f">= {low:g}"
        raise ScenarioError(f"{where}.{key} = {value!r} is out of range: expected a number {bound}")
    return float(value)


def calibration_from_dict(data: Mapping[str, Any], *, name: str = "calibration", source: str | None = None,
                          path: str | Path | None = None) -> CalibrationConfig:
    """Validate the nested mapping of a calibration file.

    Raises
    ------
    ScenarioError
        Naming the first bad key and what is allowed.
    """
    check_layout(data, _TOP, _SECTIONS)
    base_t, run_t, abc_t = (data.get(s, {}) for s in ("base", "run", "abc"))
    base = base_scenario(base_t, path)

    params_t = data.get("parameters")
    if not isinstance(params_t, Mapping) or not params_t:
        raise ScenarioError("[parameters] is missing or empty: name at least one parameter to fit, "
                            "e.g. gain_rate = { low = 0.03, high = 0.09 }")
    parameters = tuple(_parameter(k, v, base) for k, v in params_t.items())
    for p in parameters:
        if not p.is_range or p.kind is bool:
            raise ScenarioError(f"parameters.{p.name}: calibration needs a range {{ low = ..., high = ... }} "
                                "(the uniform prior), not a list")
    for corner in ("low", "high"):
        try:
            base.replace(**{p.name: p.from_unit(getattr(p, corner)) for p in parameters})
        except ScenarioError as exc:
            raise ScenarioError(f"[parameters]: every parameter at its {corner} end: {exc}") from None

    steps = _int(run_t, "steps", 120, 1, "run", MAX_STEPS)
    targets_t = data.get("targets", [])
    if not isinstance(targets_t, list) or not targets_t:
        raise ScenarioError("targets: expected at least one [[targets]] table (measure, value, sd, and month for a "
                            "time-series measure)")
    columns = _columns(base)
    targets = []
    for i, t in enumerate(targets_t):
        where = f"targets[{i}]"
        if not isinstance(t, Mapping):
            raise ScenarioError(f"{where} must be a table with measure, value, sd (and month)")
        _check_keys(t, {"measure", "month", "value", "sd"}, f"{where}.")
        measure = t.get("measure")
        if measure in MILESTONES:
            if "month" in t:
                raise ScenarioError(f"{where}.month: a milestone ({measure}) has no month; drop it")
            month = None
        elif measure in columns or measure in DERIVED:
            month = _int(t, "month", 0, 0, where) if "month" in t else None
            if month is None:
                raise ScenarioError(f"{where}.month is missing: a time-series measure needs the month observed")
            if month > steps:
                raise ScenarioError(f"{where}.month = {month} is out of range: expected a month in [0, {steps}] "
                                    "(run.steps)")
        else:
            raise ScenarioError(f"{where}.measure = {measure!r} is not known: expected one of "
                                f"{', '.join([*MILESTONES, *DERIVED, *columns])}")
        targets.append(Target(measure, _number(t, "value", where), _number(t, "sd", where, 0.0, strict=True),
                              month))
    description = data.get("description", "")
    cfg_name = data.get("name", name)
    if not isinstance(cfg_name, str) or not isinstance(description, str):
        raise ScenarioError("name and description must be strings")
    return CalibrationConfig(
        name=cfg_name, description=description, base=base, parameters=parameters, targets=tuple(targets),
        steps=steps, seed=_int(run_t, "seed", 0, 0, "run"), replicates=_int(run_t, "replicates", 3, 1, "run", 10_000),
        population=_int(abc_t, "population", 200, 10, "abc", 100_000),
        generations=_int(abc_t, "generations", 6, 1, "abc", 1_000),
        min_epsilon=_number(abc_t, "min_epsilon", "abc", 0.0) if "min_epsilon" in abc_t else 0.0,
        predictive=_int(abc_t, "predictive", 100, 1, "abc", 100_000),
        source=source if source is not None else repr(dict(data)),
    )


def _columns(base: Scenario) -> list[str]:
    """The time-series measures of the base place (a run of no months)."""
    from ..batch import simulate_run

    return list(simulate_run(base, 0, 0)[1])


# -- simulations -----------------------------------------------------------------------------
def simulate_targets(config: CalibrationConfig, values: Sequence[Mapping[str, float]],
                     seeds: Sequence[Sequence[int]]) -> np.ndarray:
    """The targets' simulated values for each parameter set: mean over its replicate seeds.

    All runs (every parameter set times its seeds) go through one call of
    :func:`simulation.batch.simulate_batch`. A parameter set the scenario rejects (a joint
    constraint) gets NaN.

    Returns
    -------
    numpy.ndarray
        ``(len(values), len(config.targets))``.
    """
    from ..batch import simulate_batch

    scenarios, run_seeds, owner = [], [], []
    out = np.full((len(values), len(config.targets)), np.nan)
    for k, (v, s) in enumerate(zip(values, seeds)):
        try:
            sc = config.base.replace(**{p.name: p.from_unit(v[p.name]) for p in config.parameters})
        except (ScenarioError, ValueError):
            continue
        scenarios += [sc] * len(s)
        run_seeds += [int(x) for x in s]
        owner += [k] * len(s)
    if not scenarios:
        return out
    arrays = simulate_batch(scenarios, run_seeds, config.steps)
    per_run = np.array([_measure(config, arr, cols) for arr, cols in arrays])
    owner_arr = np.array(owner)
    for k in np.unique(owner_arr):
        out[k] = per_run[owner_arr == k].mean(axis=0)
    return out


def _measure(config: CalibrationConfig, arr: np.ndarray, cols: list[str]) -> list[float]:
    from ..outcomes import time_to_level

    row = []
    for t in config.targets:
        if t.measure in MILESTONES:
            col, level = MILESTONES[t.measure]
            month = time_to_level(arr[:, cols.index(col)], level)
            row.append(float(config.steps) if math.isnan(month) else month)
        elif t.measure in DERIVED:
            a, b = DERIVED[t.measure]
            row.append(float(arr[t.month, cols.index(a)] * arr[t.month, cols.index(b)]))
        else:
            row.append(float(arr[t.month, cols.index(t.measure)]))
    return row


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (the inverse of its weighted empirical distribution, mid-point rule).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), [0.5]).round(3).tolist()
    [2.333]
    """
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


# -- the fit -----------------------------------------------------------------------------
@contextlib.contextmanager
def _quiet_pyabc(verbose: bool):
    """pyabc's loggers at WARNING (unless verbose) while it runs; their levels restored after."""
    names = ["ABC", *(n for n in logging.root.manager.loggerDict if n.startswith("ABC."))]
    saved = {n: logging.getLogger(n).level for n in names}
    if not verbose:
        for n in names:
            logging.getLogger(n).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


@contextlib.contextmanager
def _seeded_global_numpy(seed: int):
    """numpy's global generator seeded for pyabc, and its earlier state restored afterwards."""
    state = np.random.get_state()  # noqa: NPY002 - pyabc draws from the legacy global generator
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def rms_distance(simulated: Sequence[float], observed: Sequence[float], sd: Sequence[float]) -> float:
    """The ABC distance: the root mean square of ``(simulated - observed) / sd``; infinite if any is not finite.

    Examples
    --------
    >>> rms_distance([1.0, 4.0], [1.0, 2.0], [1.0, 1.0])
    1.4142135623730951
    >>> rms_distance([float("nan")], [0.0], [1.0])
    inf
    """
    z = (np.asarray(simulated, dtype=float) - np.asarray(observed, dtype=float)) / np.asarray(sd, dtype=float)
    return float(np.sqrt(np.mean(z * z))) if np.isfinite(z).all() else math.inf


def run_abc(simulate: Callable[[Mapping[str, float]], np.ndarray], parameters: Sequence[Parameter],
            observed: np.ndarray, sd: np.ndarray, *, population: int, generations: int, min_epsilon: float = 0.0,
            seed: int = 0, folder: str | Path | None = None,
            verbose: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ABC-SMC (pyabc) with uniform priors over the parameters' ranges: the last generation and the run's history.

    ``simulate`` maps a parameter set to the simulated targets (NaN for a set the model rejects); the
    distance is the root mean square of ``(simulated - observed) / sd``. pyabc's proposals come from
    numpy's global generator, seeded from ``seed`` while it runs and restored afterwards; its database is
    ``folder/abc.db`` (a temporary folder when ``folder`` is None).

    Returns
    -------
    posterior : pandas.DataFrame
        One column per parameter and ``weight`` (summing to 1).
    history : pandas.DataFrame
        Per generation: ``generation``, ``epsilon``, ``particles``, ``simulations``.
    """
    with warnings.catch_warnings():  # pyabc's import adds warning filters of its own: keep them out
        warnings.simplefilter("ignore")
        import pyabc

    names = [p.name for p in parameters]
    observed, sd = np.asarray(observed, dtype=float), np.asarray(sd, dtype=float)

    def model(pars) -> dict[str, Any]:
        return {"y": simulate(dict(pars))}

    def distance(x: dict, x0: dict) -> float:
        return rms_distance(x["y"], x0["y"], sd)

    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", float(p.low), float(p.high - p.low))
                                  for p in parameters})
    tmp = None
    if folder is None:
        tmp = tempfile.TemporaryDirectory()
        db_path = Path(tmp.name) / "abc.db"
    else:
        Path(folder).mkdir(parents=True, exist_ok=True)
        db_path = Path(folder) / "abc.db"
        db_path.unlink(missing_ok=True)
    try:
        global_seed = int(np.random.SeedSequence(seed, spawn_key=(2,)).generate_state(1)[0])
        with _quiet_pyabc(verbose), _seeded_global_numpy(global_seed), warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            abc = pyabc.ABCSMC(model, prior, distance, population_size=population,
                               sampler=pyabc.sampler.SingleCoreSampler())
            abc.new(f"sqlite:///{db_path}", {"y": observed})
            history = abc.run(max_nr_populations=generations, minimum_epsilon=min_epsilon)
            particles, weights = history.get_distribution()
            populations = history.get_all_populations()
    finally:
        if tmp is not None:
            tmp.cleanup()
    posterior = particles[names].reset_index(drop=True).assign(weight=np.asarray(weights) / np.sum(weights))
    posterior.columns.name = None
    hist = pd.DataFrame({"generation": populations["t"], "epsilon": populations["epsilon"],
                         "particles": populations["particles"], "simulations": populations["samples"]})
    return posterior, hist[hist["generation"] >= 0].reset_index(drop=True)


def calibrate(config: CalibrationConfig, out: str | Path | None = None, *, verbose: bool = False) -> CalibrationResult:
    """Fit the config's parameters to its targets by ABC-SMC (pyabc); write the results to ``out`` if given.

    Parameters
    ----------
    config : CalibrationConfig
    out : path, optional
        Folder for ``posterior.parquet``, ``posterior_summary.csv``, ``predictive.csv``, ``history.csv``,
        ``report.md``, ``manifest.json`` and pyabc's database ``abc.db``.
    verbose : bool
        Let pyabc log each generation.

    Returns
    -------
    CalibrationResult
    """
    started = time.perf_counter()
    folder = Path(out) if out is not None else None
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(1,)))
    observed = np.array([t.value for t in config.targets])
    sd = np.array([t.sd for t in config.targets])
    counter = {"runs": 0}

    def model(pars: Mapping[str, float]) -> np.ndarray:
        seeds = rng.integers(0, 2**62, size=config.replicates).tolist()
        counter["runs"] += config.replicates
        return simulate_targets(config, [dict(pars)], [seeds])[0]

    posterior, hist = run_abc(model, config.parameters, observed, sd, population=config.population,
                              generations=config.generations, min_epsilon=config.min_epsilon, seed=config.seed,
                              folder=folder, verbose=verbose)
    fitted_runs = counter["runs"]
    summary = posterior_summary(config.parameters, posterior)
    predictive, draws = _predictive(config, posterior, observed, rng)
    seconds = time.perf_counter() - started
    result = CalibrationResult(config, posterior, summary, predictive, hist, seconds, fitted_runs,
                               predictive_draws=draws)
    result.text = report(result)
    if folder is not None:
        result.files = _write(result, folder)
    return result


def posterior_summary(parameters: Sequence[Parameter], posterior: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior range, weighted mean and sd, quantiles (5, 25, 50, 75, 95%), and the 90% credible
    interval's width as a share of the prior's (``ci90_width_share_of_prior``)."""
    rows = []
    w = posterior["weight"].to_numpy()
    for p in parameters:
        v = posterior[p.name].to_numpy(dtype=float)
        mean = float(np.sum(w * v))
        q = weighted_quantile(v, w, [0.05, 0.25, 0.5, 0.75, 0.95])
        rows.append({"parameter": p.name, "prior_low": p.low, "prior_high": p.high, "mean": mean,
                     "sd": float(np.sqrt(np.sum(w * (v - mean) ** 2))), "q05": q[0], "q25": q[1], "median": q[2],
                     "q75": q[3], "q95": q[4], "ci90_width_share_of_prior": (q[4] - q[0]) / (p.high - p.low)})
    return pd.DataFrame(rows)


def _predictive(config: CalibrationConfig, posterior: pd.DataFrame, observed: np.ndarray,
                rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posterior-predictive check: parameter sets drawn by weight, each simulated as in the fit (one batch).

    Returns the table per target and the simulated values (a column per target, a row per draw).
    """
    pick = rng.choice(len(posterior), size=config.predictive, p=posterior["weight"].to_numpy())
    values = posterior.iloc[pick][config.names].to_dict("records")
    seeds = [rng.integers(0, 2**62, size=config.replicates).tolist() for _ in values]
    sims = simulate_targets(config, values, seeds)
    rows = []
    for j, t in enumerate(config.targets):
        col = sims[:, j][np.isfinite(sims[:, j])]
        q05, q50, q95 = np.quantile(col, [0.05, 0.5, 0.95]) if len(col) else (math.nan,) * 3
        rows.append({"target": t.label, "measure": t.measure, "month": t.month, "observed": observed[j], "sd": t.sd,
                     "predicted_q05": q05, "predicted_median": q50, "predicted_q95": q95,
                     "inside": bool(q05 <= observed[j] <= q95), "draws": len(col)})
    return pd.DataFrame(rows), pd.DataFrame(sims, columns=[t.label for t in config.targets])


def report(result: CalibrationResult) -> str:
    """The markdown report: posterior table, posterior-predictive check, the ABC run."""
    cfg = result.config
    lines = [f"# Calibration: {cfg.name}", "", cfg.description.strip(), "",
             f"ABC-SMC (pyabc), {cfg.population} particles a generation, {len(result.history)} generation(s), "
             f"{cfg.replicates} run(s) of {cfg.steps} months per proposal (averaged), master seed {cfg.seed}; "
             f"{result.simulations} runs in {result.seconds:.1f} s. Uniform priors over the ranges below.", "",
             "## Posterior", "",
             "| parameter | prior | mean (sd) | median | 90% credible interval | interval / prior width |",
             "|---|---|---|---|---|---|"]
    for r in result.summary.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior_low:.4g}–{r.prior_high:.4g} | {r.mean:.4g} ({r.sd:.2g}) "
                     f"| {r.median:.4g} | {r.q05:.4g}–{r.q95:.4g} | {r.ci90_width_share_of_prior:.0%} |")
    lines += ["", "## Posterior-predictive check", "",
              f"{cfg.predictive} parameter sets drawn from the posterior, each simulated as in the fit.", "",
              "| target | observed (sd) | predicted median | 90% predictive interval | observed inside |",
              "|---|---|---|---|---|"]
    for r in result.predictive.itertuples():
        lines.append(f"| {r.target} | {r.observed:.4g} ({r.sd:.2g}) | {r.predicted_median:.4g} "
                     f"| {r.predicted_q05:.4g}–{r.predicted_q95:.4g} | {'yes' if r.inside else '**no**'} |")
    misses = int((~result.predictive["inside"]).sum())
    lines += ["", "posterior.png draws each parameter's prior against its posterior; predictive.png each target's "
                  "predictive distribution against the observed value."]
    lines += ["", "Every observed target lies inside its 90% predictive interval." if not misses else
              f"{misses} observed target(s) lie outside their 90% predictive interval: the model (or the priors) "
              "cannot reproduce them together; read the posterior with care.", "",
              "## ABC run", "", "| generation | epsilon | particles | simulations |", "|---|---|---|---|"]
    for r in result.history.itertuples():
        lines.append(f"| {r.generation} | {r.epsilon:.3g} | {r.particles} | {r.simulations} |")
    return "\n".join(lines) + "\n"


def _write(result: CalibrationResult, folder: Path) -> dict[str, Path]:
    import pyabc
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..manifest import manifest
    from ..outputs import OutputFolder

    posterior = pa.Table.from_pandas(result.posterior, preserve_index=False)
    with OutputFolder(folder) as out:  # every file renamed into place when all are written, or none
        files = {"posterior": out.write("posterior.parquet", lambda p: pq.write_table(posterior, str(p))),
                 "summary": out.write("posterior_summary.csv", lambda p: result.summary.to_csv(p, index=False)),
                 "predictive": out.write("predictive.csv", lambda p: result.predictive.to_csv(p, index=False)),
                 "history": out.write("history.csv", lambda p: result.history.to_csv(p, index=False)),
                 "report": out.write_text("report.md", result.text),
                 "manifest": folder / "manifest.json", "database": folder / "abc.db"}
        from .calibration_plots import plot_posterior, plot_predictive

        for name, fig in (("posterior_plot", plot_posterior(result.summary, result.posterior)),
                          ("predictive_plot", plot_predictive(result.predictive, result.predictive_draws))):
            files[name] = out.write(f"{name.removesuffix('_plot')}.png",
                                    lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
        out.write_json("manifest.json", manifest(
            command="calibrate", config={"name": result.config.name, "text": result.config.source},
            library={"pyabc": pyabc.__version__}, seed=result.config.seed, simulations=result.simulations,
            seconds=round(result.seconds, 3), files={k: v.name for k, v in files.items()}))
    return files
