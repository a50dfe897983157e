"""Alerting methods against hand-computed values and direct (loop, math-only) computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sustain.engine.alerting import (
    IndicatorKind,
    Method,
    alert_indicator,
    beta_binomial_changepoint,
    choose_method,
    ewma,
    new_concern,
    poisson_cusum,
    poisson_gamma_changepoint,
    tabular_cusum,
)
from sustain.engine.alerting._common import dispersion_used, lgamma

# A baseline whose mean is 0.564 and whose mean moving range is 1.128, so σ = 1.
BASE = [0.0, 1.128, 0.0, 1.128]
MEAN = 0.564


def test_lgamma_matches_math() -> None:
    xs = np.array([0.01, 0.3, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 123.4, 1e5])
    expected = np.array([math.lgamma(x) for x in xs])
    np.testing.assert_allclose(lgamma(xs), expected, rtol=1e-11, atol=1e-12)


def test_tabular_cusum_hand_computed() -> None:
    z = [1.0, 2.0, 3.0, 0.0, 4.0]
    values = BASE + [MEAN + v for v in z]
    res = tabular_cusum(values, baseline=4, k=0.5, h=3.0)
    # S: 0.5, 2.0, 4.5 (> 3: signal, reset), max(0, −0.5) = 0, 3.5 (> 3: signal)
    np.testing.assert_allclose(res.strength[0], [0, 0, 0, 0, 0.5, 2.0, 4.5, 0.0, 3.5])
    assert res.alert[0].tolist() == [False] * 6 + [True, False, True]
    assert res.method == "tabular_cusum(k=0.5, h=3)"


def test_tabular_cusum_lower_is_worse() -> None:
    values = [-v for v in BASE] + [-MEAN - v for v in (1.0, 2.0, 3.0, 0.0, 4.0)]
    down = tabular_cusum(values, baseline=4, concern=-1, k=0.5, h=3.0)
    up = tabular_cusum(values, baseline=4, concern=1, k=0.5, h=3.0)
    assert down.alert[0].tolist() == [False] * 6 + [True, False, True]
    assert not up.alert.any()


def test_ewma_hand_computed() -> None:
    values = BASE + [MEAN + 2.0, MEAN + 0.2]
    res = ewma(values, baseline=4, lam=0.5, limit=1.0)
    # z1 = 0.5 · 2 = 1.0; width = √(0.5/1.5 · (1 − 0.25)) = 0.5 → signal, restart at the mean
    # z2 = 0.5 · 0.2 = 0.1, age 1 again → width 0.5
    np.testing.assert_allclose(res.strength[0, 4:], [2.0, 0.2])
    assert res.alert[0].tolist() == [False] * 4 + [True, False]


def test_poisson_cusum_hand_computed() -> None:
    counts = [1, 1, 3, 0, 4]
    exposure = [1.0] * 5
    res = poisson_cusum(counts, exposure, baseline=2, ratio=2.0, h=1.5)
    lam0 = (2 + 0.5) / 2  # Jeffreys baseline rate; Pearson 0.1 → no dispersion adjustment
    s1 = 3 * math.log(2) - lam0
    s3 = 4 * math.log(2) - lam0
    np.testing.assert_allclose(res.strength[0], [0, 0, s1, 0.0, s3])
    assert res.alert[0].tolist() == [False, False, False, False, True]


def _segment_ml(alpha: float, beta: float, y: float, e: float) -> float:
    return (
        math.lgamma(alpha + y)
        - math.lgamma(alpha)
        + alpha * math.log(beta)
        - (alpha + y) * math.log(beta + e)
    )


def test_gamma_segment_marginal_by_quadrature() -> None:
    # ∫ λ^Y e^{−λE} Gamma(λ | α, β) dλ by the trapezoid rule equals the closed form used.
    alpha, beta, y, e = 2.5, 3.0, 4.0, 2.0
    grid = np.linspace(1e-9, 30.0, 300_001)
    log_pdf = alpha * math.log(beta) - math.lgamma(alpha) + (alpha - 1) * np.log(grid) - beta * grid
    f = np.exp(log_pdf + y * np.log(grid) - e * grid)
    integral = float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(grid)))
    assert math.log(integral) == pytest.approx(_segment_ml(alpha, beta, y, e), abs=1e-6)


def _direct_poisson_gamma(
    y: list[float], e: list[float], baseline: int, shape: float, p1: float
) -> list[float]:
    """Plain loops and math.lgamma: P(change in the upward direction) at each period."""
    a0 = 0.5 + sum(y[:baseline])
    b0 = sum(e[:baseline])
    an, bn = shape, shape / (a0 / b0)
    out = [0.0] * len(y)
    for t in range(baseline, len(y)):
        m = t - baseline + 1
        ys, es = y[baseline : t + 1], e[baseline : t + 1]
        l0 = math.exp(_segment_ml(a0, b0, sum(ys), sum(es)))
        l1 = 0.0
        l1_up = 0.0
        for j in range(m):
            py, pe, qy, qe = sum(ys[:j]), sum(es[:j]), sum(ys[j:]), sum(es[j:])
            lik = math.exp(_segment_ml(a0, b0, py, pe) + _segment_ml(an, bn, qy, qe))
            l1 += lik / m
            if (an + qy) / (bn + qe) > (a0 + py) / (b0 + pe):
                l1_up += lik / m
        out[t] = p1 * l1_up / (p1 * l1 + (1 - p1) * l0)
    return out


def test_poisson_gamma_matches_direct_computation() -> None:
    y = [2.0, 1.0, 3.0, 2.0, 2.0, 1.0, 4.0, 6.0, 5.0, 7.0]
    e = [1.0, 1.2, 0.9, 1.0, 1.1, 1.0, 1.0, 0.8, 1.0, 1.1]
    res = poisson_gamma_changepoint(
        y, e, baseline=6, threshold=0.8, new_shape=2.0, overdispersion=False
    )
    expected = _direct_poisson_gamma(y, e, 6, 2.0, 0.5)
    np.testing.assert_allclose(res.strength[0], expected, rtol=1e-9, atol=1e-12)
    assert res.concern[0].tolist() == [p > 0.8 for p in expected]
    # the most likely change is at the start of the high counts
    assert res.change_index[0, -1] == 6


def _beta_ml(a: float, b: float, y: float, n: float) -> float:
    def lb(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    return lb(a + y, b + n - y) - lb(a, b)


def test_beta_binomial_matches_direct_computation() -> None:
    y = [2.0, 3.0, 1.0, 2.0, 6.0, 7.0, 8.0]
    n = [20.0, 22.0, 18.0, 20.0, 20.0, 21.0, 19.0]
    baseline, strength, p1 = 4, 3.0, 0.5
    res = beta_binomial_changepoint(
        y, n, baseline=baseline, new_strength=strength, overdispersion=False
    )
    a0 = 0.5 + sum(y[:baseline])
    b0 = 0.5 + sum(n[:baseline]) - sum(y[:baseline])
    level = a0 / (a0 + b0)
    an, bn = strength * level, strength * (1 - level)
    for t in range(baseline, len(y)):
        m = t - baseline + 1
        ys, ns = y[baseline : t + 1], n[baseline : t + 1]
        l0 = math.exp(_beta_ml(a0, b0, sum(ys), sum(ns)))
        l1 = l1_up = 0.0
        for j in range(m):
            py, pn, qy, qn = sum(ys[:j]), sum(ns[:j]), sum(ys[j:]), sum(ns[j:])
            lik = math.exp(_beta_ml(a0, b0, py, pn) + _beta_ml(an, bn, qy, qn)) / m
            l1 += lik
            if (an + qy) / (an + bn + qn) > (a0 + py) / (a0 + b0 + pn):
                l1_up += lik
        assert res.strength[0, t] == pytest.approx(p1 * l1_up / (p1 * l1 + (1 - p1) * l0))
    assert res.alert[0, -3:].any()


def test_overdispersion_only_when_significant() -> None:
    crit = 1 + 2 * math.sqrt(2 / 23)
    np.testing.assert_allclose(
        dispersion_used(np.array([0.5, 1.2, crit + 0.01, 4.0]), 24), [1, 1, crit + 0.01, 4]
    )


def test_overdispersed_baseline_weakens_the_evidence() -> None:
    base_y = [0, 9, 1, 10, 0, 8, 2, 11, 1, 9, 0, 10]  # mean ≈ 5, Pearson χ²/df ≈ 9
    calm_y = [5, 4, 6, 5, 5, 4, 6, 5, 5, 4, 6, 5]
    tail = [9, 10, 9]
    e = [1.0] * 15
    noisy = poisson_gamma_changepoint(base_y + tail, e, baseline=12)
    calm = poisson_gamma_changepoint(calm_y + tail, e, baseline=12)
    assert noisy.strength[0, -1] < calm.strength[0, -1]


def test_new_concern() -> None:
    c = np.array([[False, True, True, False, True]])
    assert new_concern(c)[0].tolist() == [False, True, False, False, True]


def test_choose_method_mapping() -> None:
    assert choose_method("rare_count").method is Method.POISSON_GAMMA
    assert choose_method(IndicatorKind.RATE).method is Method.POISSON_GAMMA
    assert choose_method("proportion").method is Method.BETA_BINOMIAL
    cont = choose_method("continuous")
    assert cont.method is Method.TABULAR_CUSUM
    assert cont.params == {"k": 0.5, "h": 5.0}
    with pytest.raises(ValueError):
        choose_method("weekly_vibes")


def test_alert_indicator_runs_the_chosen_method() -> None:
    values = BASE + [MEAN + 6.0]
    res = alert_indicator("continuous", baseline=4, values=values)
    assert res.method.startswith("tabular_cusum")
    assert res.alert[0, -1]
    with pytest.raises(ValueError):
        alert_indicator("rate", baseline=4, values=values)


@pytest.mark.parametrize(
    "call",
    [
        lambda: tabular_cusum([1.0, 2.0, 3.0], baseline=1),
        lambda: tabular_cusum([1.0, float("nan"), 3.0], baseline=2),
        lambda: tabular_cusum([1.0, 2.0, 3.0], baseline=2, concern=0),
        lambda: poisson_cusum([1, 2, 3], [1, 0, 1], baseline=2),
        lambda: poisson_cusum([1, 2, 3], [1, 1, 1], baseline=2, ratio=0.5),
        lambda: beta_binomial_changepoint([3, 2, 1], [2, 2, 2], baseline=2),
        lambda: poisson_gamma_changepoint([1, 2, 3], [1, 1, 1], baseline=2, threshold=1.0),
    ],
)
def test_bad_arguments_raise(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
