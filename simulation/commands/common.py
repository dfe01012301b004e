"""Argument helpers shared by sub-commands: scenario selection and ``--set`` overrides."""

from __future__ import annotations

import argparse
import tomllib
from typing import Any

from ..scenario import Scenario, ScenarioError, check_plain_data, load_scenario
from ..validation import MAX_SEED, MAX_STEPS

__all__ = ["add_scenario_arguments", "scenario_from_args", "parse_override", "positive_int", "in_range", "port",
           "seed_arg", "months_arg", "workers_arg"]


def positive_int(text: str) -> int:
    """argparse type: an integer in [0, 2**63 - 1] (the message names the allowed range)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an integer >= 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: expected an integer >= 0")
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is out of range: expected an integer <= {MAX_SEED}")
    return value


def in_range(convert: type, low: float, high: float, what: str):
    """argparse type: ``convert(text)`` within ``[low, high]``, ``what`` naming it in the one-line message.

    Examples
    --------
    >>> in_range(int, 1, 12, "an integer")("3")
    3
    >>> in_range(float, 0, 600, "seconds")("900")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: '900' is out of range: expected seconds in [0, 600]
    """
    def parse(text: str):
        try:
            value = convert(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not {what} in [{low}, {high}]") from None
        if not low <= value <= high:  # nan is never in range
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is out of range: expected {what} in [{low}, {high}]")
        return value

    return parse


#: argparse type of a TCP port.
port = in_range(int, 0, 65535, "a port number")
#: argparse type of a seed (what numpy and the Parquet writer's int64 columns hold).
seed_arg = in_range(int, 0, MAX_SEED, "an integer seed")
#: argparse type of a run length in months (at least one: a run of no months has no outcomes to summarise).
months_arg = in_range(int, 1, MAX_STEPS, "a number of months")
#: argparse type of a number of local worker processes (0: run in this process).
workers_arg = in_range(int, 0, 256, "a number of worker processes")


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--scenario`` and ``--set KEY=VALUE`` to a sub-parser."""
    parser.add_argument(
        "--scenario", default="default",
        help="shipped scenario name (default, legacy_of_competition, shared_roles, ...) or a .toml file",
    )
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a parameter, e.g. --set contact_rate=2 --set organisations.voluntary=40",
    )


def parse_override(text: str) -> tuple[str, Any]:
    """``"key=value"`` to ``(key, value)``, the value read as a TOML value.

    Examples
    --------
    >>> parse_override("contact_rate=2.5")
    ('contact_rate', 2.5)
    >>> parse_override("system_board=true")
    ('system_board', True)
    """
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE")
    key, raw = (s.strip() for s in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: let validation name the expected type
    except RecursionError:
        raise ScenarioError(f"--set {key}: the value is nested too deeply") from None
    check_plain_data(value, key)
    return key, value


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named by ``--scenario`` with ``--set`` overrides applied and validated."""
    scenario = load_scenario(args.scenario)
    overrides = dict(parse_override(s) for s in args.overrides)
    return scenario.replace(**overrides) if overrides else scenario
