"""Special-cause rules of Making Data Count, as NHSRplotthedots v0.2.2 applies them.

Everything works on a padded matrix: one row per limits group (a series, or the part of a series
after a rebase), NaN padding after the group's last point. Rules never cross rows, and NaN never
counts, so runs cannot cross a rebase or run into the padding. No per-row Python loop.

Source lines refer to `R/ptd_calculate_point_type.R` at commit 050b07d (v0.2.2).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

RuleSet = Literal["ptd", "mdc2023"]

# Rule codes (precedence order: a lower code wins).
RULE_NONE = 0
RULE_OUTSIDE = 1
RULE_TREND = 2
RULE_TWO_IN_THREE = 3
RULE_SHIFT = 4
RULE_NAMES: tuple[str, ...] = ("none", "outside_limits", "trend", "two_in_three", "shift")

# Point types (NHSRplotthedots names).
COMMON = 0
IMPROVEMENT = 1
CONCERN = 2
NEUTRAL_HIGH = 3
NEUTRAL_LOW = 4
POINT_TYPE_NAMES: tuple[str, ...] = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

# Improvement directions.
INCREASE = 1
NEUTRAL = 0
DECREASE = -1
DIRECTION_WORDS: dict[str, int] = {"increase": INCREASE, "neutral": NEUTRAL, "decrease": DECREASE}


def _window_all(flag: NDArray[np.bool_], n: int) -> NDArray[np.bool_]:
    """True at column i when flag[i-n+1 .. i] are all true (False for i < n-1)."""
    rows, cols = flag.shape
    out = np.zeros((rows, cols), dtype=np.bool_)
    if n <= 0 or n > cols:
        return out
    cs = np.zeros((rows, cols + 1), dtype=np.int32)
    np.cumsum(flag, axis=1, dtype=np.int32, out=cs[:, 1:])
    np.equal(cs[:, n:] - cs[:, :-n], n, out=out[:, n - 1 :])
    return out


def _spread_back(ends: NDArray[np.bool_], n: int) -> NDArray[np.bool_]:
    """True at column i when any of ends[i .. i+n-1] is true (every point of a run)."""
    rows, cols = ends.shape
    cs = np.zeros((rows, cols + 1), dtype=np.int32)
    np.cumsum(ends, axis=1, dtype=np.int32, out=cs[:, 1:])
    hi = np.minimum(np.arange(cols) + n, cols)
    out: NDArray[np.bool_] = cs[:, hi] > cs[:, :cols]
    return out


def evaluate(
    y: NDArray[np.float64],
    mean: NDArray[np.float64],
    amr: NDArray[np.float64],
    direction: NDArray[np.int8],
    *,
    shift_n: int = 7,
    trend_n: int = 7,
    rules: RuleSet = "ptd",
    eq_tol: float = 1e-9,
) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int8]]:
    """Label every point of the padded matrix `y` (rows × columns, NaN padding).

    `mean`, `amr` (mean moving range used for the limits) and `direction` (+1 increase,
    0 neutral, −1 decrease) are per row. Returns `(rule, side, point_type)` as int8 matrices:
    the winning rule code (outside > trend > two-in-three > shift), the side of the signal
    (+1 above/increasing, −1 below/decreasing, 0 none) and the point type code.
    """
    m = mean[:, None]
    a = amr[:, None]
    valid = ~np.isnan(y)
    dev = y - m  # NaN in padding
    tol = eq_tol * np.maximum(np.abs(m), 1.0)
    # Side of the mean (L90): −1, 0, +1, with a tolerance for "on the mean" (research §1.6).
    above = dev > tol
    below = dev < -tol
    half = 2.66 * a
    near = (2.0 * (2.66 / 3.0)) * a
    # Outside the process limits (strict, L88). A point on the mean is never outside.
    out_hi = above & (dev > half)
    out_lo = below & (dev < -half)
    outside = out_hi | out_lo
    # Beyond 2σ: "close" (L93). ptd: inside 3σ only; mdc2023: beyond-3σ points count too.
    close = (above & (dev > near)) | (below & (dev < -near))
    if rules == "ptd":
        close &= ~outside
    elif rules != "mdc2023":
        raise ValueError(f"unknown rule set {rules!r}")

    rows, cols = y.shape
    # Shift: shift_n points on one side, every point of the run flagged (L29–44).
    shift_hi = _spread_back(_window_all(above, shift_n), shift_n) if shift_n > 0 else above & False
    shift_lo = _spread_back(_window_all(below, shift_n), shift_n) if shift_n > 0 else below & False

    # Trend: trend_n points, trend_n − 1 strictly monotone steps; ties break (L46–65).
    step = np.zeros((rows, cols), dtype=np.int8)  # step[i] = sign(y[i] − y[i−1])
    if cols > 1:
        diff = y[:, 1:] - y[:, :-1]
        step[:, 1:] = (diff > 0).astype(np.int8) - (diff < 0).astype(np.int8)
    k = trend_n - 1
    if trend_n >= 2 and trend_n <= cols:
        inc_end = _window_all(step == 1, k)
        dec_end = _window_all(step == -1, k)
        in_trend = _spread_back(inc_end | dec_end, trend_n)
    else:
        in_trend = np.zeros((rows, cols), dtype=np.bool_)
    # Trend side (L91–98): the step to the right when the next point is also in a trend,
    # otherwise the step from the left; a 0 step reads as decreasing.
    right = np.zeros((rows, cols), dtype=np.bool_)
    right[:, :-1] = in_trend[:, :-1] & in_trend[:, 1:]
    step_right = np.zeros((rows, cols), dtype=np.int8)
    step_right[:, :-1] = step[:, 1:]
    trend_side = np.where(right, step_right, step)
    trend_side = np.where(trend_side == 1, 1, -1).astype(np.int8)

    # Two in three (L67–84): a window of three with ≥ 2 close points, all three on one side;
    # only the close points are flagged.
    rel = above.astype(np.int8) - below.astype(np.int8)
    two = np.zeros((rows, cols), dtype=np.bool_)
    if cols >= 3:
        c8 = close.astype(np.int8)
        csum = c8[:, :-2] + c8[:, 1:-1] + c8[:, 2:]
        rsum = rel[:, :-2] + rel[:, 1:-1] + rel[:, 2:]
        win = (csum >= 2) & ((rsum == 3) | (rsum == -3))  # window starting at column s
        hit = np.zeros((rows, cols), dtype=np.bool_)
        hit[:, :-2] |= win
        hit[:, 1:-1] |= win
        hit[:, 2:] |= win
        two = hit & close

    rule = np.zeros((rows, cols), dtype=np.int8)
    side = np.zeros((rows, cols), dtype=np.int8)
    # Apply in reverse precedence so the stronger rule overwrites.
    shift = shift_hi | shift_lo
    rule[shift] = RULE_SHIFT
    side[shift] = rel[shift]
    rule[two] = RULE_TWO_IN_THREE
    side[two] = rel[two]
    rule[in_trend] = RULE_TREND
    side[in_trend] = trend_side[in_trend]
    rule[outside] = RULE_OUTSIDE
    side[outside] = rel[outside]
    rule[~valid] = RULE_NONE
    side[~valid] = 0
    return rule, side, point_types(side, direction[:, None])


def point_types(side: NDArray[np.int8], direction: NDArray[np.int8]) -> NDArray[np.int8]:
    """Point type from the signal side and the improvement direction (L111–134)."""
    d = np.broadcast_to(direction, side.shape)
    prod = side * d
    pt = np.zeros(side.shape, dtype=np.int8)
    pt[prod > 0] = IMPROVEMENT
    pt[prod < 0] = CONCERN
    neutral = d == NEUTRAL
    pt[neutral & (side > 0)] = NEUTRAL_HIGH
    pt[neutral & (side < 0)] = NEUTRAL_LOW
    return pt
