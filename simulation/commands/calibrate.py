"""``calibrate``: fit uncertain parameters to observed targets by ABC-SMC, through the batched kernel.

``python -m simulation calibrate experiments/calibration_example.toml --out results/calibration_example``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import positive_int

__all__ = ["register", "cmd_calibrate"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` sub-command."""
    p = sub.add_parser(
        "calibrate", help="fit uncertain parameters to observed data (ABC-SMC with pyabc)",
        description="Fit the [parameters] of a calibration file to its [[targets]] by approximate Bayesian "
                    "computation; write the posterior, a posterior-predictive check and report.md to --out.",
    )
    p.add_argument("config", type=Path, help="calibration .toml file (see experiments/calibration_example.toml)")
    p.add_argument("--out", type=Path, help="output folder (default results/<name>)")
    p.add_argument("--population", type=positive_int, default=None,
                   help="particles per generation (overrides the file)")
    p.add_argument("--generations", type=positive_int, default=None, help="most generations (overrides the file)")
    p.add_argument("--verbose", action="store_true", help="log each ABC generation")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and print the report."""
    import dataclasses

    from ..experiments.calibration import calibrate, load_calibration
    from ..scenario import ScenarioError

    config = load_calibration(args.config)
    for key, low in (("population", 10), ("generations", 1)):
        value = getattr(args, key)
        if value is not None:
            if value < low:
                raise ScenarioError(f"--{key} {value} is out of range: expected an integer >= {low}")
            config = dataclasses.replace(config, **{key: value})
    out = args.out or Path("results") / config.name
    result = calibrate(config, out, verbose=args.verbose)
    print(result.text.rstrip())
    print(f"wrote {', '.join(sorted(p.name for p in result.files.values()))} to {out}/")
    return 0
