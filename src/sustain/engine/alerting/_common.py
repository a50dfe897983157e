"""Shared pieces of the alerting methods: the result type, argument checks, a vectorised
log-gamma (NumPy has none and the engine may not use SciPy) and the "new concern" rule."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class AlertResult:
    """Per series (rows) and per period (columns), computed online.

    * ``concern`` — the analysis at period t (data up to t only) shows evidence of change in
      the concern direction;
    * ``alert`` — a *new* concern signal: ``concern`` at t and not at t − 1 (see
      :func:`new_concern`); this is what should notify someone;
    * ``strength`` — the method's statistic at t (CUSUM statistic before any reset, EWMA
      distance in limit units, or posterior probability of a change in the concern direction);
    * ``method`` — the method's name, recorded with each alert;
    * ``change_index`` — for the changepoint methods, the most likely first period of the new
      level at t (−1 where not applicable): a rebase suggestion.

    Periods inside the baseline never raise an alert; their strength is 0.
    """

    method: str
    alert: BoolArray
    concern: BoolArray
    strength: FloatArray
    change_index: IntArray


def as_matrix(values: ArrayLike, name: str) -> FloatArray:
    """A 2-D float array (series × periods); a 1-D input is one series."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (series × periods)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def check_baseline(baseline: int, periods: int) -> None:
    if baseline < 2 or baseline > periods:
        raise ValueError(f"baseline must be between 2 and the number of periods ({periods})")


def concern_sign(concern: ArrayLike, series: int) -> FloatArray:
    """+1 where higher is worse, −1 where lower is worse, one per series."""
    sign = np.broadcast_to(np.asarray(concern, dtype=np.float64), (series,)).copy()
    if not np.all((sign == 1.0) | (sign == -1.0)):
        raise ValueError("concern must be +1 (higher is worse) or -1 (lower is worse)")
    return sign


def new_concern(concern: BoolArray) -> BoolArray:
    """Alert only when the latest analysis shows concern and the previous one did not."""
    previous = np.zeros_like(concern)
    previous[:, 1:] = concern[:, :-1]
    return concern & ~previous


def dispersion_used(pearson: FloatArray, baseline: int) -> FloatArray:
    """The dispersion factor applied: the baseline Pearson χ²/df when it is significantly above 1
    (beyond 1 + 2·√(2/(B−1)), about two standard errors under pure Poisson/binomial noise),
    else 1. Applying every estimate above 1 would cost power on series that are not
    overdispersed (the estimate from 24 points has a standard error of about 0.3)."""
    critical = 1.0 + 2.0 * math.sqrt(2.0 / (baseline - 1))
    out: FloatArray = np.where(pearson > critical, pearson, 1.0)
    return out


_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def lgamma(x: FloatArray) -> FloatArray:
    """log Γ(x) for x > 0, element-wise, to about 1e-12 (absolute or relative).

    Below 8 the argument is shifted up by 8 (Γ(x) = Γ(x + 8) / (x (x+1) … (x+7))); then
    Stirling's series with five correction terms.
    """
    x = np.asarray(x, dtype=np.float64)
    small = x < 8.0
    z = np.where(small, x + 8.0, x)
    xs = np.where(small, x, 1.0)
    prod = xs * (xs + 1.0) * (xs + 2.0) * (xs + 3.0) * (xs + 4.0) * (xs + 5.0) * (xs + 6.0)
    shift = np.where(small, np.log(prod * (xs + 7.0)), 0.0)
    inv = 1.0 / z
    inv2 = inv * inv
    series = inv * (
        1.0 / 12.0
        - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0)))
    )
    result: FloatArray = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series - shift
    return result


def lbeta(a: FloatArray, b: FloatArray) -> FloatArray:
    """log B(a, b) element-wise."""
    result: FloatArray = lgamma(a) + lgamma(b) - lgamma(a + b)
    return result
