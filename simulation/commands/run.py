"""``run``: one model run to tidy tables, a manifest and a short summary; ``scenarios``; ``params``."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from ..manifest import manifest
from ..outputs import OutputFolder
from ..place import place_from_csv
from ..runs import ENGINES, run
from ..scenario import PARAMETERS, ScenarioError, load_scenario, shipped_scenarios
from .common import add_scenario_arguments, months_arg, scenario_from_args, seed_arg

__all__ = ["register", "write_tables", "format_summary"]

FORMATS = ("csv", "parquet")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``run``, ``scenarios`` and ``params`` sub-commands."""
    p = sub.add_parser("run", help="run the model once and write its tables",
                       description="Run the model once; write time series, summary and a manifest.")
    add_scenario_arguments(p)
    p.add_argument("--steps", type=months_arg, default=120, help="months to simulate (default 120)")
    p.add_argument("--seed", type=seed_arg, default=0, help="random seed (default 0)")
    p.add_argument("--engine", choices=ENGINES, default="fast", help="engine (default fast)")
    p.add_argument("--out", type=Path, default=Path("results/run"), help="output folder (default results/run)")
    p.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default parquet)")
    p.add_argument("--snapshots", default="", metavar="STEPS",
                   help="per-edge snapshots: comma-separated steps, or 'all'")
    p.add_argument("--organisations-csv", type=Path, help="organisations CSV of a real place (id,name,kind,...)")
    p.add_argument("--relationships-csv", type=Path, help="relationships CSV (source,target,...)")
    p.set_defaults(func=cmd_run)

    s = sub.add_parser("scenarios", help="list the shipped scenarios")
    s.set_defaults(func=cmd_scenarios)
    q = sub.add_parser("params", help="list every parameter with default, range and meaning")
    q.set_defaults(func=cmd_params)


def _snapshot_steps(text: str):
    if not text:
        return ()
    if text.strip() == "all":
        return "all"
    try:
        steps = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ScenarioError(f"--snapshots {text!r}: expected comma-separated integers >= 0 or 'all'") from None
    if any(s < 0 for s in steps):
        raise ScenarioError(f"--snapshots {text!r}: expected comma-separated integers >= 0 or 'all'")
    return steps


def write_tables(out: Path | OutputFolder, tables: dict, fmt: str) -> dict[str, str]:
    """Write DataFrames to ``out/<name>.<fmt>`` atomically, all or none; return the file names written.

    ``out`` is a folder, or an open :class:`~simulation.outputs.OutputFolder`
    (the files are then renamed into place with the rest of its files).
    """
    if not isinstance(out, OutputFolder):
        with OutputFolder(out) as folder:
            return write_tables(folder, tables, fmt)
    written = {}
    for name, df in tables.items():
        path = out.write(f"{name}.{fmt}", df.to_csv if fmt == "csv" else df.to_parquet)
        written[name] = path.name
    return written


def format_summary(summary: dict, scenario_name: str, seed: int) -> str:
    """A few human-readable lines about one run."""

    def when(months: float) -> str:
        if math.isnan(months):
            return "not reached (censored)"
        return f"month {months:.0f} ({months / 12:.1f} years)"

    return "\n".join(
        [
            f"scenario {scenario_name}, seed {seed}, {summary['steps']} months",
            f"  50% integration: {when(summary['months_to_50'])}",
            f"  80% integration: {when(summary['months_to_80'])}",
            f"  final integration {summary['final_integration']:.2f}, mean trust {summary['final_mean_trust']:.2f}, "
            f"partnerships {summary['final_partnership_share']:.0%} of relationships",
            f"  conflicts: {summary['total_conflicts']} arose, {summary['total_resolved']} resolved, "
            f"{summary['final_festering']} festering at the end",
        ]
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Run once and write ``timeseries``, ``summary``, optional ``edges`` and ``manifest.json``."""
    import pandas as pd

    scenario = scenario_from_args(args)
    place = None
    if args.organisations_csv or args.relationships_csv:
        if not (args.organisations_csv and args.relationships_csv):
            raise ScenarioError("--organisations-csv and --relationships-csv go together")
        place = place_from_csv(args.organisations_csv, args.relationships_csv, scenario.kinds)
    started = time.perf_counter()
    result = run(scenario, steps=args.steps, seed=args.seed, place=place, engine=args.engine,
                 snapshot_steps=_snapshot_steps(args.snapshots))
    seconds = time.perf_counter() - started
    tables = {
        "timeseries": result.timeseries,
        "summary": pd.DataFrame([{"scenario": scenario.name, "seed": args.seed, **result.summary}]),
    }
    if len(result.snapshots):
        tables["edges"] = result.snapshots
    with OutputFolder(args.out) as folder:  # tables and manifest renamed into place together, or none
        files = write_tables(folder, tables, args.format)
        folder.write_json(
            "manifest.json",
            manifest(command="run", scenario=scenario.to_dict(), seed=args.seed, steps=args.steps,
                     engine=args.engine, files=files, seconds=round(seconds, 3)),
        )
    print(format_summary(result.summary, scenario.name, args.seed))
    print(f"wrote {', '.join(files.values())} and manifest.json to {args.out}/ in {seconds:.1f} s")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """Print the shipped scenarios and the first comment line of each."""
    for name, path in shipped_scenarios().items():
        first = next((ln[1:].strip() for ln in path.read_text().splitlines() if ln.startswith("#")), "")
        load_scenario(name)  # every shipped scenario must load
        print(f"{name:24s} {first}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """Print every scalar parameter: key, default, range, unit and meaning."""
    for p in PARAMETERS:
        print(f"{p.key:40s} {p.default!s:>8s}  {p.range_text():28s} {p.unit:20s} {p.doc}")
    return 0
