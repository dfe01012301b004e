"""The command line, end to end in a subprocess: outputs, manifest, errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from simulation.cli import main


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simulation", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_run_writes_tables_manifest_and_summary(tmp_path):
    out = tmp_path / "run"
    proc = cli("run", "--scenario", "shared_roles", "--steps", "24", "--seed", "5", "--out", str(out),
               "--snapshots", "0,24", "--set", "organisations.voluntary=20")
    assert proc.returncode == 0, proc.stderr
    assert "50% integration" in proc.stdout and "scenario shared_roles, seed 5, 24 months" in proc.stdout
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 25
    edges = pd.read_parquet(out / "edges.parquet")
    assert set(edges["step"]) == {0, 24}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["scenario"]["interventions"]["shared_roles"] == 4
    assert manifest["scenario"]["place"]["organisations"]["voluntary"] == 20
    assert manifest["version"]


def test_same_command_same_files(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "--steps", "12", "--seed", "3", "--format", "csv", "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a" / "timeseries.csv").read_text() == (tmp_path / "b" / "timeseries.csv").read_text()


def test_run_from_csv_place(tmp_path, capsys):
    (tmp_path / "o.csv").write_text("id,name,kind\nA,Trust A,nhs_trust\nB,Council B,council\nC,Charity C,voluntary\n")
    (tmp_path / "r.csv").write_text("source,target,contact_rate\nA,B,2\nB,C,1\n")
    code = main(["run", "--steps", "6", "--organisations-csv", str(tmp_path / "o.csv"),
                 "--relationships-csv", str(tmp_path / "r.csv"), "--out", str(tmp_path / "out")])
    assert code == 0
    assert "6 months" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "gain_rate=2"],
         "error: dynamics.gain_rate = 2.0 is out of range: expected a number in [0, 1]"),
        (["run", "--set", "nonsense=1"], "error: unknown parameter 'nonsense'"),
        (["run", "--set", "open_book"], "error: --set 'open_book': expected KEY=VALUE"),
        (["run", "--scenario", "atlantis"], "error: unknown scenario 'atlantis'"),
        (["run", "--steps", "-3"], "'-3' is out of range: expected a number of months in [1, 12000]"),
        (["run", "--seed", "x"], "'x' is not an integer seed in [0, 9223372036854775807]"),
        (["run", "--snapshots", "a,b"], "error: --snapshots 'a,b'"),
        (["run", "--organisations-csv", "o.csv"], "error: --organisations-csv and --relationships-csv go together"),
        (["run", "--set", "schedule.open_book={start=5, stop=2}"],
         "error: schedule.open_book.stop = 2 ends before it starts: expected a month > start = 5"),
        (["run", "--set", 'shocks=[{kind="flood", start=1, size=0.1}]'],
         "error: shocks[0].kind = 'flood' is not known"),
        (["run", "--set", "meeting_hours=-1"], "error: costs.meeting_hours = -1.0 is out of range"),
        (["run", "--set", "mergers=[{month=12, absorbed=3, into=3}]"],
         "error: mergers[0]: organisation 3 cannot merge"),
        (["run", "--set", "schedule.nothing={start=1}"], "error: schedule.nothing: unknown lever"),
        (["run", "--set", "organisations.voluntary=1000000000"],
         "error: place.organisations: 1,000,000,010 organisations with about"),
    ],
)
def test_bad_input_gives_one_error_line_and_exit_code_2(tmp_path, args, message):
    proc = cli(*args, "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_scenario_file_exit_code_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[interventions]\nopen_book = 7\n")
    proc = cli("run", "--scenario", str(bad), "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: bad.toml: interventions.open_book = 7.0 is out of range: expected a number in [0, 1]"
    )


def test_listing_commands(capsys):
    assert main(["scenarios"]) == 0
    assert "legacy_of_competition" in capsys.readouterr().out
    assert main(["params"]) == 0
    assert "dynamics.negativity_bias" in capsys.readouterr().out


def test_console_script_is_installed():
    proc = subprocess.run(["speed-of-trust", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("speed-of-trust ")
