"""CUSUM charts, vectorised over series (one Python step per period, none per series).

* :func:`tabular_cusum` — the one-sided tabular CUSUM on values standardised by a baseline
  frozen on the first ``baseline`` periods (mean, and σ from the mean moving range / 1.128),
  in the concern direction only: S_t = max(0, S_{t−1} + s·z_t − k), signal when S_t > h,
  then S resets to 0 (Page 1954; Montgomery, *Introduction to SQC*, §9.1).
* :func:`poisson_cusum` — the Poisson CUSUM for counts with exposure (Lucas 1985): the
  log-likelihood ratio of rate ρ·λ₀ against λ₀ accumulated per period,
  S_t = max(0, S_{t−1} + (y_t ln ρ − (ρ − 1) λ₀ e_t) / φ), signal when S_t > h, reset after
  a signal. λ₀ is the baseline rate (Jeffreys: (Σy + ½) / Σe), φ ≥ 1 the baseline Pearson
  dispersion when significant (so overdispersed series need proportionally more evidence).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import (
    AlertResult,
    FloatArray,
    as_matrix,
    check_baseline,
    concern_sign,
    dispersion_used,
    new_concern,
)

MR_TO_SIGMA = 1.128


def baseline_mean_sigma(values: FloatArray, baseline: int) -> tuple[FloatArray, FloatArray]:
    """Mean and σ (mean moving range / 1.128) of the first ``baseline`` periods per series.

    A baseline with no moving range falls back to the sample standard deviation; a constant
    baseline gets σ = 1 (in the unit of the values), so a constant series stays quiet.
    """
    base = values[:, :baseline]
    mean = base.mean(axis=1)
    sigma = np.abs(np.diff(base, axis=1)).mean(axis=1) / MR_TO_SIGMA
    sd = base.std(axis=1, ddof=1)
    sigma = np.where(sigma > 0, sigma, np.where(sd > 0, sd, 1.0))
    return mean, sigma


def _run_cusum(increments: FloatArray, baseline: int, h: float, method: str) -> AlertResult:
    series, periods = increments.shape
    concern = np.zeros((series, periods), dtype=np.bool_)
    strength = np.zeros((series, periods), dtype=np.float64)
    stat = np.zeros(series, dtype=np.float64)
    for t in range(baseline, periods):
        stat = np.maximum(0.0, stat + increments[:, t])
        strength[:, t] = stat
        fired = stat > h
        concern[:, t] = fired
        stat = np.where(fired, 0.0, stat)
    return AlertResult(
        method=method,
        alert=new_concern(concern),
        concern=concern,
        strength=strength,
        change_index=np.full((series, periods), -1, dtype=np.int64),
    )


def tabular_cusum(
    values: ArrayLike,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    k: float = 0.5,
    h: float = 5.0,
) -> AlertResult:
    """One-sided tabular CUSUM (in σ units) in each series' concern direction."""
    x = as_matrix(values, "values")
    check_baseline(baseline, x.shape[1])
    sign = concern_sign(concern, x.shape[0])
    mean, sigma = baseline_mean_sigma(x, baseline)
    z = (x - mean[:, None]) / sigma[:, None]
    return _run_cusum(sign[:, None] * z - k, baseline, h, f"tabular_cusum(k={k:g}, h={h:g})")


def baseline_rate(
    counts: FloatArray, exposure: FloatArray, baseline: int
) -> tuple[FloatArray, FloatArray]:
    """Baseline rate (Jeffreys (Σy + ½) / Σe) and the dispersion factor φ ≥ 1 per series
    (:func:`dispersion_used` of the baseline Pearson χ²/df)."""
    y = counts[:, :baseline]
    e = exposure[:, :baseline]
    rate = (y.sum(axis=1) + 0.5) / e.sum(axis=1)
    expected = rate[:, None] * e
    pearson = ((y - expected) ** 2 / expected).sum(axis=1) / (baseline - 1)
    return rate, dispersion_used(pearson, baseline)


def check_counts(counts: ArrayLike, exposure: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = as_matrix(counts, "counts")
    e = as_matrix(exposure, "exposure")
    if y.shape != e.shape:
        raise ValueError("counts and exposure must have the same shape")
    if np.any(y < 0) or np.any(e <= 0):
        raise ValueError("counts must be ≥ 0 and exposure > 0")
    return y, e


def poisson_cusum(
    counts: ArrayLike,
    exposure: ArrayLike,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    ratio: float = 2.0,
    h: float = 3.0,
    overdispersion: bool = True,
) -> AlertResult:
    """Poisson CUSUM for a change of the rate by ``ratio`` in the concern direction.

    ``ratio`` > 1 is the size of change to detect fastest (2 = a doubling where higher is
    worse, a halving where lower is worse). The statistic is in natural-log likelihood units.
    """
    if ratio <= 1.0:
        raise ValueError("ratio must be > 1")
    y, e = check_counts(counts, exposure)
    check_baseline(baseline, y.shape[1])
    sign = concern_sign(concern, y.shape[0])
    rate, phi = baseline_rate(y, e, baseline)
    if not overdispersion:
        phi = np.ones_like(phi)
    rho = np.where(sign > 0, ratio, 1.0 / ratio)
    inc = (y * np.log(rho)[:, None] - ((rho - 1.0) * rate)[:, None] * e) / phi[:, None]
    return _run_cusum(inc, baseline, h, f"poisson_cusum(ratio={ratio:g}, h={h:g})")
