"""The published record: what the field has observed about how integration unfolds, as calibration targets.

``simulation/data/published_record.toml`` holds the observations (how long partnerships
took to form in Canterbury, the Integration Pioneers, the vanguards and the first
integrated care systems; how places differed; what system leaders and councillors
reported; leaders' tenure), each with its sources (quoted word for word), an interval, the
model output it maps onto and the assumptions of that mapping. This module loads and
checks it; :func:`calibration_target` turns a ``fit`` target into the ``[[targets]]`` table
of a calibration file (:mod:`simulation.experiments.calibration`) where the output is one the
calibration can measure (a milestone or a time-series column; outputs taken across places,
such as the share of places integrated by a month, need a calibration over a place set:
:mod:`simulation.experiments.record_calibration` fits the whole record so, over England's
systems). :mod:`simulation.record_measures` measures every ``fit`` and ``check`` target on
runs, for the fit and the posterior-predictive check.

Roles: ``fit`` (an observation for the ABC fit), ``check`` (one the fitted model should
reproduce, too loose to fit), ``input`` (a figure that sets an input, so reproducing it
would only read the input back) and ``context`` (bounds the setting, maps onto no output).

Examples
--------
>>> rec = load_record()
>>> rec.targets["pioneers_plans_to_implementation"].interval
(18.0, 48.0)
>>> rec.targets["pioneers_plans_to_implementation"].output
'months_to_50'
>>> sorted({t.role for t in rec.targets.values()})
['check', 'context', 'fit', 'input']
>>> calibration_target(rec.targets["pioneers_plans_to_implementation"])
{'measure': 'months_to_50', 'value': 33.0, 'sd': 9.119}
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .provenance import Citation
from .scenario import ScenarioError

__all__ = ["RECORD_PATH", "ROLES", "OUTPUTS", "Figure", "RecordTarget", "Record", "load_record", "record_from_dict",
           "interval_sd", "calibration_target"]

#: The shipped record.
RECORD_PATH = Path(__file__).parent / "data" / "published_record.toml"

#: What each role means.
ROLES: dict[str, str] = {
    "fit": "an observation of how integration unfolds, for the ABC fit",
    "check": "an observation the fitted model should reproduce, too loose to fit",
    "input": "a figure that sets an input (reproducing it would read the input back)",
    "context": "a figure that bounds the setting but maps onto no output",
}

#: The model outputs a target can map onto: name -> (needs a month, what it is). ``series`` outputs
#: are time-series columns read at a month; ``milestone`` outputs are per-run months; ``places``
#: outputs are taken across places (runs over place draws); ``input`` outputs are read from the scenario.
OUTPUTS: dict[str, tuple[str, bool, str]] = {
    "months_to_50": ("milestone", False, "month the integration index first reaches 0.5"),
    "months_to_80": ("milestone", False, "month the integration index first reaches 0.8"),
    "connectedness_months_to_50": ("milestone", False, "month connectedness first reaches 0.5"),
    "integration": ("series", True, "integration index (share of organisations in the largest partnership web)"),
    "mean_trust": ("series", True, "mean trust over all relationships"),
    "partnership_share": ("series", True, "share of relationships that are partnerships"),
    "joint_care": ("series", True, "share of care across organisations delivered jointly and well"),
    "trust:council-nhs_trust": ("series", True, "mean trust between councils and NHS trusts"),
    "trust_change:council-nhs_trust": ("derived", True, "mean trust between councils and NHS trusts, less its month-0 "
                                                        "value"),
    "council_nhs_partnership_share": ("derived", True, "share of council-NHS trust pairs in partnership (from the "
                                                       "edges at the month)"),
    "joint_care_months_to_half": ("derived", False, "month joint care first reaches half its month-120 level"),
    "share_reaching_50": ("places", True, "share of places whose integration index reached 0.5 by the month"),
    "integration_spread": ("places", True, "quantiles of the integration index across places at the month"),
    "leader_tenure_months": ("input", False, "mean tenure of a leader, 1 / turnover_rate"),
    "statutory_organisations": ("input", False, "organisations.nhs_trust + organisations.council"),
}

#: Outputs a calibration file can take as a target's ``measure`` (see simulation.experiments.calibration).
_CALIBRATION_KINDS = ("milestone", "series")

_SOURCE_KEYS = {"author", "year", "title", "publisher", "url"}
_TARGET_KEYS = {"key", "observation", "role", "output", "month", "value", "low", "high", "unit", "interval_basis",
                "figures", "mapping", "assumptions"}


@dataclass(frozen=True)
class Figure:
    """A figure or statement quoted word for word from a source."""

    source: str
    quote: str


@dataclass(frozen=True)
class RecordTarget:
    """One observation as a target: the interval ``[low, high]`` (``value`` inside it when one figure is given)."""

    key: str
    observation: str
    role: str
    output: str
    low: float
    high: float
    unit: str
    interval_basis: str
    figures: tuple[Figure, ...]
    mapping: str
    assumptions: tuple[str, ...] = ()
    value: float | None = None
    month: int | None = None

    @property
    def interval(self) -> tuple[float, float]:
        """``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True)
class Record:
    """The published record: sources by key and targets by key (in file order)."""

    sources: dict[str, Citation]
    targets: dict[str, RecordTarget] = field(default_factory=dict)

    def by_role(self, role: str) -> list[RecordTarget]:
        """The targets of one role (see :data:`ROLES`)."""
        if role not in ROLES:
            raise ScenarioError(f"role: {role!r} is not a role; roles: {', '.join(ROLES)}")
        return [t for t in self.targets.values() if t.role == role]


def load_record(path: str | Path = RECORD_PATH) -> Record:
    """Read and check a record file (by default the shipped one).

    Raises
    ------
    ScenarioError
        Naming the file, the entry and the key at fault.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the record: {exc}") from None
    return record_from_dict(data, where=str(path))


def record_from_dict(data: Mapping[str, Any], *, where: str = "record") -> Record:
    """Build and check a :class:`Record` from parsed TOML.

    Examples
    --------
    >>> record_from_dict({"sources": {}, "targets": [{"key": "x"}]})
    Traceback (most recent call last):
    ...
    simulation.scenario.ScenarioError: record: targets[0] (x): missing observation, role, output, low, high, unit, \
interval_basis, figures, mapping
    """
    unknown = set(data) - {"sources", "targets"}
    if unknown:
        raise ScenarioError(f"{where}: unknown section(s) {', '.join(sorted(unknown))}; expected sources, targets")
    sources = {key: _source(key, entry, where) for key, entry in dict(data.get("sources", {})).items()}
    targets: dict[str, RecordTarget] = {}
    for i, entry in enumerate(data.get("targets", [])):
        target = _target(i, entry, sources, where)
        if target.key in targets:
            raise ScenarioError(f"{where}: targets[{i}]: duplicate key {target.key!r}")
        targets[target.key] = target
    if not targets:
        raise ScenarioError(f"{where}: no [[targets]]")
    return Record(sources, targets)


def _source(key: str, entry: Mapping[str, Any], where: str) -> Citation:
    what = f"{where}: sources.{key}"
    if not isinstance(entry, Mapping):
        raise ScenarioError(f"{what}: expected a table (title, publisher, url; author and year where given)")
    extra = set(entry) - _SOURCE_KEYS
    missing = [k for k in ("title", "publisher", "url") if not entry.get(k)]
    if extra or missing:
        raise ScenarioError(f"{what}: " + "; ".join(
            ([f"unknown key(s) {', '.join(sorted(extra))}"] if extra else [])
            + ([f"missing {', '.join(missing)}"] if missing else [])))
    year = entry.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100):
        raise ScenarioError(f"{what}.year: {year!r} is not a year (1900-2100)")
    url = str(entry["url"])
    if not url.startswith(("https://", "http://")):
        raise ScenarioError(f"{what}.url: {url!r} is not a web address")
    return Citation(str(entry["title"]), str(entry["publisher"]), year, url, author=str(entry.get("author", "")))


def _number(entry: Mapping[str, Any], key: str, what: str) -> float:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ScenarioError(f"{what}.{key}: {value!r} is not a number")
    return float(value)


def _target(i: int, entry: Mapping[str, Any], sources: Mapping[str, Citation], where: str) -> RecordTarget:
    if not isinstance(entry, Mapping):
        raise ScenarioError(f"{where}: targets[{i}]: expected a table")
    key = str(entry.get("key", ""))
    what = f"{where}: targets[{i}] ({key or 'no key'})"
    extra = set(entry) - _TARGET_KEYS
    if extra:
        raise ScenarioError(f"{what}: unknown key(s) {', '.join(sorted(extra))}")
    required = ("key", "observation", "role", "output", "low", "high", "unit", "interval_basis", "figures", "mapping")
    missing = [k for k in required if k not in entry or entry[k] in ("", [])]
    if missing:
        raise ScenarioError(f"{what}: missing {', '.join(missing)}")
    role, output = entry["role"], entry["output"]
    if role not in ROLES:
        raise ScenarioError(f"{what}.role: {role!r} is not a role; roles: {', '.join(ROLES)}")
    if output not in OUTPUTS:
        raise ScenarioError(f"{what}.output: {output!r} is not a model output; outputs: {', '.join(OUTPUTS)}")
    needs_month = OUTPUTS[output][1]
    month = entry.get("month")
    if needs_month and role != "context" and month is None:
        raise ScenarioError(f"{what}.month: output {output!r} is read at a month; give month")
    if month is not None and (isinstance(month, bool) or not isinstance(month, int) or month < 0):
        raise ScenarioError(f"{what}.month: {month!r} is not a month (an integer >= 0)")
    low, high = _number(entry, "low", what), _number(entry, "high", what)
    if not low <= high:
        raise ScenarioError(f"{what}: low {low:g} is above high {high:g}")
    value = None
    if "value" in entry:
        value = _number(entry, "value", what)
        if not low <= value <= high:
            raise ScenarioError(f"{what}.value: {value:g} is outside [low, high] = [{low:g}, {high:g}]")
    figures = []
    for j, fig in enumerate(entry["figures"]):
        if not isinstance(fig, Mapping) or set(fig) != {"source", "quote"} or not str(fig["quote"]).strip():
            raise ScenarioError(f"{what}.figures[{j}]: expected {{source = KEY, quote = TEXT}}")
        if fig["source"] not in sources:
            raise ScenarioError(f"{what}.figures[{j}].source: {fig['source']!r} is not in [sources]")
        figures.append(Figure(str(fig["source"]), str(fig["quote"])))
    assumptions = entry.get("assumptions", [])
    if not isinstance(assumptions, list) or not all(isinstance(a, str) and a for a in assumptions):
        raise ScenarioError(f"{what}.assumptions: expected a list of sentences")
    return RecordTarget(key, str(entry["observation"]), role, output, low, high, str(entry["unit"]),
                        str(entry["interval_basis"]), tuple(figures), str(entry["mapping"]), tuple(assumptions),
                        value, month)


def interval_sd(target: RecordTarget, coverage: float = 0.9) -> float:
    """The sd of a normal error whose central ``coverage`` interval is the target's: half-width over the quantile.

    Raises
    ------
    ScenarioError
        If the interval is open or ``coverage`` is not in (0, 1).

    Examples
    --------
    >>> round(interval_sd(load_record().targets["pioneers_plans_to_implementation"]), 3)  # (48 - 18) / 2 / 1.645
    9.119
    """
    from statistics import NormalDist

    if not (math.isfinite(target.low) and math.isfinite(target.high)):
        raise ScenarioError(f"{target.key}: the interval [{target.low:g}, {target.high:g}] is open; a calibration "
                            "target needs a finite one")
    if not 0 < coverage < 1:
        raise ScenarioError(f"coverage: {coverage!r} is not in (0, 1)")
    z = NormalDist().inv_cdf(0.5 + coverage / 2)
    return max((target.high - target.low) / (2 * z), 1e-9)


def calibration_target(target: RecordTarget, coverage: float = 0.9) -> dict[str, Any]:
    """The target as a calibration file's ``[[targets]]`` table: measure, value, sd (and month).

    The interval is read as a ``coverage`` interval of a normal error: ``sd`` is its half-width
    over the normal quantile (1.645 for 90%); ``value`` is the target's value, or the interval's
    midpoint when it has none.

    Raises
    ------
    ScenarioError
        If the target is not a ``fit`` target (``check`` targets are compared with the fitted
        model's predictive interval, not fitted; a one-sided bound has no sensible centre),
        its output is not one a calibration can measure (a milestone or a time-series
        column), or its interval is open.
    """
    if target.role != "fit":
        raise ScenarioError(f"{target.key}: a {target.role!r} target is not fitted (only 'fit' targets are)")
    kind = OUTPUTS[target.output][0]
    if kind not in _CALIBRATION_KINDS:
        raise ScenarioError(f"{target.key}: output {target.output!r} ({kind}) is not a measure a calibration file can "
                            f"take (milestones and time-series columns)")
    sd = interval_sd(target, coverage)
    value = target.value if target.value is not None else (target.low + target.high) / 2
    out: dict[str, Any] = {"measure": target.output, "value": value, "sd": round(sd, 3)}
    if target.month is not None:
        out["month"] = target.month
    return out
