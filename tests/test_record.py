"""The published record loads, every target has a quoted source and a mapping, and its intervals are valid."""

from __future__ import annotations

import math
import tomllib

import pytest

from simulation.experiments.calibration import MILESTONES, calibration_from_dict
from simulation.record import OUTPUTS, RECORD_PATH, ROLES, calibration_target, load_record, record_from_dict
from simulation.scenario import ScenarioError

RAW = tomllib.loads(RECORD_PATH.read_text(encoding="utf-8"))
RECORD = load_record()


def test_the_shipped_record_loads_every_target_and_source():
    assert len(RECORD.targets) == len(RAW["targets"]) >= 12
    assert set(RECORD.sources) == set(RAW["sources"])
    used = {f.source for t in RECORD.targets.values() for f in t.figures}
    assert used == set(RECORD.sources), f"sources never quoted: {sorted(set(RECORD.sources) - used)}"


@pytest.mark.parametrize("key", list(RECORD.targets))
def test_every_target_has_a_source_a_mapping_and_a_valid_interval(key):
    t = RECORD.targets[key]
    assert t.figures and all(f.quote.strip() and f.source in RECORD.sources for f in t.figures)
    assert t.observation and t.mapping and t.interval_basis and t.unit
    assert t.role in ROLES and t.output in OUTPUTS
    assert t.low <= t.high and not math.isnan(t.low) and not math.isnan(t.high)
    if t.value is not None:
        assert t.low <= t.value <= t.high
    if t.role in ("fit", "check"):
        assert t.assumptions, "a fitted or checked target states the assumptions of its mapping"
        assert not OUTPUTS[t.output][1] or t.month is not None


def test_every_source_has_a_title_publisher_and_address():
    for key, cite in RECORD.sources.items():
        assert cite.title and cite.publisher and cite.url.startswith(("https://", "http://")), key
        assert cite.year is None or 1990 <= cite.year <= 2026, key


def test_there_are_fit_targets_on_timing_and_on_the_spread_between_places():
    fit = RECORD.by_role("fit")
    assert {t.output for t in fit} >= {"months_to_50", "share_reaching_50"}
    assert RECORD.by_role("input"), "tenure and place size are inputs, kept apart from the patterns"


def test_the_milestone_outputs_are_the_calibrations():
    assert {k for k, (kind, _, _) in OUTPUTS.items() if kind == "milestone"} == set(MILESTONES)


def test_a_fit_target_becomes_a_calibration_target_the_calibration_accepts():
    t = RECORD.targets["pioneers_plans_to_implementation"]
    table = calibration_target(t)
    assert table == {"measure": "months_to_50", "value": 33.0, "sd": 9.119}
    cfg = calibration_from_dict({"parameters": {"gain_rate": {"low": 0.03, "high": 0.09}}, "targets": [table]})
    assert cfg.targets[0].value == 33.0


@pytest.mark.parametrize(("key", "match"), [
    ("system_leaders_joint_working_2022", "not a measure a calibration file can take"),
    ("nw_london_pilot_first_year", "not fitted"),
    ("chief_executive_tenure", "not fitted"),
])
def test_targets_a_calibration_cannot_take_are_refused_with_the_reason(key, match):
    with pytest.raises(ScenarioError, match=match):
        calibration_target(RECORD.targets[key])


def _target(**changes):
    base = {"key": "k", "observation": "o", "role": "fit", "output": "months_to_50", "low": 10, "high": 20,
            "unit": "months", "interval_basis": "b", "figures": [{"source": "s", "quote": "q"}], "mapping": "m",
            "assumptions": ["a"]}
    base.update(changes)
    return {"sources": {"s": {"title": "t", "publisher": "p", "url": "https://example.org"}}, "targets": [base]}


@pytest.mark.parametrize(("changes", "match"), [
    ({"low": 30}, r"low 30 is above high 20"),
    ({"value": 25}, r"value: 25 is outside \[low, high\] = \[10, 20\]"),
    ({"role": "guess"}, r"role: 'guess' is not a role"),
    ({"output": "happiness"}, r"output: 'happiness' is not a model output"),
    ({"figures": [{"source": "nowhere", "quote": "q"}]}, r"source: 'nowhere' is not in \[sources\]"),
    ({"figures": [{"source": "s", "quote": " "}]}, r"figures\[0\]: expected"),
    ({"output": "integration"}, r"month: output 'integration' is read at a month"),
    ({"low": "ten"}, r"low: 'ten' is not a number"),
    ({"colour": "red"}, r"unknown key\(s\) colour"),
])
def test_a_bad_target_is_refused_with_one_clear_error(changes, match):
    with pytest.raises(ScenarioError, match=match):
        record_from_dict(_target(**changes))


def test_a_source_without_an_address_is_refused():
    data = _target()
    data["sources"]["s"]["url"] = "somewhere"
    with pytest.raises(ScenarioError, match=r"sources.s.url: 'somewhere' is not a web address"):
        record_from_dict(data)


def test_an_unreadable_file_is_one_error(tmp_path):
    bad = tmp_path / "record.toml"
    bad.write_text("[[targets]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cannot read the record"):
        load_record(bad)
