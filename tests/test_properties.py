"""Properties for any valid parameters: trust stays in [0, 1], nothing is NaN, counts stay sane."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import PARAMETERS, ReferenceTrustModel, Scenario, TrustModel, rules
from simulation.scenario import MIN_BETA_SHAPE

TINY = {"nhs_trust": 2, "council": 2, "voluntary": 5}


def value_strategy(spec):
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(int(spec.low), int(min(spec.high, spec.low + 6)))
    high = spec.high if math.isfinite(spec.high) else spec.low + 10
    return st.floats(spec.low, min(high, 20.0), allow_nan=False)


@st.composite
def scenarios(draw):
    params = {spec.name: draw(value_strategy(spec)) for spec in PARAMETERS}
    if params["gain_rate"] * params["negativity_bias"] > 1:
        params["negativity_bias"] = 1 / params["gain_rate"] if params["gain_rate"] > 0 else 1.0
    mu, conc = params["initial_trust"], params["initial_trust_concentration"]
    if 0 < mu < 1 and min(mu, 1 - mu) * conc < MIN_BETA_SHAPE:  # a degenerate Beta is refused (scenario.check_beta)
        params["initial_trust"] = 0.5
    return Scenario(organisations=TINY, **params)


def check_state(model):
    t = model.relationships.trust
    assert np.isfinite(t).all()
    assert ((t >= 0) & (t <= 1)).all()
    assert (model.relationships.backlog >= 0).all()
    df = model.timeseries()
    assert not df[["mean_trust", "partnership_share", "integration"]].isna().any().any()
    assert df["integration"].between(0, 1).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_fast_engine_keeps_trust_in_unit_interval(scenario, seed):
    model = TrustModel(scenario, rng=seed)
    model.run(6)
    check_state(model)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_reference_engine_keeps_trust_in_unit_interval(scenario, seed):
    model = ReferenceTrustModel(scenario, rng=seed)
    model.run(4)
    check_state(model)


unit = st.floats(0, 1, allow_nan=False)


@given(t=unit, good=unit, bad=unit, alpha=unit, lam=st.floats(0, 10, allow_nan=False))
def test_update_trust_is_bounded_without_clipping(t, good, bad, alpha, lam):
    beta = min(1.0, alpha * lam)
    out = rules.update_trust(t, good, bad, alpha, beta)
    assert 0.0 <= out <= 1.0


@given(t=unit, base=unit, d=unit)
def test_drift_moves_towards_baseline_never_past_it(t, base, d):
    out = rules.drift(t, base, d)
    assert min(t, base) - 1e-12 <= out <= max(t, base) + 1e-12


counts = st.integers(0, 60)


@given(meetings=counts, shares=counts, resolved=counts, helped=counts, festering=counts,
       e=st.lists(unit, min_size=6, max_size=6))
def test_evidence_stays_in_unit_interval_and_every_piece_counts(meetings, shares, resolved, helped, festering, e):
    shares = min(shares, meetings)
    good = rules.good_evidence(meetings, shares, resolved, helped, e[0], e[1], e[2], e[3])
    bad = rules.bad_evidence(meetings - shares, festering, e[4], e[5])
    assert 0.0 <= good <= 1.0 and 0.0 <= bad <= 1.0
    # no cap discards evidence: one more meeting never lowers good evidence, one more festering conflict never
    # lowers bad evidence
    assert rules.good_evidence(meetings + 1, shares, resolved, helped, e[0], e[1], e[2], e[3]) >= good
    assert rules.bad_evidence(meetings - shares, festering + 1, e[4], e[5]) >= bad
