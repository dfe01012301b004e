"""Writing outputs safely: every file under a temporary name in its folder, renamed into place when complete.

A reader never sees half a file, and a command that fails (a full disk, a
read-only folder, a path too long) leaves nothing half-written: the files of
one :class:`OutputFolder` are staged together and renamed together at the end,
or removed together, and the failure becomes one :class:`OutputError` naming
the path. JSON is written strictly (:func:`json_safe`): ``NaN`` and infinities
become ``null``, so a manifest is always valid JSON.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     with OutputFolder(pathlib.Path(d) / "out") as folder:
...         _ = folder.write_text("a.txt", "hello")
...         _ = folder.write_json("m.json", {"x": float("nan")})
...     sorted(p.name for p in (pathlib.Path(d) / "out").iterdir())
['a.txt', 'm.json']
>>> json_safe({"x": [1.0, float("inf")]})
{'x': [1.0, None]}
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .scenario import ScenarioError

__all__ = ["OutputError", "OutputFolder", "temporary_name", "write_atomic", "json_safe", "dumps_json"]


class OutputError(ScenarioError):
    """An output could not be written (full disk, no permission, path too long ...); the message names the path."""


def temporary_name(path: Path) -> Path:
    """A fresh temporary name beside ``path``: ``.<name>.<pid>.<random>.tmp`` (hidden; cleaned by name)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")


def _error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"cannot write {path}: {reason}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OutputFolder:
    """A folder's outputs written as one: staged under temporary names, renamed into place when the block ends.

    Parameters
    ----------
    root : path
        The folder (made, with its parents, if missing).

    On leaving the ``with`` block normally every staged file is flushed and
    renamed to its name; on an exception every staged file is removed (and the
    folder too, if this block made it and it is empty), and an ``OSError``
    becomes one :class:`OutputError` naming the path.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.staged: dict[Path, Path] = {}  # final path -> temporary path
        self._made: list[Path] = []

    def __enter__(self) -> OutputFolder:
        missing = []
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputError(f"cannot write {self.root}: it exists and is not a folder") from None
        except OSError as exc:
            raise _error(self.root, exc) from None
        if not self.root.is_dir():
            raise OutputError(f"cannot write {self.root}: it exists and is not a folder")
        self._made = missing
        return self

    def write(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Stage file ``name``: ``writer(temporary_path)`` writes it. Returns the final path."""
        final = self.root / name
        tmp = temporary_name(final)
        self.staged[final] = tmp
        try:
            writer(tmp)
        except OSError as exc:
            raise _error(final, exc) from None
        return final

    def write_text(self, name: str, text: str) -> Path:
        """Stage a UTF-8 text file."""
        return self.write(name, lambda p: p.write_text(text, encoding="utf-8"))

    def write_json(self, name: str, data: Any) -> Path:
        """Stage a JSON file (strict: non-finite numbers written as ``null``)."""
        return self.write_text(name, dumps_json(data))

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            final = self.root
            try:
                for final, tmp in self.staged.items():  # noqa: B007 - ``final`` is named in the error
                    _fsync(tmp)
                for final, tmp in self.staged.items():
                    os.replace(tmp, final)
            except OSError as err:
                self._discard()
                raise _error(final, err) from None
            self.staged.clear()
            return
        self._discard()
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            where = Path(exc.filename) if exc.filename else self.root
            raise _error(where, exc) from None

    def _discard(self) -> None:
        for tmp in self.staged.values():
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self.staged.clear()
        for folder in self._made:  # innermost first: only folders this block made, and only if empty
            try:
                folder.rmdir()
            except OSError:
                break


def write_atomic(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Write one file atomically: ``writer(temporary_path)``, flushed, then renamed to ``path``."""
    path = Path(path)
    with OutputFolder(path.parent) as folder:
        folder.write(path.name, writer)
    return path


def json_safe(data: Any) -> Any:
    """``data`` with every non-finite float (``NaN``, infinities) replaced by ``None``, numpy scalars as Python's."""
    if hasattr(data, "item") and not isinstance(data, list | tuple | Mapping | str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            data = data.item()
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, Mapping):
        return {str(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple | set | frozenset):
        return [json_safe(v) for v in data]
    if isinstance(data, Path):
        return str(data)
    return data


def dumps_json(data: Any) -> str:
    """Strict JSON text of ``data`` (indented, a final newline); see :func:`json_safe`."""
    return json.dumps(json_safe(data), indent=2, allow_nan=False) + "\n"
