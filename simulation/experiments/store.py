"""Results on disk: Parquet chunks written atomically, and resume.

Layout of a sweep folder::

    DIR/experiment.toml         the experiment file, as given
    DIR/base_scenario.json      the base scenario, resolved (a resume checks it is unchanged)
    DIR/plan.parquet            every planned run: run_id, sample, replicate, seed, parameters
    DIR/design.parquet          the design, with the raw sampler values (x:<name>)
    DIR/manifest.json           versions, seeds, sessions and timings
    DIR/runs/chunk-<id>.parquet        per-run outcomes (the commit record)
    DIR/timeseries/chunk-<id>.parquet  per-step tables of the same runs
    DIR/snapshots/chunk-<id>.parquet   optional per-edge snapshots

Each file is written to a temporary name, flushed to disk and renamed
(:func:`os.replace`), so a reader never sees half a file. A chunk's
``runs`` file is written last: a chunk exists if and only if its ``runs``
file does, so time series of a chunk interrupted before that are ignored and
removed on resume, and those runs are simply run again.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..outputs import OutputError, write_atomic
from ..scenario import ScenarioError

__all__ = ["TABLES", "ResultStore", "write_parquet_atomic", "read_parquet_file", "read_table"]

#: The chunked tables, the first being the commit record.
TABLES: tuple[str, ...] = ("runs", "timeseries", "snapshots")


def write_parquet_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` as Parquet atomically (:func:`~simulation.outputs.write_atomic`).

    Raises
    ------
    OutputError
        If it cannot be written (full disk, no permission ...): one line naming the path; no temp file is left.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    return write_atomic(path, lambda tmp: pq.write_table(table, str(tmp)))


def read_parquet_file(path: str | Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """One Parquet file of a sweep folder; a damaged or foreign file raises one :class:`ScenarioError` naming it."""
    try:
        return pd.read_parquet(path, columns=list(columns) if columns is not None else None)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ScenarioError(f"{path}: not a readable results file ({first}); remove it, or run the sweep again "
                            "with --overwrite") from None


def _chunk_id(path: Path) -> str:
    return path.stem.removeprefix("chunk-")


class ResultStore:
    """A sweep's folder: committed chunks, completed run ids and table readers.

    Parameters
    ----------
    root : path
        The sweep folder.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._lock_fh = None

    # -- writing ---------------------------------------------------------
    def lock(self) -> None:
        """Take an exclusive lock on the folder (released on exit, even on SIGKILL).

        Raises
        ------
        ScenarioError
            If another sweep is writing to the same folder.
        """
        import fcntl

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / ".lock", "w")  # noqa: SIM115 - held open for the sweep's lifetime
        except FileExistsError:
            raise OutputError(f"cannot write {self.root}: it exists and is not a folder") from None
        except OSError as exc:
            raise OutputError(f"cannot write {exc.filename or self.root}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise ScenarioError(f"--out {self.root}: another sweep is writing to this folder") from None
        self._lock_fh = fh

    def unlock(self) -> None:
        """Release the folder lock."""
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def clean(self) -> int:
        """Remove temporary files and uncommitted chunks; return how many files went."""
        removed = 0
        committed = self.chunk_ids()
        for table in TABLES:
            folder = self.root / table
            if not folder.exists():
                continue
            for f in folder.iterdir():
                orphan = f.suffix == ".parquet" and table != "runs" and _chunk_id(f) not in committed
                if f.name.endswith(".tmp") or orphan:
                    f.unlink(missing_ok=True)
                    removed += 1
        for f in self.root.glob(".*.tmp"):
            f.unlink(missing_ok=True)
            removed += 1
        return removed

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> str:
        """Write one chunk (``runs`` plus optional ``timeseries``/``snapshots``); ``runs`` last.

        Returns
        -------
        str
            The chunk id.
        """
        cid = f"{pd.Timestamp.now('UTC').strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
        for name in TABLES[1:]:
            df = tables.get(name)
            if df is not None and len(df):
                (self.root / name).mkdir(parents=True, exist_ok=True)
                write_parquet_atomic(df, self.root / name / f"chunk-{cid}.parquet")
        (self.root / "runs").mkdir(parents=True, exist_ok=True)
        write_parquet_atomic(tables["runs"], self.root / "runs" / f"chunk-{cid}.parquet")
        return cid

    # -- reading ---------------------------------------------------------
    def chunk_ids(self) -> set[str]:
        """Ids of committed chunks (those whose ``runs`` file exists)."""
        folder = self.root / "runs"
        return {_chunk_id(f) for f in folder.glob("chunk-*.parquet")} if folder.exists() else set()

    def completed(self) -> set[int]:
        """Run ids already recorded (finished or failed)."""
        runs = self.read("runs", columns=["run_id"])
        return set(runs["run_id"].tolist()) if len(runs) else set()

    def read(self, table: str = "runs", columns: Iterable[str] | None = None) -> pd.DataFrame:
        """One table over all committed chunks, sorted by ``run_id`` (and ``step``)."""
        return read_table(self.root, table, columns=columns, chunks=self.chunk_ids())


def read_table(
    root: str | Path, table: str = "runs", *, columns: Iterable[str] | None = None, chunks: set[str] | None = None
) -> pd.DataFrame:
    """Read a chunked table of a sweep folder, committed chunks only.

    Parameters
    ----------
    root : path
        Sweep folder.
    table : {"runs", "timeseries", "snapshots"}
    columns : iterable of str, optional
        Columns to read (all by default).
    chunks : set of str, optional
        Chunk ids to read (default: the committed ones).
    """
    root = Path(root)
    if table not in TABLES:
        raise ScenarioError(f"unknown table {table!r}: expected one of {', '.join(TABLES)}")
    if chunks is None:
        chunks = ResultStore(root).chunk_ids()
    folder = root / table
    files = sorted(f for f in folder.glob("chunk-*.parquet") if _chunk_id(f) in chunks) if folder.exists() else []
    cols = list(columns) if columns is not None else None
    frames = []
    for f in files:
        with contextlib.suppress(FileNotFoundError):
            frames.append(read_parquet_file(f, columns=cols))
    if not frames:
        return pd.DataFrame(columns=cols or ["run_id"])
    df = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    keys = [k for k in ("run_id", "step") if k in df.columns]
    return df.sort_values(keys, kind="stable").reset_index(drop=True) if keys else df
