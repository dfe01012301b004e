"""Places: generated, from networkx, from CSV, and their validation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulation import Scenario, ScenarioError, TrustModel, generate_place, place_from_csv, place_from_graph
from simulation.place import Place, tie_probabilities
from simulation.sampling import block_model_pairs, draw_initial_state


def test_generated_place_mixes_kinds_as_the_registry_says():
    scenario = Scenario()
    place = generate_place(scenario, np.random.default_rng(0))
    kinds = np.array(place.kinds)
    assert (kinds == "voluntary").sum() == 90
    probs = tie_probabilities(scenario.organisations, scenario.kinds)
    k = kinds[place.pairs]
    nhs_nhs = ((k[:, 0] == "nhs_trust") & (k[:, 1] == "nhs_trust")).sum()
    assert nhs_nhs <= 15 and probs["nhs_trust", "nhs_trust"] == pytest.approx(0.6)
    vv = ((k[:, 0] == "voluntary") & (k[:, 1] == "voluntary")).sum()
    expected_vv = probs["voluntary", "voluntary"] * 90 * 89 / 2
    assert abs(vv - expected_vv) < 5 * np.sqrt(expected_vv) + 10


def test_generation_is_seeded_and_leaves_nobody_isolated():
    s = Scenario(organisations={"nhs_trust": 20, "council": 10, "voluntary": 2000})
    a = generate_place(s, np.random.default_rng(5))
    b = generate_place(s, np.random.default_rng(5))
    np.testing.assert_array_equal(a.pairs, b.pairs)
    assert np.bincount(a.pairs.ravel(), minlength=a.n_organisations).min() >= 1
    assert (a.pairs[:, 0] < a.pairs[:, 1]).all()
    assert len(np.unique(a.pairs, axis=0)) == a.n_pairs


@pytest.mark.parametrize("organisations", [None, {"nhs_trust": 2, "council": 1, "voluntary": 0},
                                           {"nhs_trust": 30, "council": 1, "voluntary": 300}])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_place_passes_the_checks_it_skips(organisations, seed):
    """A generated place is built without Place's checks: built with them, the same fields pass and are unchanged."""
    place = generate_place(Scenario(organisations=organisations), np.random.default_rng(seed))
    checked = Place(ids=list(place.ids), names=list(place.names), kinds=list(place.kinds), pairs=place.pairs.copy())
    assert place.pairs.dtype == np.int64 and place.pairs.shape == checked.pairs.shape
    np.testing.assert_array_equal(place.pairs, checked.pairs)
    assert (place.ids, place.names, place.kinds) == (checked.ids, checked.names, checked.kinds)
    assert (place.traits, place.contact_rate, place.trust, place.size) == ({}, None, None, None)


def test_block_model_ties_each_pair_at_its_blocks_chance():
    """Every possible pair, counted over many places, appears as often as its blocks' chance says."""
    starts = np.array([0, 3, 7])
    chance = np.array([[0.5, 0.2], [0.2, 0.9]])
    cdf = np.array([[0.3, 1.0], [0.1, 1.0]])
    seen = np.zeros((7, 7))
    rng = np.random.default_rng(11)
    places = 4000
    for _ in range(places):
        pairs = block_model_pairs(rng, starts, chance, cdf)
        assert (pairs[:, 0] < pairs[:, 1]).all()
        keys = pairs[:, 0] * 7 + pairs[:, 1]
        assert (np.diff(keys) > 0).all()  # sorted, no duplicates
        assert np.bincount(pairs.ravel(), minlength=7).min() >= 1  # nobody isolated
        seen[pairs[:, 0], pairs[:, 1]] += 1
    block = np.repeat([0, 1], [3, 4])
    tie = chance[block][:, block]
    np.fill_diagonal(tie, 0.0)
    isolated = np.prod(1 - tie, axis=1)  # chance that an organisation's block-model draws leave it alone
    for i in range(7):
        for j in range(i + 1, 7):
            p, sd = tie[i, j], np.sqrt(tie[i, j] * (1 - tie[i, j]) / places)
            # a tie is added only if i or j was left alone: at most that much more often
            assert -4 * sd < seen[i, j] / places - p < isolated[i] + isolated[j] + 4 * sd, (i, j)


def test_block_model_extremes_are_exact():
    rng = np.random.default_rng(0)
    full = block_model_pairs(rng, np.array([0, 4]), np.array([[1.0]]), np.array([[1.0]]))
    assert full.tolist() == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    # no ties at all: each organisation draws one partner, in its block here (the other block has no chance)
    lone = block_model_pairs(rng, np.array([0, 2, 5]), np.zeros((2, 2)), np.array([[1.0, 1.0], [0.0, 1.0]]))
    block = np.repeat([0, 1], [2, 3])
    assert (block[lone[:, 0]] == block[lone[:, 1]]).all()
    assert np.bincount(lone.ravel(), minlength=5).min() >= 1
    # two organisations without a chance of a tie draw each other: the tie is kept once
    assert block_model_pairs(rng, np.array([0, 2]), np.zeros((1, 1)), np.array([[1.0]])).tolist() == [[0, 1]]
    # a sparse place: every organisation isolated, 300 extra ties (some drawn twice) merged in order
    sparse = block_model_pairs(rng, np.array([0, 300]), np.zeros((1, 1)), np.array([[1.0]]))
    keys = sparse[:, 0] * 300 + sparse[:, 1]
    assert (np.diff(keys) > 0).all() and np.bincount(sparse.ravel(), minlength=300).min() >= 1


def test_initial_state_draws_traits_by_kind_and_degenerate_trust_at_its_mean():
    shapes = np.array([[[2.0, 8.0]] * 4, [[8.0, 2.0]] * 4])
    kind = np.repeat([0, 1], 500)
    raw, trust = draw_initial_state(np.random.default_rng(3), kind, shapes, 0.0, 20.0, 6)
    assert raw.shape == (4, 1000) and ((raw >= 0) & (raw <= 1)).all()
    assert raw[:, :500].mean() == pytest.approx(0.2, abs=0.02) and raw[:, 500:].mean() == pytest.approx(0.8, abs=0.02)
    assert trust.tolist() == [0.0] * 6  # mean 0: no Beta to draw from
    _, trust = draw_initial_state(np.random.default_rng(3), kind, shapes, 6.0, 14.0, 4000)
    assert trust.mean() == pytest.approx(0.3, abs=0.01)


def test_place_from_graph_keeps_attributes():
    g = nx.Graph()
    g.add_node("x", kind="nhs_trust", transparency=0.9)
    g.add_node("y", kind="council")
    g.add_edge("x", "y", contact_rate=3.0, trust=0.7)
    place = place_from_graph(g)
    assert place.traits["transparency"][0] == 0.9 and np.isnan(place.traits["transparency"][1])
    model = TrustModel(place=place, rng=1)
    assert model.leaders.raw["transparency"][0] == 0.9
    assert model.relationships.contact_rate[0] == 3.0
    assert model.relationships.trust.tolist() == [0.7, 0.7]


def test_place_from_graph_requires_kinds():
    g = nx.path_graph(3)
    with pytest.raises(ScenarioError, match="has no 'kind' attribute"):
        place_from_graph(g)


def csv_files(tmp_path, orgs, rels):
    o, r = tmp_path / "orgs.csv", tmp_path / "rels.csv"
    o.write_text(orgs)
    r.write_text(rels)
    return o, r


def test_place_from_csv_reads_a_real_system(tmp_path):
    o, r = csv_files(
        tmp_path,
        "id,name,kind,transparency\nRX1,Royal Hospital,nhs_trust,0.4\nLA1,County Council,council,\n"
        "V1,Age Concern,voluntary,0.8\n",
        "source,target,contact_rate,trust\nRX1,LA1,2.0,0.6\nLA1,RX1,,0.4\nLA1,V1,0.5,\n",
    )
    place = place_from_csv(o, r)
    assert place.ids == ["RX1", "LA1", "V1"]
    assert place.pairs.tolist() == [[0, 1], [1, 2]]
    assert place.trust[0].tolist() == [0.6, 0.4]
    assert place.contact_rate.tolist() == [2.0, 0.5]
    model = TrustModel(place=place, rng=0)
    frame = model.edges_frame()
    assert set(frame["source"]) == {"RX1", "LA1", "V1"}
    assert frame.loc[(frame.source == "LA1") & (frame.target == "RX1"), "trust"].item() == 0.4


@pytest.mark.parametrize(
    ("orgs", "rels", "match"),
    [
        ("id,name\nA,a\n", "source,target\n", r"lacks column\(s\) kind"),
        ("id,name,kind\nA,a,hospital\nB,b,council\n", "source,target\nA,B\n", r"row 2 has unknown kind 'hospital'"),
        ("id,name,kind\nA,a,council\nB,b,council\n", "source,target\nA,Z\n", r"row 2 target .Z. is not an"),
        ("id,name,kind\nA,a,council\nB,b,council\n", "source,target\nA,A\n", r"row 2 ties 'A' to itself"),
        ("id,name,kind\nA,a,council\nB,b,council\n", "source,target,trust\nA,B,1.5\n",
         r"column trust row 2 = 1\.5 is out of range: expected a number in \[0, 1\]"),
        ("id,name,kind\nA,a,council\nA,b,council\n", "source,target\n", r"duplicate organisation id 'A'"),
        ("id,name,kind\nA,a,council\n", "source,target\n", r"a place needs at least 2"),
        ("id,name,kind,altruism\nA,a,council,x\nB,b,council,\n", "source,target\n", r"column altruism row 2"),
    ],
)
def test_bad_csv_files_raise_one_clear_error(tmp_path, orgs, rels, match):
    o, r = csv_files(tmp_path, orgs, rels)
    with pytest.raises(ScenarioError, match=match):
        place_from_csv(o, r)


def test_missing_csv_file():
    with pytest.raises(ScenarioError, match="organisations file not found"):
        place_from_csv("/nope/o.csv", "/nope/r.csv")
