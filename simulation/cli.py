"""Command line: thin commands over the public API.

``python -m simulation run --scenario default --steps 120 --seed 1 --out results/run``

Every command lives in a module exposing ``register(subparsers)``, which adds
its sub-parser and sets ``func`` to a callable taking the parsed arguments and
returning an exit code. Bad input of any kind (a flag, a scenario file, a
parameter) ends with one ``error:`` line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .scenario import ScenarioError

__all__ = ["main", "build_parser", "COMMAND_MODULES", "OneLineParser", "describe_os_error"]

#: Modules contributing sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "simulation.commands.run",
    "simulation.commands.dashboard",
    "simulation.commands.sweep",
    "simulation.commands.classroom",
    "simulation.commands.calibrate",
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusals are one ``error:`` line (exit 2), not a usage block."""

    def error(self, message: str):
        """Print ``error: <prog>: <message>`` and exit with code 2."""
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation: the path and what went wrong.

    Examples
    --------
    >>> import errno
    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device", "results/run/timeseries.parquet"))
    'results/run/timeseries.parquet: No space left on device'
    """
    path = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{path}: {reason}" if path else reason


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    from . import __version__

    parser = OneLineParser(
        prog="speed-of-trust",
        description="Trust between health and care leaders, and the speed of integration.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m simulation`` and the ``speed-of-trust`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file the command reads or writes: full disk, no permission, path too long ...
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: out of memory: use a smaller place, fewer runs or fewer months", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
