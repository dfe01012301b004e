"""Calibration to the published record: the behavioural parameters fitted to what the field has observed.

``python -m simulation calibrate`` (no file) runs :func:`calibrate_record` on the shipped
record (:mod:`simulation.record`, ``simulation/data/published_record.toml``):

1. **The place set.** Every parameter set runs in England's 42 integrated care systems
   (:mod:`simulation.ics`: each system's NHS trusts and councils, the base scenario's
   voluntary bodies), each on its own seed. The seeds are the same for every parameter set
   (common random numbers), so two parameter sets differ by their parameters, not by luck.
2. **The targets.** Targets of role ``fit`` are fitted; ``check`` targets are only compared
   with the posterior-predictive distribution; ``input`` and ``context`` targets are listed
   with the reason they are not compared. Each target maps onto a model output through
   :mod:`simulation.record_measures` (an output taken across places, such as the share of
   places integrated by a month, is the share of the place set; any other output is the
   median over the place set). A fit target's interval is read as a 90% interval of a
   normal error about its midpoint; for a share of places the noise of a share over the
   place set, ``c (1 - c) / n``, is added to its variance.
3. **The parameters.** The candidates are the behavioural parameters (the ``dynamics``
   table) that :mod:`simulation.provenance` declares assumed, with their declared ranges as
   uniform priors, except the partnership threshold (a convention that defines the outputs)
   and competitive pressure (a condition of the place, not of leaders' behaviour), and the
   spreads of the places' conditions (:data:`PLACE_SPREADS`: how much places differ, which
   the shares of places among the targets observe). Each is screened one at a time at the two
   ends of its range (the others at the base values, with the calibrated ones at their values
   before any calibration, :func:`screening_base`; the same places and seeds); the
   ``fitted`` behavioural ones that move the fit targets most (largest change over the
   target's sd) are fitted, and every spread (the shares of places are the record's only
   observations of how much places differ: :func:`chosen_parameters`), so the number fitted
   stays small enough to run in minutes, and the screening table says why each was chosen.
4. **The fit**: ABC-SMC (pyabc, :func:`simulation.experiments.calibration.run_abc`), each
   proposal one batched kernel call over the place set.
5. **One point for the defaults** (:func:`best_point`). Every particle of the posterior, and
   the point of the marginal medians, runs on the place set with fresh seeds
   (``point_seeds`` a system); the one nearest the fit targets by the fit's own distance is
   the posterior's best single point. Marginal medians of a correlated posterior need not
   be a point the posterior supports; a particle is one, and the one that reproduces the
   fit targets best is what a calibrated default should be (``--adopt`` ships it).
6. **The posterior-predictive check.** Parameter sets drawn from the posterior by weight
   run on the place set with fresh seeds, for every ``fit`` and ``check`` target. A target
   counts as reproduced when its interval overlaps the 90% predictive interval; a miss is
   reported with its direction and the mapping's assumptions.

The results folder holds ``posterior.parquet``, ``posterior_summary.csv``, ``screening.csv``,
``predictive.csv``, ``predictive_draws.parquet``, ``history.csv``, ``point_fit.csv`` (each particle's
distance to the fit targets, best first), ``posterior_defaults.toml`` (a scenario whose fitted
parameters are the best-fitting particle's), ``report.md``, ``manifest.json`` and pyabc's ``abc.db``.

Examples
--------
>>> [p.name for p in candidate_parameters()][:5]
['pressure_spread', 'history_spread', 'demand_spread', 'contact_rate', 'gain_rate']
>>> cfg = RecordCalibration(**TINY)
>>> cfg.places, cfg.population
(4, 10)
>>> RecordCalibration(fitted=0)
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: fitted = 0 is out of range: expected an integer in [1, 24]
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..provenance import PROVENANCE
from ..record import OUTPUTS, RECORD_PATH, Record, RecordTarget, interval_sd, load_record
from ..record_measures import combine, council_nhs_share, outcome_value, run_needs
from ..scenario import (
    CALIBRATED,
    PARAMETERS,
    UNCALIBRATED_DEFAULTS,
    Scenario,
    ScenarioError,
    check_calibrated,
    load_scenario,
)
from .calibration import posterior_summary, rms_distance, run_abc
from .spec import Parameter

__all__ = ["EXCLUDED", "PLACE_SPREADS", "TINY", "chosen_parameters", "RecordCalibration", "FitTarget",
           "RecordCalibrationResult", "candidate_parameters",
           "place_set", "fit_targets", "simulate_record", "screen", "calibrate_record", "load_result",
           "pinned_down", "posterior_defaults", "adopt", "best_point", "best_particle", "point_lines", "screening_base",
           "SHIPPED_STATISTIC",
           "scenario_toml", "write_posterior_scenario", "report"]

#: Behavioural parameters declared uncertain but not calibrated, and why.
EXCLUDED: dict[str, str] = {
    "partnership_threshold": "a convention that defines the outputs (a partnership), not behaviour",
    "competitive_pressure": "a condition of the place (pressure to compete), not leaders' behaviour",
}

#: Settings of the tiny mode (tests, smoke runs): seconds, not minutes.
TINY: dict[str, int] = {"places": 4, "population": 10, "generations": 1, "predictive": 4, "fitted": 2,
                        "point_seeds": 1}

#: The posterior summary the shipped defaults are (a column of the posterior summary): the best-fitting particle.
SHIPPED_STATISTIC = "best_fit"

#: Below this share of its prior's width a parameter's 90% credible interval counts as pinned down by the data;
#: at or above :data:`NOT_PINNED` it does not.
PINNED, NOT_PINNED = 0.5, 0.8


#: Conditions of a place whose spread between places the record observes (shares of places integrated by a
#: date, how much places differ), so they are candidates too: how far places differ in their history of
#: competition, financial pressure and demand (:func:`simulation.conditions.vary_place`).
PLACE_SPREADS: tuple[str, ...] = ("history_spread", "pressure_spread", "demand_spread")


def candidate_parameters() -> list[Parameter]:
    """The parameters declared uncertain that the record can inform, ranges from the provenance.

    The behavioural parameters (``dynamics`` table, assumed) except :data:`EXCLUDED`, and the spreads of the
    place conditions (:data:`PLACE_SPREADS`).
    """
    out = []
    for spec in PARAMETERS:
        prov = PROVENANCE.get(spec.name)
        candidate = (spec.section == "dynamics" and spec.name not in EXCLUDED) or spec.name in PLACE_SPREADS
        if not candidate or prov is None or prov.status != "assumed":
            continue
        low, high = prov.range
        out.append(Parameter(spec.name, spec.kind, low=float(low), high=float(high)))
    return out


def _int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ScenarioError(f"{name} = {value!r} is out of range: expected an integer "
                            + (f"in {allowed}" if high is not None else allowed))
    return value


@dataclass(frozen=True)
class RecordCalibration:
    """The settings of a calibration to the published record (checked on construction).

    Attributes
    ----------
    record : path
        The record file (default: the shipped one).
    base : str
        The base scenario (name or path): every parameter not fitted keeps its value.
    places : int or None
        Systems of England's place set run per parameter set (None: all 42; fewer: spread evenly by code).
    seeds_per_place : int
        Runs per system (each its own seed).
    fitted : int
        Behavioural parameters fitted: the ones that move the fit targets most (unless ``parameters`` names
        them); the place spreads are fitted too (:func:`chosen_parameters`).
    parameters : tuple of str, optional
        The parameters to fit (candidates only), instead of the screening's choice.
    population, generations, min_epsilon : ABC-SMC settings
    predictive : int
        Posterior draws for the posterior-predictive check.
    point_seeds : int
        Runs per system for each particle when choosing the best single point (:func:`best_point`).
    seed : int
        Master seed: places' seeds, pyabc's proposals, the predictive draws.
    """

    record: Path = RECORD_PATH
    base: str = "default"
    places: int | None = None
    seeds_per_place: int = 1
    fitted: int = 4
    parameters: tuple[str, ...] | None = None
    population: int = 120
    generations: int = 5
    min_epsilon: float = 0.0
    predictive: int = 100
    point_seeds: int = 5
    seed: int = 20261206

    def __post_init__(self) -> None:
        n = sum(p.name not in PLACE_SPREADS for p in candidate_parameters())
        if self.places is not None:
            _int("places", self.places, 1, 42)
        _int("seeds_per_place", self.seeds_per_place, 1, 1000)
        _int("fitted", self.fitted, 1, n)
        _int("population", self.population, 10, 100_000)
        _int("generations", self.generations, 1, 1000)
        _int("predictive", self.predictive, 1, 100_000)
        _int("point_seeds", self.point_seeds, 1, 1000)
        _int("seed", self.seed, 0)
        if isinstance(self.min_epsilon, bool) or not isinstance(self.min_epsilon, int | float) \
                or not self.min_epsilon >= 0:
            raise ScenarioError(f"min_epsilon = {self.min_epsilon!r} is out of range: expected a number >= 0")
        if self.parameters is not None:
            names = [p.name for p in candidate_parameters()]
            for name in self.parameters:
                if name not in names:
                    raise ScenarioError(f"parameters: {name!r} is not a behavioural parameter declared uncertain; "
                                        f"candidates: {', '.join(names)}")
            if not self.parameters or len(set(self.parameters)) != len(self.parameters):
                raise ScenarioError("parameters: expected distinct names, at least one")


@dataclass(frozen=True)
class FitTarget:
    """A fit target as the ABC distance reads it: its centre and sd."""

    target: RecordTarget
    centre: float
    sd: float


@dataclass
class RecordCalibrationResult:
    """What :func:`calibrate_record` found (tables as in the results folder; see the module docstring)."""

    config: RecordCalibration
    record: Record
    fit: list[FitTarget]
    screening: pd.DataFrame
    parameters: list[Parameter]
    posterior: pd.DataFrame
    summary: pd.DataFrame
    predictive: pd.DataFrame
    predictive_draws: pd.DataFrame
    history: pd.DataFrame
    points: pd.DataFrame
    places: list[str]
    seconds: float
    runs: int
    text: str = ""
    files: dict[str, Path] = field(default_factory=dict)


# -- the place set and the targets -------------------------------------------------------------
def place_set(base: Scenario, places: int | None = None) -> list[tuple[str, Scenario]]:
    """England's systems (code, scenario), all 42 or ``places`` of them spread evenly over the codes' order."""
    from ..ics import ics_scenarios

    systems = sorted(ics_scenarios(base).items())
    if places is not None and places < len(systems):
        picks = np.unique(np.linspace(0, len(systems) - 1, places).round().astype(int))
        systems = [systems[k] for k in picks]
    return systems


def fit_targets(record: Record, n_runs: int, coverage: float = 0.9) -> list[FitTarget]:
    """The record's ``fit`` targets with the centre and sd the distance uses.

    The centre is the interval's midpoint, the sd its half-width over the normal quantile of
    ``coverage`` (:func:`simulation.record.interval_sd`); for a share of places, the noise of
    a share over ``n_runs`` runs at the centre, ``c (1 - c) / n_runs``, is added to the variance.
    """
    out = []
    for t in record.by_role("fit"):
        centre = (t.low + t.high) / 2
        var = interval_sd(t, coverage) ** 2
        if OUTPUTS[t.output][0] == "places":
            var += centre * (1 - centre) / n_runs
        out.append(FitTarget(t, centre, math.sqrt(var)))
    return out


def _seeds(seed: int, stream: int, n: int) -> list[int]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))
    return rng.integers(0, 2**62, size=n).tolist()


# -- runs ----------------------------------------------------------------------------------------
def _council_nhs_now(sim) -> float:
    rel, leaders = sim.relationships, sim.leaders
    names = np.asarray(leaders.kind_names)
    pairs = rel.pairs
    partnership = rel.mutual_trust() >= float(sim.params["partnership_threshold"])
    return council_nhs_share(names[leaders.kind[pairs[:, 0]]], names[leaders.kind[pairs[:, 1]]], partnership)


def _play(scenario: Scenario, seed: int, steps: int, months: Sequence[int]):
    """One run: its outcome array, columns, and the council-NHS partnership share at each of ``months``."""
    from ..batch import set_up_run

    sim, out = set_up_run(scenario, seed, steps)
    shares, done = {}, 0
    for m in sorted(set(months)):
        if m > done:
            sim.advance(m - done, out[done + 1:m + 1])
            done = m
        shares[m] = _council_nhs_now(sim)
    if steps > done:
        sim.advance(steps - done, out[done + 1:])
    return out, sim.columns, shares


def simulate_record(targets: Sequence[RecordTarget], values: Sequence[Mapping[str, float]],
                    places: Sequence[Scenario], seeds: Sequence[Sequence[int]]) -> np.ndarray:
    """Each parameter set's value of each target over the place set.

    Parameter set ``k`` runs in every place ``j`` on each seed of ``seeds[k][j]`` (the same seeds for
    every set: common random numbers); the runs' :func:`~simulation.record_measures.outcome_value` are
    combined over places (:func:`~simulation.record_measures.combine`). A parameter set a place rejects
    gets NaN. All runs go through the compiled kernel, set up and played in groups.

    Returns
    -------
    numpy.ndarray
        ``(len(values), len(targets))``.
    """
    from ..batch import set_up_groups

    needs = [run_needs(t) for t in targets]
    steps = max(n for n, _ in needs)
    months = sorted({m for _, ms in needs for m in ms})
    out = np.full((len(values), len(targets)), np.nan)
    runs, owner = [], []
    for k, v in enumerate(values):
        try:
            scs = [p.replace(**v) for p in places]
        except (ScenarioError, ValueError):
            continue
        for sc, place_seeds in zip(scs, seeds[k]):
            runs += [(sc, int(s)) for s in place_seeds]
            owner += [k] * len(place_seeds)
    per_run = np.empty((len(runs), len(targets)))
    row = 0
    for group in set_up_groups(runs):
        for sc, s in group:
            arr, cols, shares = _play(sc, s, steps, months)
            per_run[row] = [outcome_value(t, arr, cols, shares) for t in targets]
            row += 1
    owner_arr = np.asarray(owner, dtype=int)
    for k in np.unique(owner_arr):
        mine = per_run[owner_arr == k]
        out[k] = [combine(t, mine[:, j]) for j, t in enumerate(targets)]
    return out


def best_point(fit: Sequence[FitTarget], posterior: pd.DataFrame, names: Sequence[str], places: Sequence[Scenario],
               seeds: Sequence[Sequence[int]], also: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """Every particle of the posterior (and any point in ``also``) on the place set: its fit targets and distance.

    Each point runs in every place ``j`` on the seeds ``seeds[j]`` (the same for every point: common random
    numbers, and fresh: not the fit's, so the choice does not reward a particle for the fit's own luck). The
    distance to the fit targets is the fit's own (:func:`~simulation.experiments.calibration.rms_distance`).
    The first particle of the table is the posterior's best single point (:func:`best_particle`).

    Returns
    -------
    pandas.DataFrame
        Nearest first (ties: the heavier particle first): ``point`` (``particle <i>``, the row of ``posterior``,
        or a name from ``also``), the parameters, ``weight`` (NaN for a point of ``also``), one column per fit
        target's key with its simulated value, and ``distance`` (infinite where a place rejects the point).
    """
    also = dict(also or {})
    values = posterior[list(names)].to_dict("records") + [dict(v) for v in also.values()]
    sims = simulate_record([f.target for f in fit], values, places, [seeds] * len(values))
    table = pd.DataFrame(values, columns=list(names))
    table.insert(0, "point", [f"particle {i}" for i in range(len(posterior))] + list(also))
    table["weight"] = np.concatenate([posterior["weight"].to_numpy(dtype=float), np.full(len(also), np.nan)])
    for j, f in enumerate(fit):
        table[f.target.key] = sims[:, j]
    centre, sd = np.array([f.centre for f in fit]), np.array([f.sd for f in fit])
    table["distance"] = [rms_distance(row, centre, sd) for row in sims]
    return table.sort_values(["distance", "weight"], ascending=[True, False], na_position="last",
                             kind="stable").reset_index(drop=True)


def best_particle(points: pd.DataFrame, names: Sequence[str]) -> dict[str, float]:
    """The parameters of the nearest particle of a :func:`best_point` table (a point of ``also`` never counts).

    Examples
    --------
    >>> points = pd.DataFrame({"point": ["marginal medians", "particle 3", "particle 0"],
    ...                        "gain_rate": [0.06, 0.05, 0.07], "distance": [0.1, 0.2, 0.3]})
    >>> best_particle(points, ["gain_rate"])
    {'gain_rate': 0.05}
    """
    row = points[_particles(points)].iloc[0]
    return {n: float(row[n]) for n in names}


def _particles(points: pd.DataFrame) -> pd.Series:
    """Which rows of a :func:`best_point` table are particles of the posterior (not points of ``also``)."""
    return points["point"].str.startswith("particle ")


def screen(fit: Sequence[FitTarget], candidates: Sequence[Parameter], places: Sequence[Scenario],
           seeds: Sequence[Sequence[int]]) -> pd.DataFrame:
    """Each candidate at the low and high end of its range (the others at the base), on the same places and seeds.

    Columns: ``parameter``, ``prior_low``, ``prior_high``, per fit target ``<key>@low``, ``<key>@high`` and
    ``<key>`` (the change from low to high over the target's sd), and ``largest`` (the largest absolute
    standardised change), sorted by ``largest`` (largest first; ties by name).
    """
    targets = [f.target for f in fit]
    values = [{p.name: end} for p in candidates for end in (p.low, p.high)]
    sims = simulate_record(targets, values, places, [seeds] * len(values))
    rows = []
    for i, p in enumerate(candidates):
        row: dict[str, Any] = {"parameter": p.name, "prior_low": p.low, "prior_high": p.high}
        for j, f in enumerate(fit):
            low, high = sims[2 * i, j], sims[2 * i + 1, j]
            row[f"{f.target.key}@low"], row[f"{f.target.key}@high"] = low, high
            row[f.target.key] = (high - low) / f.sd
        row["largest"] = max(abs(row[f.target.key]) for f in fit)
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(["largest", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)


def screening_base(base: Scenario) -> Scenario:
    """The base the screening runs at: each calibrated parameter the base leaves at its shipped default is put back
    at its value before any calibration (:data:`~simulation.scenario.UNCALIBRATED_DEFAULTS`).

    So the choice of what to fit never rests on an earlier fit's result, and a calibration run again after its
    point was adopted fits the same parameters and finds the same posterior. A value the base sets itself is kept.

    Examples
    --------
    >>> screening_base(Scenario()) == Scenario(**UNCALIBRATED_DEFAULTS)
    True
    >>> screening_base(Scenario(gain_rate=0.05)).gain_rate
    0.05
    """
    reset = {k: v for k, v in UNCALIBRATED_DEFAULTS.items() if getattr(base, k) == CALIBRATED.values.get(k)}
    return base.replace(**reset)


def chosen_parameters(screening: pd.DataFrame, fitted: int) -> list[str]:
    """The parameters fitted: the ``fitted`` behavioural ones that move the fit targets most, and every spread.

    The place spreads (:data:`PLACE_SPREADS`) are always fitted: the shares of places among the
    fit targets are the record's only observations of how much places differ, and how much a
    spread moves them depends on the pace (a screening at one set of base values can find it
    inert where every place integrates early), so ranking the spreads among the behavioural
    parameters would leave the differences between places to their assumed values.

    Examples
    --------
    >>> df = pd.DataFrame({"parameter": ["contact_rate", "gain_rate", "history_spread", "demand_spread"],
    ...                    "largest": [9.0, 8.0, 3.0, 0.5]})
    >>> chosen_parameters(df, 1)
    ['contact_rate', 'history_spread', 'demand_spread']
    """
    spread = screening["parameter"].isin(PLACE_SPREADS)
    return screening.loc[~spread, "parameter"][:fitted].tolist() + screening.loc[spread, "parameter"].tolist()


# -- the calibration ----------------------------------------------------------------------------
def calibrate_record(config: RecordCalibration | None = None, out: str | Path | None = None, *,
                     verbose: bool = False) -> RecordCalibrationResult:
    """Fit the behavioural parameters to the record's ``fit`` targets; check every ``fit`` and ``check`` target.

    Parameters
    ----------
    config : RecordCalibration, optional
        Settings (default: the shipped record, all 42 systems, four parameters).
    out : path, optional
        Results folder (see the module docstring).
    verbose : bool
        Let pyabc log each generation.
    """
    config = config or RecordCalibration()
    started = time.perf_counter()
    record = load_record(config.record)
    base = load_scenario(config.base)
    systems = place_set(base, config.places)
    places = [sc for _, sc in systems]
    n_runs = len(places) * config.seeds_per_place
    fit = fit_targets(record, n_runs)
    if not fit:
        raise ScenarioError(f"{config.record}: no target has role 'fit'")
    fit_seeds = [_seeds(config.seed, 3 + j, config.seeds_per_place) for j in range(len(places))]
    candidates = candidate_parameters()
    screening = screen(fit, candidates, [sc for _, sc in place_set(screening_base(base), config.places)], fit_seeds)
    runs = 2 * len(candidates) * n_runs
    chosen = list(config.parameters) if config.parameters else chosen_parameters(screening, config.fitted)
    parameters = [p for p in candidates if p.name in chosen]
    screening["fitted"] = screening["parameter"].isin(chosen)

    targets = [f.target for f in fit]
    counter = {"runs": 0}

    def simulate(pars: Mapping[str, float]) -> np.ndarray:
        counter["runs"] += n_runs
        return simulate_record(targets, [dict(pars)], places, [fit_seeds])[0]

    posterior, history = run_abc(simulate, parameters, np.array([f.centre for f in fit]),
                                 np.array([f.sd for f in fit]), population=config.population,
                                 generations=config.generations, min_epsilon=config.min_epsilon, seed=config.seed,
                                 folder=out, verbose=verbose)
    runs += counter["runs"]
    summary = posterior_summary(parameters, posterior)
    names = [p.name for p in parameters]
    point_seeds = [_seeds(config.seed, 1000 + j, config.point_seeds) for j in range(len(places))]
    medians = {"marginal medians": dict(zip(summary["parameter"], summary["median"]))}
    points = best_point(fit, posterior, names, places, point_seeds, also=medians)
    runs += len(points) * len(places) * config.point_seeds
    best = best_particle(points, names)
    summary[SHIPPED_STATISTIC] = [best[n] for n in summary["parameter"]]
    predictive, draws = _predictive(config, record, posterior, names, places)
    runs += config.predictive * n_runs
    result = RecordCalibrationResult(config, record, fit, screening, parameters, posterior, summary, predictive,
                                     draws, history, points, [code for code, _ in systems],
                                     round(time.perf_counter() - started, 3), runs)
    result.text = report(result)
    if out is not None:
        result.files = _write(result, Path(out), base)
    return result


def _predictive(config: RecordCalibration, record: Record, posterior: pd.DataFrame, names: list[str],
                places: list[Scenario]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every fit and check target over parameter sets drawn from the posterior, each on fresh seeds."""
    targets = [t for t in record.targets.values() if t.role in ("fit", "check")]
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(1,)))
    pick = rng.choice(len(posterior), size=config.predictive, p=posterior["weight"].to_numpy())
    values = posterior.iloc[pick][names].to_dict("records")
    seeds = [[rng.integers(0, 2**62, size=config.seeds_per_place).tolist() for _ in places] for _ in values]
    sims = simulate_record(targets, values, places, seeds)
    draws = pd.DataFrame(sims, columns=[t.key for t in targets])
    rows = []
    for j, t in enumerate(targets):
        col = sims[:, j][np.isfinite(sims[:, j])]
        q05, q50, q95 = np.quantile(col, [0.05, 0.5, 0.95]) if len(col) else (math.nan,) * 3
        share = float(np.mean((col >= t.low) & (col <= t.high))) if len(col) else math.nan
        inside = bool(len(col) and q05 <= t.high and q95 >= t.low)
        rows.append({"target": t.key, "role": t.role, "output": t.output, "month": t.month, "low": t.low,
                     "high": t.high, "predicted_q05": q05, "predicted_median": q50, "predicted_q95": q95,
                     "draws_inside_interval": share, "inside": inside, "why": "" if inside else _why(t, q05, q50, q95),
                     "draws": len(col)})
    return pd.DataFrame(rows), draws


def _why(t: RecordTarget, q05: float, q50: float, q95: float) -> str:
    if not math.isfinite(q50):
        return "no draw could be measured"
    side = "above" if q05 > t.high else "below"
    text = (f"the model predicts {_num(q05)}–{_num(q95)} (median {_num(q50)}), {side} the observed "
            f"{_interval(t)}")
    if t.output.startswith("months_to") and q05 > t.high:
        text += "; a milestone never reached counts at the run length, so some places never got there"
    text += ". " + ("Fitted, yet the fit did not bring it inside together with the other fit targets (they pull "
                    "apart, or the fit stopped early)." if t.role == "fit" else "A check, not fitted.")
    if t.assumptions:
        text += f" The mapping assumes: {t.assumptions[0]}"
    return text


def load_result(folder: str | Path) -> RecordCalibrationResult:
    """A calibration's result read back from its results folder (to render its report again).

    Raises
    ------
    ScenarioError
        If a file is missing or unreadable.
    """
    import json

    folder = Path(folder)
    try:
        info = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        settings = dict(info["config"])
        settings["record"] = Path(settings["record"])
        if settings.get("parameters") is not None:
            settings["parameters"] = tuple(settings["parameters"])
        config = RecordCalibration(**settings)
        record = load_record(config.record)
        summary = pd.read_csv(folder / "posterior_summary.csv")
        predictive = pd.read_csv(folder / "predictive.csv")
        screening = pd.read_csv(folder / "screening.csv")
        history = pd.read_csv(folder / "history.csv")
        posterior = pd.read_parquet(folder / "posterior.parquet")
        draws = pd.read_parquet(folder / "predictive_draws.parquet")
        points = pd.read_csv(folder / "point_fit.csv")
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"{folder}: not a record calibration's results folder ({exc})") from None
    predictive["why"] = [("" if r.inside else _why(record.targets[r.target], r.predicted_q05, r.predicted_median,
                                                    r.predicted_q95)) for r in predictive.itertuples()]
    predictive["month"] = predictive["month"].astype(object).where(predictive["month"].notna(), None)
    candidates = {p.name: p for p in candidate_parameters()}
    parameters = [candidates[n] for n in summary["parameter"]]
    n_runs = len(info["places"]) * config.seeds_per_place
    result = RecordCalibrationResult(config, record, fit_targets(record, n_runs), screening, parameters, posterior,
                                     summary, predictive, draws, history, points, list(info["places"]),
                                     float(info["seconds"]), int(info["runs"]))
    result.text = report(result)
    return result


# -- the posterior as a scenario -----------------------------------------------------------------
#: What each posterior statistic is, in words.
_STATISTICS = {SHIPPED_STATISTIC: "best-fitting particle", "median": "median", "mean": "mean"}


def posterior_defaults(summary: pd.DataFrame, statistic: str = SHIPPED_STATISTIC,
                       digits: int = 4) -> dict[str, float]:
    """A "posterior summary" set of values: per fitted parameter its posterior ``statistic`` (a column of the
    summary: ``best_fit``, the best-fitting particle of :func:`best_point`; ``median``; ``mean``), rounded to
    ``digits`` significant digits.

    Examples
    --------
    >>> posterior_defaults(pd.DataFrame({"parameter": ["gain_rate"], "median": [0.071234], "mean": [0.07]}),
    ...                    "median")
    {'gain_rate': 0.07123}
    """
    if statistic not in (SHIPPED_STATISTIC, "median", "mean"):
        raise ScenarioError(f"statistic: {statistic!r} is not one of {SHIPPED_STATISTIC}, median, mean")
    if statistic not in summary.columns:
        raise ScenarioError(f"statistic: the posterior summary has no {statistic!r} column (a calibration "
                            "before the best-fitting particle was chosen: run it again)")
    return {str(r["parameter"]): float(f"{float(r[statistic]):.{digits}g}") for _, r in summary.iterrows()}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise ScenarioError(f"cannot write {v!r} ({type(v).__name__}) in a scenario file")


def scenario_toml(base: Scenario, values: Mapping[str, float], name: str, comment: str = "") -> str:
    """A scenario file: ``base`` with ``values`` set; only values that differ from the parameters' defaults written.

    Raises
    ------
    ScenarioError
        If a value is out of range, or the base has its own kinds, schedules, shocks or mergers (not written).

    Examples
    --------
    >>> text = scenario_toml(Scenario(), {"gain_rate": 0.07}, "fitted")
    >>> Scenario.from_dict(__import__("tomllib").loads(text)) == Scenario(gain_rate=0.07, name="fitted")
    True
    """
    scenario = base.replace(**values)
    if scenario.kinds != Scenario().kinds or scenario.schedule or scenario.shocks or scenario.mergers:
        raise ScenarioError(f"scenario {base.name!r}: its kinds, schedules, shocks or mergers cannot be written here")
    data = scenario.to_dict()
    lines = [f"# {line}".rstrip() for line in comment.strip().splitlines()] if comment else []
    lines += [f"name = {_toml_value(name)}"]
    defaults = {p.name: p.default for p in PARAMETERS}
    for section, table in data.items():
        if not isinstance(table, Mapping) or section == "kinds":
            continue
        kept = {k: v for k, v in table.items() if k == "organisations" or v != defaults.get(k)}
        if kept:
            lines += ["", f"[{section}]", *(f"{k} = {_toml_value(v)}" for k, v in kept.items())]
    return "\n".join(lines) + "\n"


def write_posterior_scenario(path: str | Path, base: Scenario, summary: pd.DataFrame, *,
                             statistic: str = SHIPPED_STATISTIC, name: str = "posterior_summary") -> Path:
    """Write ``base`` with the posterior summary's values (:func:`posterior_defaults`) as a scenario TOML file."""
    values = posterior_defaults(summary, statistic)
    comment = (f"The scenario {base.name!r} with each calibrated parameter at the posterior's {_STATISTICS[statistic]} "
               "(python -m simulation calibrate; --adopt makes them the shipped defaults).\n"
               f"Calibrated: {', '.join(values)}.")
    path = Path(path)
    path.write_text(scenario_toml(base, values, name, comment), encoding="utf-8")
    return path


def adopt(folder: str | Path, path: str | Path | None = None) -> Path:
    """Make a calibration's best-fitting particle the shipped defaults: write ``calibrated_defaults.toml``.

    Reads ``posterior_summary.csv`` and ``manifest.json`` from the results folder of
    :func:`calibrate_record` and writes, for each fitted parameter, its value in the posterior's
    best-fitting particle (:func:`best_point`, :func:`posterior_defaults`), its 90% credible interval and prior,
    with the run behind them
    (:mod:`simulation.calibrated`). Adopting is a decision of its own (``python -m simulation
    calibrate --adopt``): every result that rests on the defaults must be regenerated after it
    (``python experiments/findings.py``).
    """
    import json

    from ..calibrated import CALIBRATED_DEFAULTS_PATH, calibrated_defaults_toml

    folder = Path(folder)
    try:
        summary = pd.read_csv(folder / "posterior_summary.csv")
        made = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{folder}: not the results folder of a calibration to the record ({exc})") from None
    values = posterior_defaults(summary)
    check_calibrated(values)
    rows = {str(r["parameter"]): r for _, r in summary.iterrows()}
    q05 = {k: float(rows[k]["q05"]) for k in values}  # marginal: a joint point may lie outside
    q95 = {k: float(rows[k]["q95"]) for k in values}
    prior = {k: (float(rows[k]["prior_low"]), float(rows[k]["prior_high"])) for k in values}
    config = made.get("config", {})
    source = {"statistic": SHIPPED_STATISTIC, "command": "python -m simulation calibrate",
              "created": made.get("created", ""),
              "package_version": made.get("version", ""), "seed": made.get("seed", config.get("seed", "")),
              "base": config.get("base", ""), "places": len(made.get("places", [])),
              "particles": config.get("population", ""), "generations": config.get("generations", ""),
              "runs": made.get("runs", "")}
    target = Path(path) if path is not None else CALIBRATED_DEFAULTS_PATH
    target.write_text(calibrated_defaults_toml(values, q05, q95, prior, source), encoding="utf-8")
    return target


# -- the report ----------------------------------------------------------------------------------
def _num(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.3g}"


def _interval(t: RecordTarget) -> str:
    if math.isinf(t.high):
        return f"≥ {_num(t.low)}"
    return f"{_num(t.low)}–{_num(t.high)}"


def _at(t: RecordTarget) -> str:
    return f"{t.output} at month {t.month}" if t.month is not None and OUTPUTS[t.output][1] else t.output


def pinned_down(share: float) -> str:
    """Whether a 90% credible interval of ``share`` of its prior's width pins the parameter down, in words."""
    if share >= NOT_PINNED:
        return "**not pinned down** (near the prior's width)"
    if share >= PINNED:
        return "weakly"
    return "yes"


def _correlations(posterior: pd.DataFrame, names: list[str]) -> list[str]:
    """The posterior's weighted correlations between the fitted parameters, as a markdown table."""
    if len(names) < 2:
        return []
    w = posterior["weight"].to_numpy()
    x = posterior[names].to_numpy(dtype=float)
    centred = x - w @ x
    cov = (centred * w[:, None]).T @ centred
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd) if (sd > 0).all() else np.full(cov.shape, np.nan)
    lines = ["", "Posterior correlations (weighted): a strong one means the data pin down a combination of the two "
                 "rather than each.", "", "| | " + " | ".join(f"`{n}`" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for i, n in enumerate(names):
        lines.append(f"| `{n}` | " + " | ".join(f"{corr[i, j]:+.2f}" for j in range(len(names))) + " |")
    return lines


def report(result: RecordCalibrationResult) -> str:
    """The markdown report: places, targets and mappings, the choice of parameters, posterior, predictive check."""
    cfg, rec = result.config, result.record
    n_runs = len(result.places) * cfg.seeds_per_place
    lines = ["# Calibration to the published record", "",
             f"ABC-SMC (pyabc) on the published record ({len(rec.targets)} targets, {len(rec.sources)} sources): "
             f"{len(result.fit)} fit targets, {len(rec.by_role('check'))} check targets; "
             f"{len(result.parameters)} parameters fitted; {cfg.population} particles a generation, "
             f"{len(result.history)} generation(s); each parameter set run in {len(result.places)} of England's "
             f"integrated care systems ({cfg.seeds_per_place} seed(s) each, the same seeds for every parameter "
             f"set); base scenario {cfg.base!r}; master seed {cfg.seed}; {result.runs:,} runs in "
             f"{result.seconds:.0f} s.", "",
             "## The place set", "",
             f"Systems (by NHS England code): {', '.join(result.places)}. Each keeps its own NHS trusts and councils "
             "(simulation/data/england_ics.csv) and the base scenario's voluntary bodies. A target on a share of "
             f"places is the share of these {n_runs} runs; any other target is their median.", "",
             "## Fit targets", "",
             "Each interval is read as a 90% interval of a normal error about its midpoint; a share of places adds "
             f"the noise of a share over {n_runs} runs, c(1 − c)/{n_runs}, to the variance.", "",
             "| target | output | observed interval | centre | sd used | mapping | assumptions |",
             "|---|---|---|---|---|---|---|"]
    for f in result.fit:
        t = f.target
        lines.append(f"| `{t.key}` | {_at(t)} | {_interval(t)} {t.unit} | {_num(f.centre)} | {_num(f.sd)} "
                     f"| {t.mapping} | {'; '.join(t.assumptions)} |")
    lines += ["", "## Check targets", "",
              "Not fitted: compared with the posterior-predictive distribution only.", "",
              "| target | output | observed interval | mapping | assumptions |", "|---|---|---|---|---|"]
    for t in rec.by_role("check"):
        lines.append(f"| `{t.key}` | {_at(t)} | {_interval(t)} {t.unit} | {t.mapping} | {'; '.join(t.assumptions)} |")
    chosen = [p.name for p in result.parameters]
    keys = [f.target.key for f in result.fit]
    lines += ["", "## Which parameters are fitted, and why", "",
              f"Candidates: the {len(result.screening)} parameters declared assumed in simulation/provenance.py "
              "that the record can inform, with their declared ranges as uniform priors: the behavioural "
              "parameters (the `dynamics` table) and the spreads of the places' conditions "
              f"({', '.join(f'`{k}`' for k in PLACE_SPREADS)}); left out: "
              + "; ".join(f"`{k}` ({why})" for k, why in EXCLUDED.items())
              + ". `turnover_rate` is sourced (an input target), not a candidate.", "",
              ("The parameters fitted were named in the settings. " if cfg.parameters else
               f"Each candidate was run at the two ends of its range (the others at the base values, with the "
               "calibrated parameters at their values before any calibration, so that what is fitted never rests "
               f"on an earlier fit; the same places and seeds); the {cfg.fitted} behavioural parameters that move "
               "the fit targets most are fitted, and "
               "every spread: the shares of places among the fit targets are the record's observations of how much "
               "places differ, and a spread moves them more or less depending on the pace, which the screening "
               "holds at the base values. ")
              + "Cells: the change in the target from the low to the high end of the range, in units of the "
              "target's sd (the fit's tolerance); a change well under 1 is one the targets cannot see.", "",
              "| parameter | prior | " + " | ".join(f"`{k}`" for k in keys) + " | fitted |",
              "|---|---|" + "---|" * len(keys) + "---|"]
    for row in result.screening.to_dict("records"):
        cells = [f"{row[k]:+.2f} ({_num(row[k + '@low'])} → {_num(row[k + '@high'])})" for k in keys]
        lines.append(f"| `{row['parameter']}` | {row['prior_low']:.4g}–{row['prior_high']:.4g} | "
                     + " | ".join(cells) + f" | {'**yes**' if row['parameter'] in chosen else ''} |")
    lines += ["", "## Posterior", "",
              "| parameter | prior (uniform) | posterior median | 90% credible interval | interval / prior width "
              "| pinned down by the data | best-fitting particle |", "|---|---|---|---|---|---|---|"]
    for r in result.summary.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior_low:.4g}–{r.prior_high:.4g} | {r.median:.4g} "
                     f"| {r.q05:.4g}–{r.q95:.4g} | {r.ci90_width_share_of_prior:.0%} "
                     f"| {pinned_down(r.ci90_width_share_of_prior)} | {getattr(r, SHIPPED_STATISTIC):.4g} |")
    lines += _correlations(result.posterior, chosen)
    loose = result.summary[result.summary["ci90_width_share_of_prior"] >= NOT_PINNED]["parameter"].tolist()
    lines += ["", (f"The data cannot pin down {', '.join(f'`{n}`' for n in loose)}: the 90% credible interval "
                   f"spans at least {NOT_PINNED:.0%} of the prior's width." if loose else
                   f"Every fitted parameter's 90% credible interval is narrower than {NOT_PINNED:.0%} of its prior's "
                   "width."), "",
              "## Posterior-predictive check", "",
              f"{cfg.predictive} parameter sets drawn from the posterior by weight, each run on the place set with "
              "fresh seeds (not the fit's). A target is reproduced when its observed interval overlaps the 90% "
              "predictive interval; \"draws inside\" is the share of draws whose value lies in the observed "
              "interval.", "",
              "| target | role | output | observed | predicted median | 90% predictive interval | draws inside "
              "| verdict |", "|---|---|---|---|---|---|---|---|"]
    for r in result.predictive.itertuples():
        t = rec.targets[r.target]
        verdict = "inside its 90% predictive interval" if r.inside else f"**missed**: {r.why}"
        lines.append(f"| `{r.target}` | {r.role} | {_at(t)} | {_interval(t)} | {_num(r.predicted_median)} "
                     f"| {_num(r.predicted_q05)}–{_num(r.predicted_q95)} | {r.draws_inside_interval:.0%} "
                     f"| {verdict} |")
    misses = result.predictive[~result.predictive["inside"]]["target"].tolist()
    lines += ["", ("Every fit and check target is inside its 90% predictive interval." if not misses else
                   f"{len(misses)} of {len(result.predictive)} targets missed: "
                   + ", ".join(f"`{m}`" for m in misses) + ".")]
    rest = [t for t in rec.targets.values() if t.role in ("input", "context")]
    lines += ["", "## Targets not compared with the model", "", "| target | role | why not |", "|---|---|---|"]
    for t in rest:
        lines.append(f"| `{t.key}` | {t.role} | {t.mapping} |")
    lines += ["", "## ABC run", "", "| generation | epsilon | particles | simulations |", "|---|---|---|---|"]
    for r in result.history.itertuples():
        lines.append(f"| {r.generation} | {r.epsilon:.3g} | {r.particles} | {r.simulations} |")
    lines += ["", "## One point for the defaults", "",
              *point_lines(result.points, chosen, keys, len(result.places), cfg.point_seeds), "",
              "`posterior_defaults.toml`: the base scenario with each fitted parameter at the best-fitting "
              "particle's value (`simulation.experiments.record_calibration.write_posterior_scenario`). The "
              "shipped defaults change only when a calibration is adopted (`--adopt`, "
              "`simulation/data/calibrated_defaults.toml`)."]
    return "\n".join(lines) + "\n"


def point_lines(points: pd.DataFrame, names: Sequence[str], keys: Sequence[str], places: int,
                point_seeds: int) -> list[str]:
    """The choice of the best single point, in words and a table: the nearest particles and the marginal medians.

    ``points`` is a :func:`best_point` table over the parameters ``names`` and the fit targets ``keys``, run in
    ``places`` systems on ``point_seeds`` seeds each.
    """
    particle = _particles(points)
    shown = pd.concat([points[particle].head(3), points[~particle]])
    lines = [f"Every particle of the posterior ({int(particle.sum())}) and the point of the marginal medians, each "
             f"run in the {places} systems on {point_seeds} fresh seed(s) each (the same for every "
             "point, not the fit's), scored by the fit's own distance (root mean square of the fit targets' errors "
             "in units of their sd). The nearest particle is the posterior's best single point and the one "
             "`--adopt` ships; marginal medians of a correlated posterior need not be a point the posterior "
             "supports.", "",
             "| point | weight | " + " | ".join(f"`{n}`" for n in names) + " | "
             + " | ".join(f"`{k}`" for k in keys) + " | distance |",
             "|---|---|" + "---|" * (len(names) + len(keys)) + "---|"]
    for r in shown.to_dict("records"):
        weight = "–" if pd.isna(r["weight"]) else f"{r['weight']:.3f}"
        lines.append(f"| {r['point']} | {weight} | " + " | ".join(f"{r[n]:.4g}" for n in names) + " | "
                     + " | ".join(_num(r[k]) for k in keys) + f" | {r['distance']:.3g} |")
    return lines


def _write(result: RecordCalibrationResult, folder: Path, base: Scenario) -> dict[str, Path]:
    import pyabc
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..manifest import file_record, manifest
    from ..outputs import OutputFolder

    with OutputFolder(folder) as out:  # every file renamed into place when all are written, or none
        files = {
            "posterior": out.write("posterior.parquet", lambda p: pq.write_table(
                pa.Table.from_pandas(result.posterior, preserve_index=False), str(p))),
            "summary": out.write("posterior_summary.csv", lambda p: result.summary.to_csv(p, index=False)),
            "screening": out.write("screening.csv", lambda p: result.screening.to_csv(p, index=False)),
            "predictive": out.write("predictive.csv", lambda p: result.predictive.to_csv(p, index=False)),
            "predictive_draws": out.write("predictive_draws.parquet", lambda p: pq.write_table(
                pa.Table.from_pandas(result.predictive_draws, preserve_index=False), str(p))),
            "history": out.write("history.csv", lambda p: result.history.to_csv(p, index=False)),
            "points": out.write("point_fit.csv", lambda p: result.points.to_csv(p, index=False)),
            "defaults": out.write("posterior_defaults.toml",
                                  lambda p: write_posterior_scenario(p, base, result.summary)),
            "report": out.write_text("report.md", result.text),
            "manifest": folder / "manifest.json", "database": folder / "abc.db"}
        cfg = result.config
        out.write_json("manifest.json", manifest(
            command="calibrate", record=file_record(cfg.record),
            config={k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
            library={"pyabc": pyabc.__version__}, seed=cfg.seed, runs=result.runs,
            seconds=round(result.seconds, 3), parameters=[p.name for p in result.parameters],
            places=result.places, files={k: v.name for k, v in files.items()}))
    return files
