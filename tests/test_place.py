"""Places: generated, from networkx, from CSV, and their validation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulation import Scenario, ScenarioError, TrustModel, generate_place, place_from_csv, place_from_graph
from simulation.place import tie_probabilities


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
