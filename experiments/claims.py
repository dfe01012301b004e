"""The essays' claims across the declared uncertainty: a verdict per claim, outcome and place make-up.

Each claim of the essays the model can test is an *arm* (a lever switched on, or
a condition of the place changed) and the direction the essays give it (speeds
or slows integration): :data:`CLAIMS`. Every arm runs against the place without
it on the same seeds (common random numbers: the same places and streams), in
each draw of a Latin hypercube over every uncertain parameter
(:func:`uncertainty.factors`, each over its declared range in
:data:`simulation.provenance.PROVENANCE`), in places of different make-up
(:data:`MAKEUPS`: 20, 90 and 200 voluntary bodies beside the default's NHS trusts
and councils, and England's 42 integrated care systems, draw ``d`` in system
``d mod 42``, from :mod:`simulation.ics`).

A lever's arm is the middle of the range the main job screens
(``experiments/quick.toml``), fixed before any run and never moved to reach a
verdict. Outcomes (:data:`mechanisms.OUTCOMES`): months to 50% of the
head-count index, of the statutory core's integration and of connectedness
(a run that never gets there counts as the run length, so an effect on a
censored draw is a bound), and joint care at month 120.

In each draw the claim's *effect* is the mean over the draw's seeds of the
paired difference, signed so that a positive effect goes the way the essays
say. The claim *holds* in a draw when the effect is at least the smallest
effect that matters there (:mod:`simulation.experiments.effects`, of the
draw's baseline: 3 months or 10% of its mean time, whichever is larger; on joint
care 0.02 or 10%), is *reversed* when the effect is that large the other way, and is *too
small to tell* otherwise. Per claim, outcome and make-up: the share of draws
where it holds and where it is reversed (95% Wilson intervals over draws), the
median effect with its interquartile range across draws, and a verdict:
**supported** when it holds in most of the uncertainty (the Wilson interval of
the share above one half), **reversed** when the reverse does, **too small to
tell** when effects below the smallest that matters do, and **depends** (on
the uncertain parameters) otherwise. For the default make-up, a PRIM box
(:func:`simulation.experiments.discovery.prim_box`) says where among the
uncertain parameters a claim fails: the assumptions nobody has measured that
would change it.

Results go to ``experiments/results/claims.parquet`` (one row per run) and
``experiments/results/claims_draws.csv`` (one row per draw: the parameters), and
``docs/findings.md`` is rewritten from them::

    python experiments/claims.py            # run, save, render (minutes on 2 cores: see the page)
    python experiments/claims.py --render   # render again from the saved files
    python experiments/claims.py --tiny --out /tmp/c --no-docs   # a smoke test
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import replace_block  # noqa: E402
from mechanisms import OUTCOMES, parallel_map, run_outcomes  # noqa: E402
from uncertainty import draws, factors, typed  # noqa: E402

from simulation import Scenario, ScenarioError, load_scenario  # noqa: E402
from simulation.experiments.discovery import prim_box  # noqa: E402
from simulation.experiments.effects import smallest_effect, smallest_text  # noqa: E402
from simulation.experiments.robust import wilson  # noqa: E402
from simulation.ics import load_ics  # noqa: E402

__all__ = ["Claim", "CLAIMS", "MAKEUPS", "Settings", "FULL", "TINY", "run_claims", "effects", "verdicts",
           "failure_boxes", "render", "main"]

RESULTS = HERE / "results"
RUNS_FILE, DRAWS_FILE = "claims.parquet", "claims_draws.csv"
DOC = ROOT / "docs" / "findings.md"
MASTER_SEED = 20261207
CHUNK = 12  # scenarios a worker runs at a time


@dataclass(frozen=True)
class Claim:
    """A claim of the essays: its words, the arm that tests it, and the way the essays say it goes.

    ``arm`` maps the draw's scenario to the parameters the arm changes; ``speeds``
    is True when the essays say the arm speeds integration (shortens the times,
    raises joint care), False when they say it slows it.
    """

    key: str
    label: str
    quote: str
    arm: Callable[[Scenario], dict]
    speeds: bool = True
    note: str = ""


def _set(**values) -> Callable[[Scenario], dict]:
    def arm(_: Scenario) -> dict:
        return dict(values)
    arm.__doc__ = ", ".join(f"{k} = {v}" for k, v in values.items())
    return arm


def _legacy(scenario: Scenario) -> dict:
    """initial and baseline trust and competitive pressure of the shipped `legacy_of_competition` place"""
    legacy = load_scenario("legacy_of_competition")
    return {k: legacy.params[k] for k in ("initial_trust", "baseline_trust", "competitive_pressure")}


def _turnover(scenario: Scenario) -> dict:
    """leaders' tenure halved (the draw's turnover rate doubled)"""
    return {"turnover_rate": 2.0 * scenario.turnover_rate}


def _faster_trust(scenario: Scenario) -> dict:
    """trust built 25% faster from the same evidence (the draw's gain rate × 1.25, the loss rate with it)"""
    return {"gain_rate": 1.25 * scenario.gain_rate}


def _reciprocity_off(scenario: Scenario) -> dict:
    """behaviour that reads trust switched off: the model with reciprocity, contact reciprocity, suspicion at 0"""
    return {"reciprocity": 0.0, "contact_reciprocity": 0.0, "suspicion": 0.0}


#: The claims tested: the essays' words, and the arm (levers at the middle of the range the main job screens).
CLAIMS: tuple[Claim, ...] = (
    Claim("speed_of_trust", "progress at the speed of trust", "\"progress occurs at the speed of trust\" (Ham)",
          _faster_trust, note="integration is counted from trust above a threshold, so faster trust building "
          "speeding it is close to an input; the claim's size, not its sign, is the finding"),
    Claim("trust_changes_behaviour", "behaviour that reads trust",
          "\"progress occurs at the speed of trust\" (Ham): trust changes what leaders do (ODD §7.18)",
          _reciprocity_off, speeds=False,
          note="the arm switches the feedback off, so 'slows' means the feedback speeds integration"),
    Claim("legacy_of_competition", "legacy of competition",
          "\"The legacy of competitive behaviours in the NHS presents an obvious challenge\" (Ham)", _legacy,
          speeds=False),
    Claim("turnover", "leader turnover", "relationships leave with their leaders (Ham, quoting Senge)", _turnover,
          speeds=False),
    Claim("shared_roles", "shared roles", "\"we need more boundary spanning leaders\" (Burstow)",
          _set(shared_roles=4)),
    Claim("place_programmes", "place-based programmes",
          "\"programmes deliberately lock their focus on place rather than organisations\" (Burstow)",
          _set(place_programmes=2.0)),
    Claim("leadership_development", "leadership development",
          "\"the skills they need to work across boundaries\" (Burstow)", _set(leadership_development=0.5)),
    Claim("coproduction", "co-production", "\"genuine co-production\" (Burstow)", _set(coproduction=0.5)),
    Claim("shared_vision", "shared vision", "\"Time spent developing shared visions is often valuable\" (Ham)",
          _set(shared_vision=8.0)),
    Claim("open_books", "open books",
          "\"an open book approach to sharing financial and other information\" (Ham)", _set(open_book=0.5)),
    Claim("system_board", "a system board (structure)", "boards that decide: the structures Ham sets relationships "
          "against (\"relationships matter more than structures\")", _set(system_board=True, board_contact_rate=1.0)),
    Claim("health_wellbeing_board", "a Health and Wellbeing Board (structure)",
          "\"Health and Wellbeing Boards have been a means of enabling population health to rise up the agenda\" "
          "(Ham)", _set(health_wellbeing_board=True)),
)


@dataclass(frozen=True)
class Settings:
    """How much to run: draws, seeds a draw, months, the make-ups, and a small place for smoke tests."""

    draws: int
    seeds: int
    steps: int
    makeups: tuple[str, ...]
    small: bool = False


#: Place make-ups: NHS trusts and councils of the default place with this many voluntary bodies, or ``ics``.
MAKEUPS = {"voluntary_20": 20, "default": 90, "voluntary_200": 200, "ics": None}
FULL = Settings(draws=96, seeds=6, steps=180, makeups=tuple(MAKEUPS))
TINY = Settings(draws=4, seeds=2, steps=30, makeups=("default", "ics"), small=True)


def _place(makeup: str, draw: int, settings: Settings) -> dict[str, int]:
    """The organisations of draw ``draw`` in ``makeup``."""
    base = load_scenario("default").organisations
    if makeup == "ics":
        systems = list(load_ics().values())
        organisations = systems[draw % len(systems)].organisations(voluntary=base["voluntary"])
    else:
        organisations = {**base, "voluntary": MAKEUPS[makeup]}
    if settings.small:  # a smoke test: a few of each kind
        organisations = {k: max(1, min(v, 3)) for k, v in organisations.items()}
    return organisations


def _scenarios(row: dict, makeup: str, draw: int, settings: Settings) -> list[Scenario] | str:
    """The draw's place without any arm, then with each claim's arm; or why the draw is impossible."""
    try:
        base = Scenario(name="default", organisations=_place(makeup, draw, settings)).replace(**row)
        return [base, *(base.replace(**claim.arm(base)) for claim in CLAIMS)]
    except ScenarioError as exc:
        return str(exc)


def _chunk(scenarios: list[Scenario], seeds: list[int], steps: int) -> np.ndarray:
    """Every seed of every scenario: ``(len(scenarios), len(seeds), outcomes)``."""
    out = run_outcomes([sc for sc in scenarios for _ in seeds], seeds * len(scenarios), steps)
    return out.reshape(len(scenarios), len(seeds), -1)


def with_posterior(table: pd.DataFrame, folder: Path, seed: int = MASTER_SEED) -> pd.DataFrame:
    """The draws with the fitted parameters of a calibration to the record drawn from its posterior instead.

    ``folder`` is a results folder of ``python -m simulation calibrate`` (its ``posterior.parquet``: one
    row per particle, the fitted parameters and ``weight``). Each draw takes one particle, chosen by
    weight with a generator seeded from ``seed``; the other parameters keep their Latin-hypercube values.
    """
    posterior = pd.read_parquet(Path(folder) / "posterior.parquet")
    fitted = [c for c in posterior.columns if c in table.columns]
    weight = posterior["weight"].to_numpy(dtype=float)
    pick = np.random.default_rng(seed).choice(len(posterior), size=len(table), p=weight / weight.sum())
    out = table.copy()
    out[fitted] = posterior[fitted].to_numpy()[pick]
    return out.assign(posterior=",".join(fitted))


def run_claims(settings: Settings = FULL, workers: int = 2,
               posterior: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per run (make-up, draw, arm, seed, outcomes) and one row per draw (its parameters).

    With ``posterior`` (a calibration's results folder) the parameters it fitted come from its posterior
    (:func:`with_posterior`); the rest, and all of them without it, over their declared ranges.
    """
    table = draws(factors(composition=False), settings.draws, MASTER_SEED)
    if posterior is not None:
        table = with_posterior(table, posterior)
    fitted = table.pop("posterior").iloc[0] if "posterior" in table else ""
    arms = ["none", *(c.key for c in CLAIMS)]
    seeds = list(range(settings.seeds))
    todo, where, invalid = [], [], {}
    for makeup in settings.makeups:
        for d, row in enumerate(table.to_dict("records")):
            made = _scenarios(typed(row), makeup, d, settings)
            if isinstance(made, str):
                invalid[(makeup, d)] = made
                continue
            todo += made
            where += [(makeup, d, arm) for arm in arms]
    started = time.perf_counter()
    parts = parallel_map(_chunk, [(todo[i:i + CHUNK], seeds, settings.steps) for i in range(0, len(todo), CHUNK)],
                         workers)
    seconds = time.perf_counter() - started
    results = np.concatenate(parts) if parts else np.empty((0, len(seeds), len(OUTCOMES)))
    names = [col for col, *_ in OUTCOMES]
    rows = [{"makeup": m, "draw": d, "arm": a, "seed": s, **dict(zip(names, results[k, j]))}
            for k, (m, d, a) in enumerate(where) for j, s in enumerate(seeds)]
    runs = pd.DataFrame(rows)
    runs["steps"], runs["seconds"], runs["master_seed"] = settings.steps, seconds, MASTER_SEED
    draws_table = table.assign(draw=range(len(table)), posterior=fitted)
    draws_table["invalid"] = [" | ".join(f"{m}: {invalid[(m, d)]}" for m in settings.makeups if (m, d) in invalid)
                              for d in draws_table["draw"]]
    return runs, draws_table


def effects(runs: pd.DataFrame) -> pd.DataFrame:
    """Per make-up, draw, claim and outcome: the baseline's mean, the effect (positive: the essays' way),
    the smallest effect that matters there, and whether the claim holds, is reversed or too small to tell."""
    steps = int(runs["steps"].iloc[0])
    rows = []
    speeds = {c.key: c.speeds for c in CLAIMS}
    for col, _, _, _, kind in OUTCOMES:
        x = runs[["makeup", "draw", "arm", "seed", col]].copy()
        if kind == "time":
            x[col] = x[col].fillna(float(steps))  # never within the run: the run length (a bound)
        wide = x.pivot_table(index=["makeup", "draw", "seed"], columns="arm", values=col)
        base = wide["none"].groupby(level=["makeup", "draw"]).mean()
        never = runs[col].isna() if kind == "time" else pd.Series(False, index=runs.index)
        never_by_arm = never.groupby([runs["makeup"], runs["draw"], runs["arm"]]).mean()
        censored = never_by_arm.xs("none", level="arm")
        for key, speeds_it in speeds.items():
            if key not in wide:
                continue
            better = -1.0 if kind == "time" else 1.0  # lower times, higher joint care: the arm speeds integration
            sign = better if speeds_it else -better
            effect = (sign * (wide[key] - wide["none"])).groupby(level=["makeup", "draw"]).mean()
            stalled = never_by_arm.xs(key, level="arm")
            for (makeup, draw), e in effect.items():
                b = float(base[(makeup, draw)])
                smallest = smallest_effect(kind, b)
                rows.append({"makeup": makeup, "draw": draw, "claim": key, "outcome": col, "baseline": b,
                             "effect": float(e), "smallest": smallest, "holds": bool(e >= smallest),
                             "reversed": bool(e <= -smallest),
                             "censored_share": float(censored[(makeup, draw)]),
                             "stalls_either_way": bool(censored[(makeup, draw)] == 1.0
                                                       and stalled[(makeup, draw)] == 1.0)})
    return pd.DataFrame(rows)


def _verdict(holds: float, holds_ci: tuple[float, float], rev_ci: tuple[float, float], small_ci: tuple) -> str:
    """Words for the shares of draws: supported, reversed, too small to tell, or depends."""
    if holds_ci[0] > 0.5:
        return "supported"
    if rev_ci[0] > 0.5:
        return "reversed"
    if small_ci[0] > 0.5:
        return "too small to tell"
    return "depends"


def verdicts(eff: pd.DataFrame) -> pd.DataFrame:
    """Per claim, outcome and make-up: draws, shares (with 95% Wilson intervals), median effect, verdict."""
    rows = []
    for (claim, outcome, makeup), g in eff.groupby(["claim", "outcome", "makeup"], sort=False):
        n, k, r = len(g), int(g["holds"].sum()), int(g["reversed"].sum())
        small = n - k - r
        rows.append({"claim": claim, "outcome": outcome, "makeup": makeup, "draws": n,
                     "holds": k / n, "holds_low": wilson(k, n)[0], "holds_high": wilson(k, n)[1],
                     "reversed": r / n, "reversed_low": wilson(r, n)[0], "reversed_high": wilson(r, n)[1],
                     "too_small": small / n, "median_effect": float(g["effect"].median()),
                     "q25": float(g["effect"].quantile(0.25)), "q75": float(g["effect"].quantile(0.75)),
                     "median_smallest": float(g["smallest"].median()),
                     "censored": float(g["censored_share"].mean()),
                     "stalls_either_way": float(g["stalls_either_way"].mean()),
                     "verdict": _verdict(k / n, wilson(k, n), wilson(r, n), wilson(small, n))})
    return pd.DataFrame(rows)


def failure_boxes(eff: pd.DataFrame, draws_table: pd.DataFrame, outcome: str, makeup: str = "default") -> dict:
    """Per claim: the PRIM box of the draws (parameters) where it does not hold on ``outcome`` in ``makeup``."""
    params = [c for c in draws_table.columns if c not in _NOT_PARAMETERS]
    out = {}
    for claim in CLAIMS:
        g = eff[(eff["claim"] == claim.key) & (eff["outcome"] == outcome) & (eff["makeup"] == makeup)]
        if len(g) < 8:
            continue
        x = draws_table.set_index("draw").loc[g["draw"], params]
        out[claim.key] = prim_box(x, ~g["holds"].to_numpy(), question=f"{claim.key} does not hold")
    return out


_NOT_PARAMETERS = ("draw", "invalid", "posterior")


def _pct(x: float) -> str:
    return f"{x:.0%}"


_NOTES = {"every case is of interest": "fails in every draw", "no case of interest": "holds in every draw"}


def _box_text(box) -> str:
    if box is None or not len(box.limits):
        return _NOTES.get(box.note, box.note) if box is not None and box.note else \
            "no box: no parameter singles out where it fails"
    parts = []
    for name, r in box.limits.iterrows():
        parts.append(f"`{name}` in [{r['low']:.3g}, {r['high']:.3g}]" if not isinstance(r["values"], (set, list))
                     or not r["values"] else f"`{name}` in {sorted(r['values'])}")
    return (f"{'; '.join(parts)} (holds in {_pct(1 - box.density)} of the box's draws against "
            f"{_pct(1 - box.base_rate)} overall; the box has {_pct(box.coverage)} of the failures)")


def _effect_text(r: pd.Series, kind: str) -> str:
    fmt = (lambda v: f"{v:+.1f}") if kind == "time" else (lambda v: f"{v:+.3f}")
    return f"{fmt(r['median_effect'])} [{fmt(r['q25'])}, {fmt(r['q75'])}]"


def _cell(v: pd.DataFrame, claim: str, outcome: str, makeup: str, kind: str, full: bool) -> str:
    r = v[(v["claim"] == claim) & (v["outcome"] == outcome) & (v["makeup"] == makeup)]
    if not len(r):
        return "–"
    r = r.iloc[0]
    text = f"**{r['verdict']}** {_effect_text(r, kind)}"
    if full:
        text += (f"; holds {_pct(r['holds'])} ({_pct(r['holds_low'])}–{_pct(r['holds_high'])}), "
                 f"reversed {_pct(r['reversed'])}")
        if r["stalls_either_way"] > 0:
            text += f"; stalls with and without it {_pct(r['stalls_either_way'])}"
    return text


def _differs(v: pd.DataFrame, claim: str, focus: str) -> str:
    """Where a claim's verdict differs from the focus make-up's, per outcome."""
    out = []
    for col, _, short, _, _ in OUTCOMES:
        g = v[(v["claim"] == claim) & (v["outcome"] == col)].set_index("makeup")["verdict"]
        if focus not in g:
            continue
        other = [f"{m}: {w}" for m, w in g.items() if m != focus and w != g[focus]]
        if other:
            out.append(f"{short} ({', '.join(other)})")
    return "; ".join(out) or "none"


def render(runs: pd.DataFrame, draws_table: pd.DataFrame, path: Path = DOC, write: bool = True) -> str:
    """The blocks ``claims`` (the answer: one row per claim) and ``claims_detail`` (every make-up) of findings.md."""
    eff = effects(runs)
    v = verdicts(eff)
    first = runs.iloc[0]
    n_draws = int(draws_table.shape[0])
    makeups = list(dict.fromkeys(runs["makeup"]))
    focus = "default" if "default" in makeups else makeups[0]
    seeds = runs["seed"].nunique()
    params = [c for c in draws_table.columns if c not in _NOT_PARAMETERS]
    fitted = draws_table["posterior"].astype(object).fillna("").astype(str).iloc[0] \
        if "posterior" in draws_table else ""
    invalid = int((draws_table["invalid"].astype(object).fillna("").astype(str) != "").sum())
    boxes = failure_boxes(eff, draws_table, OUTCOMES[0][0], focus)
    head = eff[(eff["makeup"] == focus) & (eff["outcome"] == OUTCOMES[0][0]) & (eff["claim"] == CLAIMS[0].key)]
    stall = float((head["censored_share"] == 1.0).mean()) if len(head) else 0.0
    lines = [
        f"{len(CLAIMS)} claims × {n_draws} Latin-hypercube draws (seed {int(first['master_seed'])}) over "
        f"{len(params)} uncertain parameters, each over its declared range ([parameters.md](parameters.md))"
        + (f", except {', '.join(f'`{x}`' for x in fitted.split(','))}, drawn from the posterior of the "
           f"calibration to the published record ([calibration.md](calibration.md))" if fitted else "")
        + (f" ({invalid} draws impossible in some make-up, left out there)" if invalid else "")
        + f" × {seeds} seeds (the same for every arm) × {int(first['steps'])} months, in {len(makeups)} place "
        f"make-ups: {len(runs):,} runs in {first['seconds']:.0f} s on 2 cores. A time never reached counts as "
        f"{int(first['steps'])} months (an effect there is a bound). Cells: the verdict and the median effect over "
        f"draws [its interquartile range], positive the way the essays say (months sooner, or joint care higher). "
        f"A claim holds in a draw when its effect is at least the smallest effect that matters there (on a time "
        f"{smallest_text('time')}; on joint care {smallest_text('share')}; of the draw's mean without the arm); "
        f"the {focus} place ({_place(focus, 0, FULL)['voluntary']} voluntary bodies). Without any arm, "
        f"{_pct(stall)} of the draws stall there (no run reaches 50% in the run): an arm that leaves them stalled "
        f"has no effect on a time there, which counts as too small.",
        "",
        "| claim (the essays say it) | arm | " + " | ".join(short for _, _, short, _, _ in OUTCOMES)
        + " | verdict differs in | fails where (PRIM, months to 50%) |",
        "|---|---|" + "---|" * len(OUTCOMES) + "---|---|",
    ]
    for claim in CLAIMS:
        cells = [_cell(v, claim.key, col, focus, kind, False) for col, _, _, _, kind in OUTCOMES]
        direction = "speeds" if claim.speeds else "slows"
        lines.append(f"| {claim.label} ({direction}) | {claim.arm.__doc__} | " + " | ".join(cells)
                     + f" | {_differs(v, claim.key, focus)} | {_box_text(boxes.get(claim.key))} |")
    notes = [f"- *{c.label}*: {c.note}." for c in CLAIMS if c.note]
    lines += ["", *notes]
    summary = "\n".join(lines)
    detail = []
    for col, label, _, _, kind in OUTCOMES:
        detail += [f"#### {label if kind == 'time' else 'joint care at month 120'}", "",
                   "| claim | " + " | ".join(makeups) + " |", "|---|" + "---|" * len(makeups)]
        for claim in CLAIMS:
            detail.append(f"| {claim.label} | " + " | ".join(_cell(v, claim.key, col, m, kind, True) for m in makeups)
                          + " |")
        detail.append("")
    detail_text = "\n".join(detail).rstrip()
    if write:
        source = f"experiments/claims.py from experiments/results/{RUNS_FILE}"
        replace_block(path, "claims", summary, source)
        replace_block(path, "claims_detail", detail_text, source)
    return summary + "\n\n" + detail_text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the page from the saved results")
    ap.add_argument("--no-docs", action="store_true", help="print the block without rewriting docs/findings.md")
    ap.add_argument("--tiny", action="store_true", help="tiny settings (a smoke test: small places, few draws)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results folder (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (0 or 1: in this process)")
    ap.add_argument("--posterior", type=Path, default=None,
                    help="a calibration's results folder: draw the parameters it fitted from its posterior")
    args = ap.parse_args(argv)
    if args.workers < 0:
        print(f"error: --workers = {args.workers} is out of range: expected an integer >= 0", file=sys.stderr)
        return 2
    runs_path, draws_path = args.out / RUNS_FILE, args.out / DRAWS_FILE
    if args.render:
        runs, draws_table = pd.read_parquet(runs_path), pd.read_csv(draws_path)
    else:
        if args.posterior is not None and not (args.posterior / "posterior.parquet").is_file():
            print(f"error: --posterior {args.posterior}: no posterior.parquet there (a folder written by "
                  f"python -m simulation calibrate)", file=sys.stderr)
            return 2
        runs, draws_table = run_claims(TINY if args.tiny else FULL, args.workers, args.posterior)
        args.out.mkdir(parents=True, exist_ok=True)
        runs.to_parquet(runs_path, index=False)
        draws_table.to_csv(draws_path, index=False)
    print(render(runs, draws_table, write=not args.no_docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
