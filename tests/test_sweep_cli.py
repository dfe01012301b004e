"""The ``sweep`` and ``analyse`` commands: end to end, resume, and exit code 2 on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulation.cli import main
from simulation.experiments import read_table

ROOT = Path(__file__).resolve().parents[1]
GOOD = """
name = "cli"
[base]
set = { organisations = { nhs_trust = 4, council = 3, voluntary = 12 } }
[design]
replicates = 2
[run]
steps = 12
seed = 9
[parameters]
contact_rate = [0.5, 2.0]
open_book = [0.0, 1.0]
"""


def write(tmp_path: Path, text: str, name="exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_sweep_then_analyse_end_to_end(tmp_path, capsys):
    exp, out = write(tmp_path, GOOD), tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet", "--analyse"]) == 0
    text = capsys.readouterr().out
    assert "cli: 8 runs" in text and "ranked by |Spearman rho|" in text
    for name in ("summary.csv", "sensitivity.csv", "heatmap.png", "outcome_vs_parameter.png", "sensitivity.png",
                 "report.md"):
        assert (out / "analysis" / name).exists()
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert "0 runs" in capsys.readouterr().out  # nothing left to do
    assert main(["analyse", str(out), "--out", str(tmp_path / "a"), "--no-plots", "--outcome", "final_mean_trust"]) == 0
    assert (tmp_path / "a" / "summary.csv").exists() and not (tmp_path / "a" / "heatmap.png").exists()


def test_limit_then_resume(tmp_path, capsys):
    exp, out = write(tmp_path, GOOD), tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet", "--limit", "3", "--analyse"]) == 0
    err = capsys.readouterr().err
    assert f"not analysed: 3 of 8 planned runs recorded; re-run the same command to finish, or `analyse {out} " \
           "--partial`" in err and not (out / "analysis").exists()
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert "5 runs" in capsys.readouterr().out.splitlines()[-1]
    assert sorted(read_table(out)["run_id"]) == list(range(8))


def test_failed_runs_are_reported_at_the_end(tmp_path, capsys):
    bad = GOOD.replace("open_book = [0.0, 1.0]", "gain_rate = [0.08, 0.5]\nnegativity_bias = [2.5]")
    exp = write(tmp_path, bad)
    assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "4 run(s) failed" in err and "gain_rate=0.5" in err and "ScenarioError" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("contact_rate = [0.5, 2.0]", "contact_rate = [0.5, 200.0]"), "parameters.contact_rate[1]"),
        (GOOD.replace('[design]', '[design]\nmethod = "sobol"'), "needs a range"),
        (GOOD.replace("seed = 9", "seed = -9"), "run.seed = -9 is out of range"),
        (GOOD + "\n[extra]\n", "unknown key 'extra'"),
        ("this is not toml", "is not valid TOML"),
    ],
)
def test_bad_experiment_files_exit_2_with_one_error_line(tmp_path, capsys, text, message):
    code = main(["sweep", str(write(tmp_path, text)), "--out", str(tmp_path / "out"), "--workers", "0", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "exp.toml" in lines[0] and message in lines[0]
    assert not (tmp_path / "out").exists()


def test_other_bad_input_exits_2(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "missing.toml"), "--workers", "0"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["analyse", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    exp, out = write(tmp_path, GOOD), tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet", "--limit", "1"]) == 0
    other = write(tmp_path, GOOD.replace("steps = 12", "steps = 13"), "other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--workers", "0", "--quiet"]) == 2
    assert "different experiment" in capsys.readouterr().err
    assert main(["sweep", str(exp), "--out", str(tmp_path / "o2"), "--scheduler", "nonsense", "--quiet"]) == 2
    assert "cannot connect to a Dask scheduler" in capsys.readouterr().err


def test_python_m_simulation_sweep_help():
    res = subprocess.run([sys.executable, "-m", "simulation", "sweep", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0 and "--scheduler" in res.stdout and "--workers" in res.stdout
