"""``sweep``: run or resume a declarative experiment; ``analyse``: tables, indices and plots of a sweep.

``python -m simulation sweep experiments/quick.toml --out results/quick --analyse``
``python -m simulation analyse results/quick``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scenario import ScenarioError
from .common import positive_int, workers_arg

__all__ = ["register", "cmd_sweep", "cmd_analyse", "resolve_experiment"]

#: The named experiments shipped with the source tree.
EXPERIMENT_DIR = Path(__file__).resolve().parents[2] / "experiments"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` and ``analyse`` sub-commands."""
    p = sub.add_parser(
        "sweep", help="run (or resume) a parameter sweep from an experiment file",
        description="Run every missing run of an experiment, streaming Parquet chunks to --out. "
                    "Re-running the same command after an interruption finishes only the missing runs.",
    )
    p.add_argument("experiment", help="experiment .toml file, or the name of one in experiments/")
    p.add_argument("--out", type=Path, help="output folder (default results/<experiment name>)")
    p.add_argument("--workers", type=workers_arg, default=None,
                   help="local worker processes (default: all cores; 0 runs in this process)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask distributed cluster")
    p.add_argument("--chunk-size", type=positive_int, default=None, help="runs per Parquet chunk")
    p.add_argument("--overwrite", action="store_true", help="delete earlier results in --out first")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="run at most N missing runs now (resume later with the same command)")
    p.add_argument("--analyse", action="store_true", help="analyse the results when the sweep is complete")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)

    a = sub.add_parser("analyse", help="summaries, sensitivity indices and plots of a sweep folder",
                       description="Write summary.csv, sensitivity.csv, marginal.csv (not for Morris designs: "
                                   "unbalanced), PNG plots and report.md to DIR/analysis (or --out); for a "
                                   "robustness design, claims, regret and PRIM boxes instead.")
    a.add_argument("folder", type=Path, metavar="DIR", help="sweep folder")
    a.add_argument("--out", type=Path, help="where to write (default DIR/analysis)")
    a.add_argument("--outcome", dest="outcomes", action="append", metavar="NAME",
                   help="outcome to analyse (repeatable; default: the experiment's)")
    a.add_argument("--heatmap", nargs=2, metavar=("X", "Y"), help="two parameters for the heat map")
    a.add_argument("--no-plots", action="store_true", help="tables only")
    a.add_argument("--partial", action="store_true",
                   help="analyse an incomplete sweep (without it, a sweep missing planned runs exits with code 2)")
    a.set_defaults(func=cmd_analyse)


def resolve_experiment(text: str) -> Path:
    """A path as given, or ``experiments/<name>.toml`` of the source tree.

    Raises
    ------
    ScenarioError
        If neither exists.
    """
    path = Path(text)
    if path.exists():
        return path
    for candidate in (Path("experiments") / f"{text}.toml", EXPERIMENT_DIR / f"{text}.toml"):
        if candidate.exists():
            return candidate
    shipped = sorted(p.stem for p in EXPERIMENT_DIR.glob("*.toml")) if EXPERIMENT_DIR.exists() else []
    raise ScenarioError(f"experiment {text!r}: no such file" + (f"; named experiments: {', '.join(shipped)}"
                                                               if shipped else ""))


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the sweep; print a summary and any failed runs; optionally analyse."""
    from ..experiments import load_experiment, run_sweep

    exp = load_experiment(resolve_experiment(args.experiment))
    if args.scheduler is not None and not args.scheduler.strip():
        raise ScenarioError("--scheduler: expected an address such as tcp://127.0.0.1:8786")
    out = args.out or Path("results") / exp.name
    try:
        report = run_sweep(exp, out, workers=args.workers, scheduler=args.scheduler, chunk_size=args.chunk_size or None,
                           progress=not args.quiet, overwrite=args.overwrite, limit=args.limit)
    except KeyboardInterrupt:
        print(f"interrupted: finished runs are saved in {out}/; re-run the same command to resume", file=sys.stderr)
        return 130
    print(f"{exp.name}: {report.done} runs in {report.seconds:.1f} s, {report.skipped} already done, "
          f"{report.total} planned; results in {out}/")
    if report.failed:
        print(f"{report.failed} run(s) failed (recorded with status 'error' in runs/):", file=sys.stderr)
        for row in report.errors.head(10).to_dict("records"):
            params = ", ".join(f"{n}={_plain(row[n])!r}" for n in exp.names)
            print(f"  run {row['run_id']} (sample {row['sample']}, replicate {row['replicate']}; {params}): "
                  f"{row['error']}", file=sys.stderr)
        if report.failed > 10:
            print(f"  ... and {report.failed - 10} more", file=sys.stderr)
    complete = report.skipped + report.done >= report.total
    if args.analyse and complete and report.failed == report.total:
        print("not analysed: every run failed", file=sys.stderr)
    elif args.analyse and complete:
        _print_analysis(out, None, None, None, plots=True)
    elif args.analyse:
        print(f"not analysed: {report.skipped + report.done:,} of {report.total:,} planned runs recorded; re-run the "
              f"same command to finish, or `analyse {out} --partial`", file=sys.stderr)
    return 1 if report.failed and report.failed == report.total else 0


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _print_analysis(folder: Path, out, outcomes, heatmap, plots: bool, partial: bool = False) -> None:
    from ..experiments.analysis import analyse

    result = analyse(folder, out, outcomes=outcomes, heatmap=tuple(heatmap) if heatmap else None, plots=plots,
                     partial=partial)
    print(result.text.rstrip())
    where = Path(out) if out else folder / "analysis"
    print(f"wrote {', '.join(sorted(p.name for p in result.files.values()))} to {where}/")


def cmd_analyse(args: argparse.Namespace) -> int:
    """Analyse a sweep folder and print the text report."""
    _print_analysis(args.folder, args.out, args.outcomes, args.heatmap, plots=not args.no_plots,
                    partial=args.partial)
    return 0
