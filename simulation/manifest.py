"""Run manifests: what was run, with which parameters, seed and package version."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .outputs import dumps_json, write_atomic

__all__ = ["manifest", "write_json_atomic", "file_record"]


def manifest(**fields: Any) -> dict[str, Any]:
    """A manifest dictionary: the given fields plus versions and a timestamp."""
    import mesa
    import numpy

    from . import __version__

    return {
        "package": "speed-of-trust",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        **fields,
    }


def file_record(path: str | Path) -> dict[str, Any]:
    """A file an output was made from: its path as given, resolved path, size and SHA-256, for a manifest.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = Path(d) / "o.csv"
    ...     _ = f.write_text("id,name,kind\\n")
    ...     file_record(f)["sha256"][:12], file_record(f)["bytes"]
    ('6fd91e33c423', 13)
    """
    import hashlib

    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"path": str(path), "resolved": str(path.resolve()), "bytes": path.stat().st_size,
            "sha256": digest.hexdigest()}


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as strict JSON to ``path`` atomically (temp file, flush, rename); ``NaN`` and infinities as null.

    Raises
    ------
    OutputError
        If it cannot be written (the message names the path).
    """
    text = dumps_json(data)
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
