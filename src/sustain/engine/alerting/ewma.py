"""EWMA chart, vectorised over series, in the concern direction only.

z_t = λ x_t + (1 − λ) z_{t−1}, starting at the baseline mean; a signal when z_t passes
mean ± L σ √(λ / (2 − λ) · (1 − (1 − λ)^{2i})) on the concern side (i = periods monitored),
after which z restarts at the mean. Mean and σ are frozen on the baseline as for the CUSUM.
Strength is the distance of z from the mean in units of the current limit half-width.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import AlertResult, as_matrix, check_baseline, concern_sign, new_concern
from .cusum import baseline_mean_sigma


def ewma(
    values: ArrayLike,
    *,
    baseline: int,
    concern: ArrayLike = 1,
    lam: float = 0.2,
    limit: float = 2.86,
) -> AlertResult:
    if not 0.0 < lam <= 1.0:
        raise ValueError("lam must be in (0, 1]")
    x = as_matrix(values, "values")
    series, periods = x.shape
    check_baseline(baseline, periods)
    sign = concern_sign(concern, series)
    mean, sigma = baseline_mean_sigma(x, baseline)
    zstd = sign[:, None] * (x - mean[:, None]) / sigma[:, None]
    concern_arr = np.zeros((series, periods), dtype=np.bool_)
    strength = np.zeros((series, periods), dtype=np.float64)
    stat = np.zeros(series, dtype=np.float64)
    age = np.zeros(series, dtype=np.float64)
    for t in range(baseline, periods):
        stat = lam * zstd[:, t] + (1.0 - lam) * stat
        age += 1.0
        width = limit * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2.0 * age)))
        strength[:, t] = stat / width
        fired = stat > width
        concern_arr[:, t] = fired
        stat = np.where(fired, 0.0, stat)
        age = np.where(fired, 0.0, age)
    return AlertResult(
        method=f"ewma(lambda={lam:g}, L={limit:g})",
        alert=new_concern(concern_arr),
        concern=concern_arr,
        strength=strength,
        change_index=np.full((series, periods), -1, dtype=np.int64),
    )
