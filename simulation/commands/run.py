"""``run``: one model run to tidy tables, a manifest and a short summary; ``scenarios``; ``params``."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from ..compiling import NOTICE, cache_is_warm
from ..manifest import file_record, manifest
from ..outputs import OutputFolder
from ..place import place_from_csv
from ..runs import ENGINES, run
from ..scenario import PARAMETERS, ScenarioError, load_scenario, shipped_scenarios
from .common import add_scenario_arguments, months_arg, parse_override, scenario_from_args, seed_arg

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
    q.add_argument("--search", metavar="WORD", help="only parameters whose key, unit or meaning holds WORD")
    q.set_defaults(func=cmd_params)


def _snapshot_steps(text: str, last: int):
    """The steps of ``--snapshots``: 'all', or integers in ``[0, last]`` (``last`` being ``--steps``)."""
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
    beyond = [s for s in steps if s > last]
    if beyond:
        raise ScenarioError(f"--snapshots {text!r}: step {beyond[0]} is beyond --steps {last}: expected steps in "
                            f"[0, {last}]")
    return steps


def _csv_place(args: argparse.Namespace, scenario):
    """The place of ``--organisations-csv`` and ``--relationships-csv`` and its record, or ``(None, record)``.

    The record says where the place came from: generated from the scenario's
    composition, or the two CSV files (paths, sizes, SHA-256) and the
    composition they hold.
    """
    if not (args.organisations_csv or args.relationships_csv):
        return None, {"source": "generated", "organisations": dict(scenario.organisations)}
    if not (args.organisations_csv and args.relationships_csv):
        raise ScenarioError("--organisations-csv and --relationships-csv go together")
    composition = [key for key, _ in map(parse_override, args.overrides)
                   if key == "organisations" or key.startswith("organisations.")]
    if composition:
        raise ScenarioError(f"--set {composition[0]}: the place comes from --organisations-csv, so its composition "
                            "cannot be set; change the CSV instead")
    place = place_from_csv(args.organisations_csv, args.relationships_csv, scenario.kinds)
    counts = {k: place.kinds.count(k) for k in dict.fromkeys(place.kinds)}
    return place, {"source": "csv", "organisations_csv": file_record(args.organisations_csv),
                   "relationships_csv": file_record(args.relationships_csv), "organisations": counts,
                   "relationships": int(place.n_pairs)}


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
        if fmt == "csv":  # a named index (step) is a column; a row number is not
            path = out.write(f"{name}.{fmt}", lambda tmp, df=df: df.to_csv(tmp, index=df.index.name is not None))
        else:
            path = out.write(f"{name}.{fmt}", df.to_parquet)
        written[name] = path.name
    return written


def format_summary(summary: dict, scenario_name: str, seed: int, place: dict | None = None) -> str:
    """A few human-readable lines about one run (``place``: the record of :func:`_csv_place`, if any)."""

    def when(months: float) -> str:
        if math.isnan(months):
            return "not reached (censored)"
        return f"month {months:.0f} ({months / 12:.1f} years)"

    where = []
    if place is not None and place["source"] == "csv":
        files = (place["organisations_csv"], place["relationships_csv"])
        where = [f"  place: {files[0]['path']} and {files[1]['path']} ({sum(place['organisations'].values())} "
                 f"organisations, {place['relationships']} relationships; sha256 {files[0]['sha256'][:12]}…, "
                 f"{files[1]['sha256'][:12]}…)"]
    elif place is not None:
        where = ["  place: generated from the scenario (" + ", ".join(
            f"{n} {k}" for k, n in place["organisations"].items()) + ")"]
    return "\n".join(
        [
            f"scenario {scenario_name}, seed {seed}, {summary['steps']} months",
            *where,
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

    snapshots = _snapshot_steps(args.snapshots, args.steps)
    scenario = scenario_from_args(args)
    place, place_record = _csv_place(args, scenario)
    if args.engine == "fast" and not cache_is_warm():
        print(NOTICE, file=sys.stderr, flush=True)
    started = time.perf_counter()
    result = run(scenario, steps=args.steps, seed=args.seed, place=place, engine=args.engine,
                 snapshot_steps=snapshots)
    seconds = time.perf_counter() - started
    used = {"place": place_record["source"], "organisations": sum(place_record["organisations"].values())}
    if place is not None:
        for which in ("organisations_csv", "relationships_csv"):
            used[which], used[f"{which}_sha256"] = (place_record[which]["path"], place_record[which]["sha256"])
    tables = {
        "timeseries": result.timeseries,
        "summary": pd.DataFrame([{"scenario": scenario.name, "seed": args.seed, **used, **result.summary}]),
    }
    if len(result.snapshots):
        tables["edges"] = result.snapshots
    recorded = scenario.to_dict()
    recorded["place"]["organisations"] = place_record["organisations"]  # the composition actually used
    with OutputFolder(args.out) as folder:  # tables and manifest renamed into place together, or none
        files = write_tables(folder, tables, args.format)
        folder.write_json(
            "manifest.json",
            manifest(command="run", scenario=recorded, place=place_record, seed=args.seed, steps=args.steps,
                     engine=args.engine, files=files, seconds=round(seconds, 3)),
        )
    print(format_summary(result.summary, scenario.name, args.seed, place_record))
    print(f"wrote {', '.join(files.values())} and manifest.json to {args.out}/ in {seconds:.1f} s")
    return 0


def _console():
    """A rich console on stdout; 120 columns when stdout is not a terminal (a pipe, a file, a test)."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)
    return console


def scenario_description(path: Path) -> str:
    """The comment block at the top of a scenario file, as one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return " ".join(lines)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """Print the shipped scenarios and what each is (its file's opening comment, whole), as a table."""
    from rich.table import Table

    table = Table(title="Shipped scenarios (--scenario NAME)", show_lines=True, title_justify="left")
    table.add_column("scenario", no_wrap=True, style="bold")
    table.add_column("what it is", overflow="fold")
    for name, path in shipped_scenarios().items():
        load_scenario(name)  # every shipped scenario must load
        table.add_row(name, scenario_description(path))
    _console().print(table)
    return 0


def parameter_rows() -> list[tuple[str, str, str, str, str, str]]:
    """Every parameter as (section, key for ``--set``, default, range, unit, meaning): the scalars, then the
    place's composition."""
    from ..kinds import default_kinds

    rows = [(p.section, p.name, f"{p.default:.6g}" if p.kind is float else str(p.default),
             p.range_text().removeprefix("a number in ").replace("an integer", "integer"), p.unit, p.doc)
            for p in PARAMETERS]
    default = load_scenario("default")
    for kind in default_kinds().values():
        rows.append(("place", f"organisations.{kind.name}", str(default.organisations.get(kind.name, 0)),
                     "integer >= 0", "organisations",
                     f"organisations of kind {kind.name} ({kind.label}) in a generated place (not with a CSV place)"))
    return rows


def cmd_params(args: argparse.Namespace) -> int:
    """Print every parameter (key, default, range, unit, meaning) as a table by section; ``--search`` filters."""
    from rich.table import Table

    rows = parameter_rows()
    word = (args.search or "").strip().lower()
    if word:
        rows = [r for r in rows if any(word in cell.lower() for cell in (f"{r[0]}.{r[1]}", r[4], r[5]))]
        if not rows:
            print(f"no parameter matches {args.search!r} (searched keys, units and meanings)")
            return 0
    title = (f"Parameters matching {args.search!r}" if word else "Parameters") + " (--set KEY=VALUE)"
    table = Table(title=title, title_justify="left")
    for name, kw in (("key", {"no_wrap": True}), ("default", {"justify": "right", "no_wrap": True}),
                     ("range", {"max_width": 15}), ("unit", {"max_width": 13}), ("meaning", {"min_width": 30})):
        table.add_column(name, **kw)
    section = None
    for row in rows:
        if row[0] != section:
            if section is not None:
                table.add_section()
            section = row[0]
            table.add_row(f"[bold]\\[{section}][/bold]")
        table.add_row(*row[1:])
    _console().print(table)
    return 0
