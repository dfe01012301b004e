"""The generating script of the findings runs end to end on tiny settings, and its blocks exist in the documents."""

from __future__ import annotations

import re


def test_findings_runs_every_experiment_and_calibration_on_tiny_settings(tmp_path, capsys, experiment_script):
    findings = experiment_script("findings", "findings_script")
    assert findings.main(["--tiny", "--results", str(tmp_path), "--no-docs", "--workers", "0"]) == 0
    out = capsys.readouterr().out
    for name in (*findings.EXPERIMENTS, *findings.CALIBRATIONS):
        assert f"<!-- {name} -->" in out
    assert "months to 50% vs first row (95% interval)" in out and "(reference)" in out
    assert "too small to tell" in out  # tiny runs cannot separate most rows, and say so
    assert "**Claims**" in out and "**Regret**" in out and "**Scenario discovery**" in out
    assert "90% credible interval" in out and "90% predictive interval" in out
    assert "No marginal plots or tables for a morris design" in out
    assert "| claim (the essays say it) | arm |" in out  # claims.py, run by findings.py: docs/findings.md
    assert (tmp_path / "claims" / "claims.parquet").exists()
    for name in ("mechanisms", "uncertainty"):  # their own scripts, run by findings.py on tiny settings too
        assert (tmp_path / name).is_file()
    assert (tmp_path / "contest" / "runs.parquet").is_file()
    assert (tmp_path / "burstow" / "asks.parquet").is_file()  # Burstow's asks, matched on hours spent, tiny too
    assert "| ask | target h | realised h | status |" in out
    assert "| mechanism | parameter | range tried |" in out and "**Summary (generated).**" in out


def test_every_block_has_exactly_one_home(experiment_script):
    findings = experiment_script("findings", "findings_script")
    for name in (*findings.EXPERIMENTS, *findings.CALIBRATIONS):
        doc = findings.DOCS.get(name, findings.README)
        text = doc.read_text(encoding="utf-8")
        assert len(re.findall(rf"<!-- {name}:begin", text)) == 1, (name, doc)
        assert len(re.findall(rf"<!-- {name}:end -->", text)) == 1, (name, doc)


def test_differences_say_when_they_separate(experiment_script):
    import pandas as pd

    findings = experiment_script("findings", "findings_script")
    runs = pd.DataFrame({"sample": [0] * 4 + [1] * 4 + [2] * 4,
                         "time_to_50": [30, 31, 29, 30, 20, 21, 19, 20, 30, 32, 28, 31],
                         "censored_50": [False] * 12})
    d = findings.differences(runs).set_index("sample")
    assert d.loc[1, "separates"] and d.loc[1, "high"] < 0
    assert not d.loc[2, "separates"]
    assert findings._difference_text(d.loc[2], False).startswith("too small to tell")
    assert findings._difference_text(d.loc[1], False).startswith("**-10.0**")


def test_a_difference_told_apart_but_below_what_matters_is_not_bold(experiment_script):
    import pandas as pd

    findings = experiment_script("findings", "findings_script")
    # 30 months without, 28 with: told apart (the runs barely vary) but below 3 months, the smallest that matters
    runs = pd.DataFrame({"sample": [0] * 4 + [1] * 4, "time_to_50": [30, 30.1, 29.9, 30, 28, 28.1, 27.9, 28],
                         "censored_50": [False] * 8})
    d = findings.differences(runs).set_index("sample")
    assert d.loc[1, "separates"] and not d.loc[1, "matters"]
    assert findings._difference_text(d.loc[1], False).startswith("-2.0, below what matters")
    assert "below what matters\" where the interval excludes zero but the difference is smaller (1 rows)" in \
        findings.differences_note(d.reset_index(), 4)
