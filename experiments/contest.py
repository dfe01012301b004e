"""The contest: structures with real powers against relational levers, at equal leader-hours.

"Relationships matter more than structures" (Ham) is tested, not assumed: in
three places (the default place, a legacy of competition, a high-trust place)
each lever is set to cost the same number of hours a month **of the same
leaders**, the 10 statutory bodies' (6 NHS trusts, 4 councils), at three
budgets, and run on the same seeds as the place without any lever. The table reports each lever's change in the
months to 50% integration (both measures) against no lever, as a paired mean
with its 95% interval, and the leader-hours the runs actually spent, so the
equal-cost setting can be checked. Structures can win: the board's authority
stops festering conflict, pooling aligns incentives, a Health and Wellbeing
Board brings members together and finds common cause.

Intensity per lever for ``H`` extra hours a month per statutory leader:

* relational: more one-to-one meetings between statutory leaders,
  ``f_S = H / (h_m d_S)`` a month in each of their relationships (``d_S`` =
  4.8, a statutory leader's mean number of statutory partners in the
  default place); shared NHS–council roles, ``R = 10 H / (2 h_R)`` (rounded);
* structural: a system board meeting ``f_B = H / h_B`` times a month; a board
  meeting quarterly with a pooled budget taking the rest of the hours
  (``s = (H - f_B h_B) / h_P``, at most 1); a Health and Wellbeing Board
  meeting ``f_W = H / h_W`` times a month (its 2 voluntary members spend the
  same).

Open books, leadership development and a long-term commitment act on every
leader of the place, so they cannot be matched on the same leaders' hours;
the regulator's incentive and mergers cost no recurring leader-hours. They are
left out of this comparison. The hours the runs spent are reported beside each
result (mean over the statutory leaders, against no lever): a lever that pushes
its leaders past their budget spends less than ``H`` on itself and cuts their
other one-to-ones. Run::

    python experiments/contest.py            # about a minute on 2 cores; writes results and the README block
    python experiments/contest.py --render   # the README block again from the saved results
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import paired_interval, replace_block, saved_or_fresh  # noqa: E402

from simulation import Scenario, load_scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.equal_hours import FRAMINGS, lever_at_hours  # noqa: E402
from simulation.outcomes import time_to_level  # noqa: E402

RESULTS = HERE / "results" / "contest.csv"
README = HERE / "README.md"
PLACES = ("default", "legacy_of_competition", "high_trust")
BUDGETS = (2.0, 4.0, 8.0)
SEEDS = 60
STEPS = 180
MASTER_SEED = 2026
RELATIONAL = {"same_leaders": ("statutory_contact", "shared_roles"),
              "place": ("contact", "open_book", "development", "commitment", "shared_roles")}
STRUCTURAL = ("system_board", "pooled_budget", "health_wellbeing_board")
_HOURS = ("hours_one_to_one", "hours_board", "hours_roles", "hours_levers")


def place(name: str) -> Scenario:
    """The three places: two shipped scenarios and a high-trust place."""
    if name == "high_trust":
        return Scenario(name="high_trust", initial_trust=0.4, baseline_trust=0.4, competitive_pressure=0.2)
    return load_scenario(name)


def lever(base: Scenario, name: str, hours: float, framing: str = "same_leaders") -> Scenario:
    """``base`` with lever ``name`` set to cost about ``hours`` hours a month.

    :func:`simulation.equal_hours.lever_at_hours`, which the dashboard's side-by-side presets share.
    """
    return lever_at_hours(base, name, hours, framing)


def _cell(args: tuple[str, str, str, float, list[int]]) -> list[dict]:
    framing, place_name, lever_name, hours, seeds = args
    scenario = lever(place(place_name), lever_name, hours, framing)
    statutory = sum(c for k, c in scenario.organisations.items() if scenario.kinds[k].statutory)
    per_statutory = scenario.n_organisations / statutory  # place hours per leader -> per statutory leader
    rows = []
    for seed, (out, cols) in zip(seeds, simulate_batch(scenario, seeds, STEPS)):
        col = {c: out[:, k] for k, c in enumerate(cols)}
        rows.append({
            "framing": framing, "place": place_name, "lever": lever_name, "budget": hours, "seed": seed,
            "months_to_50": time_to_level(col["integration"], 0.5),
            "connectedness_months_to_50": time_to_level(col["connectedness"], 0.5),
            "final_integration": float(col["integration"][-1]),
            "hours": float(sum(col[h][1:].mean() for h in _HOURS)) * per_statutory,
        })
    return rows


def run_contest(processes: int = 2, master_seed: int = MASTER_SEED) -> pd.DataFrame:
    """Every place, lever and budget on the same seeds, plus each place without a lever."""
    seeds = np.random.SeedSequence(master_seed).generate_state(SEEDS).tolist()
    cells = [(fr, pl, "none", 0.0, seeds) for fr in FRAMINGS for pl in PLACES]
    cells += [(fr, pl, lv, h, seeds) for fr in FRAMINGS for pl in PLACES for lv in (*RELATIONAL[fr], *STRUCTURAL)
              for h in BUDGETS]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        rows = [r for part in pool.map(_cell, cells) for r in part]
    return pd.DataFrame(rows)


def paired_effects(df: pd.DataFrame) -> pd.DataFrame:
    """Each lever's paired change against no lever (same seeds): mean and 95% interval, both measures."""
    out = []
    for (fr, pl, lv, h), g in df[df["lever"] != "none"].groupby(["framing", "place", "lever", "budget"], sort=False):
        base = df[(df["framing"] == fr) & (df["place"] == pl) & (df["lever"] == "none")].set_index("seed")
        g = g.set_index("seed")
        row = {"framing": fr, "place": pl, "lever": lv,
               "kind": "structural" if lv in STRUCTURAL else "relational", "budget": h,
               "hours_spent": g["hours"].mean() - base["hours"].mean()}
        for col in ("months_to_50", "connectedness_months_to_50"):
            a = g[col].fillna(STEPS)
            b = base.loc[g.index, col].fillna(STEPS)
            row[f"{col}_change"], row[f"{col}_low"], row[f"{col}_high"] = paired_interval(a - b)
            row[f"{col}_censored"] = float(g[col].isna().mean())
        out.append(row)
    return pd.DataFrame(out)


def _cell_text(r: pd.Series, col: str) -> str:
    text = f"{r[f'{col}_change']:+.1f} ({r[f'{col}_low']:+.1f} to {r[f'{col}_high']:+.1f})"
    if r[f"{col}_high"] < 0:
        text = f"**{text}**"  # faster, and the interval says so
    return text + (" +" if r[f"{col}_censored"] > 0 else "")


def table(df: pd.DataFrame) -> str:
    """The README block: both framings, each place's levers at each budget, and who wins."""
    eff = paired_effects(df)
    heads = {"same_leaders": "Equal hours of the same leaders (budget: hours a month of each statutory leader)",
             "place": "Equal hours of the place (budget: hours a month per leader, averaged over all 100 leaders)"}
    parts = []
    for fr in FRAMINGS:
        parts.append(f"#### {heads[fr]}\n\n" + _framing_table(df[df["framing"] == fr], eff[eff["framing"] == fr]))
    return "\n\n".join(parts)


def _framing_table(df: pd.DataFrame, eff: pd.DataFrame) -> str:
    base = df[df["lever"] == "none"].groupby("place")["months_to_50"].median()
    lines = [f"{SEEDS} paired seeds × {STEPS} months per cell; change in months to 50% against no lever, mean "
             "(95% interval); **bold**: faster, interval below zero; `+`: some runs never reached 50% (counted "
             "at the run length, so the change is a bound). Hours spent: the extra hours the whole place's "
             "leaders actually spent, per statutory leader (negative when the lever's cuts to other one-to-ones "
             "outweigh its own time)."]
    for pl in PLACES:
        lines += ["", f"**{pl}** (no lever: median {base[pl]:.0f} months to 50%)", "",
                  "| lever | kind | budget h | hours spent | months to 50% | months to 50% connectedness |",
                  "|---|---|---|---|---|---|"]
        for _, r in eff[eff["place"] == pl].iterrows():
            lines.append(f"| {r['lever']} | {r['kind']} | {r['budget']:g} | {r['hours_spent']:.1f} "
                         f"| {_cell_text(r, 'months_to_50')} | {_cell_text(r, 'connectedness_months_to_50')} |")
    lines += ["", winners(eff)]
    return "\n".join(lines)


def winners(eff: pd.DataFrame) -> str:
    """Where a structural lever beats every relational one at the same budget (intervals apart), and the reverse."""
    out = []
    for (pl, h), g in eff.groupby(["place", "budget"], sort=False):
        for col, label in (("months_to_50", "partnership"), ("connectedness_months_to_50", "connectedness")):
            rel = g[g["kind"] == "relational"]
            st = g[g["kind"] == "structural"]
            best_rel, best_st = rel.loc[rel[f"{col}_change"].idxmin()], st.loc[st[f"{col}_change"].idxmin()]
            if best_st[f"{col}_high"] < best_rel[f"{col}_low"]:
                out.append(f"{pl}, {h:g} h, {label}: structure wins ({best_st['lever']} over {best_rel['lever']})")
            elif best_rel[f"{col}_high"] < best_st[f"{col}_low"]:
                out.append(f"{pl}, {h:g} h, {label}: relationships win ({best_rel['lever']} over {best_st['lever']})")
            else:
                out.append(f"{pl}, {h:g} h, {label}: too close to tell ({best_rel['lever']} vs {best_st['lever']})")
    return "Best relational against best structural lever at each budget (intervals apart, or too close to " \
           "tell):\n\n" + "\n".join(f"- {line}" for line in out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the README block from the saved results")
    ap.add_argument("--check-seed", type=int, metavar="SEED",
                    help="run again with another master seed and print only who wins (nothing is written)")
    args = ap.parse_args(argv)
    if args.check_seed is not None:
        eff = paired_effects(run_contest(master_seed=args.check_seed))
        for fr in FRAMINGS:
            print(f"{fr}:\n" + winners(eff[eff["framing"] == fr]))
        return 0
    df = saved_or_fresh(RESULTS, run_contest, args.render)
    text = table(df)
    replace_block(README, "contest", text, f"experiments/contest.py from {RESULTS.relative_to(HERE.parent)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
