"""``calibrate``: fit uncertain parameters to observed targets by ABC-SMC, through the batched kernel.

``python -m simulation calibrate`` fits the behavioural parameters to the shipped published record
(:mod:`simulation.experiments.record_calibration`; ``--record FILE`` for another record, ``--tiny`` for a
smoke run in seconds); ``python -m simulation calibrate experiments/calibration_example.toml --out DIR``
fits a calibration file (:mod:`simulation.experiments.calibration`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import in_range, positive_int, seed_arg

__all__ = ["register", "cmd_calibrate"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` sub-command."""
    p = sub.add_parser(
        "calibrate", help="fit uncertain parameters to the published record or to a calibration file (ABC-SMC)",
        description="Without a file: fit the behavioural parameters to the published record's fit targets and check "
                    "every target (posterior, posterior-predictive check, report.md in --out, default "
                    "results/record_calibration). With a calibration file: fit its [parameters] to its [[targets]].",
    )
    p.add_argument("config", type=Path, nargs="?", default=None,
                   help="calibration .toml file (see experiments/calibration_example.toml); none: the published record")
    p.add_argument("--record", type=Path, default=None,
                   help="record file to calibrate to (default: simulation/data/published_record.toml)")
    p.add_argument("--out", type=Path, help="output folder (default results/<name>)")
    p.add_argument("--population", type=positive_int, default=None,
                   help="particles per generation (overrides the file or the record's default)")
    p.add_argument("--generations", type=positive_int, default=None, help="most generations (overrides)")
    p.add_argument("--tiny", action="store_true",
                   help="record only: 4 systems, 2 parameters, 10 particles, 1 generation (a smoke run, seconds)")
    p.add_argument("--places", type=in_range(int, 1, 42, "a number of systems"), default=None,
                   help="record only: England's systems run per parameter set (default all 42)")
    p.add_argument("--fitted", type=in_range(int, 1, 100, "a number of parameters"), default=None,
                   help="record only: how many behavioural parameters to fit (those that move the targets most)")
    p.add_argument("--seed", type=seed_arg, default=None, help="record only: master seed")
    p.add_argument("--adopt", action="store_true",
                   help="record only: make the posterior's best-fitting particle the shipped defaults (rewrites "
                        "simulation/data/calibrated_defaults.toml; regenerate the results after it)")
    p.add_argument("--verbose", action="store_true", help="log each ABC generation")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and print the report."""
    import dataclasses

    from ..scenario import ScenarioError

    for key, low in (("population", 10), ("generations", 1)):
        value = getattr(args, key)
        if value is not None and value < low:
            raise ScenarioError(f"--{key} {value} is out of range: expected an integer >= {low}")
    if args.adopt and args.tiny:
        raise ScenarioError("--adopt: not with --tiny (a smoke run's posterior is no default)")
    overrides = {k: getattr(args, k) for k in ("population", "generations") if getattr(args, k) is not None}
    if args.config is None:
        result, out = _record(args, overrides)
    else:
        record_only = [f"--{k}" for k in ("record", "places", "fitted", "seed") if getattr(args, k) is not None]
        record_only += [flag for flag, on in (("--tiny", args.tiny), ("--adopt", args.adopt)) if on]
        if record_only:
            raise ScenarioError(f"{', '.join(record_only)}: only for the published record (give no file)")
        from ..experiments.calibration import calibrate, load_calibration

        config = dataclasses.replace(load_calibration(args.config), **overrides)
        out = args.out or Path("results") / config.name
        result = calibrate(config, out, verbose=args.verbose)
    print(result.text.rstrip())
    print(f"wrote {', '.join(sorted(p.name for p in result.files.values()))} to {out}/")
    if args.config is None and args.adopt:
        from ..experiments.record_calibration import adopt

        print(f"adopted the posterior's best-fitting particle as the shipped defaults: wrote {adopt(out)}")
    return 0


def _record(args: argparse.Namespace, overrides: dict):
    from ..experiments.record_calibration import TINY, RecordCalibration, calibrate_record
    from ..record import RECORD_PATH

    settings = dict(TINY) if args.tiny else {}
    settings.update({k: getattr(args, k) for k in ("places", "fitted", "seed") if getattr(args, k) is not None})
    settings.update(overrides)
    config = RecordCalibration(record=args.record or RECORD_PATH, **settings)
    out = args.out or Path("results") / "record_calibration"
    return calibrate_record(config, out, verbose=args.verbose), out
