"""Internals of the compiled engine: each compiled shortcut gives what the plain computation gives."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from simulation import Scenario, TrustModel
from simulation.kernel import candidate_scratch, introduction_candidates
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


def _sparse_product_candidates(rel, n, threshold):
    """The plain computation: counts of common partners from ``A @ A``, existing pairs removed, lexicographic."""
    partners = rel.pairs[rel.mutual_trust() >= threshold]
    if len(partners) < 2:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = np.concatenate([partners[:, 0], partners[:, 1]])
    cols = np.concatenate([partners[:, 1], partners[:, 0]])
    common = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)) @ csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n, n))
    common.sort_indices()
    r = np.repeat(np.arange(n, dtype=np.int64), np.diff(common.indptr))
    c = common.indices.astype(np.int64)
    upper = c > r
    cand = np.column_stack([r[upper], c[upper]])
    fresh = ~rel.has_pairs(cand, n)
    return cand[fresh], common.data[upper][fresh].astype(np.int64)


def _compiled_candidates(rel, n, threshold, bitsets, room=None):
    scratch = candidate_scratch(n) if bitsets else np.zeros((0, 0), dtype=np.uint64)
    room = np.ones(n, dtype=bool) if room is None else room
    ci, cj, cc = introduction_candidates(rel.pairs, rel.trust, rel.n_pairs, n, threshold, scratch, room)
    return np.column_stack([ci, cj]), cc


@pytest.mark.parametrize("bitsets", [True, False])
@pytest.mark.parametrize(("n", "p_tie"), [(12, 0.5), (64, 0.2), (65, 0.2), (100, 0.08), (300, 0.03), (1024, 0.006),
                                          (1500, 0.004)])
def test_introduction_candidates_compiled_equals_sparse_product(n, p_tie, bitsets):
    rng = np.random.default_rng(n)
    rel = _random_relationships(rng, n, p_tie)
    fast, fast_counts = _compiled_candidates(rel, n, 0.6, bitsets and n <= 1024)
    slow, slow_counts = _sparse_product_candidates(rel, n, 0.6)
    assert len(fast) > 0
    assert np.array_equal(fast, slow)
    assert np.array_equal(fast_counts, slow_counts)


@pytest.mark.parametrize("bitsets", [True, False])
def test_introduction_candidates_only_join_leaders_with_room(bitsets):
    rng = np.random.default_rng(3)
    rel = _random_relationships(rng, 120, 0.06)
    room = rng.random(120) < 0.6
    full, full_counts = _compiled_candidates(rel, 120, 0.6, bitsets)
    keep = room[full[:, 0]] & room[full[:, 1]]
    got, got_counts = _compiled_candidates(rel, 120, 0.6, bitsets, room)
    assert np.array_equal(got, full[keep]) and np.array_equal(got_counts, full_counts[keep])


def test_introduction_candidates_too_few_partnerships():
    rel = Relationships.from_pairs(np.array([[0, 1], [1, 2]]), np.array([0.9, 0.9, 0.1, 0.1]), np.ones(2))
    for cand, counts in (_compiled_candidates(rel, 3, 0.6, True), _sparse_product_candidates(rel, 3, 0.6)):
        assert cand.shape == (0, 2) and len(counts) == 0


def test_collect_outcomes_equals_each_reporter():
    m = TrustModel(Scenario(organisations=SMALL, introduction_rate=0.3, partnership_threshold=0.45), rng=5)
    m.run(25)
    together = collect_outcomes(m)
    assert together == pytest.approx(dict(zip(m.simulator.columns, m.outcome_row().tolist())), nan_ok=True)
    for name, reporter in model_reporters(m.leaders.kind_names).items():
        assert reporter(m) == pytest.approx(together[name], rel=1e-12, nan_ok=True), name


def test_datacollector_api_kept():
    m = TrustModel(Scenario(organisations=SMALL), rng=1)
    m.run(3)
    df = m.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(model_reporters(m.leaders.kind_names))
    assert len(df) == 4
    assert m.timeseries().index.name == "step"
    assert df["relationships"].dtype == np.int64 and df["mean_trust"].dtype == np.float64


def test_edge_kind_codes_follow_new_relationships():
    m = TrustModel(Scenario(organisations=SMALL), rng=2)
    codes, names = edge_kind_codes(m)
    rel = m.relationships
    missing = np.array([[a, b] for a in range(15) for b in range(a + 1, 15) if not rel.has_pairs([[a, b]], 15)[0]])
    rel.add(missing[:5], np.full(10, 0.4), np.ones(5))
    extended, _ = edge_kind_codes(m)
    assert len(extended) == rel.n_edges == len(codes) + 10
    assert np.array_equal(extended[: len(codes)], codes)
    kinds = np.array(m.leaders.kind_names)[m.leaders.kind]
    a, b = kinds[rel.src[-1]], kinds[rel.dst[-1]]
    x, y = sorted((names.index(a), names.index(b)))
    assert extended[-1] == x * len(names) + y


def test_relationship_buffers_grow_and_keep_rows():
    rel = Relationships.from_pairs(np.array([[0, 1]]), np.array([0.2, 0.3]), np.ones(1))
    capacity = len(rel.buffers[0])
    new = np.array([[0, k] for k in range(2, capacity + 5)])
    rel.add(new, np.full(2 * len(new), 0.5), np.full(len(new), 2.0), formal=True)
    assert rel.n_pairs == len(new) + 1 and len(rel.buffers[0]) > capacity
    assert rel.trust[:2].tolist() == [0.2, 0.3] and rel.formal.tolist() == [False] + [True] * len(new)
    assert rel.index_of(np.array([[0, 3], [1, 2]]), 100).tolist() == [2, -1]


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


def test_benchmark_smoke(capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))
    try:
        import benchmark
    finally:
        sys.path.pop(0)
    code = benchmark.main(["--sizes", "50", "--replicates", "3", "--stepped-runs", "2", "--ref-runs", "1",
                           "--processes", "1", "--ref-budget", "0.5", "--design-runs", "4", "--sweep-runs", "4",
                           "--no-start-up", "--repeats", "2"])
    out = capsys.readouterr().out
    assert code == 0
    assert "| 50 |" in out and "identical: **yes**" in out
    assert "| best of 2 |" in out and "Parquet included (best of 2)" in out
    assert "uniform draws/s" in out and "relationships_vs_structures.toml" in out
    # the kernel's fraction of the physical limit like with like: the model its target was set on, on its own limit
    assert "Like with like, the earlier model (`earlier_model`" in out
    assert "| kernel >= 10% of the physical limit, like with like" in out
    assert ", code " in out.splitlines()[0]  # the date and commit measured


@pytest.mark.parametrize("rate", [0.02, 0.3, 2.5, 9.9])
def test_poisson_by_inversion_has_the_poisson_distribution(rate):
    """The kernel's conflict draws: frequencies of 200,000 draws against the Poisson pmf (chi-square)."""
    from scipy import stats

    from simulation.kernel import poisson_by_inversion

    u = np.random.default_rng(7).random(200_000)
    x = np.array([poisson_by_inversion(v, rate, np.exp(-rate)) for v in u])
    top = int(stats.poisson.ppf(0.9999, rate))
    observed = np.bincount(np.minimum(x, top), minlength=top + 1)
    expected = stats.poisson.pmf(np.arange(top + 1), rate) * len(u)
    expected[-1] = stats.poisson.sf(top - 1, rate) * len(u)
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3
    assert poisson_by_inversion(0.0, rate, np.exp(-rate)) == 0


def _sequential_inversion(u, rate):
    """Devroye's sequential search, term by term, as plain Python: the oracle of the kernel's branch-free head."""
    x, prob = 0, math.exp(-rate)
    cdf = prob
    while u > cdf:
        x += 1
        prob *= rate / x
        cdf += prob
        if prob <= 0.0:
            break
    return x


@given(st.floats(0.0, 1.0, exclude_max=True), st.floats(1e-6, 9.99))
@settings(max_examples=300, deadline=None)
def test_poisson_by_inversion_is_the_sequential_search_exactly(u, rate):
    from simulation.kernel import poisson_by_inversion

    assert poisson_by_inversion(u, rate, math.exp(-rate)) == _sequential_inversion(u, rate)


@given(st.floats(0.0, 1.0, exclude_max=True), st.floats(0.0, 9.99), st.sampled_from([0, 1, 2]))
@settings(max_examples=500, deadline=None)
def test_the_no_conflict_bound_gives_the_inversions_variate(u, rate, at_bound):
    """Where the kernel skips ``exp`` (u <= 1 - rate) the inversion gives no conflict too, up to the bound itself."""
    from simulation.kernel import _NO_CONFLICT_BOUND_FROM, _surely_no_conflict

    if at_bound:  # the largest uniforms the bound still covers, where rounding would bite first
        u = max(0.0, 1.0 - rate) if at_bound == 1 else float(np.nextafter(max(0.0, 1.0 - rate), 2.0))
    if _surely_no_conflict(u, rate):
        assert _sequential_inversion(u, rate) == 0
    else:
        assert u > 1.0 - rate or rate < _NO_CONFLICT_BOUND_FROM


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.5, 1.0])
def test_turnover_picks_each_leader_independently_at_its_rate(rate):
    """Geometric skips over the leaders: each leaves with the rate's chance, whatever its index."""
    from simulation.kernel import KERNEL_PARAMETERS, Organisations, RelationshipArrays, _turnover, leader_work

    n, months = 40, 3000
    prm = np.zeros(len(KERNEL_PARAMETERS))
    prm[KERNEL_PARAMETERS.index("turnover_rate")] = rate
    rng = np.random.default_rng(2)
    kind, tenure = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    raw, learning = np.full((4, n), 0.5), np.zeros((2, n))
    cohort = np.vstack([np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)])
    learned, leaving = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    shapes, counts = np.full((1, 4, 2), 2.0), np.zeros(3, dtype=np.int64)
    pairs, trust = np.zeros((1, 2), dtype=np.int64), np.zeros(2)
    left = np.zeros(n)
    rel = RelationshipArrays(pairs, trust, *[np.zeros(1, dtype=t) for t in (float, int, int, bool, bool, int, float,
                                                                             bool)])
    orgs = Organisations(kind, kind, np.ones(n), kind, np.ones(n), learned, learned, learned, tenure, raw, raw.copy(),
                         learning, cohort, np.zeros(1), np.ones(n))
    work = leader_work(n)._replace(learned=learned, leaving=leaving)
    for _ in range(months):
        _turnover(rng, rel, 0, orgs, shapes, prm, work, counts)
        left += leaving
    share = left / months
    if rate in (0.0, 1.0):
        assert (share == rate).all() and (tenure == (months if rate == 0 else 0)).all()
    else:
        sd = np.sqrt(rate * (1 - rate) / months)
        assert np.abs(share - rate).max() < 4.5 * sd  # every index, the first and the last included
        assert abs(share.mean() - rate) < 4 * sd / np.sqrt(n)
        # one uniform per leaver and one to pass the last leader, four Beta draws per successor
        assert counts[2] == left.sum() * 5 + months


def test_the_kernel_counts_its_draws_and_stepping_draws_the_same():
    from simulation.setup import build_state, resolve_setup
    from simulation.simulator import Simulator

    def fresh():
        rng = np.random.default_rng(11)
        sc, place = resolve_setup(Scenario(organisations=SMALL, turnover_rate=0.1), None, {}, rng)
        return Simulator(sc, place, *build_state(sc, place, rng), rng)

    a, b = fresh(), fresh()
    for _ in range(24):
        a.advance(1)
    b.advance(24)
    assert a.draws == b.draws > 24 * 15  # at least one meeting draw a month per pair
    assert a.rng.random() == b.rng.random()  # the generators are in the same state


def test_a_lever_changed_between_months_acts_from_the_next_month():
    """As the dashboard's sliders do: the changed parameter is read at the next step, by the same kernel."""
    a = TrustModel(Scenario(organisations=SMALL), rng=3)
    b = TrustModel(Scenario(organisations=SMALL), rng=3)
    a.run(6)
    b.run(6)
    b.params["open_book"] = 1.0
    a.step()
    b.step()
    assert np.allclose(b.leaders.traits["transparency"], 1.0)
    assert not np.allclose(a.leaders.traits["transparency"], 1.0)
    assert a.timeseries().iloc[:7].equals(b.timeseries().iloc[:7])
    assert not a.timeseries().iloc[7:].equals(b.timeseries().iloc[7:])


def test_the_simulators_parameter_vector_follows_every_input_within_a_month():
    """The vector is built once per set of inputs: a parameter changed, a shock added or a month played rebuild it."""
    from simulation import kernel
    from simulation.interventions import effective_parameters
    from simulation.schedule import Shock, month_parameters

    model = TrustModel(Scenario(organisations=SMALL, intervention_start=0), rng=4)
    sim = model.simulator

    def expected():
        params = month_parameters(sim.params, sim.scenario.shocks, sim.month)
        return kernel.parameter_vector(effective_parameters(params, sim.active))

    first = sim.parameter_vector()
    assert sim.parameter_vector() is first and np.array_equal(first, expected())
    index = kernel.KERNEL_PARAMETERS.index
    model.params["open_book"] = 0.75
    assert sim.parameter_vector()[index("open_book")] == 0.75
    sim.add_shock(Shock("financial_crisis", 0, 0.3, 6))
    assert np.array_equal(sim.parameter_vector(), expected()) and not np.array_equal(sim.parameter_vector(), first)
    model.step()
    assert np.array_equal(sim.parameter_vector(), expected())


@given(st.lists(st.sampled_from([-1.0, -0.5, 0.0, -2.0**-53, -0.25 - 2.0**-40, -0.25]) | st.floats(-1.0, 0.0),
                max_size=300))
@settings(max_examples=200, deadline=None)
def test_the_kernel_sort_is_numpy_stable_argsort(keys):
    from simulation.kernel import _sort_unit_keys, sort_work

    keys = np.array(keys, dtype=float)
    order = np.empty(len(keys), dtype=np.int64)
    ranked = np.empty(len(keys))
    _sort_unit_keys(keys, order, len(keys), sort_work(len(keys)), ranked)
    np.testing.assert_array_equal(order, np.argsort(keys, kind="stable"))
    assert ranked.tobytes() == keys[order].tobytes()  # the keys in that order, to the bit


def test_integration_measures_by_hand():
    """A path 0-1-2 (mutual trust 0.8, 0.4) and a pair 3-4 (0.6): the integral of the largest component."""
    from simulation.kernel import integration_measures

    pairs = np.array([[0, 1], [1, 2], [3, 4]], dtype=np.int64)
    trust = np.array([0.9, 0.8, 0.4, 0.7, 0.6, 0.6])  # mutual: 0.8, 0.4, 0.6
    statutory = np.array([True, True, False, True, False])
    merged = np.zeros(5, dtype=bool)
    size = np.array([8.0, 4.0, 2.0, 1.0, 1.0])  # the place's size: 16
    integration, connectedness, core, weighted = integration_measures(pairs, trust, 3, 5, 0.5, 5, statutory, merged,
                                                                      size)
    assert integration == pytest.approx(2 / 5)  # above 0.5: the pairs 0-1 and 3-4
    assert connectedness == pytest.approx((2 * (0.8 - 0.6) + 2 * (0.6 - 0.4) + 3 * 0.4) / 5)
    assert core == 2 / 3  # statutory 0, 1 and 3: two of them in the partnership 0-1
    assert weighted == 12 / 16  # the partnership 0-1 holds 8 + 4 of the 16
    # at threshold 0.3 the path 0-1-2 joins too: still two of three; 14 of the 16; with 0 absorbed by a merger, 1 of 2
    assert integration_measures(pairs, trust, 3, 5, 0.3, 5, statutory, merged, size)[2] == 2 / 3
    assert integration_measures(pairs, trust, 3, 5, 0.3, 5, statutory, merged, size)[3] == 14 / 16
    assert integration_measures(pairs, trust, 3, 5, 0.5, 5, statutory, merged, np.ones(5))[3] == 2 / 5  # = head-count
    merged[0] = True
    assert integration_measures(pairs, trust, 3, 5, 0.5, 4, statutory, merged, size)[2] == 1 / 2
    # no statutory organisation: NaN; no pair: 0
    assert np.isnan(integration_measures(pairs, trust, 3, 5, 0.5, 5, np.zeros(5, dtype=bool), merged, size)[2])
    assert integration_measures(pairs, trust, 0, 5, 0.5, 5, statutory, merged, size)[2:] == (0.0, 0.0)


@pytest.mark.parametrize("k", [4096, 4097, 20_000])
def test_the_kernel_sort_of_many_keys_is_numpy_stable_argsort(k):
    """Above 4,096 keys the sort rounds to 24 bits instead of 16; ties and near-ties still come out exact."""
    from simulation.kernel import _sort_unit_keys, sort_work

    rng = np.random.default_rng(k)
    keys = -np.round(rng.beta(4, 6, k), 5)  # many exact ties, concentrated like mutual trust
    keys[::7] = keys[::7] - 2.0**-40  # and near-ties below any rounding
    keys = np.clip(keys, -1.0, 0.0)
    order = np.empty(k, dtype=np.int64)
    ranked = np.empty(k)
    _sort_unit_keys(keys, order, k, sort_work(k), ranked)
    np.testing.assert_array_equal(order, np.argsort(keys, kind="stable"))
    assert ranked.tobytes() == keys[order].tobytes()
