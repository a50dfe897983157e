"""Conjugate single-changepoint tests, online, vectorised over series.

At each monitored period t the question is: since the end of the baseline, has the level
changed once, at some period τ (B ≤ τ ≤ t), to a new level in the concern direction?

* **Poisson–Gamma** (:func:`poisson_gamma_changepoint`) — counts y with exposure e (e.g. falls
  and occupied bed days). The rate before the change has the baseline posterior
  Gamma(½ + Σy_B, Σe_B) (a Jeffreys start, updated on the frozen baseline of B periods);
  the rate after it has a Gamma prior centred on the baseline rate with shape
  ``new_shape`` (weak). The marginal likelihood of a segment with Y events over exposure E
  under Gamma(α, β) is Γ(α+Y)/Γ(α) · β^α/(β+E)^(α+Y) (the Π e^y / y! factor is common to
  every model and cancels).
* **Beta–Binomial** (:func:`beta_binomial_changepoint`) — y of n (e.g. supervisions overdue of
  those due). Baseline posterior Beta(½ + Σy_B, ½ + Σ(n−y)_B); the new proportion has a
  Beta prior with mean the baseline proportion and concentration ``new_strength``.
  Segment marginal: B(a+Y, b+N−Y)/B(a, b).

Model "no change" M₀ has prior probability 1 − ``prior_change``; M₁ spreads
``prior_change`` uniformly over τ. The result's strength is the posterior probability of a
change whose new level is on the concern side of the level before it (by the posterior
means of the two segments); concern when it exceeds ``threshold``. With
``overdispersion=True`` counts and exposures are divided by the baseline Pearson dispersion
φ when it is significantly above 1 (quasi-likelihood: an overdispersed series carries less
evidence per event).
``change_index`` is the most likely τ among the concern-side changes: a rebase suggestion.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import (
    AlertResult,
    BoolArray,
    FloatArray,
    as_matrix,
    check_baseline,
    concern_sign,
    dispersion_used,
    lbeta,
    lgamma,
    new_concern,
)
from .cusum import baseline_rate, check_counts


def _logsumexp(a: FloatArray, mask: BoolArray) -> FloatArray:
    masked = np.where(mask, a, -np.inf)
    top = masked.max(axis=1)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out: FloatArray = safe + np.log(np.exp(masked - safe[:, None]).sum(axis=1))
    return out


def _gamma_ml(alpha: FloatArray, beta: FloatArray, y: FloatArray, e: FloatArray) -> FloatArray:
    out: FloatArray = (
        lgamma(alpha + y) - lgamma(alpha) + alpha * np.log(beta) - (alpha + y) * np.log(beta + e)
    )
    return out


def _beta_ml(a: FloatArray, b: FloatArray, y: FloatArray, n: FloatArray) -> FloatArray:
    out: FloatArray = lbeta(a + y, b + n - y) - lbeta(a, b)
    return out


def _run(
    y: FloatArray,
    d: FloatArray,
    *,
    baseline: int,
    sign: FloatArray,
    prior_change: float,
    threshold: float,
    kind: str,
    new_weight: float,
    method: str,
) -> AlertResult:
    """Shared loop; ``kind`` is "poisson" (d = exposure) or "binomial" (d = trials)."""
    if not 0.0 < prior_change < 1.0:
        raise ValueError("prior_change must be in (0, 1)")
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be in (0, 1)")
    series, periods = y.shape
    a0 = 0.5 + y[:, :baseline].sum(axis=1)
    if kind == "poisson":
        b0 = d[:, :baseline].sum(axis=1)
        level = a0 / b0
        an = np.full(series, new_weight)
        bn = new_weight / level
    else:
        b0 = 0.5 + (d - y)[:, :baseline].sum(axis=1)
        level = a0 / (a0 + b0)
        an = new_weight * level
        bn = new_weight * (1.0 - level)
    ym = y[:, baseline:]
    dm = d[:, baseline:]
    zeros = np.zeros((series, 1))
    cy = np.concatenate([zeros, np.cumsum(ym, axis=1)], axis=1)
    cd = np.concatenate([zeros, np.cumsum(dm, axis=1)], axis=1)
    strength = np.zeros((series, periods))
    change_index = np.full((series, periods), -1, dtype=np.int64)
    log_p1 = np.log(prior_change)
    log_p0 = np.log1p(-prior_change)
    for m in range(1, periods - baseline + 1):
        t = baseline + m - 1
        pre_y, pre_d = cy[:, :m], cd[:, :m]
        post_y = cy[:, m : m + 1] - pre_y
        post_d = cd[:, m : m + 1] - pre_d
        a0c, b0c, anc, bnc = a0[:, None], b0[:, None], an[:, None], bn[:, None]
        if kind == "poisson":
            ll = _gamma_ml(a0c, b0c, pre_y, pre_d) + _gamma_ml(anc, bnc, post_y, post_d)
            ll0 = _gamma_ml(a0, b0, cy[:, m], cd[:, m])
            pre_level = (a0c + pre_y) / (b0c + pre_d)
            post_level = (anc + post_y) / (bnc + post_d)
        else:
            ll = _beta_ml(a0c, b0c, pre_y, pre_d) + _beta_ml(anc, bnc, post_y, post_d)
            ll0 = _beta_ml(a0, b0, cy[:, m], cd[:, m])
            pre_level = (a0c + pre_y) / (a0c + b0c + pre_d)
            post_level = (anc + post_y) / (anc + bnc + post_d)
        on_side = sign[:, None] * (post_level - pre_level) > 0
        everything = np.ones_like(on_side)
        log_m1 = log_p1 - np.log(m) + _logsumexp(ll, everything)
        log_total = np.logaddexp(log_m1, log_p0 + ll0)
        log_concern = log_p1 - np.log(m) + _logsumexp(ll, on_side)
        strength[:, t] = np.exp(log_concern - log_total)
        best = np.argmax(np.where(on_side, ll, -np.inf), axis=1)
        change_index[:, t] = np.where(on_side.any(axis=1), baseline + best, -1)
    concern = strength > threshold
    return AlertResult(
        method=method,
        alert=new_concern(concern),
        concern=concern,
        strength=strength,
        change_index=change_index,
    )


def poisson_gamma_changepoint(
    counts: ArrayLike,
    exposure: ArrayLike,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    threshold: float = 0.8,
    prior_change: float = 0.5,
    new_shape: float = 1.0,
    overdispersion: bool = True,
) -> AlertResult:
    """Posterior probability of one change of rate in the concern direction since the baseline."""
    y, e = check_counts(counts, exposure)
    check_baseline(baseline, y.shape[1])
    sign = concern_sign(concern, y.shape[0])
    if new_shape <= 0:
        raise ValueError("new_shape must be > 0")
    if overdispersion:
        _, phi = baseline_rate(y, e, baseline)
        y, e = y / phi[:, None], e / phi[:, None]
    return _run(
        y,
        e,
        baseline=baseline,
        sign=sign,
        prior_change=prior_change,
        threshold=threshold,
        kind="poisson",
        new_weight=new_shape,
        method=f"poisson_gamma_changepoint(P>{threshold:g})",
    )


def binomial_dispersion(y: FloatArray, n: FloatArray, baseline: int) -> FloatArray:
    """Dispersion factor φ ≥ 1 (:func:`dispersion_used`) of y of n against the pooled baseline
    proportion."""
    yb, nb = y[:, :baseline], n[:, :baseline]
    p = (yb.sum(axis=1) + 0.5) / (nb.sum(axis=1) + 1.0)
    expected = p[:, None] * nb
    var = expected * (1.0 - p)[:, None]
    phi = ((yb - expected) ** 2 / var).sum(axis=1) / (baseline - 1)
    return dispersion_used(phi, baseline)


def beta_binomial_changepoint(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    threshold: float = 0.8,
    prior_change: float = 0.5,
    new_strength: float = 2.0,
    overdispersion: bool = True,
) -> AlertResult:
    """Posterior probability of one change of proportion in the concern direction.

    ``successes`` counts the outcome whose proportion is monitored (e.g. overdue supervisions);
    ``concern`` says whether a higher (+1) or lower (−1) proportion is worse.
    """
    y = as_matrix(successes, "successes")
    n = as_matrix(trials, "trials")
    if y.shape != n.shape:
        raise ValueError("successes and trials must have the same shape")
    if np.any(y < 0) or np.any(n <= 0) or np.any(y > n):
        raise ValueError("need 0 ≤ successes ≤ trials and trials > 0")
    check_baseline(baseline, y.shape[1])
    sign = concern_sign(concern, y.shape[0])
    if new_strength <= 0:
        raise ValueError("new_strength must be > 0")
    if overdispersion:
        phi = binomial_dispersion(y, n, baseline)
        y, n = y / phi[:, None], n / phi[:, None]
    return _run(
        y,
        n,
        baseline=baseline,
        sign=sign,
        prior_change=prior_change,
        threshold=threshold,
        kind="binomial",
        new_weight=new_strength,
        method=f"beta_binomial_changepoint(P>{threshold:g})",
    )
