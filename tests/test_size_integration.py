"""Integration weighted by organisation size: the sizes (drawn or given), the outcome in both engines, refusals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation import Place, Scenario, ScenarioError, run
from simulation.interventions import merge_organisations
from simulation.kernel import integration_measures
from simulation.kinds import default_kinds
from simulation.outcomes import integration_index, size_integration, summarise_columns
from simulation.place import place_from_csv
from simulation.relationships import Leaders, Relationships
from simulation.scenario import BEHAVIOUR_OFF

#: Five organisations: 0-1 and 3-4 trust each other (0.9), 1-2 barely (0.1); sizes in £m.
SIZES = [500.0, 150.0, 0.5, 300.0, 0.01]


def _place(size=SIZES) -> Place:
    return Place(ids=list(range(5)), names=list("ABCDE"),
                 kinds=["nhs_trust", "council", "voluntary", "nhs_trust", "voluntary"],
                 pairs=np.array([[0, 1], [1, 2], [3, 4]]),
                 trust=np.array([[0.9, 0.9], [0.1, 0.1], [0.9, 0.9]]), size=size)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_hand_checked_place_in_both_engines(engine):
    """At set-up the partnerships 0-1 (650 of 950.51) and 3-4 (300.01): the first holds the most of the place."""
    result = run(Scenario(organisations={"nhs_trust": 2, "council": 1, "voluntary": 2}), steps=0, seed=3,
                 place=_place(), engine=engine)
    row = result.timeseries.iloc[0]
    assert row["size_integration"] == pytest.approx(650.0 / sum(SIZES), rel=1e-12)
    assert row["integration"] == pytest.approx(2 / 5)  # head-count: two of five either way


def test_equal_sizes_give_the_head_count_index_in_both_engines():
    for engine in ("fast", "reference"):
        row = run(steps=0, seed=3, place=_place([2.0] * 5), engine=engine).timeseries.iloc[0]
        assert row["size_integration"] == row["integration"] == pytest.approx(2 / 5)


def _model(pairs, trust, sizes, threshold=0.5):
    rel = Relationships.from_pairs(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), np.asarray(trust, dtype=float),
                                   np.ones(len(pairs)))
    leaders = SimpleNamespace(n=len(sizes), size=np.asarray(sizes, dtype=float), merged=np.zeros(len(sizes), bool),
                              statutory=np.ones(len(sizes), bool))
    return SimpleNamespace(relationships=rel, leaders=leaders, params={"partnership_threshold": threshold})


@st.composite
def places(draw):
    n = draw(st.integers(2, 9))
    every = [(i, j) for i in range(n) for j in range(i + 1, n)]
    pairs = draw(st.lists(st.sampled_from(every), min_size=0, max_size=len(every), unique=True))
    trust = draw(st.lists(st.floats(0, 1), min_size=2 * len(pairs), max_size=2 * len(pairs)))
    sizes = draw(st.lists(st.floats(1e-3, 1e4), min_size=n, max_size=n))
    return sorted(pairs), trust, sizes, draw(st.floats(0.05, 0.95))


@given(places())
def test_size_integration_is_a_share_and_the_kernel_agrees(case):
    pairs, trust, sizes, threshold = case
    m = _model(pairs, trust, sizes, threshold)
    value = size_integration(m)
    assert 0.0 <= value <= 1.0 + 1e-12
    n = len(sizes)
    kernel = integration_measures(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), np.asarray(trust, dtype=float),
                                  len(pairs), n, threshold, n, np.ones(n, bool), np.zeros(n, bool),
                                  np.asarray(sizes, dtype=float))
    assert kernel[3] == pytest.approx(value, rel=1e-9, abs=1e-12)
    equal = _model(pairs, trust, [7.0] * n, threshold)
    assert size_integration(equal) == pytest.approx(integration_index(equal), rel=1e-12)


def test_sizes_are_drawn_per_kind_and_leave_the_dynamics_alone():
    """The sizes' generator is spawned: given sizes change the size index, not one draw of the run."""
    scenario = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 10}, **BEHAVIOUR_OFF)
    drawn = run(scenario, steps=12, seed=5, snapshot_steps=[0])
    base = run(scenario, steps=0, seed=5)
    assert base.timeseries.iloc[0]["size_integration"] == drawn.timeseries.iloc[0]["size_integration"]
    from simulation.model import TrustModel

    m = TrustModel(scenario, rng=5)
    sizes = m.leaders.size
    kinds = default_kinds()
    assert (sizes > 0).all()
    voluntary = sizes[[k == "voluntary" for k in m.place.kinds]]
    assert voluntary.max() < 10 * kinds["voluntary"].size_median * np.exp(3 * kinds["voluntary"].size_spread)
    assert sizes[:3].min() > voluntary.min()  # trusts: hundreds of £m; voluntary bodies: mostly thousands of £
    given_place = m.place
    given_place.size = np.full(given_place.n_organisations, 1.0)
    fixed = run(scenario, steps=12, seed=5, place=given_place)
    np.testing.assert_array_equal(fixed.timeseries["integration"], drawn.timeseries["integration"])
    np.testing.assert_array_equal(fixed.timeseries["size_integration"], fixed.timeseries["integration"])


def test_a_merger_passes_the_size_to_the_acquirer():
    rel = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.full(4, 0.8), np.ones(2))
    leaders = Leaders(kind=np.zeros(3, dtype=np.int64), kind_names=["council"], sector=np.zeros(3, dtype=np.int64),
                      statutory=np.ones(3, bool), contact_weight=np.ones(3), raw_traits=np.full((4, 3), 0.5),
                      size=np.array([5.0, 3.0, 2.0]))
    merge_organisations(rel, leaders, absorbed=2, into=0, kept=1.0, disruption=0.0)
    assert leaders.size.tolist() == [7.0, 3.0, 0.0]


def test_the_run_summary_reports_the_size_index():
    out = summarise_columns({"integration": [0.0, 0.2, 0.4], "mean_trust": [0.3] * 3, "partnership_share": [0] * 3,
                             "conflicts_arisen": [0] * 3, "conflicts_resolved": [0] * 3,
                             "conflicts_festering": [0] * 3, "size_integration": [0.1, 0.6, 0.7]})
    assert (out["final_size_integration"], out["size_months_to_50"], out["size_censored_50"]) == (0.7, 1.0, False)


def test_a_csv_place_gives_sizes_and_blanks_are_drawn(tmp_path):
    orgs, rels = tmp_path / "orgs.csv", tmp_path / "rels.csv"
    orgs.write_text("id,name,kind,size\na,A,nhs_trust,600\nb,B,council,\nc,C,voluntary,0.02\n")
    rels.write_text("source,target\na,b\nb,c\n")
    place = place_from_csv(orgs, rels)
    assert place.size[0] == 600.0 and np.isnan(place.size[1]) and place.size[2] == 0.02
    from simulation.model import TrustModel

    sizes = TrustModel(place=place, rng=1).leaders.size
    assert sizes[0] == 600.0 and sizes[2] == 0.02 and 0 < sizes[1] != 600.0


@pytest.mark.parametrize(("size", "match"), [
    ([1.0, -1.0, 1.0, 1.0, 1.0], r"place: size\[1\] = -1\.0 is out of range: expected a number in \(0, 1,000,000\]"),
    ([0.0] * 5, r"place: size\[0\] = 0\.0 is out of range"),
    ([1.0, 1.0, 1.0, 1.0, np.inf], r"place: size\[4\] = inf is out of range"),
    ([1.0, 2.0], r"place: size has shape \(2,\): expected \(5,\), one per organisation"),
    (["big"] * 5, r"place: size = .* has the wrong type: expected numbers in \(0, 1,000,000\]"),
])
def test_a_bad_given_size_is_refused(size, match):
    with pytest.raises(ScenarioError, match=match):
        _place(size)


def test_a_bad_csv_size_is_refused(tmp_path):
    orgs, rels = tmp_path / "orgs.csv", tmp_path / "rels.csv"
    orgs.write_text("id,name,kind,size\na,A,nhs_trust,0\nb,B,council,5\n")
    rels.write_text("source,target\na,b\n")
    with pytest.raises(ScenarioError, match=r"orgs\.csv: column size row 2 = 0 is out of range: expected a number in "
                                            r"\(0, 1,000,000\] or blank"):
        place_from_csv(orgs, rels)


@pytest.mark.parametrize(("key", "value", "match"), [
    ("size_median", 0, r"kinds\.voluntary\.size_median = 0 is out of range: expected a number in \(0, 1,000,000\] "
                       r"\(£ million a year\)"),
    ("size_median", "large", r"kinds\.voluntary\.size_median = 'large' is out of range"),
    ("size_spread", 6.0, r"kinds\.voluntary\.size_spread = 6\.0 is out of range: expected a number in \[0, 5\]"),
    ("size_spread", -0.1, r"kinds\.voluntary\.size_spread = -0\.1 is out of range"),
])
def test_a_bad_size_distribution_is_refused(key, value, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_dict({"kinds": {"voluntary": {key: value}}})


def test_a_scenario_file_sets_a_kinds_sizes_and_keeps_them():
    s = Scenario.from_dict({"kinds": {"voluntary": {"size_median": 0.2, "size_spread": 1.0}}})
    assert (s.kinds["voluntary"].size_median, s.kinds["voluntary"].size_spread) == (0.2, 1.0)
    assert s.kinds["nhs_trust"].size_median == default_kinds()["nhs_trust"].size_median
