"""The mechanisms and joint-uncertainty scripts run end to end on tiny settings, and their blocks have one home."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mechanisms(experiment_script):
    return experiment_script("mechanisms")


@pytest.fixture(scope="module")
def uncertainty(experiment_script):
    return experiment_script("uncertainty")


def test_mechanisms_runs_on_tiny_settings_and_renders_again(mechanisms, tmp_path, capsys):
    out = tmp_path / "mechanisms.csv"
    assert mechanisms.main(["--tiny", "--out", str(out), "--no-docs", "--workers", "0"]) == 0
    text = capsys.readouterr().out
    header = ("| mechanism | parameter | range tried | months to 50%: head-count | months to 50%: statutory core "
              "| months to 50%: connectedness | months to 50%: size-weighted | joint care at month 30 | verdict |")
    assert header in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == sum(len(m.parameters) for m in mechanisms.MECHANISMS)
    for mech in mechanisms.MECHANISMS:
        for name in mech.parameters:
            assert any(f"| {mech.name} | `{name}` |" in r for r in rows), name
    assert "**Mechanisms that move nothing anywhere in their ranges:**" in text
    assert "with shared_roles = 8" in text and "(lever; default 0)" in text and "off / on" in text
    assert mechanisms.main(["--render", "--out", str(out), "--no-docs"]) == 0
    assert capsys.readouterr().out == text  # the saved file gives the same block


def test_the_verdict_says_moves_or_moves_nothing(mechanisms):
    stats = ("mean", "censored", "diff", "low", "high", "q10", "q25", "q50", "q75", "q90")
    cols = {f"{c}_{s}": 0.0 for c, *_ in mechanisms.OUTCOMES for s in stats}
    base = {"mechanism": "", "parameter": "default", "context": "", "value": math.nan, "status": "", "low": 0.0,
            "high": 1.0, "seeds": 10, "steps": 240, "seconds": 1.0, **cols, "months_to_50_mean": 40.0}
    # open books: two values; one moves head-count by -5 months (interval apart from 0; above the 4 months that
    # matter at a default of 40), the other by -1 (too small); contact: a large effect whose interval spans 0.
    books = [dict(base, mechanism="open books", parameter="open_book", value=v, status="lever",
                  months_to_50_diff=d, months_to_50_low=d - 1, months_to_50_high=d + 1) for v, d in ((0.5, -1.0),
                                                                                                     (1.0, -5.0))]
    contact = [dict(base, mechanism="contact", parameter="contact_rate", value=2.0, status="assumed",
                    months_to_50_diff=-8.0, months_to_50_low=-20.0, months_to_50_high=4.0)]
    df = pd.DataFrame([base, *books, *contact])
    v = mechanisms.verdicts(df).set_index(["parameter", "outcome"])
    assert v.loc[("open_book", "months_to_50"), "moves"] and v.loc[("open_book", "months_to_50"), "value"] == 1.0
    assert v.loc[("open_book", "months_to_50"), "need"] == 4.0
    assert not v.loc[("contact_rate", "months_to_50"), "moves"]
    assert not v.loc[("open_book", "joint_care_120"), "moves"]
    text = mechanisms.table(df)
    assert re.search(r"\| open books \| `open_book` \| .* \| \*\*-5\.0\*\* \(-6\.0 to -4\.0\) at 1 \|.*"
                     r"\| moves head-count \|", text)
    assert re.search(r"\| contact \| `contact_rate` \| .* \| -8\.0 \(-20\.0 to \+4\.0\) at 2 \|.*"
                     r"\| moves nothing in its range \|", text)
    assert "anywhere in their ranges:** contact." in text


def test_a_mechanism_that_makes_places_differ_is_judged_on_the_spread_too(mechanisms):
    stats = ("mean", "censored", "diff", "low", "high", "q10", "q25", "q50", "q75", "q90", "spread_diff",
             "spread_low", "spread_high")
    cols = {f"{c}_{s}": 0.0 for c, *_ in mechanisms.OUTCOMES for s in stats}
    base = {"mechanism": "", "parameter": "default", "context": "", "value": math.nan, "status": "", "low": 0.0,
            "high": 1.0, "seeds": 10, "steps": 240, "seconds": 1.0, **cols, "months_to_50_mean": 20.0}
    wider = dict(base, mechanism="places differ", parameter="history_spread", value=1.0, status="assumed",
                 months_to_50_spread_diff=6.0, months_to_50_spread_low=2.0, months_to_50_spread_high=9.0)
    text = mechanisms.table(pd.DataFrame([base, wider]))
    assert "| places differ | `history_spread` |" in text
    assert "| changes the spread between places of head-count |" in text
    assert "IQR **+6.0** (+2.0 to +9.0)" in text
    assert "anywhere in their ranges:** none." in text


def test_a_lever_without_a_declared_range_is_one_clear_error(mechanisms, tmp_path, monkeypatch, capsys):
    quick = tmp_path / "quick.toml"
    quick.write_text("[parameters]\nopen_book = { low = 0.0, high = 0.5 }\nsystem_board = [false, true]\n")
    monkeypatch.setattr(mechanisms, "QUICK", quick)
    assert mechanisms.parameter_range("open_book") == (0.0, 0.5, "lever")
    assert mechanisms.points("open_book", 3) == [0.0, 0.25, 0.5]
    from simulation import ScenarioError

    with pytest.raises(ScenarioError, match=r"lever 'statutory_contact' has no range in quick\.toml"):
        mechanisms.parameter_range("statutory_contact")
    assert mechanisms.main(["--tiny", "--out", str(tmp_path / "m.csv"), "--no-docs", "--workers", "0"]) == 2
    # the first lever of MECHANISMS without a range in the file: shared_roles
    message = "error: lever 'shared_roles' has no range in quick.toml's [parameters]; add one there\n"
    assert capsys.readouterr().err == message


def test_uncertainty_runs_on_tiny_settings_and_renders_again(uncertainty, tmp_path, capsys):
    out = tmp_path / "uncertainty.csv"
    assert uncertainty.main(["--tiny", "--out", str(out), "--no-docs", "--workers", "0"]) == 0
    text = capsys.readouterr().out
    assert ("| outcome | at the defaults | median across draws | interquartile range | 10th–90th percentile "
            "| draws that stall (95% interval) | runs that never reach 50% | most associated parameters "
            "(Spearman ρ) |") in text
    for label in ("months to 50%: head-count", "months to 50%: statutory core", "months to 50%: connectedness",
                  "months to 50%: size-weighted",
                  "joint care at month 30"):
        assert f"| {label} |" in text
    stall = re.search(r"\| months to 50%: head-count \|[^|]+\|[^|]+\|[^|]+\|[^|]+\| (\d+)% \((\d+)%–(\d+)%\) \|", text)
    assert stall and int(stall.group(2)) <= int(stall.group(1)) <= int(stall.group(3))
    assert "8 draws × 2 seeds × 30 months" in text
    saved = pd.read_csv(out)
    assert len(saved) == 9 and saved["draw"].tolist() == list(range(-1, 8))
    assert uncertainty.main(["--render", "--out", str(out), "--no-docs"]) == 0
    assert capsys.readouterr().out == text


def test_the_hypercube_covers_every_assumed_parameter_and_is_seeded(uncertainty):
    from simulation.provenance import PROVENANCE

    names = {f.name for f in uncertainty.factors()}
    # the kinds' size distributions weigh only the size-weighted index, which the hypercube does not report
    assumed = {n for n, p in PROVENANCE.items() if p.status == "assumed" and p.range[1] > p.range[0]
               and not n.startswith("kinds.")}
    assert assumed <= names and not any(PROVENANCE[n].status == "lever" for n in names)
    a, b = uncertainty.draws(uncertainty.factors(), 20), uncertainty.draws(uncertainty.factors(), 20)
    pd.testing.assert_frame_equal(a, b)
    for f in uncertainty.factors():  # one draw in each of the 20 equal slices of every range (a Latin hypercube)
        slices = ((a[f.name] - f.low) / (f.high - f.low) * 20).clip(0, 19.999).astype(int)
        assert f.integer or sorted(slices) == list(range(20)), f.name


def test_a_stall_counts_as_never_in_the_summary(uncertainty):
    df = pd.DataFrame({"draw": [-1, 0, 1, 2, 3], "invalid": [""] * 5, "gain_rate": [0.06, 0.04, 0.05, 0.07, 0.08],
                       "months_to_50": [20.0, math.inf, 30.0, 20.0, 10.0], "statutory_months_to_50": [10.0] * 5,
                       "connectedness_months_to_50": [30.0] * 5, "size_months_to_50": [30.0] * 5,
                       "joint_care_120": [0.5, 0.1, 0.2, 0.3, 0.4],
                       "months_to_50_never": [0, 2, 0, 0, 0], "statutory_months_to_50_never": [0] * 5,
                       "connectedness_months_to_50_never": [0] * 5, "size_months_to_50_never": [0] * 5,
                       "joint_care_120_never": [0] * 5,
                       "seeds": 2, "steps": 240, "seconds": 1.0, "master_seed": 1})
    s = uncertainty.summary(df).set_index("outcome")
    assert s.loc["months_to_50", "stall"] == 1 and s.loc["months_to_50", "q90"] == math.inf
    assert s.loc["months_to_50", "median"] == 20.0 and s.loc["months_to_50", "never"] == 2
    assert s.loc["months_to_50", "top"][0] == ("gain_rate", pytest.approx(-1.0))  # the stall ranks last
    assert s.loc["joint_care_120", "stall"] == 0


@pytest.mark.parametrize(("doc", "name"), [("mechanisms.md", "mechanisms"), ("robustness.md", "uncertainty")])
def test_every_block_has_exactly_one_home(doc, name):
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    assert len(re.findall(rf"<!-- {name}:begin", text)) == 1
    assert len(re.findall(rf"<!-- {name}:end -->", text)) == 1


def test_bad_workers_is_one_line_error(mechanisms, uncertainty, capsys):
    for script in (mechanisms, uncertainty):
        assert script.main(["--workers", "-1", "--no-docs"]) == 2
        assert capsys.readouterr().err == "error: --workers = -1 is out of range: expected an integer >= 0\n"
