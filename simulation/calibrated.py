"""The shipped defaults that are a posterior summary: ``simulation/data/calibrated_defaults.toml``.

The parameters that the calibration to the published record fits
(:mod:`simulation.experiments.record_calibration`) take their shipped defaults from
one file, written by ``python -m simulation calibrate --adopt``: each parameter's
value in the posterior's best-fitting particle (one point the posterior supports
jointly; ``statistic`` names the summary), its marginal 90% credible interval and
prior, and the run that produced them (master seed, code version, date).
:mod:`simulation.scenario` reads the file when it builds its parameter table, so a
default is the value the file records, never a number typed beside it;
:func:`simulation.scenario.check_calibrated` keeps each value inside its parameter's range.

This module reads TOML with the standard library only: the scenario module
imports it, so it cannot import the scenario module.

Examples
--------
>>> adopted = load_calibrated_defaults()
>>> adopted.statistic
'best_fit'
>>> all(adopted.prior[k][0] <= v <= adopted.prior[k][1] for k, v in adopted.values.items())
True
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CALIBRATED_DEFAULTS_PATH", "CalibratedDefaults", "load_calibrated_defaults", "calibrated_defaults_toml"]

#: The file that holds the calibrated defaults.
CALIBRATED_DEFAULTS_PATH = Path(__file__).parent / "data" / "calibrated_defaults.toml"

_HEADER = """\
# The shipped defaults of the parameters below are a posterior summary: each is its value in
# the posterior's best-fitting particle (source.statistic) in the calibration to the published
# record (python -m simulation calibrate; the record is simulation/data/published_record.toml,
# the method docs/calibration.md). A joint point may lie outside a marginal 90% interval.
# Written by `python -m simulation calibrate --adopt`; simulation/scenario.py reads it for the
# defaults of these parameters. Every other default is sourced or assumed as
# simulation/provenance.py says. q05 and q95 bound the 90% credible interval; prior is the
# declared range the calibration drew from. Parameters the data did not pin down (an interval
# over 80% of the prior's width): their default is still an assumption, and the experiments
# vary them over the whole range.
"""


@dataclass(frozen=True)
class CalibratedDefaults:
    """The adopted posterior summary: values, credible intervals, priors and the run behind them."""

    values: dict[str, float]
    q05: dict[str, float]
    q95: dict[str, float]
    prior: dict[str, tuple[float, float]]
    statistic: str
    source: dict[str, Any]

    def interval_share(self, name: str) -> float:
        """The 90% credible interval's width as a share of the prior's."""
        low, high = self.prior[name]
        return (self.q95[name] - self.q05[name]) / (high - low)


def _error(path: Path, text: str) -> ValueError:
    return ValueError(f"calibrated defaults file {path}: {text}")


def load_calibrated_defaults(path: str | Path = CALIBRATED_DEFAULTS_PATH) -> CalibratedDefaults:
    """Read and check the calibrated defaults file.

    Raises
    ------
    ValueError
        If the file cannot be read, or a parameter's entry lacks a number, or its value lies
        outside its prior, or its 90% credible interval outside the prior.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _error(path, f"cannot be read ({exc})") from None
    source = data.get("source")
    table = data.get("parameters")
    if not isinstance(source, dict) or not isinstance(table, dict) or not table:
        raise _error(path, "expected a [source] table and at least one [parameters.<name>] table")
    values, q05, q95, prior = {}, {}, {}, {}
    for name, entry in table.items():
        try:
            v, lo, hi = (float(entry[k]) for k in ("value", "q05", "q95"))
            p_lo, p_hi = (float(x) for x in entry["prior"])
        except (KeyError, TypeError, ValueError):
            raise _error(path, f"parameters.{name}: expected numbers value, q05, q95 and prior = [low, high]") \
                from None
        if not all(math.isfinite(x) for x in (v, lo, hi, p_lo, p_hi)) \
                or not (p_lo <= lo <= hi <= p_hi and p_lo <= v <= p_hi):
            raise _error(path, f"parameters.{name}: expected prior low <= q05 <= q95 <= prior high and the value "
                               f"inside the prior, got q05 {lo}, q95 {hi}, value {v}, prior [{p_lo}, {p_hi}]")
        values[name], q05[name], q95[name], prior[name] = v, lo, hi, (p_lo, p_hi)
    return CalibratedDefaults(values, q05, q95, prior, str(source.get("statistic", "best_fit")), dict(source))


def _number(x: float) -> str:
    return repr(float(x))


def calibrated_defaults_toml(values: Mapping[str, float], q05: Mapping[str, float], q95: Mapping[str, float],
                             prior: Mapping[str, tuple[float, float]], source: Mapping[str, Any]) -> str:
    """The text of a calibrated defaults file (the inverse of :func:`load_calibrated_defaults`).

    Examples
    --------
    >>> text = calibrated_defaults_toml({"gain_rate": 0.062}, {"gain_rate": 0.046}, {"gain_rate": 0.079},
    ...                                 {"gain_rate": (0.04, 0.08)}, {"statistic": "median", "seed": 1})
    >>> tomllib.loads(text)["parameters"]["gain_rate"]["value"]
    0.062
    """
    lines = [_HEADER, "[source]"]
    for key, value in source.items():
        lines.append(f"{key} = {value!r}" if isinstance(value, int | float) and not isinstance(value, bool)
                     else f'{key} = "{value}"')
    for name, value in values.items():
        low, high = prior[name]
        lines += ["", f"[parameters.{name}]", f"value = {_number(value)}", f"q05 = {_number(q05[name])}",
                  f"q95 = {_number(q95[name])}", f"prior = [{_number(low)}, {_number(high)}]"]
    return "\n".join(lines) + "\n"
