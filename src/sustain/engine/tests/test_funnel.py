"""Spiegelhalter funnel: hand-computed example, no overdispersion on Poisson-consistent data,
properties (scaling, a unit moved far above is flagged, limits narrow with exposure)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sustain.engine.funnel import (
    Z95,
    Z998,
    Direction,
    FunnelKind,
    Judgement,
    Position,
    classify,
    funnel,
    funnel_limits,
    judge,
    overdispersion,
    winsorise,
)


def test_hand_computed_rate_example() -> None:
    # θ₀ = 60/300 = 0.2; s² = 0.2/100 = 0.002; z = ±0.04/√0.002 = ±√0.8 … (0.1-0.2)/0.0447
    f = funnel(["a", "b", "c"], [10, 20, 30], [100, 100, 100], kind="rate", multiplier=1000)
    assert f.theta0 == pytest.approx(0.2)
    assert f.target == pytest.approx(200)
    z = [u.z for u in f.units]
    assert z == pytest.approx([-math.sqrt(5), 0.0, math.sqrt(5)])
    # winsorised at the 10 %/90 % quantiles (linear): ±0.8√5, so z_w² = 3.2 and φ = 6.4/3
    assert f.overdispersion.phi == pytest.approx(6.4 / 3)
    # w = 500 each: Σw − Σw²/Σw = 1500 − 500 = 1000; τ² = (6.4 − 2)/1000
    assert f.overdispersion.tau2 == pytest.approx(0.0044)
    assert f.overdispersion.adjusted
    # adjusted z = 0.1/√(0.002 + 0.0044)
    assert f.units[2].z_adjusted == pytest.approx(0.1 / math.sqrt(0.0064))
    assert f.units[2].value == pytest.approx(300)


def test_proportion_variance_is_binomial() -> None:
    f = funnel(["a", "b"], [30, 50], [100, 100], kind="proportion", adjust=False,
               multiplier=100)
    assert f.theta0 == pytest.approx(0.4)
    s = math.sqrt(0.4 * 0.6 / 100)
    assert f.units[0].z == pytest.approx((0.3 - 0.4) / s)
    assert f.units[0].z_adjusted == f.units[0].z
    assert f.units[0].value == pytest.approx(30)


def test_no_overdispersion_when_exactly_poisson_consistent() -> None:
    exposure = np.array([500.0, 1200.0, 3000.0, 800.0, 10000.0, 2500.0])
    counts = exposure * 0.004
    f = funnel([str(i) for i in range(6)], counts, exposure, kind="rate", multiplier=1000)
    assert f.overdispersion.tau2 == 0.0
    assert not f.overdispersion.adjusted
    assert all(u.position is Position.INSIDE for u in f.units)


def test_small_scatter_is_not_overdispersed() -> None:
    z = np.array([-0.5, 0.3, 0.8, -0.9, 0.1, 0.0, 0.4, -0.2])
    od = overdispersion(z, np.ones_like(z))
    assert od.phi < (z.size - 1) / z.size
    assert od.tau2 == 0.0


def test_winsorise_pulls_tails_to_quantiles() -> None:
    z = np.arange(11, dtype=float)  # quantiles 1 and 9
    w = winsorise(z)
    assert w.min() == 1.0 and w.max() == 9.0
    assert list(w[1:10]) == list(z[1:10])


def test_unadjusted_funnel_flags_more_than_adjusted() -> None:
    rng = np.random.default_rng(7)
    exposure = rng.uniform(2000, 20000, 400)
    rates = rng.gamma(4.0, 0.001, 400)  # heterogeneous homes
    counts = rng.poisson(rates * exposure).astype(float)
    keys = [str(i) for i in range(400)]
    raw = funnel(keys, counts, exposure, kind="rate", adjust=False)
    adj = funnel(keys, counts, exposure, kind="rate")
    flagged_raw = sum(u.position is not Position.INSIDE for u in raw.units)
    flagged_adj = sum(u.position is not Position.INSIDE for u in adj.units)
    assert adj.overdispersion.tau2 > 0
    assert flagged_adj < flagged_raw


def test_limits_narrow_as_exposure_grows_and_contain_target() -> None:
    lim = funnel_limits("rate", 0.004, 0.0, [100, 1000, 10000, 100000], 1000)
    width95 = lim.upper95 - lim.lower95
    assert np.all(np.diff(width95) <= 0)
    assert np.all(np.diff(lim.upper998) < 0)
    assert np.all(lim.lower998 <= lim.lower95) and np.all(lim.upper95 <= lim.upper998)
    assert np.all(lim.lower95 >= 0)
    assert lim.upper95[-1] == pytest.approx(4 + Z95 * math.sqrt(0.004 / 100000) * 1000)


def test_tau2_keeps_a_floor_on_limit_width() -> None:
    lim = funnel_limits("rate", 0.004, 1e-6, [1e12], 1)
    assert lim.upper998[0] - 0.004 == pytest.approx(Z998 * 1e-3, rel=1e-3)


def test_proportion_limits_are_capped() -> None:
    lim = funnel_limits("proportion", 0.95, 0.0, [5], 100)
    assert lim.upper998[0] == 100.0
    assert lim.lower998[0] >= 0


def test_classify_boundaries() -> None:
    z = np.array([np.nan, 3.1, 2.0, -3.1, -2.0, 0.0, Z95, -Z998])
    assert classify(z) == [Position.NOT_JUDGED, Position.ABOVE_998, Position.ABOVE_95,
                           Position.BELOW_998, Position.BELOW_95, Position.INSIDE,
                           Position.INSIDE, Position.BELOW_95]


def test_direction_judgement() -> None:
    assert judge(Position.ABOVE_998, Direction.HIGHER_IS_WORSE) is Judgement.CONCERN
    assert judge(Position.ABOVE_95, Direction.HIGHER_IS_BETTER) is Judgement.BETTER
    assert judge(Position.BELOW_95, Direction.HIGHER_IS_BETTER) is Judgement.CONCERN
    assert judge(Position.BELOW_998, Direction.NEUTRAL) is Judgement.LOW
    assert judge(Position.INSIDE, Direction.HIGHER_IS_WORSE) is Judgement.NONE


def test_zero_exposure_is_not_judged_and_zero_events_is_safe() -> None:
    f = funnel(["a", "b", "c"], [0, 3, 5], [0, 1000, 2000], kind="rate")
    assert f.units[0].position is Position.NOT_JUDGED and f.units[0].value is None
    assert f.theta0 == pytest.approx(8 / 3000)
    g = funnel(["a", "b"], [0, 0], [100, 200], kind="rate")
    assert all(u.position is Position.INSIDE for u in g.units)


def test_bad_input_rejected() -> None:
    with pytest.raises(ValueError):
        funnel(["a"], [1, 2], [1, 2], kind="rate")
    with pytest.raises(ValueError):
        funnel(["a", "b"], [-1, 2], [1, 2], kind="rate")
    with pytest.raises(ValueError):
        funnel(["a", "b"], [3, 2], [1, 2], kind="proportion")


def _panel(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    # at least 10 units: with fewer, one outlier is itself most of the winsorised spread
    n = draw(st.integers(10, 30))
    exposure = draw(st.lists(st.integers(500, 50000), min_size=n, max_size=n))
    counts = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    return [float(c) for c in counts], [float(e) for e in exposure]


panel = st.composite(_panel)


@settings(max_examples=60, deadline=None)
@given(panel(), st.integers(2, 10))
def test_scaling_counts_and_exposure_keeps_z_sign(data: tuple[list[float], list[float]],
                                                   k: int) -> None:
    counts, exposure = data
    keys = [str(i) for i in range(len(counts))]
    a = funnel(keys, counts, exposure, kind="rate")
    b = funnel(keys, [c * k for c in counts], [e * k for e in exposure], kind="rate")
    assert b.theta0 == pytest.approx(a.theta0)
    for ua, ub in zip(a.units, b.units, strict=True):
        assert ua.z is not None and ub.z is not None
        assert np.sign(round(ua.z, 9)) == np.sign(round(ub.z, 9))
        assert abs(ub.z) >= abs(ua.z) - 1e-9  # more exposure, more evidence


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(500, 50000), min_size=12, max_size=40),
       st.floats(0.001, 0.01), st.lists(st.integers(-2, 2), min_size=40, max_size=40))
def test_unit_moved_far_above_is_flagged(exposure: list[int], rate: float,
                                         jitter: list[int]) -> None:
    # a panel consistent with one rate (up to ±2 events), then unit 0 — the smallest, so that
    # it cannot dominate the pooled target — moved 15 SDs above
    exposure[0] = min(exposure)
    counts = [max(0.0, round(rate * e) + j) for e, j in zip(exposure, jitter, strict=False)]
    keys = [str(i) for i in range(len(exposure))]
    counts[0] = math.ceil((rate + 15 * math.sqrt(rate / exposure[0])) * exposure[0])
    moved = funnel(keys, counts, exposure, kind="rate")
    assert moved.units[0].position is Position.ABOVE_998
    assert moved.units[0].judgement is Judgement.CONCERN
    better = funnel(keys, counts, exposure, kind="rate", direction="higher_is_better")
    assert better.units[0].judgement is Judgement.BETTER


def test_kind_enum_accepts_strings() -> None:
    assert funnel(["a", "b"], [1, 2], [10, 10], kind=FunnelKind.PROPORTION).kind == "proportion"
