"""The contest: structures with real powers against relational levers, at equal leader-hours.

"Relationships matter more than structures" (Ham) is tested, not assumed: in
three places (the default place, a legacy of competition, a high-trust place)
each lever is set to cost the same number of leader-hours a month, averaged
over every leader of the place, at three budgets, and run on the same seeds
as the place without any lever. The table reports each lever's change in the
months to 50% integration (both measures) against no lever, as a paired mean
with its 95% interval, and the leader-hours the runs actually spent, so the
equal-cost setting can be checked. Structures can win: the board's authority
stops festering conflict, pooling aligns incentives, a Health and Wellbeing
Board brings members together and finds common cause.

Intensity per lever for ``H`` extra hours a month per leader (100 leaders; 6
NHS trusts and 4 councils are statutory):

* relational: one-to-one contact raised by ``H / h_m / 2.9`` meetings a month
  (the default place's mean degree is about 4.6, so each extra meeting a
  month costs a leader about ``2.9 h_m`` hours on average, after cuts),
  open books ``o = H / h_o``, development ``d = H / h_d``, commitment
  ``k = H / h_k`` (each capped at 1), shared roles ``R = H N / (2 h_R)``;
* structural: a system board meeting ``f_B = H N / (10 h_B)`` times a month,
  a board with a pooled budget ``s = 1`` meeting at the rate the rest of the
  hours allow, a Health and Wellbeing Board meeting ``f_W = H N / (12 h_W)``
  times a month.

A lever whose cap binds costs less than ``H``: the measured hours say so.
The regulator's incentive and mergers cost leaders no recurring hours and are
left out of this comparison. Run::

    python experiments/contest.py            # about a minute on 2 cores; writes results and the README block
    python experiments/contest.py --render   # the README block again from the saved results
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from docblocks import replace_block  # noqa: E402

from simulation import Scenario, load_scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.outcomes import time_to_level  # noqa: E402

RESULTS = HERE / "results" / "contest.csv"
README = HERE / "README.md"
PLACES = ("default", "legacy_of_competition", "high_trust")
BUDGETS = (2.0, 4.0, 8.0)
SEEDS = 60
STEPS = 180
MASTER_SEED = 2026
RELATIONAL = ("contact", "open_book", "development", "commitment", "shared_roles")
STRUCTURAL = ("system_board", "pooled_budget", "health_wellbeing_board")
_HOURS = ("hours_one_to_one", "hours_board", "hours_roles", "hours_levers")


def place(name: str) -> Scenario:
    """The three places: two shipped scenarios and a high-trust place."""
    if name == "high_trust":
        return Scenario(name="high_trust", initial_trust=0.4, baseline_trust=0.4, competitive_pressure=0.2)
    return load_scenario(name)


def lever(base: Scenario, name: str, hours: float) -> Scenario:
    """``base`` with lever ``name`` set to cost about ``hours`` leader-hours a month per leader."""
    p, n = base.params, base.n_organisations
    if name == "none":
        return base
    if name == "contact":
        return base.replace(contact_rate=p["contact_rate"] + hours / p["meeting_hours"] / 2.9)
    if name == "open_book":
        return base.replace(open_book=min(1.0, hours / p["open_book_hours"]))
    if name == "development":
        return base.replace(leadership_development=min(1.0, hours / p["development_hours"]))
    if name == "commitment":
        return base.replace(long_term_commitment=min(1.0, hours / p["commitment_hours"]))
    if name == "shared_roles":
        return base.replace(shared_roles=max(1, round(hours * n / (2 * p["shared_role_hours"]))))
    if name == "system_board":
        return base.replace(system_board=True, board_contact_rate=hours * n / (10 * p["board_meeting_hours"]))
    if name == "pooled_budget":
        pool_hours = 10 * p["pooled_budget_hours"] / n
        rate = max(0.0, hours - pool_hours) * n / (10 * p["board_meeting_hours"])
        return base.replace(system_board=True, pooled_budget=1.0, board_contact_rate=rate)
    if name == "health_wellbeing_board":
        return base.replace(health_wellbeing_board=True, hwb_contact_rate=hours * n / (12 * p["hwb_meeting_hours"]))
    raise ValueError(name)


def _cell(args: tuple[str, str, float, list[int]]) -> list[dict]:
    place_name, lever_name, hours, seeds = args
    scenario = lever(place(place_name), lever_name, hours)
    rows = []
    for seed, (out, cols) in zip(seeds, simulate_batch(scenario, seeds, STEPS)):
        col = {c: out[:, k] for k, c in enumerate(cols)}
        rows.append({
            "place": place_name, "lever": lever_name, "budget": hours, "seed": seed,
            "months_to_50": time_to_level(col["integration"], 0.5),
            "connectedness_months_to_50": time_to_level(col["connectedness"], 0.5),
            "final_integration": float(col["integration"][-1]),
            "hours": float(sum(col[h][1:].mean() for h in _HOURS)),
        })
    return rows


def run_contest(processes: int = 2) -> pd.DataFrame:
    """Every place, lever and budget on the same seeds, plus each place without a lever."""
    seeds = np.random.SeedSequence(MASTER_SEED).generate_state(SEEDS).tolist()
    cells = [(pl, "none", 0.0, seeds) for pl in PLACES]
    cells += [(pl, lv, h, seeds) for pl in PLACES for lv in (*RELATIONAL, *STRUCTURAL) for h in BUDGETS]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        rows = [r for part in pool.map(_cell, cells) for r in part]
    return pd.DataFrame(rows)


def paired_effects(df: pd.DataFrame) -> pd.DataFrame:
    """Each lever's paired change against no lever (same seeds): mean and 95% interval, both measures."""
    out = []
    for (pl, lv, h), g in df[df["lever"] != "none"].groupby(["place", "lever", "budget"], sort=False):
        base = df[(df["place"] == pl) & (df["lever"] == "none")].set_index("seed")
        g = g.set_index("seed")
        row = {"place": pl, "lever": lv, "kind": "relational" if lv in RELATIONAL else "structural", "budget": h,
               "hours_spent": g["hours"].mean() - base["hours"].mean()}
        for col in ("months_to_50", "connectedness_months_to_50"):
            a = g[col].fillna(STEPS)
            b = base.loc[g.index, col].fillna(STEPS)
            d = (a - b).to_numpy()
            half = 1.96 * d.std(ddof=1) / math.sqrt(len(d))
            row[f"{col}_change"] = d.mean()
            row[f"{col}_low"] = d.mean() - half
            row[f"{col}_high"] = d.mean() + half
            row[f"{col}_censored"] = float(g[col].isna().mean())
        out.append(row)
    return pd.DataFrame(out)


def _cell_text(r: pd.Series, col: str) -> str:
    text = f"{r[f'{col}_change']:+.1f} ({r[f'{col}_low']:+.1f} to {r[f'{col}_high']:+.1f})"
    if r[f"{col}_high"] < 0:
        text = f"**{text}**"  # faster, and the interval says so
    return text + (" +" if r[f"{col}_censored"] > 0 else "")


def table(df: pd.DataFrame) -> str:
    """The README block: per place, each lever's change in months to 50% at each budget, and who wins."""
    eff = paired_effects(df)
    base = df[df["lever"] == "none"].groupby("place")["months_to_50"].median()
    lines = [f"{SEEDS} paired seeds × {STEPS} months per cell; change in months to 50% against no lever, mean "
             "(95% interval); **bold**: faster, interval below zero; `+`: some runs never reached 50% (counted "
             "at the run length, so the change is a bound). Hours: extra leader-hours a month per leader the "
             "runs actually spent."]
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
    args = ap.parse_args(argv)
    if args.render:
        df = pd.read_csv(RESULTS)
    else:
        df = run_contest()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(RESULTS, index=False)
    text = table(df)
    replace_block(README, "contest", text, f"experiments/contest.py from {RESULTS.relative_to(HERE.parent)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
