"""The contest (experiments/contest.py) on tiny settings: arms matched on what they spend, no leader over budget."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import Scenario
from simulation.equal_hours import (
    ARMS,
    TOLERANCE,
    arm_money,
    arm_scenario,
    committed_hours,
    find_setting,
    match_arm,
    setting_cap,
)
from simulation.scenario import ScenarioError


@pytest.fixture(scope="module")
def contest(experiment_script):
    return experiment_script("contest")


@pytest.fixture(scope="module")
def tiny(contest, tmp_path_factory):
    out = tmp_path_factory.mktemp("contest")
    assert contest.main(["--tiny", "--out", str(out), "--no-docs", "--workers", "0"]) == 0
    runs, arms = contest.load(out)
    return out, runs, arms


def test_tiny_contest_matches_every_matched_arm_within_tolerance_and_keeps_leaders_within_their_hours(tiny, contest):
    _, runs, arms = tiny
    frames = contest.framings(contest.TINY.steps)
    assert set(arms["framing"]) == set(frames)
    for fr in frames.values():  # every arm of every framing was tried in every cell
        assert set(arms.loc[arms["framing"] == fr.name, "arm"]) == set(fr.arms)
    matched = arms[arms["status"] == "matched"]
    assert len(matched) >= len(arms) // 2
    assert ((matched["realised"] / matched["target"] - 1).abs() <= TOLERANCE).all()
    assert set(arms["status"]) <= {"matched", "capped", "unmatched"}
    assert (arms["commitment_share"] <= 1.0 + 1e-9).all()  # no leader committed beyond their monthly hours
    assert (arms["setting"] <= arms["cap"] + 1e-9).all()
    # the realised cost is what the runs spent: the mean over the arm's seeds of each seed's extra
    for info in arms.itertuples():
        g = runs[(runs["framing"] == info.framing) & (runs["target"] == info.target) & (runs["arm"] == info.arm)]
        assert len(g) == contest.TINY.seeds
        assert g["spent"].mean() == pytest.approx(info.realised, rel=1e-9, abs=1e-9)
    assert (runs.loc[runs["arm"] == "none", "spent"] == 0).all()


def test_tiny_contest_renders_the_same_block_again_and_says_what_the_verdict_depends_on(tiny, contest, capsys):
    out, runs, arms = tiny
    assert contest.main(["--render", "--out", str(out), "--no-docs"]) == 0
    text = capsys.readouterr().out
    assert text == contest.table(runs, arms, contest.TINY.steps) + "\n"
    cells = 3 * len(contest.OUTCOMES)  # the tiny contest's framing-target-make-up cells, one comparison per outcome
    assert text.startswith(f"**Summary (generated).** Of {cells} comparisons:")
    for label in ("months to 50%: head-count", "months to 50%: statutory core", "months to 50%: size-weighted",
                  "joint care at the end"):
        assert label in text
    assert "#### Equal money (target: pounds a month)" in text


def test_bad_command_lines_end_with_one_line(contest, tmp_path, capsys):
    assert contest.main(["--workers", "-1", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "error: --workers = -1 is out of range: expected an integer >= 0\n"
    assert contest.main(["--render", "--out", str(tmp_path / "none"), "--no-docs"]) == 2
    assert "no saved contest (runs.parquet missing)" in capsys.readouterr().err


def test_verdict_wins_only_above_the_smallest_effect_that_matters(contest):
    import pandas as pd

    seeds = range(20)
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.5, 20)

    def runs_with(gap: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = []
        for arm, kind, shift in (("none", "none", 0.0), ("contact", "relational", -gap), ("system_board",
                                                                                         "structural", 0.0)):
            for s in seeds:
                rows.append({"framing": "" if arm == "none" else "place", "makeup": 90, "target": 0.0 if arm == "none"
                             else 1.0, "arm": arm, "kind": kind, "seed": s, "spent": 0.0, "hours": 0.0, "money": 0.0,
                             **{name: 30.0 + shift + noise[s] if name in contest.LOWER_IS_BETTER else 0.3
                                for name, *_ in contest.OUTCOMES}})
        arms = pd.DataFrame([{"framing": "place", "makeup": 90, "target": 1.0, "arm": a, "kind": k,
                              "status": "matched"} for a, k in (("contact", "relational"),
                                                                ("system_board", "structural"))])
        return pd.DataFrame(rows), arms

    runs, arms = runs_with(2.0)  # 2 months faster, interval clear of 0, but under the 3 months that matter
    ver = contest.verdicts(runs, contest.effects(runs, arms)).set_index("outcome")
    assert ver.loc["time_to_50", "verdict"] == "too small to tell"
    runs, arms = runs_with(4.0)
    ver = contest.verdicts(runs, contest.effects(runs, arms)).set_index("outcome")
    assert ver.loc["time_to_50", "verdict"] == "relationships win"
    assert ver.loc["time_to_50", "difference"] == pytest.approx(4.0)
    assert ver.loc["final_joint_care", "verdict"] == "too small to tell"


# ------------------------------------------------------------------ the arms and the matching (simulation.equal_hours)
def test_caps_are_the_hours_the_busiest_member_has():
    base = Scenario()
    assert setting_cap(base, "system_board", [1, 2]) == 32.0 / base.board_meeting_hours  # NHS trusts' 32 h
    assert setting_cap(base, "health_wellbeing_board", [1]) == pytest.approx(16.0 / base.hwb_meeting_hours)
    assert setting_cap(base, "open_book", [1]) == 1.0  # 4 h of the voluntary bodies' 16
    assert setting_cap(base, "contact", [1]) == ARMS["contact"].high  # one-to-ones are cut, never committed
    roles = setting_cap(base, "shared_roles", [1, 2, 3])  # 10 h a role: at most 3 for a trust's leader (32 h)
    for seed in (1, 2, 3):
        committed, budget = committed_hours(arm_scenario(base, "shared_roles", roles), seed)
        assert (committed <= budget).all()


def test_committed_hours_are_the_kernels_account_of_each_leaders_commitments():
    sc = Scenario(organisations={"nhs_trust": 2, "council": 1, "voluntary": 3}, open_book=0.5,
                  health_wellbeing_board=True, hwb_contact_rate=1.0, hwb_voluntary_members=1)
    committed, budget = committed_hours(sc, 4)
    assert budget.tolist() == [32.0, 32.0, 40.0, 16.0, 16.0, 16.0]
    assert committed[:3].tolist() == [5.0, 5.0, 5.0]  # 2 h open books + 3 h forum
    assert sorted(committed[3:].tolist()) == [2.0, 2.0, 5.0]  # one voluntary member of the forum


def test_find_setting_brackets_scans_past_a_fall_and_mixes_nothing_itself():
    assert find_setting(lambda x: 2.0 * x, 3.0, 10.0)[2] == "matched"
    x, c, status, _ = find_setting(lambda x: x if x < 2 else 4.0 - x, 1.5, 10.0)  # rises then falls
    assert status == "matched" and c == pytest.approx(1.5, rel=0.02) and x <= 2.5  # found before the scan ends
    assert find_setting(lambda x: 1.0 + x, 0.5, 10.0)[2] == "unmatched"  # overshoots at its least
    assert find_setting(lambda x: x, 50.0, 10.0)[:3] == (10.0, 10.0, "capped")


def test_a_whole_number_arm_between_two_settings_mixes_them_over_the_seeds():
    base = Scenario()
    m, settings, runs = match_arm(base, "merger", arm_money(arm_scenario(base, "merger", 1), 24) / 2, range(6), 24,
                                  per=1.0, money=True)
    assert m.status == "matched" and sorted(settings) == [0, 0, 0, 1, 1, 1] and len(runs) == 6
    assert m.realised == pytest.approx(m.target)


def test_arms_refuse_settings_out_of_range():
    with pytest.raises(ScenarioError, match=r"shared_roles: shared_roles = 25 is out of range: expected \[0, 24\]"):
        arm_scenario(Scenario(), "shared_roles", 25)
    with pytest.raises(ScenarioError, match="arm = 'mayor' is not known"):
        arm_scenario(Scenario(), "mayor", 1)
