"""The session log: one JSON object a line, appended and synced to disk as the session goes.

The first line is the ``session`` record (seed, scenario, round length,
join code, teacher token); every later line is an event the session applied
(``join``, ``choice``, ``start``, ``pause``, ``advance``, ``shock``,
``config``, ``end``). Replaying the events on a session built from the first
line gives the same state (docs/classroom.md).

One server writes a log at a time: :class:`SessionLog` holds an exclusive
lock on the file (released by the operating system when the process ends,
however it ends), and a second writer is refused. A write that fails (a full
disk) is undone, so the file always ends with a complete record; a last line
cut by a crash is dropped by :func:`repair_log` before a resumed session
appends to it.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.jsonl"
>>> log = SessionLog(path)
>>> log.append({"event": "session", "seed": 1})
>>> log.append({"event": "start"})
>>> [e["event"] for e in read_log(path)]
['session', 'start']
>>> log.close()
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

from ..scenario import ScenarioError

try:  # POSIX; elsewhere a log is not locked (docs/classroom.md)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["SessionLog", "LogBusyError", "LogWriteError", "read_log", "read_numbered", "repair_log"]


class LogBusyError(ScenarioError):
    """Another process (another classroom server) writes this log."""


class LogWriteError(OSError):
    """A record could not be written (a full disk, a removed folder): nothing of it is left in the file."""


class SessionLog:
    """An append-only JSON-lines file; each record is written and synced before ``append`` returns.

    Parameters
    ----------
    path : path-like
        The file (created if missing; an existing one is appended to).

    Raises
    ------
    LogBusyError
        If another open :class:`SessionLog` (in this or another process) holds the file.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if fcntl is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(self._fd)
                raise LogBusyError(f"session log {self.path} is in use by another classroom server: "
                                   "stop that one first (one server per log)") from None
        self._lock = threading.Lock()

    def _write(self, data: bytes) -> None:
        """Write all of ``data`` at the end of the file and sync it (tests replace this to simulate a full disk)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as a line and make it durable.

        Raises
        ------
        LogWriteError
            If the write fails; the file is cut back to where it was, so it still ends with a whole record.
        """
        data = (json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")
        with self._lock:
            end = os.fstat(self._fd).st_size
            try:
                self._write(data)
            except OSError as exc:
                with contextlib.suppress(OSError):  # if even this fails, the resume repairs the cut line
                    os.ftruncate(self._fd, end)
                full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
                raise LogWriteError(exc.errno, ("the disk is full" if full else os.strerror(exc.errno or 0))
                                    + f": {self.path}") from None

    def close(self) -> None:
        """Release the lock and close the file (again: nothing)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def _lines(p: Path) -> tuple[list[bytes], int]:
    """The complete lines of the file and the number of bytes they take (a cut last line is left out)."""
    if not p.is_file():
        raise ScenarioError(f"--resume {p}: no such session log")
    data = p.read_bytes()
    end = data.rfind(b"\n") + 1
    return data[:end].splitlines(), end


def repair_log(path: str | os.PathLike) -> int:
    """Drop a last line cut by a crash (truncate the file to its last complete record); returns the bytes dropped."""
    p = Path(path)
    _, end = _lines(p)
    size = p.stat().st_size
    if size > end:
        with open(p, "r+b") as f:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())
    return size - end


def read_numbered(path: str | os.PathLike) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` of each complete line of a session log (a cut last line is left out).

    Raises
    ------
    ScenarioError
        If the file is missing, does not start with a ``session`` record, or
        a complete line is not a UTF-8 JSON object (naming the line).
    """
    p = Path(path)
    lines, _ = _lines(p)
    records = []
    for k, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):  # JSON or UTF-8
            raise ScenarioError(f"--resume {p}: line {k} is not JSON") from None
        if not isinstance(record, dict) or not isinstance(record.get("event"), str):
            raise ScenarioError(f"--resume {p}: line {k} is not a session record (expected an object with 'event')")
        records.append((k, record))
    if not records or records[0][1].get("event") != "session":
        raise ScenarioError(f"--resume {p}: not a session log (the first line must be a session record)")
    return records


def read_log(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of a session log (a last line cut short by a crash is left out); see :func:`read_numbered`."""
    return [record for _, record in read_numbered(path)]
