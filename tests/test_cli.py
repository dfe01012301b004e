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


ORGANISATIONS_CSV = "id,name,kind\nA,Trust A,nhs_trust\nB,Council B,council\nC,Charity C,voluntary\n"
RELATIONSHIPS_CSV = "source,target,contact_rate\nA,B,2\nB,C,1\n"


def test_run_from_csv_place_records_the_files_and_the_place_used(tmp_path, capsys):
    import hashlib

    (tmp_path / "o.csv").write_text(ORGANISATIONS_CSV)
    (tmp_path / "r.csv").write_text(RELATIONSHIPS_CSV)
    code = main(["run", "--steps", "6", "--organisations-csv", str(tmp_path / "o.csv"),
                 "--relationships-csv", str(tmp_path / "r.csv"), "--out", str(tmp_path / "out"), "--format", "csv"])
    assert code == 0
    out = capsys.readouterr().out
    assert "6 months" in out and "place: " in out and "(3 organisations, 2 relationships;" in out
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    digest = {n: hashlib.sha256(text.encode()).hexdigest() for n, text in (("o", ORGANISATIONS_CSV),
                                                                           ("r", RELATIONSHIPS_CSV))}
    place = manifest["place"]
    assert place["source"] == "csv" and place["relationships"] == 2
    assert place["organisations_csv"]["sha256"] == digest["o"]
    assert place["relationships_csv"]["sha256"] == digest["r"]
    assert place["organisations_csv"]["path"] == str(tmp_path / "o.csv")
    used = {"nhs_trust": 1, "council": 1, "voluntary": 1}
    assert place["organisations"] == used
    assert manifest["scenario"]["place"]["organisations"] == used  # not the default place's 6, 4 and 90
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary.loc[0, "place"] == "csv" and summary.loc[0, "organisations"] == 3
    assert summary.loc[0, "organisations_csv_sha256"] == digest["o"]
    assert summary.loc[0, "relationships_csv_sha256"] == digest["r"]


def test_composition_with_a_csv_place_is_refused_in_one_line(tmp_path):
    (tmp_path / "o.csv").write_text(ORGANISATIONS_CSV)
    (tmp_path / "r.csv").write_text(RELATIONSHIPS_CSV)
    proc = cli("run", "--organisations-csv", "o.csv", "--relationships-csv", "r.csv",
               "--set", "organisations.voluntary=40", "--out", "x", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("error: --set organisations.voluntary: the place comes from --organisations-csv, so its "
                           "composition cannot be set; change the CSV instead\n")
    assert not (tmp_path / "x").exists()


def test_csv_tables_have_no_unnamed_index_column(tmp_path):
    assert main(["run", "--steps", "3", "--set", "organisations.voluntary=4", "--snapshots", "0,3", "--format", "csv",
                 "--out", str(tmp_path)]) == 0
    for name in ("summary", "edges", "timeseries"):
        header = (tmp_path / f"{name}.csv").read_text().splitlines()[0].split(",")
        assert header[0] and not any(h.startswith("Unnamed") for h in header), name
    assert (tmp_path / "summary.csv").read_text().startswith("scenario,seed,")
    assert (tmp_path / "edges.csv").read_text().startswith("step,source,target,")
    assert (tmp_path / "timeseries.csv").read_text().startswith("step,mean_trust,")


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
        (["run", "--steps", "12", "--snapshots", "0,24"],
         "error: --snapshots '0,24': step 24 is beyond --steps 12: expected steps in [0, 12]"),
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
    out = capsys.readouterr().out
    assert "legacy_of_competition" in out and "scenario" in out.splitlines()[2]
    words = " ".join(line.strip("│ ").split("│")[-1].strip() for line in out.splitlines() if "│" in line)
    assert "and strong pressure to compete." in words  # the whole opening comment, not its first line
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "key" in line and "default" in line)
    assert all(column in header for column in ("range", "unit", "meaning"))
    assert "[dynamics]" in out and "negativity_bias" in out
    assert "organisations.voluntary" in out and "organisations.nhs_trust" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_params_search_filters(capsys):
    assert main(["params", "--search", "TURNOVER"]) == 0
    out = capsys.readouterr().out
    assert "turnover_rate" in out and "gain_rate" not in out
    assert main(["params", "--search", "organisations"]) == 0
    assert "organisations.council" in capsys.readouterr().out
    assert main(["params", "--search", "zzzz"]) == 0
    assert "no parameter matches 'zzzz'" in capsys.readouterr().out


def test_console_script_is_installed():
    proc = subprocess.run(["speed-of-trust", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("speed-of-trust ")


@pytest.mark.parametrize("warm", [False, True])
def test_run_says_when_it_compiles_the_kernel(tmp_path, capsys, monkeypatch, warm):
    from simulation.commands import run as run_command
    from simulation.compiling import NOTICE

    monkeypatch.setattr(run_command, "cache_is_warm", lambda: warm)
    assert main(["run", "--steps", "2", "--set", "organisations.voluntary=3", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert (NOTICE in err) is not warm and NOTICE == "compiling the kernel (first use only, about 20 s)"
