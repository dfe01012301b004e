"""Benchmark: the per-agent reference engine against the fast engine, and sweep throughput.

Run (about three minutes on a 2-core machine)::

    python experiments/benchmark.py            # full table: 50 ... 50,000 organisations
    python experiments/benchmark.py --quick    # small sizes only, seconds

One process, one invocation: for each size both engines are built from the
*same* scenario and seed (so the same generated place and initial state) and
step through one simulated year (12 monthly steps) collecting every outcome
every month. Where the reference engine would take minutes, only its first
few steps are timed (the table says how many) and its year is extrapolated.

Places: 6 % NHS trusts, 4 % councils, 90 % voluntary bodies with the default
kinds; the national place (50,000 organisations: 220 NHS trusts, 320
councils, 49,460 voluntary bodies) gives voluntary bodies 9 expected ties to
each other (default 2) so the place has about 500,000 directed relationships.

Columns: directed edge-updates per second (relationships x steps / wall
time, one update of each directed trust per month), seconds per simulated
year (12 steps, outcome collection included, construction excluded and shown
separately), peak memory (resident-set high-water mark of this process while
the engine is built and run, reset before each engine via
``/proc/self/clear_refs``), and the fast/reference ratio of edge-updates per
second.

Sweep throughput: model runs per minute on the default place (100
organisations, 120 monthly steps, data collected every step) for the
reference engine and the fast engine run one at a time
(``simulation.run``), and for the batched replicate kernel
(:func:`simulation.batch.run_replicates`, one ``RunResult`` per run), in one
process and in two worker processes. The batched results are checked to be
identical to the one-at-a-time runs with the same seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation import ReferenceTrustModel, Scenario, TrustModel, run
from simulation.batch import HAVE_NUMBA, run_replicates, simulate_replicates
from simulation.kinds import default_kinds

STEPS_PER_YEAR = 12


# ------------------------------------------------------------------ helpers
def place_scenario(n: int) -> Scenario:
    """The scenario of a generated place with ``n`` organisations (see module docstring)."""
    if n >= 20_000:
        kinds = default_kinds()
        vol = kinds["voluntary"]
        kinds["voluntary"] = dataclasses.replace(vol, ties={**vol.ties, "voluntary": 9.0})
        nhs, council = 220, 320
        return Scenario(organisations={"nhs_trust": nhs, "council": council, "voluntary": n - nhs - council},
                        kinds=kinds, name=f"national-{n}")
    nhs, council = max(6, round(0.06 * n)), max(4, round(0.04 * n))
    return Scenario(organisations={"nhs_trust": nhs, "council": council, "voluntary": n - nhs - council},
                    name=f"place-{n}")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _status_kb(field: str) -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_mb() -> float:
    """Resident-set high-water mark of this process since the last reset, in MB."""
    return _status_kb("VmHWM") / 1024


def n_directed(model) -> int:
    """Directed relationships of either engine."""
    if isinstance(model, TrustModel):
        return model.relationships.n_edges
    return 2 * sum(1 for org in model.organisations for t in org.ties if t.i == org.index)


def time_engine(cls, scenario: Scenario, seed: int, budget: float) -> dict:
    """Build ``cls`` and time up to one simulated year of steps, stopping early once ``budget`` seconds pass."""
    _reset_peak()
    t0 = time.perf_counter()
    model = cls(scenario, rng=seed)
    build = time.perf_counter() - t0
    updates, steps, elapsed = 0, 0, 0.0
    while steps < STEPS_PER_YEAR and (steps == 0 or elapsed < budget):
        edges = n_directed(model)  # counted outside the timed region
        t = time.perf_counter()
        model.step()
        elapsed += time.perf_counter() - t
        updates += edges
        steps += 1
    return {
        "build_s": build,
        "steps": steps,
        "seconds": elapsed,
        "edges": n_directed(model),
        "updates_per_s": updates / elapsed,
        "s_per_year": elapsed / steps * STEPS_PER_YEAR,
        "peak_mb": peak_mb(),
    }


def _fmt_ratio(x: float) -> str:
    return f"{x:,.0f}x" if x >= 100 else f"{x:.1f}x"


def warm_up() -> float:
    """Import and JIT-compile (or load from numba's cache) everything timed below; returns seconds."""
    t = time.perf_counter()
    sc = place_scenario(50)
    TrustModel(sc, rng=0).run(3)
    ReferenceTrustModel(sc, rng=0).run(1)
    run_replicates(sc, seeds=[0], steps=3)
    return time.perf_counter() - t


def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:,.2f} M" if x >= 1e6 else f"{x / 1e3:,.1f} k"


# ---------------------------------------------------------------- sections
def scaling_table(sizes: Sequence[int], seed: int, ref_budget: float, fast_only_above: int | None) -> pd.DataFrame:
    rows = []
    for n in sizes:
        sc = place_scenario(n)
        fast = time_engine(TrustModel, sc, seed, budget=float("inf"))
        print(f"  {n:>6} organisations  fast      {fast['s_per_year']:8.3f} s/year  "
              f"({fast['edges']:,} directed edges, build {fast['build_s']:.2f} s)", flush=True)
        ref = None
        if fast_only_above is None or n <= fast_only_above:
            ref = time_engine(ReferenceTrustModel, sc, seed, budget=ref_budget)
            print(f"  {n:>6} organisations  reference {ref['s_per_year']:8.3f} s/year  "
                  f"({ref['steps']} steps timed, build {ref['build_s']:.2f} s)", flush=True)
        for name, r in (("fast", fast), ("reference", ref)):
            if r is None:
                continue
            rows.append({
                "organisations": n,
                "directed edges": r["edges"],
                "engine": name,
                "steps timed": r["steps"],
                "edge-updates/s": r["updates_per_s"],
                "s per simulated year": r["s_per_year"],
                "build s": r["build_s"],
                "peak memory MB": r["peak_mb"],
                "fast/reference": fast["updates_per_s"] / ref["updates_per_s"] if ref else float("nan"),
            })
    return pd.DataFrame(rows)


def sweep_table(
    seed: int, replicates: int, single_runs: int, ref_runs: int, processes: int
) -> tuple[pd.DataFrame, bool]:
    sc = Scenario()  # the default place: 100 organisations
    steps = 120
    rows = []

    def add(label, n_runs, seconds, note=""):
        rows.append({"path": label, "runs": n_runs, "seconds": seconds, "runs per minute": n_runs / seconds * 60,
                     "note": note})
        print(f"  {label:<55} {n_runs / seconds * 60:>10,.0f} runs/min", flush=True)

    if ref_runs:
        t = time.perf_counter()
        for s in range(ref_runs):
            run(sc, steps=steps, seed=seed + s, engine="reference")
        add("(a) reference engine, one run at a time", ref_runs, time.perf_counter() - t)
    seeds = list(range(seed, seed + replicates))
    t = time.perf_counter()
    singles = [run(sc, steps=steps, seed=s) for s in seeds[:single_runs]]
    one_by_one = time.perf_counter() - t
    add("(b) fast engine, one run at a time (simulation.run)", single_runs, one_by_one)
    t0 = time.perf_counter()
    run_replicates(sc, seeds=[seed], steps=2)  # already warm: see warm_up()
    jit = time.perf_counter() - t0
    t = time.perf_counter()
    batch = run_replicates(sc, seeds=seeds, steps=steps)
    add("(c) batched replicates, 1 process (RunResult per run)", replicates, time.perf_counter() - t,
        f"first call after warm-up {jit:.2f} s, not counted")
    t = time.perf_counter()
    simulate_replicates(sc, seeds=seeds, steps=steps)
    add("(c) batched replicates, 1 process (array output)", replicates, time.perf_counter() - t)
    if processes > 1:
        t = time.perf_counter()
        run_replicates(sc, seeds=seeds, steps=steps, processes=processes)
        add(f"(c) batched replicates, {processes} processes (RunResult per run)", replicates,
            time.perf_counter() - t, "worker start-up included")
    identical = all(
        a.timeseries.equals(b.timeseries) and a.timeseries.index.equals(b.timeseries.index)
        and str(a.summary) == str(b.summary)
        for a, b in zip(singles, batch)
    )
    return pd.DataFrame(rows), identical


# ---------------------------------------------------------------- markdown
def markdown_scaling(df: pd.DataFrame) -> str:
    lines = ["| organisations | directed edges | engine | steps timed | edge-updates/s | s per simulated year "
             "| build s | peak memory | fast/reference |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in df.itertuples(index=False):
        ratio = "" if r.engine == "reference" or np.isnan(r[8]) else f"**{_fmt_ratio(r[8])}**"
        timed = f"{r[3]}" + (" (extrapolated)" if r[3] < STEPS_PER_YEAR else "")
        lines.append(f"| {r[0]:,} | {r[1]:,} | {r[2]} | {timed} | {_fmt_rate(r[4])} | {r[5]:,.3f} | {r[6]:.2f} "
                     f"| {r[7]:,.0f} MB | {ratio} |")
    return "\n".join(lines)


def markdown_sweep(df: pd.DataFrame) -> str:
    lines = ["| path | runs | seconds | runs per minute | note |", "|---|---:|---:|---:|---|"]
    for r in df.itertuples(index=False):
        lines.append(f"| {r[0]} | {r[1]:,} | {r[2]:.2f} | {r[3]:,.0f} | {r[4]} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5_000, 50_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ref-budget", type=float, default=10.0,
                    help="seconds of reference-engine stepping per size before extrapolating (default 10)")
    ap.add_argument("--replicates", type=int, default=2000, help="replicates in the batched sweep (default 2000)")
    ap.add_argument("--single-runs", type=int, default=40, help="fast runs one at a time (default 40)")
    ap.add_argument("--ref-runs", type=int, default=2, help="reference runs one at a time (default 2)")
    ap.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--quick", action="store_true", help="sizes 50 and 500, small sweep: a smoke test")
    ap.add_argument("--markdown", type=Path, help="also write the tables as markdown to this file")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.replicates, args.single_runs, args.ref_runs = [50, 500], 100, 5, 1
        args.ref_budget = min(args.ref_budget, 2.0)

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    head = (f"Python {platform.python_version()}, numpy {np.__version__}, "
            f"numba {'yes' if HAVE_NUMBA else 'NO (batched kernel runs as Python)'}, "
            f"{os.cpu_count()} CPUs, load average at start {load[0]:.2f}")
    print(head, flush=True)
    print(f"warm-up (imports, JIT compile or cache load): {warm_up():.1f} s, not counted", flush=True)
    print("\nScaling: one simulated year (12 monthly steps), same scenario and seed for both engines", flush=True)
    scaling = scaling_table(args.sizes, args.seed, args.ref_budget, None)
    print("\nSweep throughput: default place (100 organisations), 120 monthly steps, outcomes every step", flush=True)
    sweep, identical = sweep_table(args.seed, args.replicates, min(args.single_runs, args.replicates),
                                   args.ref_runs, args.processes)
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    fast_one = sweep.loc[sweep["path"].str.startswith("(b)"), "runs per minute"].iloc[0]
    batch_one = sweep.loc[sweep["path"].str.contains("1 process \\(RunResult"), "runs per minute"].iloc[0]
    best = sweep.loc[sweep["path"].str.startswith("(c)") & sweep["path"].str.contains("RunResult"),
                     "runs per minute"].max()
    ref_one = sweep.loc[sweep["path"].str.startswith("(a)"), "runs per minute"]
    md = "\n\n".join([
        head + f"; load average at end {load_end[0]:.2f}",
        markdown_scaling(scaling),
        markdown_sweep(sweep),
        f"Batched vs one at a time (same seeds): **{_fmt_ratio(batch_one / fast_one)}** in one process, "
        f"**{_fmt_ratio(best / fast_one)}** at best ({best:,.0f} runs/min); fast one at a time vs reference: "
        f"**{_fmt_ratio(fast_one / ref_one.iloc[0]) if len(ref_one) else 'n/a'}**. "
        f"Batched results identical to one-at-a-time runs: "
        f"**{'yes' if identical else 'NO'}** ({min(args.single_runs, args.replicates)} seeds compared).",
    ])
    print("\n" + md)
    if args.markdown:
        args.markdown.write_text(md + "\n")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
