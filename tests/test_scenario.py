"""Scenario schema: defaults, TOML round trip, and one clear error per bad value."""

from __future__ import annotations

import pickle

import pytest

from simulation import PARAMETERS, Scenario, ScenarioError, load_scenario, shipped_scenarios


def test_every_parameter_has_a_default_inside_its_range_and_a_doc():
    for spec in PARAMETERS:
        assert spec.check(spec.default) == spec.default
        assert spec.doc and spec.section in {"place", "dynamics", "interventions", "staff", "costs"}


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_shipped_scenarios_load_and_round_trip(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert pickle.loads(pickle.dumps(scenario)) == scenario


def test_legacy_scenario_overrides_nhs_kind_traits():
    legacy = load_scenario("legacy_of_competition")
    assert legacy.kinds["nhs_trust"].transparency.mean == 0.3
    assert legacy.kinds["council"] == Scenario().kinds["council"]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"gain_rate": 1.5}, r"dynamics\.gain_rate = 1\.5 is out of range: expected a number in \[0, 1\]"),
        ({"turnover_rate": -0.1}, r"dynamics\.turnover_rate .* in \[0, 1\]"),
        ({"shared_roles": 2.5}, r"interventions\.shared_roles = 2\.5 has the wrong type: expected an integer"),
        ({"system_board": "yes"}, r"interventions\.system_board .* expected true or false"),
        ({"contact_rate": "often"}, r"dynamics\.contact_rate = 'often' has the wrong type"),
        ({"contact_rate": float("nan")}, r"dynamics\.contact_rate = nan is out of range"),
        ({"gain_rate": 0.5, "negativity_bias": 3.0}, r"negativity_bias .* must be at most 1"),
        ({"contact_rat": 1.0}, r"unknown parameter 'contact_rat' \(did you mean 'contact_rate'\?\)"),
        ({"organisations": {"hospice": 3}}, r"place\.organisations\.hospice: unknown kind"),
        ({"organisations": {"council": 1}}, r"a place needs at least 2 organisations"),
        ({"organisations": {"council": -2, "voluntary": 5}}, r"place\.organisations\.council = -2"),
    ],
)
def test_bad_values_raise_one_clear_error(params, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario(**params)


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[dynamics]\ngain_rate = 2\n", r"s\.toml: dynamics\.gain_rate = 2\.0 is out of range"),
        ("[dynamics]\nshared_roles = 2\n", r"unknown parameter 'dynamics\.shared_roles'"),
        ("[dynamic]\ngain_rate = 0.1\n", r"unknown table \[dynamic\]"),
        ("[dynamics\n", r"is not valid TOML"),
        ("[kinds.hospice]\nsector = 'voluntary'\n", r"kinds\.hospice: a new kind needs"),
        ("[kinds.nhs_trust]\ntransparency = 1.5\n", r"kinds\.nhs_trust\.transparency\.mean = 1\.5 is out of range"),
        ("[kinds.nhs_trust]\nties = { hospice = 2 }\n", r"kinds\.nhs_trust\.ties\.hospice: unknown kind"),
        ("[kinds.nhs_trust]\ncolour = 'red'\n", r"unknown parameter 'kinds\.nhs_trust\.colour'"),
        ("[kinds.voluntary]\ncapacity = -1\n", r"kinds\.voluntary\.capacity = -1 is out of range: expected an integer"),
    ],
)
def test_bad_scenario_files_raise_one_clear_error(tmp_path, text, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_toml(write(tmp_path, text))


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario("/nonexistent/x.toml")
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'"):
        load_scenario("nope")


def test_a_user_can_add_a_kind(tmp_path):
    path = write(
        tmp_path,
        """
[place]
organisations = { nhs_trust = 3, council = 1, primary_care = 5 }
[kinds.primary_care]
label = "Primary care network"
sector = "nhs"
transparency = { mean = 0.6, concentration = 12 }
conflict_skill = 0.5
altruism = 0.5
institutional_focus = 0.4
ties = { nhs_trust = 2, council = 1, primary_care = 2 }
capacity = 12
""",
    )
    scenario = Scenario.from_toml(path)
    assert scenario.kinds["primary_care"].transparency.concentration == 12
    assert scenario.n_organisations == 9
    assert scenario.kinds["primary_care"].capacity == 12 and scenario.kinds["council"].capacity == 40


def test_replace_revalidates():
    with pytest.raises(ScenarioError, match="open_book"):
        Scenario().replace(open_book=2)
    assert Scenario().replace(**{"organisations.voluntary": 5}).organisations["voluntary"] == 5


def test_replace_of_parameters_equals_a_scenario_built_whole():
    base = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 7}, open_book=0.2,
                    schedule={"open_book": {"start": 6}})
    fast = base.replace(contact_rate=2.0, shared_roles=3)
    whole = Scenario(organisations={"nhs_trust": 3, "council": 2, "voluntary": 7}, open_book=0.2,
                     schedule={"open_book": {"start": 6}}, contact_rate=2.0, shared_roles=3)
    assert fast == whole and fast.schedule == whole.schedule and pickle.loads(pickle.dumps(fast)) == whole
    assert base.contact_rate != 2.0  # the original is untouched
    with pytest.raises(ScenarioError, match=r"negativity_bias .* gain_rate \* negativity_bias must be at most 1"):
        base.replace(gain_rate=0.5, negativity_bias=3.0)
    with pytest.raises(ScenarioError, match=r"contact_rate = -1.* in \[0, 100\]"):
        base.replace(contact_rate=-1)
