"""The contest, v2: relationships against structures with real powers, matched on what the arms actually spend.

"Relationships matter more than structures" (Ham) is tested, not assumed.
Each arm is one lever with one setting (:data:`simulation.equal_hours.ARMS`):
relational (more one-to-ones, open books, leadership development, a long-term
commitment, shared NHS–council roles, place-based programmes) or structural
(a system board that decides, a board with a pooled budget, a Health and
Wellbeing Board, a merger of NHS trusts). In each cell (a framing, a place
make-up, a target) every arm's setting is **found** so that it spends the
target in the runs themselves, within 5%
(:func:`simulation.equal_hours.match_arm`): the extra hours a month the
place's leaders actually spent against the same place without any lever, on
the same seeds (common random numbers; cuts to other one-to-ones included),
or the money a month. No arm commits any leader beyond their kind's monthly
hours (:func:`simulation.equal_hours.setting_cap`); an arm that cannot spend
the target within that is shown ``capped`` and left out of the verdict, as is
one that cannot get within 5% (``unmatched``). Framings:

* **same leaders' hours**: extra hours a month per statutory leader (the
  10 NHS trusts' and councils'), for the levers that can be aimed at those
  leaders alone: more one-to-ones between them, open books and leadership
  development for them alone, shared roles, the boards (a long-term
  commitment acts on every relationship of the place and cannot be aimed at
  them alone, so it is not in it);
* **the place's hours**: extra hours a month per leader of the whole place,
  for every lever (open books, development and a commitment act on every
  leader); the targets (0.25, 0.5, 1 hour) are set by what a structure of 10
  members can add at all without committing them beyond their hours in the
  default place (about 0.5-0.7 hours per leader of the place), not by any
  outcome;
* **money**: pounds a month (a merger's one-off cost spread over the run;
  development and programmes as they cost; a pooled budget moves money rather
  than spending it and so is not in this framing).

Place make-ups: the default's 6 NHS trusts and 4 councils with 20, 90 (the
default) and 200 voluntary bodies. Outcomes (the experiment spec's names):
months to 50% head-count integration, to 50% of the statutory core, to 50%
connectedness (runs that never get there count at the run length), and
joint care at the end. Each arm's effect is its paired mean change against no
lever with a 95% interval. The smallest effect that matters is declared before
any run, once for every experiment (:mod:`simulation.experiments.effects`:
months, the larger of 3 months and 10% of the place's mean without a lever;
joint care, the larger of 0.02 and 10%). A
comparison (best matched relational arm against best matched structural arm,
paired on seeds) is won only when its interval excludes 0 and its mean is at
least that large; otherwise it is "too small to tell". Nothing here is tuned
for any arm to win: targets and the effect that matters are fixed above. Run::

    python experiments/contest.py            # a few minutes on 2 cores; writes results/contest and the README block
    python experiments/contest.py --render   # the README block again from the saved results
    python experiments/contest.py --tiny --out /tmp/c --no-docs   # a smoke test in seconds
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import paired_interval, replace_block  # noqa: E402
from paired import change_text, gain, load_tables, matters, paired_change, save_tables, worker_map  # noqa: E402

from simulation import Scenario, load_scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.equal_hours import (  # noqa: E402
    ARMS,
    TOLERANCE,
    arm_money,
    arm_scenario,
    committed_hours,
    match_arm,
    spent_hours,
)
from simulation.experiments.effects import smallest_text  # noqa: E402
from simulation.experiments.spec import LOWER_IS_BETTER  # noqa: E402
from simulation.experiments.spec import OUTCOMES as SPEC_OUTCOMES  # noqa: E402
from simulation.outcomes import summarise_columns  # noqa: E402
from simulation.scenario import ScenarioError  # noqa: E402

RESULTS = HERE / "results" / "contest"
README = HERE / "README.md"
FINDINGS = ROOT / "docs" / "findings.md"
MASTER_SEED = 2026

#: Outcomes: the spec's name, the run summary's key, a label.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("time_to_50", "months_to_50", "months to 50%: head-count"),
    ("statutory_time_to_50", "statutory_months_to_50", "months to 50%: statutory core"),
    ("connectedness_time_to_50", "connectedness_months_to_50", "months to 50%: connectedness"),
    ("size_time_to_50", "size_months_to_50", "months to 50%: size-weighted"),
    ("final_joint_care", "final_joint_care", "joint care at the end"),
)
for _name, *_ in OUTCOMES:
    if _name not in SPEC_OUTCOMES:
        raise RuntimeError(f"contest outcome {_name!r} is not an outcome of the experiment spec")


@dataclass(frozen=True)
class Framing:
    """A way of counting equal cost: its label, unit, targets and arms."""

    name: str
    label: str
    unit: str
    targets: tuple[float, ...]
    arms: tuple[str, ...]
    per: str  # "statutory", "all" or "place" (money: per place)


#: Money targets are shares of one merger's cost spread over the run.
MERGER_SHARES = (0.25, 1.0)


def framings(steps: int) -> dict[str, Framing]:
    """The three framings (money targets depend on the run length, over which a merger's cost is spread)."""
    merger = Scenario().params["merger_cost"] * 1e6 / steps
    return {f.name: f for f in (
        Framing("same_leaders", "Equal hours of the same leaders", "extra hours a month per statutory leader",
                (2.0, 4.0, 8.0), ("statutory_contact", "statutory_open_book", "statutory_development",
                                  "shared_roles", "system_board", "pooled_budget", "health_wellbeing_board"),
                "statutory"),
        Framing("place", "Equal hours of the place", "extra hours a month per leader of the place",
                (0.25, 0.5, 1.0), ("contact", "open_book", "development", "commitment", "shared_roles",
                                  "system_board", "pooled_budget", "health_wellbeing_board"), "all"),
        Framing("money", "Equal money", "pounds a month",
                tuple(round(s * merger) for s in MERGER_SHARES),
                ("development", "statutory_development", "place_programmes", "merger"), "place"),
    )}


@dataclass(frozen=True)
class Settings:
    """How big a contest: seeds, months, make-ups, and how many of each framing's targets."""

    seeds: int
    steps: int
    makeups: tuple[int, ...]
    targets: int  # the first this many targets of each framing


FULL = Settings(seeds=40, steps=180, makeups=(20, 90, 200), targets=3)
TINY = Settings(seeds=4, steps=36, makeups=(20,), targets=1)


def place(voluntary: int) -> Scenario:
    """The default place with ``voluntary`` voluntary bodies."""
    base = load_scenario("default")
    return base.replace(organisations={**base.organisations, "voluntary": voluntary})


def _statutory(scenario: Scenario) -> int:
    return sum(c for k, c in scenario.organisations.items() if scenario.kinds[k].statutory)


def _outcomes(out: np.ndarray, cols: list[str], steps: int) -> dict[str, float]:
    summary = summarise_columns({c: out[:, k] for k, c in enumerate(cols)})
    row = {}
    for name, key, _ in OUTCOMES:
        value = float(summary[key])
        row[name] = float(steps) if np.isnan(value) and name in LOWER_IS_BETTER else value
    return row


def _baseline(args: tuple[int, list[int], int]) -> tuple[list[dict], np.ndarray]:
    voluntary, seeds, steps = args
    base = place(voluntary)
    runs = simulate_batch(base, seeds, steps)
    spent = np.array([spent_hours(out, cols, base.n_organisations) for out, cols in runs])
    rows = [{"framing": "", "makeup": voluntary, "target": 0.0, "arm": "none", "kind": "none", "seed": s,
             "setting": 0.0, "spent": 0.0, "hours": 0.0, "money": 0.0, **_outcomes(out, cols, steps)}
            for s, (out, cols) in zip(seeds, runs)]
    return rows, spent


def _arm_cell(args) -> tuple[list[dict], dict]:
    framing, voluntary, target, arm, seeds, steps, baseline = args
    base = place(voluntary)
    n, statutory = base.n_organisations, _statutory(base)
    per = {"statutory": statutory, "all": n, "place": 1.0}[framing.per]
    money = framing.name == "money"
    match, settings, runs = match_arm(base, arm, target, seeds, steps, per=per, baseline=baseline, money=money)
    worst = 0.0
    for s, x in zip(seeds, settings):  # each seed's own set-up: who holds the roles, who sits on the boards
        committed, budget = committed_hours(arm_scenario(base, arm, x), s)
        worst = max(worst, float(np.max(committed / budget)))
    rows = []
    for s, x, (out, cols), b in zip(seeds, settings, runs, baseline):
        scenario = arm_scenario(base, arm, x)
        extra = spent_hours(out, cols, n) - b
        rows.append({"framing": framing.name, "makeup": voluntary, "target": float(target), "arm": arm,
                     "kind": ARMS[arm].kind, "seed": s, "setting": float(x),
                     "spent": extra / per if not money else arm_money(scenario, steps),
                     "hours": extra / statutory if framing.per == "statutory" else extra / n,
                     "money": arm_money(scenario, steps), **_outcomes(out, cols, steps)})
    info = {"framing": framing.name, "makeup": voluntary, "target": float(target), "arm": arm,
            "kind": ARMS[arm].kind, "setting_name": ARMS[arm].setting, "setting": match.setting,
            "realised": match.realised, "cap": match.cap, "status": match.status,
            "setting_text": _setting_text(settings), "evaluations": match.evaluations, "commitment_share": worst,
            "steps": steps}
    return rows, info


def _setting_text(settings: list[float]) -> str:
    """One setting, or two mixed over the seeds (the higher in the first ``m`` places)."""
    values = sorted(set(settings))
    if len(values) == 1:
        return f"{values[0]:.3g}"
    lo, hi = values
    return f"{hi:.3g} in {settings.count(hi)} of {len(settings)} places, else {lo:.3g}"


def run_contest(settings: Settings, workers: int = 2, master_seed: int = MASTER_SEED
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every framing, make-up, target and arm on the same seeds: the runs (one row per seed) and the matches."""
    seeds = np.random.SeedSequence(master_seed).generate_state(settings.seeds).tolist()
    frames = framings(settings.steps)
    with worker_map(workers) as mapper:
        baselines = dict(zip(settings.makeups,
                             mapper(_baseline, [(v, seeds, settings.steps) for v in settings.makeups])))
        tasks = [(fr, v, t, arm, seeds, settings.steps, baselines[v][1])
                 for fr in frames.values() for v in settings.makeups for t in fr.targets[:settings.targets]
                 for arm in fr.arms]
        results = list(mapper(_arm_cell, tasks))
    rows = [r for base_rows, _ in baselines.values() for r in base_rows]
    rows += [r for arm_rows, _ in results for r in arm_rows]
    return pd.DataFrame(rows), pd.DataFrame([info for _, info in results])


# ------------------------------------------------------------------ effects and verdicts
def _gain(values: pd.Series, outcome: str) -> pd.Series:
    """Improvement: fewer months or more joint care, both counted positive."""
    return gain(values, outcome in LOWER_IS_BETTER)


def effects(runs: pd.DataFrame, arms: pd.DataFrame) -> pd.DataFrame:
    """Each arm's paired change against no lever on the same seeds, each outcome: mean, 95% interval, verdict."""
    out = []
    base = runs[runs["arm"] == "none"]
    for info in arms.itertuples(index=False):
        g = runs[(runs["framing"] == info.framing) & (runs["makeup"] == info.makeup) & (runs["target"] == info.target)
                 & (runs["arm"] == info.arm)].set_index("seed")
        b = base[base["makeup"] == info.makeup].set_index("seed").loc[g.index]
        row = info._asdict() | {"money_mean": g["money"].mean(), "hours_mean": g["hours"].mean()}
        for name, *_ in OUTCOMES:
            row |= paired_change(g[name], b[name], name, name in LOWER_IS_BETTER)
        out.append(row)
    return pd.DataFrame(out)


def verdicts(runs: pd.DataFrame, eff: pd.DataFrame) -> pd.DataFrame:
    """Best matched relational arm against best matched structural arm in each cell and outcome (paired on seeds)."""
    out = []
    for (fr, v, t), g in eff.groupby(["framing", "makeup", "target"], sort=False):
        matched = g[g["status"] == "matched"]
        for name, *_ in OUTCOMES:
            row = {"framing": fr, "makeup": v, "target": t, "outcome": name}
            best = {}
            for kind in ("relational", "structural"):
                side = matched[matched["kind"] == kind]
                if len(side):
                    best[kind] = side.loc[_gain(side[f"{name}_change"], name).idxmax(), "arm"]
            if len(best) < 2:
                missing = ", ".join(k for k in ("relational", "structural") if k not in best)
                out.append(row | {"verdict": f"no matched {missing} arm", "relational": best.get("relational", ""),
                                  "structural": best.get("structural", ""), "difference": np.nan,
                                  "low": np.nan, "high": np.nan, "smallest": np.nan})
                continue
            cell = runs[(runs["framing"] == fr) & (runs["makeup"] == v) & (runs["target"] == t)]
            rel = cell[cell["arm"] == best["relational"]].set_index("seed")[name]
            st = cell[cell["arm"] == best["structural"]].set_index("seed")[name].loc[rel.index]
            mean, low, high = paired_interval(_gain(rel, name) - _gain(st, name))
            smallest = float(g[f"{name}_smallest"].iloc[0])
            if matters(mean, low, high, smallest):
                verdict = "relationships win" if mean > 0 else "structures win"
            else:
                verdict = "too small to tell"
            out.append(row | {"verdict": verdict, "relational": best["relational"], "structural": best["structural"],
                              "difference": mean, "low": low, "high": high, "smallest": smallest})
    return pd.DataFrame(out)


# ------------------------------------------------------------------ the README block
_LABEL = {name: label for name, _, label in OUTCOMES}
_FORMAT = {name: (".1f" if name in LOWER_IS_BETTER else ".3f") for name, *_ in OUTCOMES}


def _effect_text(r, name: str) -> str:
    return change_text(r, name, name in LOWER_IS_BETTER)


def _money(value: float) -> str:
    return f"{value:,.0f}"


def table(runs: pd.DataFrame, arms: pd.DataFrame, steps: int) -> str:
    """The README block: how the arms were matched, their effects, the verdicts and what they depend on."""
    eff = effects(runs, arms)
    ver = verdicts(runs, eff)
    frames = framings(steps)
    seeds = runs["seed"].nunique()
    parts = [summary(ver, arms), "",
             f"{seeds} paired seeds × {steps} months per arm. Each arm's setting was found so that it spends the "
             f"target within {TOLERANCE:.0%} in these runs (realised beside target; `capped`: it cannot spend the "
             "target without committing a leader beyond their monthly hours, or spends less however it is set; "
             "`unmatched`: no setting comes within 5%; both are left out of the verdicts). Commitment: the largest "
             "share of any leader's monthly hours the arm commits (boards, roles, the levers' time; never above "
             "100%). Extra hours: what the place's leaders spent beyond no lever, per statutory leader (same "
             "leaders' hours) or per leader of the place (the other framings). Money: pounds a month (a merger's "
             "one-off cost spread over the run). Change against no lever, "
             "mean (95% interval); **bold**: better by at least the smallest effect that matters, interval clear "
             "of 0; _italic_: worse by as much. Smallest effects that matter: " + _smallest_text(eff) + "."]
    for fr in frames.values():
        sub = eff[eff["framing"] == fr.name]
        if not len(sub):
            continue
        parts += ["", f"#### {fr.label} (target: {fr.unit})"]
        for v, g in sub.groupby("makeup", sort=False):
            parts += ["", f"**{v} voluntary bodies** (no lever: " + ", ".join(
                f"{_LABEL[n]} {g[f'{n}_baseline'].iloc[0]:{_FORMAT[n]}}" for n, *_ in OUTCOMES) + ")", "",
                "| arm | kind | target | realised | status | setting | commitment | extra hours | money £/month | "
                + " | ".join(_LABEL[n] for n, *_ in OUTCOMES) + " |",
                "|---" * (9 + len(OUTCOMES)) + "|"]
            for r in g.to_dict("records"):
                target = _money(r["target"]) if fr.name == "money" else f"{r['target']:g}"
                realised = _money(r["realised"]) if fr.name == "money" else f"{r['realised']:.2f}"
                parts.append(f"| {r['arm']} | {r['kind']} | {target} | {realised} | {r['status']} "
                             f"| {r['setting_name']} = {r['setting_text']} | {r['commitment_share']:.0%} "
                             f"| {r['hours_mean']:.2f} | {_money(r['money_mean'])} | "
                             + " | ".join(_effect_text(r, n) for n, *_ in OUTCOMES) + " |")
        parts += ["", "Verdicts (best matched relational arm against best matched structural arm, improvement of "
                  "relational over structural, mean (95% interval)):", "",
                  "| make-up | target | " + " | ".join(_LABEL[n] for n, *_ in OUTCOMES) + " |",
                  "|---|---|" + "---|" * len(OUTCOMES)]
        for (v, t), g in ver[ver["framing"] == fr.name].groupby(["makeup", "target"], sort=False):
            target = _money(t) if fr.name == "money" else f"{t:g}"
            parts.append(f"| {v} | {target} | " + " | ".join(_verdict_text(r) for r in g.to_dict("records")) + " |")
    return "\n".join(parts)


def _smallest_text(eff: pd.DataFrame) -> str:
    return f"months, {smallest_text('time')}; joint care, {smallest_text('share')}"


def _verdict_text(r: dict) -> str:
    if np.isnan(r["difference"]):
        return r["verdict"]
    f = _FORMAT[r["outcome"]]
    return (f"{r['verdict']}: {r['relational']} vs {r['structural']}, {r['difference']:+{f}} "
            f"({r['low']:+{f}} to {r['high']:+{f}})")


def summary(ver: pd.DataFrame, arms: pd.DataFrame) -> str:
    """What the verdict depends on: the verdicts counted overall, by framing, by outcome and by make-up.

    And how many arms could be matched, by framing and make-up: an arm that cannot spend the target (its
    leaders have no spare hours, or the most it may commit spends less) leaves its side without a verdict.
    """
    kinds = ("relationships win", "structures win", "too small to tell")

    def counts(g: pd.DataFrame) -> str:
        c = g["verdict"].value_counts()
        other = len(g) - sum(c.get(k, 0) for k in kinds)
        text = ", ".join(f"{k} {c.get(k, 0)}" for k in kinds)
        return text + (f", no matched arm on one side {other}" if other else "")

    def modal(g: pd.DataFrame) -> str:
        return g["verdict"].value_counts().idxmax()

    lines = [f"**Summary (generated).** Of {len(ver)} comparisons: {counts(ver)}."]
    depends = []
    for dim, label in (("framing", "framing"), ("outcome", "outcome"), ("makeup", "make-up (voluntary bodies)")):
        groups = list(ver.groupby(dim, sort=False))
        lines.append(f"- By {label}: " + "; ".join(f"{k}: {counts(g)}" for k, g in groups) + ".")
        if len({modal(g) for _, g in groups}) > 1:
            depends.append(f"the {label} (" + ", ".join(f"{k}: mostly {modal(g)}" for k, g in groups) + ")")
    matched = arms.assign(ok=arms["status"] == "matched").groupby(["framing", "makeup"], sort=False)["ok"]
    lines.append("- Arms matched within 5% of their target (of those tried), by framing and make-up: "
                 + "; ".join(f"{fr}, {v}: {int(ok.sum())} of {len(ok)}" for (fr, v), ok in matched) + ".")
    if depends:
        lines.append("- The verdict depends on " + "; and on ".join(depends) + ".")
    else:
        lines.append(f"- The verdict is the same ({modal(ver)}, in most cells) whatever the framing, outcome and "
                     "make-up.")
    return "\n".join(lines)


# ------------------------------------------------------------------ files and the command line
def save(runs: pd.DataFrame, arms: pd.DataFrame, folder: Path) -> None:
    """The runs and the matches as Parquet in ``folder``."""
    save_tables(folder, {"runs": runs, "arms": arms})


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The saved runs and matches."""
    return load_tables(folder, ("runs", "arms"), "contest")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the README block from the saved results")
    ap.add_argument("--tiny", action="store_true", help="tiny settings (a smoke test: 30 organisations, 4 seeds)")
    ap.add_argument("--seeds", type=int, help="paired seeds per arm (default: 40; --tiny: 4)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results folder (default: %(default)s)")
    ap.add_argument("--no-docs", action="store_true", help="print the block without rewriting experiments/README.md")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (0 or 1: in this process)")
    args = ap.parse_args(argv)
    if args.workers < 0:
        print(f"error: --workers = {args.workers} is out of range: expected an integer >= 0", file=sys.stderr)
        return 2
    if args.seeds is not None and not 2 <= args.seeds <= 10_000:
        print(f"error: --seeds = {args.seeds} is out of range: expected an integer in [2, 10000]", file=sys.stderr)
        return 2
    settings = TINY if args.tiny else FULL
    if args.seeds is not None:
        settings = Settings(args.seeds, settings.steps, settings.makeups, settings.targets)
    try:
        if args.render:
            runs, arms = load(args.out)
        else:
            runs, arms = run_contest(settings, args.workers)
            save(runs, arms, args.out)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = table(runs, arms, int(arms["steps"].iloc[0]))
    if not args.no_docs:
        source = f"experiments/contest.py from {RESULTS.relative_to(ROOT)}"
        replace_block(README, "contest", text, source)
        # the answer page carries the verdicts' summary; the tables stay in experiments/README.md
        replace_block(FINDINGS, "contest_summary", text.split("\n\n", 1)[0], source)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
