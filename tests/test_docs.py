"""The documents agree with the code: every parameter row of docs/ODD.md shows the default in PARAMETERS."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from simulation import PARAMETERS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
ROW = re.compile(r"^\| `(place|dynamics|interventions|staff|costs)\.(\w+)` \| [^|]+ \| ([^|]+) \|", re.M)


def _documented() -> dict[str, str]:
    return {name: default.strip() for _, name, default in ROW.findall(ODD.read_text(encoding="utf-8"))}


def test_every_parameter_has_a_row_in_the_odd():
    missing = sorted({p.name for p in PARAMETERS} - set(_documented()))
    assert not missing, f"docs/ODD.md has no parameter row for {missing}"


@pytest.mark.parametrize("spec", PARAMETERS, ids=lambda p: p.name)
def test_the_odd_shows_the_default(spec):
    shown = _documented()[spec.name]
    if spec.kind is bool:
        assert shown == str(spec.default).lower()
    else:
        value = float(Fraction(re.match(r"-?[0-9./]+", shown).group(0)))  # "1/48" is written as a fraction
        assert value == pytest.approx(spec.default), f"{spec.name}: ODD shows {shown}, default is {spec.default}"


def test_the_odd_marks_the_calibrated_defaults():
    from simulation.scenario import CALIBRATED

    documented = _documented()
    marked = {name for name, shown in documented.items() if shown.endswith("(calibrated)")}
    assert marked == set(CALIBRATED.values)
