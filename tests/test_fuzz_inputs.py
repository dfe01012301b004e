"""Fuzzing every input boundary: scenario tables and files, experiment tables, CSV places, the command line, the API.

Each test draws inputs with hypothesis (derandomised: the same cases every
run, bounded in number) and fails on anything but an accepted input whose
outputs are finite, or a refusal of one line (``ScenarioError``, or
``TypeError`` for a wrong type at the API; ``error: ...`` and exit code 2 on
the command line). Hangs are caught by hypothesis' deadline being replaced by
a hard per-case timeout (``_timeout``).
"""

from __future__ import annotations

import math
import os
import signal
from contextlib import contextmanager, suppress

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from simulation import PARAMETERS, Place, Scenario, ScenarioError, TrustModel, run, run_batch, run_replicates
from simulation.cli import main
from simulation.experiments.spec import experiment_from_dict
from simulation.kinds import TRAITS
from simulation.place import place_from_csv
from simulation.scenario import read_toml
from simulation.validation import MAX_RUNS

FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)
#: Multiplies every test's number of cases, for a longer campaign: ``SPEED_OF_TRUST_FUZZ_SCALE=20 pytest ...``.
SCALE = int(os.environ.get("SPEED_OF_TRUST_FUZZ_SCALE", "1"))
SMALL = {"nhs_trust": 2, "council": 2, "voluntary": 6}
#: Outcomes allowed to be NaN: months to a level never reached (censored), kind-pair trusts without such pairs,
#: and the statutory core's integration in a place without statutory organisations.
MAY_BE_NAN = ("months_to", "trust:", "statutory_integration", "final_statutory_integration")


@contextmanager
def _timeout(seconds: float):
    """Fail (not hang) if the block takes longer than ``seconds``."""
    def boom(signum, frame):
        raise TimeoutError(f"hang: over {seconds} s")

    previous = signal.signal(signal.SIGALRM, boom)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _event(text: str) -> None:
    """Count ``text`` in hypothesis' statistics (``--hypothesis-show-statistics``), inside a fuzz test only."""
    with suppress(InvalidArgument):
        event(text)


def _one_line(exc: BaseException) -> str:
    _event(f"refused: {type(exc).__name__}")
    text = str(exc)
    assert text and "\n" not in text and len(text) < 5000, f"not a one-line refusal: {text!r}"
    return text


def _finite_outputs(result) -> None:
    """Every outcome finite, but months to a level never reached and trusts of pairs of kinds that have none."""
    _event("accepted: outputs checked")
    ts = result.timeseries
    none_left = ts["relationships"].to_numpy() == 0  # (mergers can end every relationship: no mean trust then)
    for key, value in result.summary.items():
        if not any(k in key for k in MAY_BE_NAN) and not (none_left[-1] and key == "final_mean_trust"):
            assert value is not None and math.isfinite(float(value)), f"summary {key} = {value}"
    for column in ts.columns:
        if not any(k in column for k in MAY_BE_NAN):
            values = ts[column].to_numpy(dtype=float)
            ok = np.isfinite(values) | (none_left & (column in ("mean_trust", "staff_trust")))
            assert ok.all(), f"timeseries {column} is not finite: {values}"


# ----------------------------------------------------------------------------- strategies
NASTY = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**70), max_value=10**70),
    st.sampled_from([0, 1, -1, 0.5, 1e-300, 1e300, 1e30, 2**63, 2**64, "", "x", "nan", True, False, [], {}]),
    st.text(max_size=4),
)
VALUE = st.recursive(NASTY, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                        max_size=3), max_leaves=6)


def _valid(spec):
    if spec.kind is bool:
        return st.booleans()
    high = min(spec.high, 50.0)
    if spec.kind is int:
        return st.integers(min_value=int(spec.low), max_value=int(min(high, spec.low + 12)))
    return st.floats(min_value=spec.low, max_value=high)


PARAM_VALUE = st.sampled_from(PARAMETERS).flatmap(lambda p: st.tuples(st.just(p), st.one_of(_valid(p), _valid(p),
                                                                                          NASTY)))
CLEAN_PARAM_VALUE = st.sampled_from(PARAMETERS).flatmap(lambda p: st.tuples(st.just(p), _mostly(_valid(p))))
def _mostly(valid, bad=NASTY):
    """``valid`` mostly, sometimes ``bad``."""
    return st.one_of(*[valid] * 9, bad)


TRAIT = st.fixed_dictionaries({"mean": st.floats(0.01, 0.99)}, optional={"concentration": st.floats(0.1, 100)})
KIND_TABLE = st.fixed_dictionaries({}, optional={
    "ties": st.dictionaries(st.sampled_from(["nhs_trust", "council", "voluntary"]), st.floats(0, 5), max_size=3),
    "capacity": st.integers(0, 30), "hours": st.floats(0, 744), "contact_weight": st.floats(0, 3),
    "label": st.text(max_size=5), "sector": st.sampled_from(["nhs", "voluntary", "other"]),
    "statutory": st.booleans(), "size_median": st.floats(1e-3, 1e4), "size_spread": st.floats(0, 5),
    **{t: TRAIT for t in TRAITS}})
SHOCK = st.one_of(
    st.fixed_dictionaries({"kind": st.sampled_from(["departures", "demand"]), "start": st.integers(0, 12),
                           "size": st.floats(0, 1)}),
    st.fixed_dictionaries({"kind": st.just("financial_crisis"), "start": st.integers(0, 12),
                           "size": st.floats(0, 1), "months": st.integers(1, 12)}),
    st.fixed_dictionaries({"kind": st.just("service_failure"), "start": st.integers(0, 12), "size": st.floats(0, 1),
                           "between": st.lists(st.sampled_from(["nhs_trust", "council"]), min_size=2, max_size=2)}))
MERGER = st.fixed_dictionaries({"month": st.integers(0, 8), "absorbed": st.integers(0, 12), "into": st.integers(0, 12)})
#: Where a faulty table holds its one bad value.
FAULTS = ("parameter", "kind key", "trait", "tie", "count", "organisations", "shock", "section", "kinds", "shocks")


@st.composite
def scenario_tables(draw):
    """A valid scenario table, or (one time in two) one with a single bad value somewhere; returns (table, fault)."""
    table: dict = {"place": {"organisations": draw(st.fixed_dictionaries(
        {"nhs_trust": st.integers(1, 6), "council": st.integers(1, 6), "voluntary": st.integers(0, 20)}))}}
    for spec, value in draw(st.lists(st.sampled_from(PARAMETERS).flatmap(
            lambda p: st.tuples(st.just(p), _valid(p))), max_size=5)):
        table.setdefault(spec.section, {})[spec.name] = value
    kinds = draw(st.dictionaries(st.sampled_from(["council", "voluntary"]), KIND_TABLE, max_size=2))
    if kinds:
        table["kinds"] = kinds
    if draw(st.booleans()):
        table["shocks"] = draw(st.lists(SHOCK, max_size=3))
    if draw(st.integers(0, 4)) == 0:
        table["mergers"] = draw(st.lists(MERGER, max_size=2))
    fault = draw(st.sampled_from(("none",) * len(FAULTS) + FAULTS))
    bad = draw(VALUE)
    if fault == "parameter":
        spec = draw(st.sampled_from(PARAMETERS))
        table.setdefault(spec.section, {})[spec.name] = bad
    elif fault in ("kind key", "trait", "tie"):
        kind = table.setdefault("kinds", {}).setdefault(draw(st.sampled_from(["council", "voluntary"])), {})
        if fault == "kind key":
            kind[draw(st.sampled_from(["capacity", "hours", "contact_weight", "label", "sector", "statutory",
                                       "ties", "altruism", "size_median", "size_spread"]))] = bad
        elif fault == "trait":
            kind["altruism"] = {"mean": draw(_mostly(st.floats(0.01, 0.99))), "concentration": bad}
        else:
            kind["ties"] = {draw(st.sampled_from(["voluntary", "ghost"])): bad}
    elif fault == "count":
        table["place"]["organisations"][draw(st.sampled_from(["voluntary", "ghost"]))] = bad
    elif fault == "organisations":
        table["place"]["organisations"] = bad
    elif fault == "shock":
        table["shocks"] = [{"kind": "demand", "start": 0, "size": bad}]
    elif fault == "section":
        table[draw(st.sampled_from(["bogus", "place", "dynamics"]))] = bad
    elif fault in ("kinds", "shocks"):
        table[fault] = bad
    return table, fault


# ----------------------------------------------------------------------------- scenario tables
@settings(FUZZ, max_examples=300 * SCALE)
@given(case=scenario_tables(), seed=st.integers(0, 2**63 - 1))
def test_scenario_tables_are_refused_in_one_line_or_run_to_finite_outputs(case, seed):
    table, fault = case
    _event(f"fault: {fault}")
    with _timeout(15):
        try:
            scenario = Scenario.from_dict(table)
        except ScenarioError as exc:
            _one_line(exc)
            return
        try:
            result = run(scenario, steps=12, seed=seed)
        except ScenarioError as exc:  # a run-level refusal (a merger naming an organisation the place lacks ...)
            _one_line(exc)
            return
    _finite_outputs(result)


@settings(FUZZ, max_examples=200 * SCALE)
@given(pv=PARAM_VALUE)
def test_a_bad_parameter_value_is_refused_naming_its_key(pv):
    spec, value = pv
    try:
        Scenario(**{spec.name: value})
    except ScenarioError as exc:
        assert spec.name in _one_line(exc)
        return
    # accepted: a finite value of the right type in range
    assert isinstance(value, bool) == (spec.kind is bool)
    if spec.kind is not bool:
        assert math.isfinite(value) and spec.low <= value <= spec.high


TOML_LITERAL = st.one_of(st.sampled_from(["inf", "-inf", "nan", "1e30", "1e400", "9" * 60, "-0", "0x7fffffffffffffff",
                                          "0xffffffffffffffff", "1_000", "'x'", "true", "[]", "{}", "{ a = 1 }",
                                          "1e-300", "0.000001"]),
                         st.integers(-(10**25), 10**25).map(str), st.floats(allow_nan=False).map(repr))
TEMPLATES = (
    "[place]\norganisations = {{ nhs_trust = 2, council = 2, voluntary = {v} }}\n",
    "[kinds.council]\nties = {{ voluntary = {v} }}\n",
    "[kinds.council]\ncapacity = {v}\n",
    "[kinds.voluntary]\naltruism = {{ mean = 0.5, concentration = {v} }}\n",
    "[kinds.voluntary]\ntransparency = {{ mean = {v}, concentration = 10 }}\n",
    "[costs]\nmerger_cost = {v}\n",
    "[dynamics]\ncontact_rate = {v}\n",
    "[[shocks]]\nkind = \"demand\"\nstart = 0\nsize = {v}\n",
    "[[mergers]]\nmonth = 1\nabsorbed = {v}\ninto = 0\n",
    "[place]\ninitial_trust = {v}\n",
)


@settings(FUZZ, max_examples=200 * SCALE)
@given(template=st.sampled_from(TEMPLATES), literal=TOML_LITERAL, bom=st.booleans())
def test_scenario_files_with_extreme_literals(tmp_path_factory, template, literal, bom):
    path = tmp_path_factory.mktemp("toml") / "s.toml"
    text = "[place]\norganisations = { nhs_trust = 2, council = 2, voluntary = 6 }\n" \
        if not template.startswith("[place]\norganisations") else ""
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (text + template.format(v=literal)).encode())
    with _timeout(15):
        try:
            scenario = Scenario.from_toml(path)
        except ScenarioError as exc:
            _one_line(exc)
            return
        if scenario.n_organisations <= 40:
            try:
                result = run(scenario, steps=12, seed=1)
            except ScenarioError as exc:
                _one_line(exc)
                return
            _finite_outputs(result)


@settings(FUZZ, max_examples=150 * SCALE)
@given(raw=st.one_of(st.binary(max_size=64), st.sampled_from([
    b"\xff\xfe[place]", b"a = \xc3", b"\xef\xbb\xbfname = 'x'", b"a = " + b"[" * 5000 + b"]" * 5000,
    b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000, b"[" + b"a." * 4000 + b"b]"])))
def test_any_bytes_as_a_toml_file_parse_or_refuse_in_one_line(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("raw") / "x.toml"
    path.write_bytes(raw)
    with _timeout(10):
        try:
            read_toml(path, "scenario")
            Scenario.from_toml(path)
        except ScenarioError as exc:
            _one_line(exc)


# ----------------------------------------------------------------------------- experiment tables
RANGES = {"contact_rate": (0.25, 4.0), "open_book": (0.0, 1.0), "shared_roles": (0, 4),
          "organisations.voluntary": (2, 12), "baseline_trust": (0.2, 0.4)}
EXPERIMENT_FAULTS = ("samples", "replicates", "levels", "num", "steps", "seed", "snapshots", "low above high",
                     "nan bound", "unknown parameter", "method", "stall", "lever value", "section")


@st.composite
def experiment_tables(draw):
    """A valid experiment table of any design, or (one time in two) one with a single fault; returns (table, fault)."""
    method = draw(st.sampled_from(["grid", "lhs", "sobol", "morris", "robustness"]))
    names = draw(st.lists(st.sampled_from(sorted(RANGES)), min_size=2, max_size=3, unique=True))
    params: dict = {}
    for n in names:
        low, high = RANGES[n]
        if method == "grid" and draw(st.booleans()):
            params[n] = sorted({low, high})
        else:
            params[n] = {"low": low, "high": high, **({"num": draw(st.integers(2, 3))} if method == "grid" else {})}
    table: dict = {"base": {"set": {"organisations": dict(SMALL)}},
                   "design": {"method": method, "replicates": draw(st.integers(1, 2))},
                   "run": {"steps": draw(st.integers(1, 24)), "seed": draw(st.integers(0, 2**63 - 1))}}
    if method in ("lhs", "robustness", "morris"):
        table["design"]["samples"] = draw(st.integers(1, 4))
    if method == "sobol":
        table["design"]["samples"] = draw(st.sampled_from([1, 2, 4]))
    if method == "robustness":
        table["uncertainties"] = params
        table["levers"] = {"none": {}, "books": {"kind": "relational", "set": {"statutory_contact": 1.0}}}
    else:
        table["parameters"] = params
    fault = draw(st.sampled_from(("none",) * len(EXPERIMENT_FAULTS) + EXPERIMENT_FAULTS))
    bad = draw(st.one_of(NASTY, st.sampled_from([0, -1, 10**8, 2**63, 2**64, 10**30])))
    first = names[0]
    if fault in ("samples", "replicates", "levels"):
        table["design"][fault] = bad
    elif fault == "num":
        table["design"]["method"] = "grid"
        table.pop("uncertainties", None), table.pop("levers", None)
        table["parameters"] = {n: {"low": RANGES[n][0], "high": RANGES[n][1], "num": 10_000} for n in names}
    elif fault in ("steps", "seed"):
        table["run"][fault] = bad
    elif fault == "snapshots":
        table["run"]["snapshots"] = [draw(st.sampled_from([-1, 10**6, 1.5, "x"]))]
    elif fault == "low above high":
        declared = table.get("parameters", table.get("uncertainties"))
        declared[first] = {"low": RANGES[first][1], "high": RANGES[first][0]}
    elif fault == "nan bound":
        declared = table.get("parameters", table.get("uncertainties"))
        declared[first] = {"low": RANGES[first][0], "high": draw(st.sampled_from([math.nan, math.inf, 1e300]))}
    elif fault == "unknown parameter":
        table.get("parameters", table.get("uncertainties"))["nonsense"] = [1, 2]
    elif fault == "method":
        table["design"]["method"] = bad
    elif fault == "stall":
        table["analysis"] = {"stall_threshold": draw(st.sampled_from([math.nan, math.inf, 0, 2, "x"]))}
    elif fault == "lever value":
        table["design"]["method"] = "robustness"
        table["uncertainties"] = table.pop("parameters", table.get("uncertainties"))
        table["levers"] = {"none": {}, "books": {"set": {"open_book": draw(st.sampled_from([math.nan, 2.0, "x"]))}}}
    elif fault == "section":
        table[draw(st.sampled_from(["design", "run", "bogus"]))] = bad
    return table, fault


@settings(FUZZ, max_examples=250 * SCALE)
@given(case=experiment_tables())
def test_experiment_tables_are_refused_in_one_line_or_planned_and_run(case):
    from simulation.experiments.design import run_plan
    from simulation.experiments.runner import RunConfig, _tasks, execute_runs

    table, fault = case
    _event(f"fault: {fault}")
    with _timeout(15):
        try:
            exp = experiment_from_dict(table)
        except ScenarioError as exc:
            _one_line(exc)
            return
        # the drawn bad value may happen to be a good one (replicates = 1 ...); these faults never can
        assert fault not in ("num", "snapshots", "low above high", "nan bound", "unknown parameter", "method", "stall",
                             "lever value"), f"the fault {fault!r} was not refused"
        assert 1 <= exp.steps <= 12_000 and 0 <= exp.seed <= 2**63 - 1
        plan = run_plan(exp)
        assert 1 <= len(plan) <= MAX_RUNS
        batch = execute_runs(_tasks(plan.head(3), exp.names), RunConfig(exp.base, exp.steps))
    for row in batch.rows:
        assert row["status"] == "ok", row["error"]
        for key in ("final_integration", "final_mean_trust", "total_conflicts"):
            assert math.isfinite(row[key]), (key, row)
    _event("accepted: planned and run")


def test_an_experiment_of_a_hundred_million_runs_is_refused_with_its_size():
    table = {"parameters": {"contact_rate": {"low": 0.5, "high": 2.0, "num": 10_000},
                            "open_book": {"low": 0.0, "high": 1.0, "num": 10_000}}}
    with pytest.raises(ScenarioError, match=r"100,000,000 planned runs is too many: at most 2,000,000"):
        experiment_from_dict(table)


# ----------------------------------------------------------------------------- CSV places
CSV_FAULTS = ("blank id", "duplicate id", "blank kind", "unknown kind", "unknown source", "self tie", "bad trust",
              "header only", "repeated row", "bad size")


@st.composite
def csv_places(draw):
    """Organisations and relationships CSV text of a valid place, or (one time in two) with a single fault."""
    ids = draw(st.lists(st.sampled_from(["01", "1", "A", "B", "é", "1.0", "nan", "NA"]), unique=True, min_size=2,
                        max_size=5))
    kinds = draw(st.lists(st.sampled_from(["council", "nhs_trust", "voluntary"]), min_size=len(ids),
                          max_size=len(ids)))
    pairs = draw(st.lists(st.tuples(st.integers(0, len(ids) - 1), st.integers(0, len(ids) - 1)).filter(
        lambda p: p[0] != p[1]), min_size=1, max_size=6, unique=True))
    trust = draw(st.lists(st.sampled_from(["", "0.5", "0", "1", "0.25"]), min_size=len(pairs), max_size=len(pairs)))
    rows = [[ids[a], ids[b], t] for (a, b), t in zip(pairs, trust)]
    sizes = draw(st.lists(st.sampled_from(["", "0.02", "600", "1e-3", "1000000"]), min_size=len(ids),
                          max_size=len(ids)))
    orgs = [[i, f"org {k}", kind, size] for k, (i, kind, size) in enumerate(zip(ids, kinds, sizes))]
    fault = draw(st.sampled_from(("none",) * len(CSV_FAULTS) + CSV_FAULTS))
    bad = draw(st.sampled_from(["inf", "nan", "-1", "2", "1e300", "x", "-inf", "1.5e"]))
    k = draw(st.integers(0, len(orgs) - 1))
    if fault == "blank id":
        orgs[k][0] = draw(st.sampled_from(["", " "]))
    elif fault == "duplicate id":
        orgs.append([orgs[k][0], "twin", "council", ""])
    elif fault == "blank kind":
        orgs[k][2] = ""
    elif fault == "unknown kind":
        orgs[k][2] = "ghost"
    elif fault == "unknown source":
        rows[0][0] = "ghost"
    elif fault == "self tie":
        rows[0][1] = rows[0][0]
    elif fault == "bad trust":
        rows[0][2] = bad
    elif fault == "header only":
        rows = []
    elif fault == "repeated row":
        rows.append(list(rows[0]))
    elif fault == "bad size":
        orgs[k][3] = draw(st.sampled_from(["0", "-1", "inf", "nan", "x", "1e300", "2e6", "1.5e"]))
    return orgs, rows, fault


@settings(FUZZ, max_examples=250 * SCALE)
@given(case=csv_places(), bom=st.booleans())
def test_csv_places_load_or_refuse_in_one_line(tmp_path_factory, case, bom):
    orgs, rows, fault = case
    _event(f"fault: {fault}")
    folder = tmp_path_factory.mktemp("csv")
    head = "\ufeff" if bom else ""
    (folder / "o.csv").write_text(head + "id,name,kind,size\n" + "".join(",".join(r) + "\n" for r in orgs), "utf-8")
    (folder / "r.csv").write_text(head + "source,target,trust\n" + "".join(",".join(r) + "\n" for r in rows),
                                  "utf-8")
    try:
        place = place_from_csv(folder / "o.csv", folder / "r.csv")
    except ScenarioError as exc:
        assert fault != "none", f"a valid place was refused: {exc}"
        _one_line(exc)
        return
    assert fault == "none", f"the fault {fault!r} was not refused"
    assert place.ids == [r[0] for r in orgs]  # ids as written: 01 is not 1, nan is a name
    assert place.n_pairs >= 1
    _finite_outputs(run(Scenario(organisations=SMALL), steps=3, seed=0, place=place))


def test_csv_ids_are_text_not_numbers(tmp_path):
    (tmp_path / "o.csv").write_text("id,name,kind\n01,a,council\n1,b,nhs_trust\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("\ufeffsource,target\n01,1\n", encoding="utf-8")
    place = place_from_csv(tmp_path / "o.csv", tmp_path / "r.csv")
    assert place.ids == ["01", "1"] and place.pairs.tolist() == [[0, 1]]
    (tmp_path / "o.csv").write_text("id,name,kind\n01,a,council\n,b,nhs_trust\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"o.csv: row 3 has a blank id"):
        place_from_csv(tmp_path / "o.csv", tmp_path / "r.csv")
    (tmp_path / "o.csv").write_text("id,name,kind\n01,a,council\n1,b,nhs_trust\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("source,target,trust\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"r.csv: no relationships, only a header"):
        place_from_csv(tmp_path / "o.csv", tmp_path / "r.csv")


# ----------------------------------------------------------------------------- the Python API
def _good_or_bad(good: list, bad: list):
    """One of ``good`` three times in four, else one of ``bad``."""
    return st.one_of(*[st.sampled_from(good)] * 3, st.sampled_from(bad))


RUN_ARGUMENTS = {  # argument: (good values, bad values)
    "scenario": ([None, Scenario(organisations=SMALL)], [{"contact_rate": 2}, "default", 3]),
    "steps": ([0, 1, 6, np.int64(4)], [-1, 1.5, "6", None, True, 10**8, 2**64]),
    "seed": ([0, 7, 2**63 - 1, np.uint64(3)], [-1, 2**63, 2**64, 1.0, "1", None]),
    "snapshot_steps": ([(), "all", [0]], [[-1], [10**6], "x", 5, [1.5], None]),
    "engine": (["fast", "reference"], ["x", None]),
    "place": ([None], ["place", 0]),
}


@st.composite
def run_arguments(draw):
    """Keyword arguments of :func:`simulation.run`, all good or (one time in two) one of them bad."""
    bad = draw(st.sampled_from(["none"] * len(RUN_ARGUMENTS) + sorted(RUN_ARGUMENTS)))
    return {name: draw(st.sampled_from(values[1] if name == bad else values[0]))
            for name, values in RUN_ARGUMENTS.items()}, bad


@settings(FUZZ, max_examples=250 * SCALE)
@given(case=run_arguments())
def test_run_refuses_wrong_types_and_values_naming_the_argument(case):
    kwargs, bad = case
    if kwargs["scenario"] is None:
        kwargs["scenario"] = Scenario(organisations=SMALL)
    with _timeout(15):
        try:
            result = run(**kwargs)
        except (ScenarioError, TypeError) as exc:
            assert bad != "none", f"good arguments refused: {exc}"
            assert bad in _one_line(exc) or (bad == "snapshot_steps" and "steps" in str(exc))
            return
    assert bad == "none", f"a bad {bad} = {kwargs[bad]!r} was accepted"
    assert isinstance(result.seed, int) and 0 <= result.seed <= 2**63 - 1
    if result.summary["steps"] > 0:
        _finite_outputs(result)


@settings(FUZZ, max_examples=120 * SCALE)
@given(scenarios=st.sampled_from([None, Scenario(organisations=SMALL), [Scenario(organisations=SMALL)] * 2, "x",
                                  [1, 2], {"a": 1}]),
       seeds=st.sampled_from([[1, 2], [], [-1], [2**64], "12", 5, [1.5], range(2)]),
       steps=st.sampled_from([3, -1, 10**9, "3"]),
       places=st.sampled_from([None, "p", [None, None], [1, 2]]))
def test_run_batch_and_replicates_refuse_in_one_line(scenarios, seeds, steps, places):
    with _timeout(15):
        for call in (lambda: run_batch(scenarios, seeds, steps, places),
                     lambda: run_replicates(scenarios if not isinstance(scenarios, list) else None, seeds, steps,
                                            place=places if not isinstance(places, list) else None)):
            try:
                results = call()
            except (ScenarioError, TypeError) as exc:
                _one_line(exc)
                continue
            for r in results:
                if r.summary["steps"] > 0:
                    _finite_outputs(r)


@settings(FUZZ, max_examples=150 * SCALE)
@given(trust=_good_or_bad([None, [[0.5, np.nan]], [[0.2, 1.0]]],
                          [[[np.inf, 0.5]], [[2.0, -1.0]], [[0.5]], "x", [[0.1, 0.2], [0.3, 0.4]]]),
       contact=_good_or_bad([None, [np.nan], [3.0]], [[-5.0], [1e300], [[1.0]], ["a"]]),
       pairs=_good_or_bad([[[0, 1]], np.array([[0, 1]])], [[[0, 0]], [[0, 5]], [[1, 0]], [0, 1, 2], "ab", [[0.5, 1]]]),
       ids=_good_or_bad([["a", "b"], [0, 1]], ["ab", ["a"], ["a", "a"], 2]))
def test_place_from_the_api_is_checked_like_the_csv_path(trust, contact, pairs, ids):
    try:
        place = Place(ids=ids, names=["A", "B"], kinds=["council", "nhs_trust"], pairs=pairs, trust=trust,
                      contact_rate=contact)
    except (ScenarioError, TypeError) as exc:
        _one_line(exc)
        return
    assert place.trust is None or np.all(np.isnan(place.trust) | ((place.trust >= 0) & (place.trust <= 1)))
    assert place.contact_rate is None or np.all(np.isnan(place.contact_rate) | ((place.contact_rate >= 0)
                                                                              & (place.contact_rate <= 100)))
    _finite_outputs(run(Scenario(organisations=SMALL), steps=3, seed=0, place=place))


def test_place_with_infinite_trust_and_huge_contact_is_refused():
    with pytest.raises(ScenarioError, match=r"place: trust\[0, 0\] = inf is out of range"):
        Place(ids=["a", "b"], names=["A", "B"], kinds=["council", "nhs_trust"], pairs=[[0, 1]],
              trust=[[np.inf, 0.5]], contact_rate=[1.0])
    with pytest.raises(ScenarioError, match=r"place: contact_rate\[0\] = 1e\+300 is out of range"):
        Place(ids=["a", "b"], names=["A", "B"], kinds=["council", "nhs_trust"], pairs=[[0, 1]], contact_rate=[1e300])


@settings(FUZZ, max_examples=80 * SCALE)
@given(kwargs=st.fixed_dictionaries({}, optional={
    "rng": st.sampled_from([1, -1, 2**64, "x", 1.5]), "seed": st.sampled_from([1, -1, 2**70, "s"]),
    "snapshot_steps": st.sampled_from([[1], [-3], "all", "some", 7]), "place": st.sampled_from(["p", 1]),
    "contact_rate": st.sampled_from([1.0, np.nan, np.inf, "x", -1]), "steps": st.just(3)}))
def test_trust_model_constructor_refuses_in_one_line(kwargs):
    try:
        model = TrustModel(Scenario(organisations=SMALL), **kwargs)
    except (ScenarioError, TypeError) as exc:
        _one_line(exc)
        return
    model.run(2)
    assert np.isfinite(model.timeseries()["integration"]).all()


# ----------------------------------------------------------------------------- the command line
FLAG_VALUES = {
    "--steps": ["0", "-3", "x", "1e3", "100000000", "18446744073709551616", "6", "nan"],
    "--seed": ["0", "-1", "18446744073709551616", "9223372036854775807", "1.5", "x"],
    "--set": ["kinds.council=1", "organisations=3", "organisations={voluntary=4}", "contact_rate=nan",
              "contact_rate=inf", "ties=1", "kinds={council={ties={voluntary=inf}}}", "capacity=1e30",
              'shocks=[{kind="demand", start=0, size=100}]', 'shocks=[{kind="demand", start=0, size=1e300}]',
              'shocks=[{kind="demand", start=0, size=0.5}]', "organisations.voluntary=" + "9" * 60,
              "x=" + "[" * 3000 + "]" * 3000, "=", "name=[1]", "mergers=[{month=1, absorbed=5, into=4}, "
              "{month=2, absorbed=5, into=3}]", "kinds.council.capacity=3"],
    "--snapshots": ["all", "1,2", "-1", "x", "999999", ""],
    "--format": ["csv", "parquet", "xlsx"],
    "--engine": ["fast", "reference", "turbo"],
}


@settings(FUZZ, max_examples=150 * SCALE)
@given(flags=st.dictionaries(st.sampled_from(sorted(FLAG_VALUES)), st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.sampled_from(FLAG_VALUES[k]) for k in keys})))
def test_command_line_vectors_exit_0_or_2_with_one_error_line(tmp_path_factory, capsys, flags):
    out = tmp_path_factory.mktemp("cli") / "out"
    argv = ["run", "--out", str(out), "--set", "organisations={nhs_trust=2, council=2, voluntary=6}"]
    if "--steps" not in flags:
        argv += ["--steps", "6"]
    for flag, value in flags.items():
        argv += [flag, value]
    with _timeout(15):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    err = capsys.readouterr().err
    _event(f"exit code {code}")
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert not out.exists() or not any(out.iterdir())
        return
    summary = (pd.read_csv(out / "summary.csv") if (out / "summary.csv").exists()
               else pd.read_parquet(out / "summary.parquet"))
    for column in summary.select_dtypes(["number", "bool"]).columns:  # not the scenario's or the place's names
        if not any(k in column for k in MAY_BE_NAN):
            assert np.isfinite(summary[column].astype(float)).all(), column
    import json

    json.loads((out / "manifest.json").read_text(), parse_constant=lambda c: pytest.fail(f"{c} in manifest.json"))


def test_a_demand_shock_is_bounded_in_size_and_horizon(capsys, tmp_path):
    out = str(tmp_path / "o")
    assert main(["run", "--steps", "120", "--out", out, "--set", 'shocks=[{kind="demand", start=0, size=100}]']) == 2
    assert "shocks[0].size = 100 is out of range: expected a number in [0, 1]" in capsys.readouterr().err
    assert main(["run", "--steps", "240", "--out", out, "--set", 'shocks=[{kind="demand", start=0, size=1}]']) == 2
    assert "a run with these shocks may last at most 160 months (asked: 240)" in capsys.readouterr().err
    result = run(Scenario(organisations=SMALL, shocks=[{"kind": "demand", "start": 0, "size": 1.0}]), steps=160,
                 seed=3)
    _finite_outputs(result)
    demand = {"organisations": SMALL, "shocks": [{"kind": "demand", "start": 0, "size": 1.0}]}
    with pytest.raises(ScenarioError, match=r"run.steps = 240: base.shocks: .* may last at most 160 months"):
        experiment_from_dict({"base": {"set": demand}, "parameters": {"open_book": [0.0, 1.0]}, "run": {"steps": 240}})
    with pytest.raises(ScenarioError, match=r"may last at most 160 months \(asked: 161\)"):
        run_batch(Scenario(**demand), [1, 2], steps=161)
    model = TrustModel(Scenario(organisations=SMALL, shocks=[{"kind": "demand", "start": 0, "size": 1.0}]), rng=1)
    model.run(160)
    with pytest.raises(ScenarioError, match="may last at most 160 months"):
        model.step()


def test_degenerate_trait_distributions_are_refused_not_drawn():
    kind = {"altruism": {"mean": 0.5, "concentration": 1e-300}}
    with pytest.raises(ScenarioError, match=r"kinds.voluntary.altruism.concentration = 1e-300 is out of range"):
        Scenario.from_dict({"kinds": {"voluntary": kind}})
    with pytest.raises(ScenarioError, match=r"gives a Beta shape of 1e-06, below 0.001"):
        Scenario.from_dict({"kinds": {"voluntary": {"altruism": {"mean": 1e-7, "concentration": 10}}}})
    with pytest.raises(ScenarioError, match=r"place.initial_trust = 1e-300 is out of range"):
        Scenario(initial_trust=1e-300)


def test_seeds_beyond_int64_are_refused_everywhere(capsys, tmp_path):
    with pytest.raises(ScenarioError, match=r"seed = 18446744073709551616 is out of range"):
        run(Scenario(organisations=SMALL), steps=2, seed=2**64)
    with pytest.raises(SystemExit, match="2"):
        main(["run", "--seed", str(2**64), "--out", str(tmp_path / "o")])
    assert capsys.readouterr().err.startswith("error: speed-of-trust run: argument --seed: '18446744073709551616' is "
                                              "out of range: expected an integer seed in [0, 9223372036854775807]")
    with pytest.raises(ScenarioError, match=r"run.seed = 18446744073709551616 is out of range"):
        experiment_from_dict({"parameters": {"open_book": [0.0, 1.0]}, "run": {"seed": 2**64}})


def test_refusals_name_the_key_for_files_too(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[kinds.council]\nties = { voluntary = inf }\n")
    with pytest.raises(ScenarioError, match=r"kinds.council.ties.voluntary = inf is not a finite number"):
        Scenario.from_toml(path)
    path.write_bytes(b"[dynamics]\ncontact_rate = 1 # \xff\n")
    with pytest.raises(ScenarioError, match=r"is not UTF-8 text \(byte 0xff at offset 30\)"):
        Scenario.from_toml(path)
    path.write_bytes(b"\xef\xbb\xbf[dynamics]\ncontact_rate = 2\n")
    assert Scenario.from_toml(path).contact_rate == 2.0


def test_set_reaches_a_kind_key_by_key(tmp_path, capsys):
    sc = Scenario().replace(**{"kinds.council.capacity": 3, "kinds.primary_care": {
        "sector": "nhs", **{t: {"mean": 0.5, "concentration": 10} for t in TRAITS}}})
    assert sc.kinds["council"].capacity == 3 and sc.kinds["council"].hours == 40.0
    assert sc.kinds["primary_care"].sector == "nhs"
    assert main([*("run", "--steps", "3", "--out", str(tmp_path / "o")), "--set", "kinds.council=1"]) == 2
    assert capsys.readouterr().err.startswith("error: kinds.council = 1 has the wrong type: expected a table")


def test_mergers_of_an_absorbed_organisation_are_refused():
    with pytest.raises(ScenarioError, match=r"mergers\[1\].absorbed = 5: organisation 5 was already absorbed into 4"):
        Scenario(mergers=[{"month": 1, "absorbed": 5, "into": 4}, {"month": 2, "absorbed": 5, "into": 3}])
    with pytest.raises(ScenarioError, match=r"mergers\[0\].into = 5: organisation 5 was already absorbed"):
        Scenario(mergers=[{"month": 3, "absorbed": 6, "into": 5}, {"month": 2, "absorbed": 5, "into": 3}])
