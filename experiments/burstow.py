"""Burstow's three asks at equal cost: boundary-spanning roles, place-based programmes, co-production.

"Sustained investment in place-based leadership, the creation of more boundary
spanning leadership roles, and the development of a cadre of leaders committed
to co-producing the solutions with citizens are needed" (Burstow). Which buys
the most integration for the same leader-hours *actually spent*? Each ask is
one lever with one setting (:data:`simulation.equal_hours.ARMS`), and at each
target its setting is **found** so that the place's leaders spend the target's
extra hours a month in the runs themselves, within 5%
(:func:`simulation.equal_hours.match_arm`): the hours spent against the same
place without any lever on the same seeds (common random numbers; cuts to
other one-to-ones included). A whole-number ask whose neighbouring settings
both miss mixes them over the seeds. No ask commits any leader beyond their
monthly hours (:func:`simulation.equal_hours.setting_cap`); one that cannot
spend the target within that is ``capped``, one that cannot get within 5% is
``unmatched``, and both are left out of the comparisons. The asks:

* **shared roles** (boundary-spanning NHS–council roles): the number of roles
  (a whole number; two leaders give ``h_R`` hours each, only the share that is
  new time);
* **place-based programmes**: cohorts a year (cohorts of ``C`` leaders for
  ``M`` months, members give ``h_P`` hours each); the ties a cohort creates
  carry no one-to-one contact (the cohort's meetings are their contact);
  ``place_programmes_tie_contact`` gives them a new relationship's usual
  contact, which asks for the members' time (an uncertain assumption);
  A vanishing rate (shown ``0+``) is one cohort at the start of the run:
  with tie contact that one cohort already spends more than the smaller
  targets, so it is mixed over the seeds with no programme (the setting
  reads ``0+ in m of n places, else 0``);
* **co-production**: every leader's citizen-engagement skill ``q`` (``N``
  leaders give ``q h_q`` hours each);
* **co-production with community investment**: the same setting, plus the
  councils' full community-investment programme (money, no leader-hours:
  reported beside it).

Targets: 40, 80 and 160 extra hours a month for the whole default place (0.4,
0.8 and 1.6 hours per leader). They are set by what the asks can spend at
all, not by any outcome: shared roles spend the least (their holders' new
time is partly offset by cut one-to-ones, and a fourth role would commit a
leader beyond their hours: about 42 extra hours a month at most), so the
smallest target lies within their reach; the larger ones are beyond shared
roles but well inside the ranges of programmes (up to 12 cohorts a year) and
co-production (about 600 hours at full skill), so four of the five asks are
matched at every target. Targets double, as in the contest.

Outcomes: months to 50% head-count integration, to 50% of the statutory
core and size-weighted (runs that never get there count at the run length),
and the share of care delivered jointly after five years; each as the paired
change against no lever with its 95% interval. Money (pounds a month) is
reported beside. The best matched ask at each target is compared with the
runner-up, paired on seeds: it is "best" only when the interval excludes 0
and the difference is at least the smallest effect that matters
(:mod:`simulation.experiments.effects`), otherwise "too small to tell". Run::

    python experiments/burstow.py            # a few minutes on 2 cores; writes results/burstow and the README block
    python experiments/burstow.py --render   # the README block again from the saved results
    python experiments/burstow.py --tiny --out /tmp/b --no-docs   # a smoke test in seconds
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

from simulation import Scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.equal_hours import ARMS, TOLERANCE, arm_money, arm_scenario, match_arm, spent_hours  # noqa: E402
from simulation.experiments.effects import smallest_text  # noqa: E402
from simulation.outcomes import summarise_columns  # noqa: E402
from simulation.scenario import ScenarioError  # noqa: E402

RESULTS = HERE / "results" / "burstow"
README = HERE / "README.md"
MASTER_SEED = 2027
ASKS = ("shared_roles", "place_programmes", "place_programmes_tie_contact", "coproduction",
        "coproduction_with_investment")
#: Extra hours a month the place's leaders spend, in all.
TARGETS = (40.0, 80.0, 160.0)
JOINT_CARE_MONTH = 60

#: Outcomes: the column, the run summary's key (None: joint care at five years), a label, lower is better.
OUTCOMES: tuple[tuple[str, str | None, str, bool], ...] = (
    ("months_to_50", "months_to_50", "months to 50%", True),
    ("statutory_months_to_50", "statutory_months_to_50", "months to 50%: statutory core", True),
    ("size_months_to_50", "size_months_to_50", "months to 50%: size-weighted", True),
    ("joint_care_5y", None, "joint care at 5 years", False),
)
_LOWER = {name for name, _, _, low in OUTCOMES if low}


@dataclass(frozen=True)
class Settings:
    """How big a run: seeds, months, a place (``None``: the default), how many targets."""

    seeds: int
    steps: int
    organisations: dict | None
    targets: int


FULL = Settings(seeds=160, steps=120, organisations=None, targets=3)
TINY = Settings(seeds=4, steps=72, organisations={"nhs_trust": 3, "council": 2, "voluntary": 25}, targets=1)


def place(settings: Settings) -> Scenario:
    """The default place, or the tiny settings' smaller one."""
    base = Scenario()
    return base if settings.organisations is None else base.replace(organisations=settings.organisations)


def _outcomes(out: np.ndarray, cols: list[str], steps: int) -> dict[str, float]:
    col = {c: out[:, k] for k, c in enumerate(cols)}
    summary = summarise_columns(col)
    row = {}
    for name, key, _, lower in OUTCOMES:
        value = float(summary[key]) if key else float(col["joint_care"][min(JOINT_CARE_MONTH, steps)])
        row[name] = float(steps) if np.isnan(value) and lower else value
    return row


def _baseline(args: tuple[Settings, list[int]]) -> tuple[list[dict], np.ndarray]:
    settings, seeds = args
    base = place(settings)
    runs = simulate_batch(base, seeds, settings.steps)
    spent = np.array([spent_hours(out, cols, base.n_organisations) for out, cols in runs])
    rows = [{"ask": "none", "target": 0.0, "seed": s, "setting": 0.0, "spent": 0.0, "money": 0.0,
             **_outcomes(out, cols, settings.steps)} for s, (out, cols) in zip(seeds, runs)]
    return rows, spent


def _ask_cell(args) -> tuple[list[dict], dict]:
    settings, name, target, seeds, baseline = args
    base, steps = place(settings), settings.steps
    match, chosen, runs = match_arm(base, name, target, seeds, steps, per=1.0, baseline=baseline)
    rows = []
    for s, x, (out, cols), b in zip(seeds, chosen, runs, baseline):
        rows.append({"ask": name, "target": float(target), "seed": s, "setting": float(x),
                     "spent": spent_hours(out, cols, base.n_organisations) - b,
                     "money": arm_money(arm_scenario(base, name, x), steps), **_outcomes(out, cols, steps)})
    info = {"ask": name, "target": float(target), "setting_name": ARMS[name].setting, "setting": match.setting,
            "realised": match.realised, "cap": match.cap, "status": match.status,
            "setting_text": _setting_text(chosen), "evaluations": match.evaluations, "steps": steps}
    return rows, info


def _value_text(x: float) -> str:
    """A setting; a vanishing one (above 0, below a millionth) as ``0+``.

    >>> _value_text(0.1123), _value_text(6.7e-73), _value_text(0.0)
    ('0.112', '0+', '0')
    """
    return "0+" if 0 < x < 1e-6 else f"{x:.3g}"


def _setting_text(settings: list[float]) -> str:
    """One setting, or two mixed over the seeds."""
    values = sorted(set(settings))
    if len(values) == 1:
        return _value_text(values[0])
    lo, hi = values
    high, low = _value_text(hi), _value_text(lo)
    if high == low:  # two settings either side of a jump, too near for three digits
        high, low = f"{hi:.6g}", f"{lo:.6g}"
    return f"{high} in {settings.count(hi)} of {len(settings)} places, else {low}"


def run_asks(settings: Settings, workers: int = 2, master_seed: int = MASTER_SEED
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every ask matched at every target on the same seeds: the runs (one row per seed) and the matches."""
    seeds = np.random.SeedSequence(master_seed).generate_state(settings.seeds).tolist()
    base_rows, baseline = _baseline((settings, seeds))
    tasks = [(settings, a, t, seeds, baseline) for t in TARGETS[:settings.targets] for a in ASKS]
    with worker_map(workers) as mapper:
        results = list(mapper(_ask_cell, tasks))
    rows = base_rows + [r for ask_rows, _ in results for r in ask_rows]
    return pd.DataFrame(rows), pd.DataFrame([info for _, info in results])


# ------------------------------------------------------------------ effects and the best ask
def _gain(values, name: str):
    """Improvement: fewer months or more joint care, both counted positive."""
    return gain(values, name in _LOWER)


def effects(runs: pd.DataFrame, asks: pd.DataFrame) -> pd.DataFrame:
    """Each ask's paired change against no lever on the same seeds: mean, 95% interval, whether it matters."""
    base = runs[runs["ask"] == "none"].set_index("seed")
    out = []
    for info in asks.itertuples(index=False):
        g = runs[(runs["ask"] == info.ask) & (runs["target"] == info.target)].set_index("seed")
        b = base.loc[g.index]
        row = info._asdict() | {"money_mean": g["money"].mean(), "spent_mean": g["spent"].mean(),
                                "setting_text": _setting_text(g["setting"].tolist())}
        for name, *_ in OUTCOMES:
            row |= paired_change(g[name], b[name], name, name in _LOWER)
        out.append(row)
    return pd.DataFrame(out)


def ranking(runs: pd.DataFrame, eff: pd.DataFrame) -> list[str]:
    """At each target and outcome, the best matched ask against the runner-up (paired on seeds)."""
    lines = []
    for target, g in eff.groupby("target", sort=True):
        matched = g[g["status"] == "matched"]
        for name, _, label, _ in OUTCOMES:
            head = f"{target:g} h, {label}"
            if len(matched) < 2:
                lines.append(f"{head}: fewer than two asks matched")
                continue
            order = matched.assign(gain=_gain(matched[f"{name}_change"], name)).sort_values("gain", ascending=False)
            best, second = order.iloc[0]["ask"], order.iloc[1]["ask"]
            cell = runs[runs["target"] == target]
            a = cell[cell["ask"] == best].set_index("seed")[name]
            b = cell[cell["ask"] == second].set_index("seed")[name].loc[a.index]
            mean, low, high = paired_interval(_gain(a, name) - _gain(b, name))
            smallest = float(g[f"{name}_smallest"].iloc[0])
            f = ".1f" if name in _LOWER else ".3f"
            diff = f"improvement {mean:+{f}} ({low:+{f}} to {high:+{f}}), smallest that matters {smallest:{f}}"
            verdict = "best, ahead of" if matters(mean, low, high, smallest) else "too small to tell from"
            lines.append(f"{head}: {best} {verdict} {second}; {diff}")
    return lines


# ------------------------------------------------------------------ the README block
def _effect_text(r: dict, name: str) -> str:
    return change_text(r, name, name in _LOWER)


def table(runs: pd.DataFrame, asks: pd.DataFrame) -> str:
    """The README block: how each ask was matched, its effects, and the best ask at each target."""
    eff = effects(runs, asks)
    steps = int(asks["steps"].iloc[0])
    seeds = runs["seed"].nunique()
    first = eff.iloc[0]
    base = ", ".join(f"{label} {first[f'{n}_baseline']:{'.1f' if n in _LOWER else '.3f'}}"
                     for n, _, label, _ in OUTCOMES)
    lines = [f"{seeds} paired seeds × {steps} months per ask (no lever: {base}). Each ask's setting "
             f"was found so that the place's leaders spend the target's extra hours a month within {TOLERANCE:.0%} "
             "in these runs (realised beside target; cuts to other one-to-ones included; `capped`: it cannot spend "
             "the target without committing a leader beyond their monthly hours, or spends less however it is set; "
             "`unmatched`: no setting comes within 5%; both are left out of the comparisons; `0+`: a vanishing rate, "
             "one programme cohort at the start of the run). Money: pounds a month (steady state). "
             "Change against no lever, mean (95% interval); **bold**: better by at least the smallest effect that "
             "matters, interval clear of 0; _italic_: worse by as much. Smallest effects that matter: months, "
             f"{smallest_text('time')}; joint care, {smallest_text('share')}.", "",
             "| ask | target h | realised h | status | setting | money £/month | "
             + " | ".join(label for _, _, label, _ in OUTCOMES) + " |",
             "|---" * (6 + len(OUTCOMES)) + "|"]
    for r in eff.to_dict("records"):
        lines.append(f"| {r['ask']} | {r['target']:g} | {r['realised']:.1f} | {r['status']} "
                     f"| {r['setting_name']} = {r['setting_text']} | {r['money_mean']:,.0f} | "
                     + " | ".join(_effect_text(r, n) for n, *_ in OUTCOMES) + " |")
    lines += ["", "Best matched ask at each target against the runner-up (paired on seeds; improvement of the best, "
              "mean (95% interval)):", ""] + [f"- {line}" for line in ranking(runs, eff)]
    return "\n".join(lines)


# ------------------------------------------------------------------ files and the command line
def save(runs: pd.DataFrame, asks: pd.DataFrame, folder: Path) -> None:
    """The runs and the matches as Parquet in ``folder``."""
    save_tables(folder, {"runs": runs, "asks": asks})


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The saved runs and matches."""
    return load_tables(folder, ("runs", "asks"), "asks")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the README block from the saved results")
    ap.add_argument("--tiny", action="store_true", help="tiny settings (a smoke test: 30 organisations, 4 seeds)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results folder (default: %(default)s)")
    ap.add_argument("--no-docs", action="store_true", help="print the block without rewriting experiments/README.md")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (0 or 1: in this process)")
    args = ap.parse_args(argv)
    if args.workers < 0:
        print(f"error: --workers = {args.workers} is out of range: expected an integer >= 0", file=sys.stderr)
        return 2
    try:
        if args.render:
            runs, asks = load(args.out)
        else:
            runs, asks = run_asks(TINY if args.tiny else FULL, args.workers)
            save(runs, asks, args.out)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = table(runs, asks)
    if not args.no_docs:
        replace_block(README, "burstow", text, f"experiments/burstow.py from {RESULTS.relative_to(ROOT)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
