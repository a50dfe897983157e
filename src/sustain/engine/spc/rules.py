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


def _sliding(flag: NDArray[np.bool_], n: int, op: np.ufunc) -> NDArray[np.bool_]:
    """op (AND/OR) over every window of n columns: column j covers flag[j .. j+n-1].
    Doubling windows: log2(n) whole-array operations instead of n."""
    cur = flag
    span = 1
    while span * 2 <= n:
        cur = op(cur[:, :-span], cur[:, span:])
        span *= 2
    if span < n:
        cur = op(cur[:, : -(n - span)], cur[:, n - span :])
    out: NDArray[np.bool_] = cur
    return out


def _window_all(flag: NDArray[np.bool_], n: int) -> NDArray[np.bool_]:
    """True at column i when flag[i-n+1 .. i] are all true (False for i < n-1)."""
    rows, cols = flag.shape
    out = np.zeros((rows, cols), dtype=np.bool_)
    if n <= 0 or n > cols:
        return out
    out[:, n - 1 :] = _sliding(flag, n, np.logical_and)
    return out


def _spread_back(ends: NDArray[np.bool_], n: int) -> NDArray[np.bool_]:
    """True at column i when any of ends[i .. i+n-1] is true (every point of a run)."""
    rows, cols = ends.shape
    padded = np.zeros((rows, cols + n - 1), dtype=np.bool_)
    padded[:, :cols] = ends
    return _sliding(padded, n, np.logical_or)


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
    r8 = right.view(np.int8)
    chosen = step_right * r8 + step * (1 - r8)
    trend_side = (chosen == 1).view(np.int8) * 2 - 1

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

    # One label per point: outside > trend > two-in-three > shift (L102–108). Padding (NaN)
    # is never above, below, close or in a trend, so it stays "none".
    shift = shift_hi | shift_lo
    o = outside
    tr = in_trend & ~o
    stronger = o | in_trend
    tw = two & ~stronger
    sh = shift & ~(stronger | two)
    o8, tr8, tw8, sh8 = o.view(np.int8), tr.view(np.int8), tw.view(np.int8), sh.view(np.int8)
    rule = o8 * np.int8(RULE_OUTSIDE) + tr8 * np.int8(RULE_TREND)
    rule += tw8 * np.int8(RULE_TWO_IN_THREE)
    rule += sh8 * np.int8(RULE_SHIFT)
    side = rel * (o8 | tw8 | sh8) + trend_side * tr8
    return rule, side, point_types(side, direction[:, None])


def point_types(side: NDArray[np.int8], direction: NDArray[np.int8]) -> NDArray[np.int8]:
    """Point type from the signal side and the improvement direction (L111–134)."""
    # Lookup by (direction + 1) * 3 + (side + 1): rows decrease/neutral/increase.
    table = np.array(
        [IMPROVEMENT, COMMON, CONCERN, NEUTRAL_LOW, COMMON, NEUTRAL_HIGH, CONCERN, COMMON,
         IMPROVEMENT],
        dtype=np.int8,
    )
    key = (direction.astype(np.int8) + 1) * 3 + (side + 1)
    pt: NDArray[np.int8] = table[key]
    return pt
