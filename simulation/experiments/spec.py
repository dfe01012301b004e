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

Every mistake raises one :class:`~simulation.ScenarioError` naming the key.

Examples
--------
>>> exp = experiment_from_dict({"parameters": {"contact_rate": {"low": 0.5, "high": 2}},
...                             "design": {"method": "lhs", "samples": 8}})
>>> exp.design, exp.samples, exp.parameters[0].name
('lhs', 8, 'contact_rate')
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

from ..scenario import PARAMETERS, ParameterSpec, Scenario, ScenarioError, load_scenario, read_toml

__all__ = [
    "DESIGNS",
    "OUTCOMES",
    "Experiment",
    "Parameter",
    "experiment_from_dict",
    "load_experiment",
]

#: Design methods: full grid, Latin hypercube, Sobol/Saltelli and Morris (SALib).
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")

#: Per-run outcomes that may be analysed. ``time_to_50``/``time_to_80`` are the
#: months to 50%/80% integration with censored runs counted at the run length;
#: ``connectedness_time_to_50`` the same for the threshold-free measure.
OUTCOMES: tuple[str, ...] = (
    "time_to_50",
    "time_to_80",
    "connectedness_time_to_50",
    "final_integration",
    "final_connectedness",
    "final_mean_trust",
    "final_partnership_share",
    "mean_integration",
    "total_conflicts",
    "total_resolved",
    "final_festering",
)

_SPEC = {p.name: p for p in PARAMETERS}
_TOP = {"name", "description", "base", "design", "run", "parameters", "analysis"}
_SECTIONS = {
    "base": {"scenario", "set"},
    "design": {"method", "samples", "levels", "replicates", "second_order"},
    "run": {"steps", "seed", "outcomes", "snapshots", "timeseries", "engine"},
    "analysis": {"heatmap", "heatmap_outcome"},
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

    @property
    def names(self) -> list[str]:
        """Names of the varied parameters, in file order."""
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
    path = Path(path)
    text, data = read_toml(path, "experiment")
    try:
        return experiment_from_dict(data, name=path.stem, source=text, path=path)
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
    _check_keys(data, _TOP, "")
    for section, allowed in _SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            raise ScenarioError(f"[{section}] must be a table")
        _check_keys(table, allowed, f"{section}.")
    base_t, design_t, run_t, an_t = (data.get(s, {}) for s in ("base", "design", "run", "analysis"))

    base_ref = base_t.get("scenario", "default")
    if not isinstance(base_ref, str):
        raise ScenarioError(f"base.scenario = {base_ref!r}: expected a scenario name or .toml path")
    base = _load_base(base_ref, path)
    overrides = base_t.get("set", {})
    if not isinstance(overrides, Mapping):
        raise ScenarioError("base.set must be a table of parameter = value")
    try:
        base = base.replace(**dict(overrides)) if overrides else base
    except ScenarioError as exc:
        raise ScenarioError(f"base.set: {exc}") from None

    method = design_t.get("method", "grid")
    if method not in DESIGNS:
        raise ScenarioError(f"design.method = {method!r} is not known: expected one of {', '.join(DESIGNS)}")
    samples = _int(design_t, "samples", 16, 1, "design")
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError(f"design.samples = {samples} is out of range: Sobol/Saltelli needs a power of 2")
    levels = design_t.get("levels")
    if levels is not None:
        levels = _int(design_t, "levels", 4, 2, "design")
    replicates = _int(design_t, "replicates", 1, 1, "design")
    second_order = design_t.get("second_order", False)
    if not isinstance(second_order, bool):
        raise ScenarioError(f"design.second_order = {second_order!r} has the wrong type: expected true or false")

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

    steps = _int(run_t, "steps", 120, 1, "run")
    seed = _int(run_t, "seed", 0, 0, "run")
    outcomes = run_t.get("outcomes", list(Experiment.outcomes))
    if not isinstance(outcomes, list) or not outcomes:
        raise ScenarioError("run.outcomes must be a non-empty list of outcome names")
    for o in outcomes:
        if o not in OUTCOMES:
            raise ScenarioError(f"run.outcomes: unknown outcome {o!r}; allowed: {', '.join(OUTCOMES)}")
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
    )


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


def _int(table: Mapping[str, Any], key: str, default: int, low: int, section: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{section}.{key} = {value!r} has the wrong type: expected an integer >= {low}")
    if value < low:
        raise ScenarioError(f"{section}.{key} = {value!r} is out of range: expected an integer >= {low}")
    return value


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
        return ParameterSpec(name.split(".", 1)[1], "place.organisations", int, 0, 0, math.inf, "organisations")
    return _SPEC.get(name)


def _parameter(name: str, value: Any, base: Scenario) -> Parameter:
    spec = _spec_for(name)
    where = f"parameters.{name}"
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
