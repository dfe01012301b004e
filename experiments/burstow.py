"""Burstow's three asks at equal cost: boundary-spanning roles, place-based programmes, co-production.

"Sustained investment in place-based leadership, the creation of more boundary
spanning leadership roles, and the development of a cadre of leaders committed
to co-producing the solutions with citizens are needed" (Burstow). Which buys
the most integration for the same leader-hours? Each ask is set to cost the
place's leaders the same hours a month in all, ``H``, at three budgets, and
run on the same seeds as the place without any lever (paired):

* **shared roles** (boundary-spanning NHS–council roles): ``R = H / (2 h_R)``
  roles (two leaders give ``h_R`` hours each), rounded;
* **place-based programmes**: cohorts of ``C`` leaders for ``M`` months,
  ``Y = 12 H / (h_P C M)`` cohorts a year (so ``C Y M / 12`` members give
  ``h_P`` hours each in steady state); the ties a cohort creates carry no
  one-to-one contact (the cohort's meetings are their contact); a second row,
  ``place_programmes_tie_contact``, gives them a new relationship's usual
  contact, which asks for the members' time (an uncertain assumption);
* **co-production**: every leader's citizen-engagement skill ``q = H / (N h_q)``
  (``N`` leaders give ``q h_q`` hours each);
* **co-production with community investment**: the same, plus the councils'
  full community-investment programme (money, no leader-hours: reported
  beside it).

Outcomes: months to 50% integration, and the share of care delivered jointly
after five years (``joint_care``); each as the paired change against no lever
with its 95% interval. The hours the runs actually spent and the money each
ask costs are reported beside it, so equal cost can be checked. Run::

    python experiments/burstow.py                  # about a minute on 2 cores; writes results and the README block
    python experiments/burstow.py --render         # the README block again from the saved results
    python experiments/burstow.py --check-seed 7   # who wins with another master seed (nothing written)
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

from simulation import Scenario  # noqa: E402
from simulation.batch import simulate_batch  # noqa: E402
from simulation.interventions import lever_money  # noqa: E402
from simulation.outcomes import time_to_level  # noqa: E402

RESULTS = HERE / "results" / "burstow.csv"
README = HERE / "README.md"
ASKS = ("shared_roles", "place_programmes", "place_programmes_tie_contact", "coproduction",
        "coproduction_with_investment")
#: Hours a month the place's leaders give to the ask, in all.
BUDGETS = (96.0, 192.0, 384.0)
SEEDS = 200
STEPS = 120
JOINT_CARE_MONTH = 60
MASTER_SEED = 2027
_HOURS = ("hours_one_to_one", "hours_board", "hours_roles", "hours_levers")


def ask(base: Scenario, name: str, hours: float) -> Scenario:
    """``base`` with Burstow's ask ``name`` set to cost the place's leaders about ``hours`` hours a month.

    Examples
    --------
    >>> s = ask(Scenario(), "place_programmes", 192.0)
    >>> s.place_programmes, s.programme_cohort_size * s.place_programmes * s.programme_months / 12 * s.programme_hours
    (2.0, 192.0)
    >>> ask(Scenario(), "shared_roles", 96.0).shared_roles, round(ask(Scenario(), "coproduction", 96.0).coproduction, 2)
    (3, 0.16)
    """
    p = base.params
    if name == "none":
        return base
    if name == "shared_roles":
        return base.replace(shared_roles=max(1, round(hours / (2 * p["shared_role_hours"]))))
    if name in ("place_programmes", "place_programmes_tie_contact"):
        size, months = p["programme_cohort_size"], p["programme_months"]
        return base.replace(place_programmes=min(12.0, 12 * hours / (p["programme_hours"] * size * months)),
                            programme_tie_contact=1.0 if name == "place_programmes_tie_contact" else 0.0)
    if name in ("coproduction", "coproduction_with_investment"):
        skill = min(1.0, hours / (base.n_organisations * p["coproduction_hours"]))
        invest = 1.0 if name == "coproduction_with_investment" else 0.0
        return base.replace(coproduction=skill, community_investment=invest)
    raise ValueError(name)


def money(scenario: Scenario) -> float:
    """Pounds a month the levers cost the place in steady state (:func:`~simulation.interventions.lever_money`)."""
    p = scenario.params
    members = p["programme_cohort_size"] * p["place_programmes"] * p["programme_months"] / 12
    return sum(lever_money(p, True, scenario.n_organisations, members).values())


def _cell(args: tuple[str, float, list[int]]) -> list[dict]:
    name, hours, seeds = args
    base = Scenario()
    scenario = ask(base, name, hours)
    rows = []
    for seed, (out, cols) in zip(seeds, simulate_batch(scenario, seeds, STEPS)):
        col = {c: out[:, k] for k, c in enumerate(cols)}
        rows.append({
            "ask": name, "budget": hours, "seed": seed,
            "months_to_50": time_to_level(col["integration"], 0.5),
            "joint_care_5y": float(col["joint_care"][JOINT_CARE_MONTH]),
            "final_integration": float(col["integration"][-1]),
            "hours": float(sum(col[h][1:].mean() for h in _HOURS)) * base.n_organisations,
            "money": money(scenario),
        })
    return rows


def run_asks(processes: int = 2, master_seed: int = MASTER_SEED) -> pd.DataFrame:
    """Every ask at every budget on the same seeds, plus the place without a lever."""
    seeds = np.random.SeedSequence(master_seed).generate_state(SEEDS).tolist()
    cells = [("none", 0.0, seeds)] + [(a, h, seeds) for a in ASKS for h in BUDGETS]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        rows = [r for part in pool.map(_cell, cells) for r in part]
    return pd.DataFrame(rows)


def paired_effects(df: pd.DataFrame) -> pd.DataFrame:
    """Each ask's paired change against no lever (same seeds): mean and 95% interval."""
    base = df[df["ask"] == "none"].set_index("seed")
    out = []
    for (name, hours), g in df[df["ask"] != "none"].groupby(["ask", "budget"], sort=False):
        g = g.set_index("seed")
        row = {"ask": name, "budget": hours, "hours_spent": g["hours"].mean() - base["hours"].mean(),
               "money": g["money"].mean()}
        for col, fill in (("months_to_50", STEPS), ("joint_care_5y", None)):
            a, b = g[col], base.loc[g.index, col]
            if fill is not None:
                row[f"{col}_censored"] = float(a.isna().mean())
                a, b = a.fillna(fill), b.fillna(fill)
            row[f"{col}_change"], row[f"{col}_low"], row[f"{col}_high"] = paired_interval(a - b)
        out.append(row)
    return pd.DataFrame(out)


def _text(r: pd.Series, col: str, digits: int, better_low: bool) -> str:
    text = f"{r[f'{col}_change']:+.{digits}f} ({r[f'{col}_low']:+.{digits}f} to {r[f'{col}_high']:+.{digits}f})"
    better = r[f"{col}_high"] < 0 if better_low else r[f"{col}_low"] > 0
    worse = r[f"{col}_low"] > 0 if better_low else r[f"{col}_high"] < 0
    return f"**{text}**" if better else f"_{text}_" if worse else text


def ranking(eff: pd.DataFrame) -> str:
    """At each budget, the best ask against the runner-up: intervals apart, or too close to tell."""
    lines = []
    for hours, g in eff.groupby("budget", sort=True):
        for col, label, sign in (("months_to_50", "months to 50%", 1), ("joint_care_5y", "joint care at 5 years", -1)):
            order = g.sort_values(f"{col}_change", key=lambda s, k=sign: k * s)
            best, second = order.iloc[0], order.iloc[1]
            apart = (best[f"{col}_high"] < second[f"{col}_low"]) if sign == 1 else (
                best[f"{col}_low"] > second[f"{col}_high"])
            verdict = "best, intervals apart" if apart else "too close to tell from"
            lines.append(f"{hours:g} h, {label}: {best['ask']} {verdict} {second['ask']}")
    return "\n".join(f"- {line}" for line in lines)


def table(df: pd.DataFrame) -> str:
    """The README block."""
    eff = paired_effects(df)
    base = df[df["ask"] == "none"]
    lines = [f"{SEEDS} paired seeds × {STEPS} months per cell, default place (no lever: median "
             f"{base['months_to_50'].median():.0f} months to 50% integration, mean joint care at 5 years "
             f"{base['joint_care_5y'].mean():.3f}). Change against no lever, mean (95% interval); **bold**: better, "
             "interval clear of zero; _italic_: worse, interval clear of zero. Hours spent: the extra hours a month "
             "the place's leaders actually spent (cuts to other one-to-ones included); money: pounds a month.",
             "", "| ask | budget h | hours spent | money £/month | months to 50% | joint care at 5 years |",
             "|---|---|---|---|---|---|"]
    for _, r in eff.iterrows():
        cens = " +" if r["months_to_50_censored"] > 0 else ""
        lines.append(f"| {r['ask']} | {r['budget']:g} | {r['hours_spent']:.0f} | {r['money']:,.0f} "
                     f"| {_text(r, 'months_to_50', 1, True)}{cens} | {_text(r, 'joint_care_5y', 3, False)} |")
    lines += ["", "Best ask at each budget against the runner-up:", "", ranking(eff)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only render the README block from the saved results")
    ap.add_argument("--check-seed", type=int, metavar="SEED",
                    help="run again with another master seed and print only the ranking (nothing is written)")
    args = ap.parse_args(argv)
    if args.check_seed is not None:
        print(ranking(paired_effects(run_asks(master_seed=args.check_seed))))
        return 0
    df = saved_or_fresh(RESULTS, run_asks, args.render)
    text = table(df)
    replace_block(README, "burstow", text, f"experiments/burstow.py from {RESULTS.relative_to(HERE.parent)}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
