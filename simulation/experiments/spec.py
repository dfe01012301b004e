"""Experiment files: a declarative TOML schema, validated into an :class:`Experiment`.

An experiment names a base scenario, the parameters to vary, a design, the
number of replicates, run length, outcomes and a master seed::

    name = "speed_of_trust"
    description = "Time to integration over contact frequency x open-book working"

    [base]
    scenario = "default"                 # shipped name or a .toml path (relative to this file)
    set = { competitive_pressure = 0.5 } # fixed overrides, optional

    [design]
    method = "grid"                      # grid | lhs | sobol | morris
    samples = 64                         # lhs: points; sobol: base N (power of 2); morris: trajectories
    levels = 5                           # grid: points per range; morris: levels (default 4)
    replicates = 4

    [run]
    steps = 120
    seed = 2026
    outcomes = ["time_to_50", "final_integration", "final_mean_trust"]
    snapshots = []                       # steps at which to keep per-edge snapshots
    timeseries = true

    [parameters]
    contact_rate = { low = 0.25, high = 4.0 }
    open_book = [0.0, 0.5, 1.0]
    "organisations.voluntary" = [20, 90]

    [analysis]                           # optional
    heatmap = ["contact_rate", "open_book"]

A **robustness** experiment (exploratory modelling's XLRM framing) declares what we do
not know separately from what a policy chooses: ``[uncertainties]`` are ranges (or lists)
of uncertain parameters, drawn by Latin hypercube (``design.samples`` draws);
``[levers.<setting>]`` are named lever settings, each a table of parameter values
(``set``) and optionally a ``kind`` (``relational``, ``structural``, ...). Every lever
setting is run on every draw with the same seeds (common random numbers), so each
comparison is paired. Optional ``[[claims]]`` name what to test in each draw::

    [design]
    method = "robustness"
    samples = 48                         # uncertainty draws
    replicates = 4                       # seeds per draw, shared by every lever setting

    [uncertainties]
    turnover_rate = { low = 0.0104, high = 0.0417 }
    baseline_trust = { low = 0.2, high = 0.4 }

    [levers.none]                        # the first setting is the baseline
    [levers.open_books]
    kind = "relational"
    set = { open_book = 0.5 }
    [levers.board]
    kind = "structural"
    set = { system_board = true }

    [[claims]]                           # optional; default: each setting vs the baseline,
    better = "structural"                # and each kind vs each other kind
    than = "relational"                  # a setting's name, or a kind (its best setting in the draw)
    outcome = "time_to_50"               # default: analysis.outcome
    margin = 0.0                         # must win by more than this

    [analysis]
    outcome = "time_to_50"               # the outcome of claims, regret and scenario discovery
    stall_threshold = 0.5                # "stalls": final integration below this at the horizon

Every mistake raises one :class:`~simulation.ScenarioError` naming the key.

Examples
--------
>>> exp = experiment_from_dict({"parameters": {"contact_rate": {"low": 0.5, "high": 2}},
...                             "design": {"method": "lhs", "samples": 8}})
>>> exp.design, exp.samples, exp.parameters[0].name
('lhs', 8, 'contact_rate')
>>> rob = experiment_from_dict({"design": {"method": "robustness", "samples": 4},
...                             "uncertainties": {"baseline_trust": {"low": 0.2, "high": 0.4}},
...                             "levers": {"none": {}, "books": {"kind": "relational", "set": {"open_book": 0.5}}}})
>>> [lv.name for lv in rob.levers], rob.names, rob.claims[0].text
(['none', 'books'], ['baseline_trust', 'open_book'], 'books beats none on time_to_50')
>>> experiment_from_dict({"parameters": {"contact_rate": {"low": 0.5, "high": 200}}})
Traceback (most recent call last):
...
simulation.scenario.ScenarioError: parameters.contact_rate.high: dynamics.contact_rate = 200.0 is out of range: \
expected a number in [0, 100]
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scenario import MAX_OF_A_KIND, PARAMETERS, ParameterSpec, Scenario, ScenarioError, load_scenario, read_toml
from ..validation import MAX_RUNS, MAX_SEED, MAX_STEPS, check_run_length, run_count_limit

__all__ = [
    "DESIGNS",
    "LOWER_IS_BETTER",
    "OUTCOMES",
    "Claim",
    "Experiment",
    "LeverSetting",
    "Parameter",
    "experiment_from_dict",
    "load_experiment",
]

#: Design methods: full grid, Latin hypercube, Sobol/Saltelli and Morris (SALib), and
#: ``robustness``: every lever setting across a shared ensemble of uncertainty draws.
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris", "robustness")

#: Per-run outcomes that may be analysed. ``time_to_50``/``time_to_80`` are the
#: months to 50%/80% integration with censored runs counted at the run length;
#: ``connectedness_time_to_50`` the same for the threshold-free measure, ``statutory_time_to_50`` for the
#: statutory core (NHS trusts and councils), ``size_time_to_50`` for integration weighted by organisation size.
OUTCOMES: tuple[str, ...] = (
    "time_to_50",
    "time_to_80",
    "connectedness_time_to_50",
    "statutory_time_to_50",
    "size_time_to_50",
    "final_integration",
    "final_statutory_integration",
    "final_size_integration",
    "final_connectedness",
    "final_mean_trust",
    "final_partnership_share",
    "mean_integration",
    "total_conflicts",
    "total_resolved",
    "final_festering",
    "final_joint_care",
    "mean_joint_care",
)

#: Outcomes where less is better (times, conflicts); for the rest more is better.
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {"time_to_50", "time_to_80", "connectedness_time_to_50", "statutory_time_to_50", "size_time_to_50",
     "total_conflicts", "final_festering"})

_SPEC = {p.name: p for p in PARAMETERS}
_TOP = {"name", "description", "base", "design", "run", "parameters", "analysis", "uncertainties", "levers",
        "claims"}
_SECTIONS = {
    "base": {"scenario", "set"},
    "design": {"method", "samples", "levels", "replicates", "second_order"},
    "run": {"steps", "seed", "outcomes", "snapshots", "timeseries", "engine"},
    "analysis": {"heatmap", "heatmap_outcome", "outcome", "baseline", "stall_threshold"},
}


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: a range (``low``, ``high``) or a list of values.

    Attributes
    ----------
    name : str
        Scenario key (``contact_rate``, ``organisations.voluntary``, ...).
    kind : type
        ``float``, ``int`` or ``bool``.
    low, high : float or None
        Inclusive range, when given as a range.
    values : tuple or None
        Explicit values, when given as a list.
    num : int or None
        Grid points for this range (overrides ``design.levels``).
    """

    name: str
    kind: type
    low: float | None = None
    high: float | None = None
    values: tuple | None = None
    num: int | None = None

    @property
    def is_range(self) -> bool:
        """Whether the parameter is a continuous range (not a list)."""
        return self.values is None

    def from_unit(self, u: float) -> float | int | bool:
        """Map a sample in the parameter's range (or ``[0, 1]`` for a bool) to a value."""
        if self.kind is bool:
            return bool(u >= 0.5)
        if self.kind is int:
            return round(float(u))
        return float(u)

    def bounds(self) -> tuple[float, float]:
        """Bounds of the sampled variable (``[0, 1]`` for a bool switch)."""
        if self.kind is bool:
            return (0.0, 1.0)
        if self.kind is int:  # widen by half a step so rounding gives each integer its share
            return (self.low - 0.4999, self.high + 0.4999)
        return (float(self.low), float(self.high))


@dataclass(frozen=True)
class LeverSetting:
    """One named setting of the policy levers (a row of XLRM's L).

    Attributes
    ----------
    name : str
        The setting's name (``none``, ``open_books``, ...).
    kind : str
        A group for claims across settings (``relational``, ``structural``; ``""`` if none).
    values : dict
        Parameter values the setting sets on the base scenario.
    """

    name: str
    kind: str = ""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """A claim tested in every uncertainty draw: ``better`` beats ``than`` on ``outcome``.

    ``better`` and ``than`` are a lever setting's name, or a kind, meaning the best setting
    of that kind in the draw. "Beats" means better (lower for times, higher otherwise; see
    :data:`LOWER_IS_BETTER`) by more than ``margin``.
    """

    better: str
    than: str
    outcome: str
    margin: float = 0.0

    @property
    def text(self) -> str:
        """The claim in words."""
        extra = f" by more than {self.margin:g}" if self.margin else ""
        return f"{self.better} beats {self.than} on {self.outcome}{extra}"


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: base scenario, parameters, design and run settings.

    Use :func:`load_experiment` or :func:`experiment_from_dict` to build one.
    """

    name: str
    description: str
    base: Scenario
    base_ref: str
    parameters: tuple[Parameter, ...]
    design: str = "grid"
    samples: int = 16
    levels: int | None = None
    replicates: int = 1
    second_order: bool = False
    steps: int = 120
    seed: int = 0
    outcomes: tuple[str, ...] = ("time_to_50", "final_integration", "final_mean_trust")
    snapshots: tuple[int, ...] = ()
    timeseries: bool = True
    engine: str = "fast"
    heatmap: tuple[str, ...] = ()
    heatmap_outcome: str = "time_to_50"
    source: str = ""
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    levers: tuple[LeverSetting, ...] = ()
    claims: tuple[Claim, ...] = ()
    outcome: str = "time_to_50"
    baseline: str = ""
    stall_threshold: float = 0.5

    @property
    def names(self) -> list[str]:
        """Names of the parameters each run sets, in file order (uncertainties, then levers)."""
        return [p.name for p in self.parameters] + self.lever_names

    @property
    def lever_names(self) -> list[str]:
        """Parameters set by some lever setting (robustness designs; empty otherwise)."""
        return list(dict.fromkeys(k for lv in self.levers for k in lv.values))

    @property
    def uncertainty_names(self) -> list[str]:
        """The uncertain parameters of a robustness design (the varied ones otherwise)."""
        return [p.name for p in self.parameters]

    @property
    def digest(self) -> str:
        """SHA-256 of the experiment text: a resumed sweep must match it."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file.

    Raises
    ------
    ScenarioError
        If the file is missing, not TOML, or holds a bad key or value; the
        message names the file and the key.
    """
    return load_file(path, "experiment", experiment_from_dict)


def load_file(path: str | Path, what: str, from_dict):
    """``from_dict(data, name=, source=, path=)`` of a TOML file, any error prefixed with the file's name."""
    path = Path(path)
    text, data = read_toml(path, what)
    try:
        return from_dict(data, name=path.stem, source=text, path=path)
    except ScenarioError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from None


def experiment_from_dict(
    data: Mapping[str, Any],
    *,
    name: str = "experiment",
    source: str | None = None,
    path: str | Path | None = None,
) -> Experiment:
    """Validate the nested mapping of an experiment file.

    Parameters
    ----------
    data : Mapping
        Parsed TOML.
    name : str
        Name used when the file has none.
    source : str, optional
        The file's text (kept for the manifest and resume check).
    path : path, optional
        The file, to resolve a base scenario path relative to it.

    Raises
    ------
    ScenarioError
        Naming the first bad key.
    """
    if "targets" in data and "parameters" in data:
        raise ScenarioError("[[targets]]: this is a calibration file; run it with python -m simulation calibrate")
    check_layout(data, _TOP, _SECTIONS)
    base_t, design_t, run_t, an_t = (data.get(s, {}) for s in ("base", "design", "run", "analysis"))

    base_ref = base_t.get("scenario", "default")
    base = base_scenario(base_t, path)

    method = design_t.get("method", "grid")
    if method not in DESIGNS:
        raise ScenarioError(f"design.method = {method!r} is not known: expected one of {', '.join(DESIGNS)}")
    samples = _int(design_t, "samples", 16, 1, "design", MAX_RUNS)
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError(f"design.samples = {samples} is out of range: Sobol/Saltelli needs a power of 2")
    levels = design_t.get("levels")
    if levels is not None:
        levels = _int(design_t, "levels", 4, 2, "design", 1000)
    replicates = _int(design_t, "replicates", 1, 1, "design", MAX_RUNS)
    second_order = design_t.get("second_order", False)
    if not isinstance(second_order, bool):
        raise ScenarioError(f"design.second_order = {second_order!r} has the wrong type: expected true or false")

    if method == "robustness":
        if "parameters" in data:
            raise ScenarioError("[parameters]: a robustness design takes [uncertainties] and [levers.<setting>] "
                                "instead")
        params_t = data.get("uncertainties")
        if not isinstance(params_t, Mapping) or not params_t:
            raise ScenarioError("[uncertainties] is missing or empty: name at least one uncertain parameter")
        parameters = tuple(_parameter(k, v, base, "uncertainties") for k, v in params_t.items())
    else:
        for key in ("uncertainties", "levers", "claims"):
            if key in data:
                raise ScenarioError(f"[{key}] needs design.method = 'robustness' (it is {method!r})")
        params_t = data.get("parameters")
        if not isinstance(params_t, Mapping) or not params_t:
            raise ScenarioError("[parameters] is missing or empty: name at least one parameter to vary")
        parameters = tuple(_parameter(k, v, base) for k, v in params_t.items())
    if method in ("sobol", "morris"):
        if len(parameters) < 2:
            raise ScenarioError(f"[parameters]: design.method = {method!r} needs at least 2 parameters")
        for p in parameters:
            if not p.is_range and p.kind is not bool:
                raise ScenarioError(
                    f"parameters.{p.name}: design.method = {method!r} needs a range {{ low = ..., high = ... }}, "
                    "not a list"
                )
    if method == "lhs":
        for p in parameters:
            if not p.is_range and p.kind is not bool:
                raise ScenarioError(f"parameters.{p.name}: design.method = 'lhs' needs a range, not a list")
    settings = len(data.get("levers") or {}) if method == "robustness" and isinstance(data.get("levers"), Mapping) \
        else 0
    runs = planned_runs(method, parameters, samples, levels, replicates, second_order, settings)
    try:
        run_count_limit(runs, _int(run_t, "steps", 120, 1, "run", MAX_STEPS), "planned runs")
    except ScenarioError as exc:
        raise ScenarioError(f"[design]: {exc}") from None

    steps = _int(run_t, "steps", 120, 1, "run", MAX_STEPS)
    seed = _int(run_t, "seed", 0, 0, "run", MAX_SEED)
    outcomes = run_t.get("outcomes", list(Experiment.outcomes))
    if not isinstance(outcomes, list) or not outcomes:
        raise ScenarioError("run.outcomes must be a non-empty list of outcome names")
    for o in outcomes:
        if o not in OUTCOMES:
            raise ScenarioError(f"run.outcomes: unknown outcome {o!r}; allowed: {', '.join(OUTCOMES)}")
    try:
        check_run_length(base, steps)
    except ScenarioError as exc:
        raise ScenarioError(f"run.steps = {steps}: base.{exc}") from None
    snapshots = run_t.get("snapshots", [])
    if not isinstance(snapshots, list) or any(
        isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= steps for s in snapshots
    ):
        raise ScenarioError(f"run.snapshots = {snapshots!r}: expected a list of steps in [0, {steps}]")
    timeseries = run_t.get("timeseries", True)
    if not isinstance(timeseries, bool):
        raise ScenarioError(f"run.timeseries = {timeseries!r} has the wrong type: expected true or false")
    engine = run_t.get("engine", "fast")
    if engine not in ("fast", "reference"):
        raise ScenarioError(f"run.engine = {engine!r} is not known: expected fast or reference")

    outcome = an_t.get("outcome", "time_to_50")
    if outcome not in OUTCOMES:
        raise ScenarioError(f"analysis.outcome: unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
    stall = an_t.get("stall_threshold", 0.5)
    if isinstance(stall, bool) or not isinstance(stall, int | float) or not 0 < stall <= 1:
        raise ScenarioError(f"analysis.stall_threshold = {stall!r} is out of range: expected a number in (0, 1]")
    levers: tuple[LeverSetting, ...] = ()
    claims: tuple[Claim, ...] = ()
    baseline = ""
    if method == "robustness":
        levers = _levers(data.get("levers"), base, {p.name for p in parameters})
        baseline = an_t.get("baseline", levers[0].name)
        if baseline not in {lv.name for lv in levers}:
            raise ScenarioError(f"analysis.baseline = {baseline!r}: expected one of the lever settings "
                                f"({', '.join(lv.name for lv in levers)})")
        claims = _claims(data.get("claims"), levers, baseline, outcome)
    elif "baseline" in an_t:
        raise ScenarioError("analysis.baseline needs design.method = 'robustness'")

    names = [p.name for p in parameters]
    heatmap = an_t.get("heatmap", names[:2] if len(names) >= 2 else [])
    if not isinstance(heatmap, list) or (heatmap and len(heatmap) != 2) or any(h not in names for h in heatmap):
        raise ScenarioError(
            f"analysis.heatmap = {heatmap!r}: expected two of the varied parameters ({', '.join(names)})"
        )
    hm_out = an_t.get("heatmap_outcome", "time_to_50")
    if hm_out not in OUTCOMES:
        raise ScenarioError(f"analysis.heatmap_outcome: unknown outcome {hm_out!r}; allowed: {', '.join(OUTCOMES)}")

    exp_name = data.get("name", name)
    description = data.get("description", "")
    if not isinstance(exp_name, str) or not isinstance(description, str):
        raise ScenarioError("name and description must be strings")
    return Experiment(
        name=exp_name, description=description, base=base, base_ref=base_ref, parameters=parameters,
        design=method, samples=samples, levels=levels, replicates=replicates, second_order=second_order,
        steps=steps, seed=seed, outcomes=tuple(outcomes), snapshots=tuple(sorted(set(snapshots))),
        timeseries=timeseries, engine=engine, heatmap=tuple(heatmap), heatmap_outcome=hm_out,
        source=source if source is not None else repr(dict(data)), path=str(path or ""),
        levers=levers, claims=claims, outcome=outcome, baseline=baseline, stall_threshold=float(stall),
    )


def _levers(table: Any, base: Scenario, uncertain: set[str]) -> tuple[LeverSetting, ...]:
    """Validate ``[levers.<setting>]`` tables: ``kind`` and ``set``."""
    if not isinstance(table, Mapping) or len(table) < 2:
        raise ScenarioError("[levers] needs at least two settings, e.g. [levers.none] and "
                            "[levers.open_books] with set = { open_book = 0.5 }")
    out = []
    for name, body in table.items():
        where = f"levers.{name}"
        if not isinstance(body, Mapping):
            raise ScenarioError(f"{where} must be a table with optional kind = \"...\" and set = {{ ... }}")
        _check_keys(body, {"kind", "set"}, f"{where}.")
        kind = body.get("kind", "")
        if not isinstance(kind, str):
            raise ScenarioError(f"{where}.kind = {kind!r} has the wrong type: expected a string")
        values = body.get("set", {})
        if not isinstance(values, Mapping):
            raise ScenarioError(f"{where}.set must be a table of parameter = value")
        checked = {}
        for key, value in values.items():
            spec = _spec_for(key)
            if spec is None:
                _parameter(key, [value], base, f"{where}.set")  # raises, naming the key
            if key in uncertain:
                raise ScenarioError(f"{where}.set.{key}: {key!r} is also an uncertainty; a parameter is either "
                                    "uncertain or a lever")
            try:
                checked[key] = spec.check(value)
            except ScenarioError as exc:
                raise ScenarioError(f"{where}.set.{key}: {exc}") from None
        try:
            base.replace(**checked)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        out.append(LeverSetting(name, kind, checked))
    names, kinds = {lv.name for lv in out}, {lv.kind for lv in out} - {""}
    if names & kinds:
        raise ScenarioError(f"[levers]: {sorted(names & kinds)[0]!r} is both a setting and a kind; rename one")
    return tuple(out)


def _claims(table: Any, levers: tuple[LeverSetting, ...], baseline: str, outcome: str) -> tuple[Claim, ...]:
    """Validate ``[[claims]]``; by default each setting against the baseline and each kind against the others."""
    names = [lv.name for lv in levers]
    kinds = list(dict.fromkeys(lv.kind for lv in levers if lv.kind))
    if table is None:
        out = [Claim(n, baseline, outcome) for n in names if n != baseline]
        out += [Claim(a, b, outcome) for a in kinds for b in kinds if a != b]
        return tuple(out)
    if not isinstance(table, list) or not table:
        raise ScenarioError("claims must be an array of tables: [[claims]] better = ..., than = ...")
    out = []
    for i, body in enumerate(table):
        where = f"claims[{i}]"
        if not isinstance(body, Mapping):
            raise ScenarioError(f"{where} must be a table with better, than, and optional outcome and margin")
        _check_keys(body, {"better", "than", "outcome", "margin"}, f"{where}.")
        for key in ("better", "than"):
            if body.get(key) not in (*names, *kinds):
                raise ScenarioError(f"{where}.{key} = {body.get(key)!r}: expected a lever setting "
                                    f"({', '.join(names)}) or a kind ({', '.join(kinds) or 'none declared'})")
        if body["better"] == body["than"]:
            raise ScenarioError(f"{where}: better and than are both {body['better']!r}")
        o = body.get("outcome", outcome)
        if o not in OUTCOMES:
            raise ScenarioError(f"{where}.outcome: unknown outcome {o!r}; allowed: {', '.join(OUTCOMES)}")
        margin = body.get("margin", 0.0)
        if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin < math.inf:
            raise ScenarioError(f"{where}.margin = {margin!r} is out of range: expected a finite number >= 0")
        out.append(Claim(body["better"], body["than"], o, float(margin)))
    return tuple(out)


def check_layout(data: Mapping[str, Any], top: set[str], sections: Mapping[str, set[str]]) -> None:
    """Refuse unknown top-level keys, a section that is not a table, and unknown keys in a section."""
    _check_keys(data, top, "")
    for section, allowed in sections.items():
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            raise ScenarioError(f"[{section}] must be a table")
        _check_keys(table, allowed, f"{section}.")


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    import difflib

    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"[{prefix[:-1]}]" if prefix else "the top level"
            raise ScenarioError(
                f"unknown key {prefix}{key!r}{hint} in {where}; allowed: {', '.join(sorted(allowed))}"
            )


def _int(table: Mapping[str, Any], key: str, default: int, low: int, section: str, high: int = MAX_SEED) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{section}.{key} = {value!r:.60} has the wrong type: expected an integer in "
                            f"[{low}, {high}]")
    if not low <= value <= high:
        raise ScenarioError(f"{section}.{key} = {value!r:.60} is out of range: expected an integer in [{low}, {high}]")
    return value


def planned_runs(method: str, parameters: tuple[Parameter, ...], samples: int, levels: int | None,
                 replicates: int, second_order: bool, settings: int) -> int:
    """How many runs a design makes, computed from its declaration before anything is sampled.

    Examples
    --------
    >>> planned_runs("sobol", (Parameter("a", float, 0, 1),) * 3, 64, None, 2, False, 0)  # 64 * (3 + 2) * 2
    640
    >>> planned_runs("grid", (Parameter("a", float, 0, 1), Parameter("b", int, values=(1, 2, 3))), 0, 4, 1, False, 0)
    12
    """
    d = len(parameters)
    if method == "grid":
        size = 1
        for p in parameters:
            size *= len(p.values) if p.values is not None else (p.num or levels or 5)
        return size * replicates
    per_sample = {"lhs": 1, "sobol": (2 * d + 2) if second_order else d + 2, "morris": d + 1,
                  "robustness": settings}[method]
    return samples * per_sample * replicates


def base_scenario(base_t: Mapping[str, Any], path: str | Path | None) -> Scenario:
    """The scenario of an experiment or calibration file's ``[base]`` table: ``scenario`` (name or .toml) and ``set``.

    Examples
    --------
    >>> base_scenario({"scenario": "default", "set": {"contact_rate": 2.0}}, None).contact_rate
    2.0
    """
    ref = base_t.get("scenario", "default")
    if not isinstance(ref, str):
        raise ScenarioError(f"base.scenario = {ref!r}: expected a scenario name or .toml path")
    base = _load_base(ref, path)
    overrides = base_t.get("set", {})
    if not isinstance(overrides, Mapping):
        raise ScenarioError("base.set must be a table of parameter = value")
    try:
        return base.replace(**dict(overrides)) if overrides else base
    except ScenarioError as exc:
        raise ScenarioError(f"base.set: {exc}") from None


def _load_base(ref: str, path: str | Path | None) -> Scenario:
    if path is not None and ref.endswith(".toml"):
        candidate = Path(path).parent / ref
        if candidate.exists():
            ref = str(candidate)
    try:
        return load_scenario(ref)
    except ScenarioError as exc:
        raise ScenarioError(f"base.scenario: {exc}") from None


def _spec_for(name: str) -> ParameterSpec | None:
    if name.startswith("organisations."):
        return ParameterSpec(name.split(".", 1)[1], "place.organisations", int, 0, 0, MAX_OF_A_KIND, "organisations")
    return _SPEC.get(name)


def _parameter(name: str, value: Any, base: Scenario, section: str = "parameters") -> Parameter:
    spec = _spec_for(name)
    where = f"{section}.{name}"
    if spec is None:
        import difflib

        allowed = sorted(_SPEC)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"{where}: unknown parameter {name!r}{hint}; allowed: {', '.join(allowed)} or organisations.<kind>"
        )
    if name.startswith("organisations.") and spec.name not in base.kinds:
        raise ScenarioError(f"{where}: unknown kind {spec.name!r}; known kinds: {', '.join(sorted(base.kinds))}")

    def check(v: Any, sub: str) -> Any:
        try:
            return spec.check(v)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}{sub}: {exc}") from None

    if isinstance(value, list):
        if not value:
            raise ScenarioError(f"{where} = []: expected a non-empty list of values or a range")
        values = tuple(check(v, f"[{i}]") for i, v in enumerate(value))
        if len(set(values)) != len(values):
            raise ScenarioError(f"{where} = {value!r}: values must be distinct")
        return Parameter(name, spec.kind, values=values)
    if isinstance(value, Mapping):
        extra = set(value) - {"low", "high", "num"}
        if extra or "low" not in value or "high" not in value:
            raise ScenarioError(f"{where}: expected {{ low = ..., high = ... }} (optional num) or a list of values")
        if spec.kind is bool:
            raise ScenarioError(f"{where}: a true/false parameter takes a list, e.g. [false, true]")
        low, high = check(value["low"], ".low"), check(value["high"], ".high")
        if not low < high:
            raise ScenarioError(f"{where}: low = {low!r} must be below high = {high!r}")
        num = value.get("num")
        if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 2):
            raise ScenarioError(f"{where}.num = {num!r} is out of range: expected an integer >= 2")
        return Parameter(name, spec.kind, low=low, high=high, num=num)
    raise ScenarioError(f"{where} = {value!r}: expected a list of values or a table {{ low = ..., high = ... }}")
