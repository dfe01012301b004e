"""Every parameter says where its value comes from, and docs/parameters.md is generated from that."""

from __future__ import annotations

from pathlib import Path

from simulation import load_scenario
from simulation.provenance import PROVENANCE, missing_entries, stale_entries
from simulation.scenario import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
SPECS = {p.name: p for p in PARAMETERS}


def test_every_parameter_has_a_provenance_entry():
    missing = missing_entries(SPECS)
    assert not missing, (
        f"no provenance entry for {', '.join(missing)}: add each to simulation/provenance.py (sourced with a "
        "citation, assumed with the range over which it is uncertain, or a lever), then run "
        "python experiments/parameters.py")


def test_no_entry_names_a_parameter_that_is_gone():
    assert not stale_entries(SPECS)
    kinds = set(load_scenario("default").kinds)
    assert all(n.split(".", 1)[1] in kinds for n in PROVENANCE if n.startswith("organisations."))


def test_entries_are_complete_and_ranges_are_allowed():
    for name, prov in PROVENANCE.items():
        assert prov.status in ("sourced", "assumed", "lever"), name
        if prov.status == "lever":
            assert prov.range is None and prov.note, name
            continue
        low, high = prov.range
        assert low < high, name
        spec = SPECS.get(name)
        if spec is not None:
            assert spec.low <= low and high <= spec.high, (name, prov.range, (spec.low, spec.high))
        if prov.status == "sourced":
            assert prov.figures and prov.mapping, name
            for figure, cite in prov.figures:
                assert figure and cite.title and cite.publisher and cite.url.startswith("https://"), name
                assert cite.year is not None or cite.accessed is not None, name


def test_the_four_year_tenure_is_sourced():
    prov = PROVENANCE["turnover_rate"]
    assert prov.status == "sourced"
    assert prov.range[0] <= SPECS["turnover_rate"].default <= prov.range[1]


def test_docs_parameters_md_is_up_to_date(experiment_script):
    module = experiment_script("parameters", "parameters_script")
    assert (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8") == module.render(), \
        "docs/parameters.md is out of date: run python experiments/parameters.py"
