"""Which periods of a group of aligned series raise a new signal (pure: NumPy, no Django).

The alerting methods (`engine.alerting`, ADR 0015) analyse a series online from a frozen
baseline. Run over a whole five-year history they would compare today with a baseline of five
years ago, and a change three years back would keep the analysis "in concern" for ever, so no
new change could alert. Here each period t that may raise a signal is judged on its own
**window**: the `baseline + monitor` periods ending at t (fewer for a short series), the first
`baseline` of them frozen as the baseline. A signal at t is the method's *new* alert at t
(concern at t and not at t − 1 within that window). The result for t depends only on the
values in its window: a later run finds the same signals unless values in the window were
corrected, and a signal that no longer holds can be withdrawn (ADR 0017).

Both directions are run: the indicator's concern direction (`concern`) and the opposite one
(`improvement`). Neutral indicators are not passed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sustain.engine.alerting import alert_indicator

COUNT_KINDS = ("rare_count", "rate", "proportion")


@dataclass(frozen=True)
class Found:
    """One new alert: series `row`, period `column` (of the group's columns)."""

    row: int
    column: int
    direction: str            # "concern" | "improvement"
    method: str
    strength: float
    change_column: int | None  # the first period of the new level (changepoint methods)
    before: float             # the level before the change (baseline for CUSUM), value units
    after: float              # the level from the change (the latest value for CUSUM)


@dataclass(frozen=True)
class Series:
    """Aligned series of one indicator (rows: locations, columns: periods), all observed."""

    kind: str
    sign: float               # +1 higher is worse, −1 higher is better
    numerator: NDArray[np.float64]
    denominator: NDArray[np.float64]
    value: NDArray[np.float64]
    multiplier: float


def _window_baseline(n: int, baseline: int, monitor: int, minimum: int) -> int | None:
    """The baseline length for a window of `n` periods, None when too short to judge."""
    if n < max(minimum, 2) + 1:
        return None
    b = baseline if n >= baseline + monitor else max(minimum, n - monitor)
    return max(2, min(b, n - 1))


def _levels(s: Series, rows: NDArray[np.int64], start: int, split: NDArray[np.int64],
            end: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Levels (value units) of columns [start, split) and [split, end] for each row."""
    cols = np.arange(start, end + 1)
    before = cols[None, :] < split[:, None]
    if s.kind in COUNT_KINDS:
        y = s.numerator[rows][:, start:end + 1]
        d = s.denominator[rows][:, start:end + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            lo = (y * before).sum(1) / (d * before).sum(1) * s.multiplier
            hi = (y * ~before).sum(1) / (d * ~before).sum(1) * s.multiplier
        return lo, hi
    v = s.value[rows][:, start:end + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = (v * before).sum(1) / before.sum(1)
        hi = (v * ~before).sum(1) / (~before).sum(1)
    return lo, hi


def detect(s: Series, targets: Sequence[int], *, baseline: int, monitor: int,
           minimum: int) -> list[Found]:
    """The new alerts of every row at each target column (both directions)."""
    out: list[Found] = []
    if s.value.shape[0] == 0:
        return out
    for t in sorted(set(targets)):
        start = max(0, t - baseline - monitor + 1)
        b = _window_baseline(t - start + 1, baseline, monitor, minimum)
        if b is None:
            continue
        sl = slice(start, t + 1)
        for direction, sign in (("concern", s.sign), ("improvement", -s.sign)):
            if s.kind in COUNT_KINDS:
                res = alert_indicator(s.kind, baseline=b, concern=sign,
                                      counts=s.numerator[:, sl], exposure=s.denominator[:, sl])
            else:
                res = alert_indicator(s.kind, baseline=b, concern=sign, values=s.value[:, sl])
            rows = np.flatnonzero(res.alert[:, -1])
            if rows.size == 0:
                continue
            ci = res.change_index[rows, -1]
            has_change = ci >= 0
            split = np.where(has_change, start + ci, start + b)
            lo, hi = _levels(s, rows, start, split, t)
            if s.kind not in COUNT_KINDS:  # CUSUM: baseline mean against the latest value
                hi = np.where(has_change, hi, s.value[rows, t])
            for k, r in enumerate(rows):
                out.append(Found(
                    row=int(r), column=t, direction=direction, method=res.method,
                    strength=float(res.strength[r, -1]),
                    change_column=int(split[k]) if has_change[k] else None,
                    before=float(lo[k]), after=float(hi[k])))
    return out
