"""Does each mechanism of the essays move an outcome? The table of docs/mechanisms.md, one parameter at a time.

Each mechanism the model implements (a short name, the essay's phrase, and the
parameters that carry it: :data:`MECHANISMS`) is tried across its declared
range: every assumed or sourced parameter over its range in
:data:`simulation.provenance.PROVENANCE`, every lever from off to the top of
the range ``experiments/quick.toml`` screens (on/off for a switch). For each
parameter, :data:`POINTS` evenly spaced values run against the parameter's
default with the same seeds (common random numbers: the same places and
streams), 240 months in the default place, all other parameters at their
defaults (read at run time, so the table follows the model's defaults). A
lever's design choice (a shared role's new time, a group meeting's weight) is
tried with its lever on, against the same lever setting at the default.

Outcomes: months to 50% of the head-count integration index, of the statutory
core's integration, of connectedness and of the size-weighted index, and joint care at month 120. A run
that never reaches 50% counts as the run length (240 months), so a difference
in months is a bound when runs are censored (marked ``+``). The effect of a
value is the mean of the paired differences from the default over the seeds,
with a 95% interval (normal approximation); a parameter *moves* an outcome
when, at some value in its range, the interval excludes zero and the effect is
at least the smallest effect that matters (:mod:`simulation.experiments.effects`: on a
time the larger of 3 months and 10% of the default's mean, on joint care the larger of
0.02 and 10%). A mechanism that moves nothing anywhere is reported as such.

Results go to ``experiments/results/mechanisms.csv`` and the block between the
``mechanisms`` markers of ``docs/mechanisms.md``::

    python experiments/mechanisms.py            # run, save, render (a few minutes on 2 cores)
    python experiments/mechanisms.py --render   # render again from the saved file
    python experiments/mechanisms.py --tiny --out /tmp/m.csv --no-docs   # a smoke test
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import paired_interval, replace_block, saved_or_fresh  # noqa: E402
from paired import worker_map  # noqa: E402

from simulation import PARAMETERS, Scenario, ScenarioError  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.experiments.effects import smallest_effect, smallest_text  # noqa: E402
from simulation.outcomes import time_to_level  # noqa: E402
from simulation.provenance import PROVENANCE  # noqa: E402

__all__ = ["Mechanism", "MECHANISMS", "OUTCOMES", "Settings", "FULL", "TINY", "parameter_range", "points",
           "run_outcomes", "parallel_map", "run_table", "smallest_effect", "verdicts", "table", "main"]

RESULTS = HERE / "results" / "mechanisms.csv"
DOC = ROOT / "docs" / "mechanisms.md"
QUICK = HERE / "quick.toml"  # the lever ranges screened by the main job
POINTS = 5
CARE_MONTH = 120
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)  # of each outcome across the seeds' places
BOOTSTRAP, BOOTSTRAP_SEED = 1000, 20261206  # paired bootstrap of a change in the spread between places

#: (column, label, short name, column of the kernel's outcome array, kind); joint care is read at
#: :data:`CARE_MONTH` (or the last month of shorter runs)
OUTCOMES = (("months_to_50", "months to 50%: head-count", "head-count", "integration", "time"),
            ("statutory_months_to_50", "months to 50%: statutory core", "statutory core", "statutory_integration",
             "time"),
            ("connectedness_months_to_50", "months to 50%: connectedness", "connectedness", "connectedness", "time"),
            ("size_months_to_50", "months to 50%: size-weighted", "size-weighted", "size_integration", "time"),
            ("joint_care_120", "joint care at month 120", "joint care", "joint_care", "share"))


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the essays: its short name, the phrase it implements, and the parameters that carry it.

    ``context`` gives, per parameter, the lever setting under which it can act at all (a design choice
    of a lever): the parameter is then tried with the lever on, against the lever on at the default.
    ``spreads``: the parameters act on how much places differ, so the block also gives each value's spread of
    the times across places.
    """

    name: str
    phrase: str
    parameters: tuple[str, ...]
    context: dict[str, dict[str, float | bool]] = field(default_factory=dict)
    spreads: bool = False  # its parameters spread places apart: the block shows the spread across places too


_BOARD = {"system_board": True, "board_contact_rate": 1.0}  # a monthly board: the example
#: The mechanisms of the essays the model implements (docs/ODD.md §7), and their parameters.
MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("contact", "\"frequent personal contact between leaders to build understanding and trust\" (Ham)",
              ("contact_rate",)),
    Mechanism("open books", "\"an open book approach to sharing financial and other information\" (Ham)",
              ("open_book", "openness_evidence")),
    Mechanism("legacy of competition", "\"The legacy of competitive behaviours in the NHS presents an obvious "
              "challenge\" (Ham)", ("conflict_rate", "competitive_pressure", "rivalry", "conflict_strain",
                                     "initial_trust")),
    Mechanism("resolving conflicts", "\"surface and resolve conflicts, rather than letting them fester\" (Ham)",
              ("resolution_rate", "festering_evidence")),
    Mechanism("altruism", "\"behave altruistically towards partners\" (Ham)", ("altruism_rate",)),
    Mechanism("reciprocity", "\"progress occurs at the speed of trust\" (Ham): trust changes what leaders do "
              "(ODD §7.18)", ("reciprocity", "contact_reciprocity", "suspicion")),
    Mechanism("leader turnover", "\"transforming relationships among people who shape those systems\" (Senge, "
              "quoted by Ham): relationships leave with their leaders", ("turnover_rate", "turnover_trust_loss")),
    Mechanism("shared roles", "\"we need more boundary spanning leaders\" (Burstow)",
              ("shared_roles", "shared_role_new_time"), {"shared_role_new_time": {"shared_roles": 8}}),
    Mechanism("boundary spanners relay", "sharing leadership \"will help to break down barriers, accelerate "
              "progress\" (Burstow): a role's holders introduce each other to their partners and relay what they "
              "learn to their teams (ODD §7.21)", ("role_brokerage", "role_relay"),
              {"role_brokerage": {"shared_roles": 8}, "role_relay": {"shared_roles": 8}}),
    Mechanism("boards", "\"Health and Wellbeing Boards have been a means of enabling population health to rise up "
              "the agenda\" (Ham); system boards (ODD §7.9)",
              ("system_board", "health_wellbeing_board", "group_meeting_weight"),
              {"group_meeting_weight": _BOARD}),
    Mechanism("leadership development", "\"the skills they need to work across boundaries\" (Burstow)",
              ("leadership_development",)),
    Mechanism("place-based programmes", "\"programmes deliberately lock their focus on place rather than "
              "organisations\" (Burstow)", ("place_programmes",)),
    Mechanism("shared vision", "\"Time spent developing shared visions is often valuable\" (Ham)",
              ("shared_vision",)),
    Mechanism("co-production", "\"genuine co-production\" (Burstow)", ("coproduction",)),
    Mechanism("long-term commitment", "\"a commitment to work together for the longer term\" (Ham)",
              ("long_term_commitment",)),
    Mechanism("places differ", "\"almost thirty years of NHS reform being driven by a belief in competition\" "
              "(Ham): places' pressure, history and demand drawn per run (ODD §7.20)",
              ("pressure_spread", "history_spread", "demand_spread"), spreads=True),
)


@dataclass(frozen=True)
class Settings:
    """How much to run: seeds a point, months, values a parameter, and the place (None: the default place)."""

    seeds: int
    steps: int
    points: int
    organisations: dict[str, int] | None = None


FULL = Settings(seeds=100, steps=240, points=POINTS)
TINY = Settings(seeds=4, steps=30, points=2, organisations={"nhs_trust": 3, "council": 2, "voluntary": 6})

_SPEC = {p.name: p for p in PARAMETERS}


def _lever_ranges() -> dict[str, tuple]:
    """The lever ranges the main job screens (:data:`QUICK`): ``{name: (low, high)}`` or ``{name: (False, True)}``."""
    params = tomllib.loads(QUICK.read_text(encoding="utf-8")).get("parameters", {})
    out = {}
    for name, value in params.items():
        if isinstance(value, dict):
            out[name] = (value["low"], value["high"])
        elif isinstance(value, list):
            out[name] = (min(value), max(value))
    return out


def parameter_range(name: str) -> tuple[float, float, str]:
    """Where ``name`` is tried: its declared uncertain range, or a lever's screened range; and the status.

    >>> parameter_range("gain_rate")[2], parameter_range("open_book")
    ('assumed', (0.0, 1.0, 'lever'))
    """
    if name not in PROVENANCE or name not in _SPEC:
        raise ScenarioError(f"mechanism parameter {name!r} is not a model parameter with a provenance entry")
    prov = PROVENANCE[name]
    if prov.range is not None:
        return float(prov.range[0]), float(prov.range[1]), prov.status
    if _SPEC[name].kind is bool:
        return 0.0, 1.0, prov.status
    levers = _lever_ranges()
    if name not in levers:
        raise ScenarioError(f"lever {name!r} has no range in {QUICK.name}'s [parameters]; add one there")
    low, high = levers[name]
    return float(low), float(high), prov.status


def points(name: str, count: int) -> list[float | int | bool]:
    """``count`` evenly spaced values over ``name``'s range (a switch: off and on; an integer: rounded, distinct).

    >>> points("system_board", 5), points("shared_roles", 5), points("contact_rate", 3)
    ([False, True], [0, 2, 4, 6, 8], [0.5, 1.25, 2.0])
    """
    low, high, _ = parameter_range(name)
    spec = _SPEC[name]
    if spec.kind is bool:
        return [False, True]
    values = np.linspace(low, high, max(2, count))
    if spec.kind is int:
        return sorted({round(float(v)) for v in values})
    return [float(v) for v in values]


def _context_text(context: dict) -> str:
    return ", ".join(f"{k} = {str(v).lower() if isinstance(v, bool) else f'{v:g}'}" for k, v in context.items())


def cases(base: Scenario, settings: Settings) -> list[dict]:
    """Every run set: the default under each lever context, then each parameter's values other than its default."""
    out, contexts = [], {}
    for mech in MECHANISMS:
        for name in mech.parameters:
            context = mech.context.get(name, {})
            ref = base.replace(**context) if context else base
            key = _context_text(context)
            if key not in contexts:
                contexts[key] = ref
                out.append({"mechanism": "", "parameter": "default", "context": key, "value": math.nan,
                            "scenario": ref})
            for value in points(name, settings.points):
                if value == ref.params[name]:
                    continue  # the reference itself
                out.append({"mechanism": mech.name, "parameter": name, "context": key, "value": float(value),
                            "scenario": ref.replace(**{name: value})})
    return out


def run_outcomes(scenarios: Scenario | list[Scenario], seeds: list[int], steps: int) -> np.ndarray:
    """Per run (one per seed): the :data:`OUTCOMES`, the three first-passage months (NaN: never reached) and
    joint care at month 120 (or the last month of a shorter run); ``scenarios`` one, or one per seed."""
    rows = []
    care = min(CARE_MONTH, steps)
    for arr, cols in simulate_batch(scenarios, seeds, steps):
        row = [time_to_level(arr[:, cols.index(col)], 0.5) for _, _, _, col, kind in OUTCOMES if kind == "time"]
        rows.append([*row, float(arr[care, cols.index("joint_care")])])
    return np.array(rows)


def parallel_map(function, calls: list[tuple], workers: int) -> list:
    """``function(*args)`` for every ``args`` in ``calls``, in order, in ``workers`` processes (forked where the
    platform can); in this process when ``workers`` is 0 or 1."""
    if workers <= 1:
        return [function(*args) for args in calls]
    with worker_map(workers) as mapper:
        return list(mapper(function, *zip(*calls)))


def _restricted(x: np.ndarray, steps: int) -> np.ndarray:
    return np.where(np.isnan(x), float(steps), x)


def run_table(settings: Settings = FULL, workers: int = 2) -> pd.DataFrame:
    """One row per run set: the default under each context (means), or a parameter value (paired effects).

    Columns: ``mechanism``, ``parameter``, ``status``, ``low``, ``high``, ``context``, ``value``, ``seeds``,
    ``steps``, and per outcome ``<o>_mean`` (restricted mean), ``<o>_censored`` (share never reaching 50%),
    ``<o>_diff``, ``<o>_low``, ``<o>_high`` (paired effect against the context's default and its 95% interval),
    ``<o>_q10`` ... ``<o>_q90`` (quantiles across the seeds' places, never reached counted as never) and, for the
    times, ``<o>_spread_diff``, ``<o>_spread_low``, ``<o>_spread_high`` (:func:`spread_change`).
    """
    base = Scenario(name="default") if settings.organisations is None else \
        Scenario(name="default", organisations=settings.organisations)
    todo = cases(base, settings)
    seeds = list(range(settings.seeds))
    started = time.perf_counter()
    results = parallel_map(run_outcomes, [(c.pop("scenario"), seeds, settings.steps) for c in todo], workers)
    seconds = time.perf_counter() - started
    refs = {c["context"]: res for c, res in zip(todo, results) if c["parameter"] == "default"}
    rows = []
    for case, res in zip(todo, results):
        name = case["parameter"]
        low, high, status = parameter_range(name) if name != "default" else (math.nan, math.nan, "")
        row = {**case, "status": status, "low": low, "high": high, "seeds": settings.seeds,
               "steps": settings.steps, "seconds": seconds}
        ref = refs[case["context"]]
        for k, (col, _, _, _, kind) in enumerate(OUTCOMES):
            x, r = res[:, k], ref[:, k]
            for q in QUANTILES:  # across seeds, so across places: order statistics, a censored run counts as never
                row[f"{col}_q{round(q * 100)}"] = float(np.quantile(np.where(np.isnan(x), math.inf, x), q,
                                                                    method="inverted_cdf"))
            if kind == "time":
                row[f"{col}_censored"] = float(np.mean(np.isnan(x)))
                x, r = _restricted(x, settings.steps), _restricted(r, settings.steps)
            else:
                row[f"{col}_censored"] = 0.0
            row[f"{col}_mean"] = float(np.mean(x))
            diff, lo, hi = paired_interval(x - r) if name != "default" else (math.nan,) * 3
            row[f"{col}_diff"], row[f"{col}_low"], row[f"{col}_high"] = diff, lo, hi
            if kind == "time":  # the spread between places: change of the interquartile range
                spread = spread_change(x, r) if name != "default" else (math.nan,) * 3
                row[f"{col}_spread_diff"], row[f"{col}_spread_low"], row[f"{col}_spread_high"] = spread
        rows.append(row)
    return pd.DataFrame(rows)


def spread_change(x: np.ndarray, r: np.ndarray, resamples: int = BOOTSTRAP) -> tuple[float, float, float]:
    """Change of the interquartile range of ``x`` from ``r`` (paired by seed), with a 95% paired bootstrap interval.

    Seeded, so the same runs give the same interval.

    >>> x, r = np.arange(20.0) * 2, np.arange(20.0)
    >>> spread_change(x, r)[0]
    10.0
    """
    def iqr(a: np.ndarray) -> np.ndarray:
        q75, q25 = np.quantile(a, [0.75, 0.25], axis=-1, method="inverted_cdf")  # as the quartiles shown
        return q75 - q25

    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, len(x), (resamples, len(x)))
    boot = iqr(x[idx]) - iqr(r[idx])
    return float(iqr(x) - iqr(r)), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def verdicts(df: pd.DataFrame) -> pd.DataFrame:
    """Per parameter and outcome: the value shown (the largest effect that moves, else the largest effect),
    its effect and interval, whether it moves the outcome, and whether any run set is censored.

    A value *moves* an outcome when its 95% interval excludes zero and its effect is at least
    :func:`smallest_effect` of the context's default. For a mechanism that makes places differ, the change of
    each time's interquartile range across places is judged the same way (outcome ``<time>_spread``).
    """
    refs = df[df["parameter"] == "default"].set_index("context")
    rows = []
    for (mech, name), g in df[df["parameter"] != "default"].groupby(["mechanism", "parameter"], sort=False):
        ref = refs.loc[g["context"].iloc[0]]  # the context's default
        for col, _, _, _, kind in OUTCOMES:
            need = smallest_effect(kind, ref[f"{col}_mean"])
            d, lo, hi = g[f"{col}_diff"], g[f"{col}_low"], g[f"{col}_high"]
            moves = ((lo > 0) | (hi < 0)) & (d.abs() >= need)
            pool = g[moves] if moves.any() else g
            best = pool.loc[pool[f"{col}_diff"].abs().idxmax()]
            censored = bool(kind == "time" and (best[f"{col}_censored"] > 0 or ref[f"{col}_censored"] > 0))
            rows.append({"mechanism": mech, "parameter": name, "outcome": col, "value": best["value"],
                         "diff": best[f"{col}_diff"], "low": best[f"{col}_low"], "high": best[f"{col}_high"],
                         "moves": bool(moves.any()), "censored": censored, "need": need})
            if kind == "time" and f"{col}_spread_diff" in g and _spreads(mech):
                d, lo, hi = g[f"{col}_spread_diff"], g[f"{col}_spread_low"], g[f"{col}_spread_high"]
                moves = ((lo > 0) | (hi < 0)) & (d.abs() >= need)
                pool = g[moves] if moves.any() else g
                best = pool.loc[pool[f"{col}_spread_diff"].abs().idxmax()]
                rows.append({"mechanism": mech, "parameter": name, "outcome": f"{col}_spread", "value": best["value"],
                             "diff": best[f"{col}_spread_diff"], "low": best[f"{col}_spread_low"],
                             "high": best[f"{col}_spread_high"], "moves": bool(moves.any()), "censored": censored,
                             "need": need})
    return pd.DataFrame(rows)


def _spreads(mechanism: str) -> bool:
    return any(m.spreads for m in MECHANISMS if m.name == mechanism)


def _value(name: str, value: float) -> str:
    if _SPEC[name].kind is bool:
        return "on" if value else "off"
    return f"{value:.3g}"


def _range_text(name: str, row: pd.Series) -> str:
    text = "off / on" if _SPEC[name].kind is bool else f"{row['low']:.3g}–{row['high']:.3g}"
    text += f" ({row['status']}; default {_value(name, _SPEC[name].default)})"
    if row["context"]:
        text += f", with {row['context']}"
    return text


def _number(x: float, digits: int) -> str:
    return f"{x:+.{digits}f}"


def _cell(v: pd.Series, kind: str) -> str:
    """``effect (low to high) at value``: bold when it moves the outcome, ``+`` when it is a bound."""
    if pd.isna(v["diff"]):
        return "–"
    digits = 1 if kind == "time" else 3
    effect = _number(v["diff"], digits)
    text = (f"{f'**{effect}**' if v['moves'] else effect} ({_number(v['low'], digits)} to "
            f"{_number(v['high'], digits)}) at {_value(v['parameter'], v['value'])}")
    return text + (" +" if v["censored"] else "")


def _labels(steps: int) -> dict[str, str]:
    care = min(CARE_MONTH, steps)
    return {col: (label if kind == "time" else f"joint care at month {care}")
            for col, label, _, _, kind in OUTCOMES}


def _months(x: float) -> str:
    return "never" if math.isinf(x) else f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _spread(row: pd.Series, col: str) -> str:
    """Interquartile range and 10th-90th percentiles of a time across the seeds' places."""
    return (f"{_months(row[f'{col}_q25'])}–{_months(row[f'{col}_q75'])} "
            f"[{_months(row[f'{col}_q10'])}–{_months(row[f'{col}_q90'])}]")


def _iqr_change(row: pd.Series, col: str, need: float) -> str:
    if f"{col}_spread_diff" not in row or pd.isna(row[f"{col}_spread_diff"]):
        return ""
    d, lo, hi = row[f"{col}_spread_diff"], row[f"{col}_spread_low"], row[f"{col}_spread_high"]
    moves = (lo > 0 or hi < 0) and abs(d) >= need
    effect = f"**{d:+.1f}**" if moves else f"{d:+.1f}"
    return f", IQR {effect} ({lo:+.1f} to {hi:+.1f})"


def _reference(ref: pd.Series, labels: dict[str, str]) -> str:
    parts = []
    for col, _, _, _, kind in OUTCOMES:
        if kind == "time":
            parts.append(f"{labels[col]} mean {ref[f'{col}_mean']:.1f}, median {_months(ref[f'{col}_q50'])}, "
                         f"IQR {_spread(ref, col)} ({ref[f'{col}_censored']:.0%} never)")
        else:
            parts.append(f"{labels[col]} mean {ref[f'{col}_mean']:.3f}")
    return "; ".join(parts)


def _between_places(df: pd.DataFrame, refs: pd.DataFrame) -> list[str]:
    """For the mechanisms that spread places apart: each value's spread of the times across places."""
    times = [(col, short) for col, _, short, _, kind in OUTCOMES if kind == "time"]
    lines = []
    for mech in (m for m in MECHANISMS if m.spreads):
        for name in mech.parameters:
            g = df[df["parameter"] == name]
            if not len(g):
                continue
            ref = refs.loc[g["context"].iloc[0]]
            need = {col: smallest_effect("time", ref[f"{col}_mean"]) for col, _ in times}
            cells = [f"default {_value(name, _SPEC[name].default)}: "
                     + "; ".join(f"{short} {_spread(ref, col)}" for col, short in times)]
            cells += [f"{_value(name, r['value'])}: "
                      + "; ".join(f"{short} {_spread(r, col)}{_iqr_change(r, col, need[col])}" for col, short in times)
                      for _, r in g.iterrows()]
            lines.append(f"- `{name}` ({mech.name}): " + " · ".join(cells))
    if lines:
        lines = ["", "**Between places.** The spread of months to 50% across the seeds' places (interquartile range "
                     "[10th–90th percentiles]) at each value tried of the parameters that make places differ, and "
                     "the change of the interquartile range from the default with a 95% paired bootstrap interval "
                     f"({BOOTSTRAP} resamples of the seeds; a run that never reaches 50% counts as the run length; "
                     "bold as above):", "", *lines]
    return lines


def table(df: pd.DataFrame) -> str:
    """The markdown block: settings, the default's outcomes, the table, and the mechanisms that move nothing."""
    df = df.assign(context=df["context"].fillna(""))  # the default place's context is empty (missing in a CSV)
    refs = df[df["parameter"] == "default"].set_index("context")
    first = df.iloc[0]
    seeds, steps = int(first["seeds"]), int(first["steps"])
    labels = _labels(steps)
    per = df[df["parameter"] != "default"].groupby("parameter", sort=False).size()
    need = {col: smallest_effect(kind, refs.loc[""][f"{col}_mean"]) for col, _, _, _, kind in OUTCOMES}
    lines = [
        f"Default place, every parameter at its default but the one tried; {seeds} seeds × {steps} months a "
        f"value, the same seeds for every value (common random numbers); up to {per.max() if len(per) else 0} "
        f"values a parameter, evenly spaced over its range, besides the default. {len(df)} run sets, "
        f"{len(df) * seeds} runs in {first['seconds']:.0f} s.",
        "",
        f"At the defaults (over the seeds' places: the mean, with a run that never reaches 50% counted as {steps} "
        "months, and the median, interquartile range and [10th–90th percentiles], with such a run counted as never): "
        f"{_reference(refs.loc[''], labels)}.",
    ]
    lines += [f"With {context}: {_reference(ref, labels)}." for context, ref in refs.iterrows() if context]
    lines += [
        "",
        "Each cell: the parameter's largest effect on the outcome anywhere in its range (the mean of the paired "
        "differences from the default over the seeds, with its 95% interval), and the value where it occurs; "
        "a negative time is faster integration. **Bold**: the parameter moves the outcome, meaning the interval "
        "excludes zero and the effect is at least the smallest effect that matters ("
        + ", ".join(f"{short} {need[col]:.{1 if kind == 'time' else 2}f}" for col, _, short, _, kind in OUTCOMES)
        + f": on a time {smallest_text('time')}; on joint care {smallest_text('share')}). "
        f"A `+` marks a bound: some runs never reached 50% in {steps} months.",
        "",
        "| mechanism | parameter | range tried | " + " | ".join(labels[col] for col, *_ in OUTCOMES) + " | verdict |",
        "|---|---|---|" + "---|" * len(OUTCOMES) + "---|",
    ]
    v = verdicts(df)
    rows = df[df["parameter"] != "default"].drop_duplicates("parameter").set_index("parameter")
    silent = []
    for mech in MECHANISMS:
        moved_any = False
        for name in mech.parameters:
            if name not in rows.index:
                continue
            mv = v[v["parameter"] == name].set_index("outcome")
            moved = [short for col, _, short, _, _ in OUTCOMES if mv.loc[col, "moves"]]
            spread = [short for col, _, short, _, _ in OUTCOMES
                      if f"{col}_spread" in mv.index and mv.loc[f"{col}_spread", "moves"]]
            moved_any |= bool(moved or spread)
            verdict = "; ".join(([f"moves {', '.join(moved)}"] if moved else [])
                                + ([f"changes the spread between places of {', '.join(spread)}"] if spread else [])) \
                or "moves nothing in its range"
            cells = [_cell(mv.loc[col], kind) for col, _, _, _, kind in OUTCOMES]
            lines.append(f"| {mech.name} | `{name}` | {_range_text(name, rows.loc[name])} | " + " | ".join(cells)
                         + f" | {verdict} |")
        if not moved_any and any(name in rows.index for name in mech.parameters):
            silent.append(mech.name)
    lines += _between_places(df[df["parameter"] != "default"], refs)
    lines += ["", "**Mechanisms that move nothing anywhere in their ranges:** "
              + (", ".join(silent) if silent else "none") + ".",
              "", "**The mechanisms and the phrases they implement:**", ""]
    lines += [f"- {m.name}: {m.phrase}" for m in MECHANISMS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the table from the saved results")
    ap.add_argument("--no-docs", action="store_true", help="print the block without rewriting docs/mechanisms.md")
    ap.add_argument("--tiny", action="store_true", help="tiny settings (a smoke test: a small place, few seeds)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results file (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (0 or 1: in this process)")
    args = ap.parse_args(argv)
    if args.workers < 0:
        print(f"error: --workers = {args.workers} is out of range: expected an integer >= 0", file=sys.stderr)
        return 2
    settings = TINY if args.tiny else FULL
    try:
        df = saved_or_fresh(args.out, lambda: run_table(settings, args.workers), args.render)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = table(df)
    if not args.no_docs:
        replace_block(DOC, "mechanisms", text, f"experiments/mechanisms.py from {RESULTS.relative_to(ROOT)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
