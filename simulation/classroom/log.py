"""The session log: one JSON object a line, appended and flushed to disk as the session goes.

The first line is the ``session`` record (seed, scenario, round length,
join code, teacher token); every later line is an event the session applied
(``join``, ``choice``, ``start``, ``pause``, ``advance``, ``shock``,
``config``, ``end``). Replaying the events on a session built from the first
line gives the same state (docs/classroom.md).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.jsonl"
>>> log = SessionLog(path)
>>> log.append({"event": "session", "seed": 1})
>>> log.append({"event": "start"})
>>> [e["event"] for e in read_log(path)]
['session', 'start']
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..scenario import ScenarioError

__all__ = ["SessionLog", "read_log"]


class SessionLog:
    """An append-only JSON-lines file; each record is written, flushed and synced before ``append`` returns.

    Parameters
    ----------
    path : path-like
        The file (created if missing; an existing one is appended to).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the session
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as a line and make it durable."""
        line = json.dumps(record, separators=(",", ":"))  # keys in order: the order of kinds matters
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()


def read_log(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of a session log (a last line cut short by a crash is ignored).

    Raises
    ------
    ScenarioError
        If the file is missing, or does not start with a ``session`` record, or
        a line other than the last is not JSON.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"--resume {p}: no such session log")
    lines = p.read_text(encoding="utf-8").splitlines()
    records = []
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if k == len(lines) - 1:
                break  # the write the crash interrupted
            raise ScenarioError(f"--resume {p}: line {k + 1} is not JSON") from None
    if not records or records[0].get("event") != "session":
        raise ScenarioError(f"--resume {p}: not a session log (the first line must be a session record)")
    return records
