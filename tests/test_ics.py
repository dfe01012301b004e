"""England's 42 integrated care systems as a place set: the table loads, its counts are its lists, scenarios build."""

from __future__ import annotations

import csv
import statistics

import pytest

from simulation import load_scenario
from simulation.ics import ICS_PATH, SOURCE, ics_scenario, ics_scenarios, load_ics
from simulation.scenario import ScenarioError

SYSTEMS = load_ics()


def test_there_are_42_systems_with_unique_codes_in_seven_regions():
    assert len(SYSTEMS) == 42
    assert len({s.ons_code for s in SYSTEMS.values()}) == 42
    assert len({s.region for s in SYSTEMS.values()}) == 7
    assert SOURCE.url.startswith("https://") and SOURCE.year == 2023


def test_the_counts_are_the_source_lists_and_in_a_plausible_range():
    trusts = [s.nhs_trusts for s in SYSTEMS.values()]
    councils = [s.councils for s in SYSTEMS.values()]
    assert min(trusts) >= 3 and max(trusts) <= 18
    assert min(councils) >= 1 and max(councils) <= 13
    assert statistics.median(trusts) == 6 and statistics.median(councils) == 3
    assert all(s.ambulance_trusts >= 1 for s in SYSTEMS.values())


def test_a_row_becomes_the_scenarios_organisations():
    gm = SYSTEMS["QOP"]
    assert gm.organisations(40) == {"nhs_trust": 10, "council": 10, "voluntary": 40}
    sc = ics_scenario("QOP", voluntary=40)
    assert sc.organisations == {"nhs_trust": 10, "council": 10, "voluntary": 40}
    assert sc.params == load_scenario("default").params


def test_every_system_builds_a_scenario():
    scenarios = ics_scenarios(voluntary=20, ambulance=False)
    assert set(scenarios) == set(SYSTEMS)
    for code, sc in scenarios.items():
        s = SYSTEMS[code]
        assert sc.organisations == {"nhs_trust": s.nhs_trusts - s.ambulance_trusts, "council": s.councils,
                                    "voluntary": 20}


def test_an_unknown_code_and_a_bad_count_are_refused():
    with pytest.raises(ScenarioError, match=r"ics: 'XYZ' is not an integrated care system code; codes: QE1"):
        ics_scenario("XYZ")
    with pytest.raises(ScenarioError, match=r"voluntary: -1 is not a count"):
        SYSTEMS["QOP"].organisations(-1)


def test_a_table_whose_count_disagrees_with_its_list_is_refused(tmp_path):
    rows = list(csv.reader(ICS_PATH.open(encoding="utf-8")))
    rows[1][4] = str(int(rows[1][4]) + 1)
    bad = tmp_path / "ics.csv"
    with bad.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(ScenarioError, match=r"row 2 \(QYG\): nhs_trusts 19 / councils 9 do not match"):
        load_ics(bad)


def test_the_largest_and_smallest_systems_run():
    from simulation import run

    by_size = sorted(SYSTEMS.values(), key=lambda s: s.nhs_trusts + s.councils)
    for ics in (by_size[0], by_size[-1]):
        result = run(ics_scenario(ics.code, voluntary=20), steps=6, seed=3)
        assert result.summary["steps"] == 6
        assert result.timeseries["relationships"].iloc[0] > 0
