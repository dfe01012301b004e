"""Internals of the fast engine: each shortcut gives exactly what the plain computation gives."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import Scenario, TrustModel
from simulation import model as model_mod
from simulation import outcomes as outcomes_mod
from simulation.batch import HAVE_NUMBA, _pairwise_sum
from simulation.outcomes import collect_outcomes, edge_kind_codes, model_reporters, summarise_columns
from simulation.relationships import Relationships

SMALL = {"nhs_trust": 3, "council": 2, "voluntary": 10}


def _random_relationships(rng, n, p_tie, trust_mean=0.6):
    i, j = np.triu_indices(n, k=1)
    keep = rng.random(len(i)) < p_tie
    pairs = np.column_stack([i[keep], j[keep]])
    pairs = pairs[rng.permutation(len(pairs))]  # relationships are appended in no particular order
    trust = np.clip(rng.normal(trust_mean, 0.2, 2 * len(pairs)), 0, 1)
    return Relationships.from_pairs(pairs, trust, np.ones(len(pairs)))


def _scipy_candidates(rel, n, threshold, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(model_mod, "_compiled_kernels", lambda: None)
        return model_mod.introduction_candidates(rel, n, threshold)


@pytest.mark.skipif(not HAVE_NUMBA, reason="needs numba")
@pytest.mark.parametrize(("n", "p_tie"), [(12, 0.5), (100, 0.08), (300, 0.03), (1500, 0.004)])
def test_introduction_candidates_compiled_equals_sparse_product(n, p_tie, monkeypatch):
    rng = np.random.default_rng(n)
    rel = _random_relationships(rng, n, p_tie)
    fast, fast_counts = model_mod.introduction_candidates(rel, n, 0.6)
    slow, slow_counts = _scipy_candidates(rel, n, 0.6, monkeypatch)
    assert len(fast) > 0
    assert np.array_equal(fast, slow)
    assert np.array_equal(fast_counts, slow_counts)
    assert fast_counts.dtype == slow_counts.dtype == np.float64


def test_introduction_candidates_too_few_partnerships(monkeypatch):
    rel = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.array([0.9, 0.9, 0.1, 0.1]), np.ones(2))
    for cand, counts in (model_mod.introduction_candidates(rel, 3, 0.6), _scipy_candidates(rel, 3, 0.6, monkeypatch)):
        assert cand.shape == (0, 2) and len(counts) == 0


def test_whole_runs_equal_with_and_without_compiled_kernels(monkeypatch):
    scenario = Scenario(organisations=SMALL, introduction_rate=0.3, partnership_threshold=0.45, turnover_rate=0.1)
    with_kernels = TrustModel(scenario, rng=3)
    with_kernels.run(40)
    monkeypatch.setattr(model_mod, "_compiled_kernels", lambda: None)
    monkeypatch.setattr(outcomes_mod, "_compiled_kernels", lambda: None)
    plain = TrustModel(scenario, rng=3)
    plain.run(40)
    pd.testing.assert_frame_equal(with_kernels.timeseries(), plain.timeseries(), check_exact=True)
    assert np.array_equal(with_kernels.relationships.pairs, plain.relationships.pairs)


def test_collect_outcomes_equals_each_reporter():
    m = TrustModel(Scenario(organisations=SMALL, introduction_rate=0.3, partnership_threshold=0.45), rng=5)
    m.run(25)
    together = collect_outcomes(m)
    for name, reporter in model_reporters(m.leaders.kind_names).items():
        one = reporter(m)
        assert (one == together[name]) or (np.isnan(one) and np.isnan(together[name])), name


def test_datacollector_api_kept():
    m = TrustModel(Scenario(organisations=SMALL), rng=1)
    m.run(3)
    df = m.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(model_reporters(m.leaders.kind_names))
    assert len(df) == 4
    assert m.timeseries().index.name == "step"
    assert df["relationships"].dtype == np.int64 and df["mean_trust"].dtype == np.float64


def test_edge_kind_codes_extend_after_new_relationships():
    m = TrustModel(Scenario(organisations=SMALL), rng=2)
    codes, _ = edge_kind_codes(m)
    rel = m.relationships
    missing = np.array([[a, b] for a in range(15) for b in range(a + 1, 15) if not rel.has_pairs([[a, b]], 15)[0]])
    rel.add(missing[:5], np.full(10, 0.4), np.ones(5))
    extended, _ = edge_kind_codes(m)
    del m.__dict__["_edge_kind_cache"]
    fresh, _ = edge_kind_codes(m)
    assert len(extended) == rel.n_edges > len(codes)
    assert np.array_equal(extended, fresh)


def test_has_pairs_and_mutual_trust():
    rng = np.random.default_rng(0)
    rel = _random_relationships(rng, 40, 0.2)
    cand = np.column_stack(np.triu_indices(40, k=1))
    keys = cand[:, 0] * 40 + cand[:, 1]
    assert np.array_equal(rel.has_pairs(cand, 40), np.isin(keys, rel.keys(40)))
    assert np.array_equal(rel.mutual_trust(), rel.trust.reshape(-1, 2).min(axis=1))
    empty = Relationships.from_pairs(np.empty((0, 2)), np.empty(0), np.empty(0))
    assert not empty.has_pairs(cand[:3], 40).any()


def test_summarise_columns_matches_pandas_means():
    m = TrustModel(Scenario(organisations=SMALL), rng=4)
    m.run(30)
    ts = m.timeseries()
    s = m.summary()
    assert s["mean_integration"] == float(ts["integration"].iloc[1:].mean())
    assert s["total_conflicts"] == int(ts["conflicts_arisen"].sum())
    again = summarise_columns({c: ts[c].to_numpy() for c in ts.columns})
    assert again.keys() == s.keys()
    assert all((s[k] == again[k]) or (s[k] != s[k] and again[k] != again[k]) for k in s)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 1000, 4097, 100_003])
def test_pairwise_sum_is_numpys(n):
    a = np.random.default_rng(n).random(n + 3)
    assert _pairwise_sum(a, 3, n) == np.add.reduce(a[3:])


def test_benchmark_smoke(capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))
    try:
        import benchmark
    finally:
        sys.path.pop(0)
    code = benchmark.main(["--sizes", "50", "--replicates", "3", "--single-runs", "2", "--ref-runs", "1",
                           "--processes", "1", "--ref-budget", "0.5"])
    out = capsys.readouterr().out
    assert code == 0
    assert "| 50 |" in out and "identical to one-at-a-time runs: **yes**" in out
