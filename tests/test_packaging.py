"""Packaging: extras split by task, every upper pin explained, a licence and a citation file that agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT_TEXT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
PROJECT = tomllib.loads(PYPROJECT_TEXT)["project"]
EXTRAS = PROJECT["optional-dependencies"]
SELF = "speed-of-trust["


def _expand(extra: str) -> set[str]:
    """The requirements an extra pulls, its own extras' followed (names only, lower case)."""
    out: set[str] = set()
    for req in EXTRAS[extra]:
        if req.startswith(SELF):
            for inner in req[len(SELF):-1].split(","):
                out |= _expand(inner)
        else:
            out.add(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower())
    return out


def test_extras_by_task_and_the_aliases_the_readme_uses():
    assert {"sweeps", "robustness", "calibration", "dask", "dashboard", "classroom", "notebooks", "all",
            "experiments", "test"} <= set(EXTRAS)
    assert _expand("experiments") == _expand("sweeps") | _expand("robustness") | _expand("calibration") | \
        _expand("dask")
    everything = set().union(*(_expand(e) for e in EXTRAS if e != "test"))
    assert everything <= _expand("test")
    assert _expand("all") == everything


def test_the_task_extras_do_not_pull_each_others_heavy_dependencies():
    assert "pyabc" not in _expand("sweeps") | _expand("robustness") | _expand("dask")
    assert "ema-workbench" not in _expand("sweeps") | _expand("calibration") | _expand("dask")


def test_the_notebooks_extra_gives_a_front_end():
    assert "jupyterlab" in _expand("notebooks")


def test_every_upper_pin_says_why_beside_it():
    lines = [ln for ln in PYPROJECT_TEXT.splitlines() if re.search(r'"[A-Za-z][^"]*<\d', ln)]
    assert lines, "expected the pins of mesa, ema-workbench, ipyvue and ipyvuetify"
    for i, line in enumerate(PYPROJECT_TEXT.splitlines()):
        if line in lines:
            before = PYPROJECT_TEXT.splitlines()[i - 1].strip()
            assert "#" in line or before.startswith("#"), f"an upper pin without its reason: {line.strip()}"


def test_python_has_an_upper_bound():
    assert re.fullmatch(r">=3\.11,<3\.\d+", PROJECT["requires-python"])


def test_licence_file_matches_pyproject():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PROJECT["license"] == {"text": "MIT"}
    assert text.startswith("MIT License") and "the speed-of-trust authors" in text


def test_citation_file_has_cff_1_2_0_required_keys_and_the_package_version():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] and cff["authors"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert str(cff["version"]) == PROJECT["version"]
    assert cff["license"] == "MIT"
