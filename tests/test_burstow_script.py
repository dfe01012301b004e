"""Burstow's asks (experiments/burstow.py) on tiny settings: each ask matched on the hours its runs actually spend."""

from __future__ import annotations

import pytest

from simulation.equal_hours import ARMS, TOLERANCE


@pytest.fixture(scope="module")
def burstow(experiment_script):
    return experiment_script("burstow", "burstow_script")


@pytest.fixture(scope="module")
def tiny(burstow, tmp_path_factory):
    out = tmp_path_factory.mktemp("burstow")
    assert burstow.main(["--tiny", "--out", str(out), "--no-docs", "--workers", "0"]) == 0
    runs, asks = burstow.load(out)
    return out, runs, asks


def test_every_ask_is_an_arm_of_the_equal_hours_machinery(burstow):
    assert set(burstow.ASKS) <= set(ARMS)
    assert {ARMS[a].kind for a in burstow.ASKS} == {"relational"}


def test_tiny_run_matches_every_matched_ask_within_tolerance_of_what_its_runs_spent(tiny, burstow):
    _, runs, asks = tiny
    targets = burstow.TARGETS[:burstow.TINY.targets]
    assert sorted(zip(asks["ask"], asks["target"])) == sorted((a, t) for a in burstow.ASKS for t in targets)
    assert set(asks["status"]) <= {"matched", "capped", "unmatched"}
    matched = asks[asks["status"] == "matched"]
    assert len(matched) >= 3  # most asks reach the smallest target
    assert ((matched["realised"] / matched["target"] - 1).abs() <= TOLERANCE).all()
    assert (asks["setting"] <= asks["cap"] + 1e-9).all()
    for info in asks.itertuples():  # the realised hours are the mean of each seed's extra hours in its own runs
        g = runs[(runs["ask"] == info.ask) & (runs["target"] == info.target)]
        assert len(g) == burstow.TINY.seeds
        assert g["spent"].mean() == pytest.approx(info.realised, rel=1e-9, abs=1e-9)
    assert (runs.loc[runs["ask"] == "none", "spent"] == 0).all()
    investment = runs[runs["ask"] == "coproduction_with_investment"]["money"]
    assert (investment > runs[runs["ask"] == "coproduction"]["money"].max()).all()  # the money beside the hours


def test_render_reproduces_the_block_and_the_comparisons_use_the_smallest_effect(tiny, burstow, capsys):
    out, runs, asks = tiny
    capsys.readouterr()
    assert burstow.main(["--render", "--out", str(out), "--no-docs"]) == 0
    text = capsys.readouterr().out
    assert text == burstow.table(runs, asks) + "\n"
    assert "| ask | target h | realised h | status | setting | money £/month |" in text
    for _, _, label, _ in burstow.OUTCOMES:
        assert f"40 h, {label}: " in text
    assert "smallest that matters" in text


def test_a_difference_below_the_smallest_effect_is_too_small_to_tell(burstow):
    import pandas as pd

    runs = pd.DataFrame({"ask": ["a"] * 4 + ["b"] * 4, "target": 40.0, "seed": [1, 2, 3, 4] * 2,
                         "months_to_50": [30.0, 31.0, 32.0, 33.0, 31.0, 32.0, 33.0, 34.0]})
    eff = pd.DataFrame({"ask": ["a", "b"], "target": 40.0, "status": "matched", "months_to_50_change": [-2.0, -1.0],
                        "months_to_50_smallest": 3.0})
    old = burstow.OUTCOMES
    try:
        burstow.OUTCOMES = old[:1]
        line = burstow.ranking(runs, eff)[0]
    finally:
        burstow.OUTCOMES = old
    # a is 1 month faster on every seed: told apart from 0, but below the 3 months that matter
    assert line.startswith("40 h, months to 50%: a too small to tell from b; improvement +1.0")


def test_bad_workers_and_a_missing_results_folder_end_with_one_line(burstow, tmp_path, capsys):
    assert burstow.main(["--workers", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "error: --workers = -1 is out of range: expected an integer >= 0\n"
    assert burstow.main(["--render", "--out", str(tmp_path / "none"), "--no-docs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "runs.parquet missing" in err and err.count("\n") == 1
