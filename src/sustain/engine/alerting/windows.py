"""Which periods of a group of aligned series raise a new signal (pure: NumPy, no Django).

The alerting methods (`engine.alerting`, ADR 0015) analyse a series online from a frozen
baseline. Run over a whole five-year history they would compare today with a baseline of five
years ago, and a change three years back would keep the analysis "in concern" for ever, so no
new change could alert. Here the periods are cut into calendar **blocks** (half-years of
months, 12-week blocks of weeks) and the periods of one block are judged on one **window**:
the `baseline` periods before a `lead` of periods before the block, frozen as the baseline,
then the lead and the block, analysed online. A signal at t is the method's *new* alert at t
(concern at t and not at t − 1), unless the previous block's window was already in concern
at its last period (a baseline straddling an earlier change must not announce it again). The
result for t depends only on the values in these windows: a later run finds the same signals
unless those values were corrected, and a signal that no longer holds can be withdrawn
(ADR 0017).

Both directions are run: the indicator's concern direction (`concern`) and the opposite one
(`improvement`). Neutral indicators are not passed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .triage import alert_indicator

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


def _window(first: int, targets: Sequence[int], *, baseline: int, lead: int,
            minimum: int) -> tuple[int, int] | None:
    """(start, baseline length) of the window of a block whose first column is `first`:
    `baseline` periods, then `lead` periods before the block, then the block. A short history
    keeps at least `minimum` baseline periods (None: too short to judge any target)."""
    monitored = max(0, first - lead)
    start = max(0, monitored - baseline)
    b = monitored - start
    if b < max(minimum, 2):
        start, b = 0, max(minimum, 2)
    if max(targets) < start + b:
        return None
    return start, b


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


def _run(s: Series, sign: NDArray[np.float64], start: int, b: int, end: int) -> Any:
    """The alerting over columns [start, end] of every row twice (concern, improvement)."""
    sl = slice(start, end + 1)
    if s.kind in COUNT_KINDS:
        return alert_indicator(s.kind, baseline=b, concern=sign,
                               counts=np.vstack([s.numerator[:, sl]] * 2),
                               exposure=np.vstack([s.denominator[:, sl]] * 2))
    return alert_indicator(s.kind, baseline=b, concern=sign,
                           values=np.vstack([s.value[:, sl]] * 2))


def _carried(s: Series, sign: NDArray[np.float64], blocks: list[int], first: int, *,
             baseline: int, lead: int, minimum: int) -> NDArray[np.bool_]:
    """Per stacked row: was the previous block's analysis in concern at its last period (the
    period before `first`)? Such a change is not new in this block: a baseline that now
    straddles it must not announce it again."""
    none = np.zeros(sign.shape[0], dtype=np.bool_)
    if first == 0:
        return none
    window = _window(blocks.index(blocks[first - 1]), [first - 1], baseline=baseline,
                     lead=lead, minimum=minimum)
    if window is None:
        return none
    start, b = window
    out: NDArray[np.bool_] = _run(s, sign, start, b, first - 1).concern[:, -1]
    return out


def detect(s: Series, targets: Sequence[int], blocks: list[int], *, baseline: int,
           lead: int, minimum: int) -> list[Found]:
    """The new alerts of every row at each target column, in both directions.

    `blocks[c]` is the calendar block of column c (e.g. the half-year of a month). Every target
    of one block is judged on one window: `baseline` periods, `lead` periods and the block up
    to the target, analysed online (data up to the target only), so a target's result
    depends on its block's window, never on later data or on the day of the run; the `lead`
    periods make "new" mean "not in concern at the period before" inside the block too.
    Both directions and all rows run in one call per block (rows stacked, `concern` per row).
    """
    out: list[Found] = []
    rows_n = s.value.shape[0]
    if rows_n == 0:
        return out
    by_block: dict[int, list[int]] = {}
    for t in sorted(set(targets)):
        by_block.setdefault(blocks[t], []).append(t)
    sign = np.concatenate([np.full(rows_n, s.sign), np.full(rows_n, -s.sign)])
    ran: dict[int, Any] = {}  # the last column analysed → its concern (reused as carried)
    for block, ts in sorted(by_block.items()):
        first = blocks.index(block)
        window = _window(first, ts, baseline=baseline, lead=lead, minimum=minimum)
        if window is None:
            continue
        start, b = window
        res = _run(s, sign, start, b, max(ts))
        carried = ran[first - 1] if first - 1 in ran and blocks[first - 1] == block - 1 \
            else _carried(s, sign, blocks, first, baseline=baseline, lead=lead,
                          minimum=minimum)
        ran[max(ts)] = res.concern[:, -1]
        for t in ts:
            col = t - start
            if col < b:
                continue
            hits = np.flatnonzero(res.alert[:, col] & ~carried)
            if hits.size == 0:
                continue
            rows = hits % rows_n
            ci = res.change_index[hits, col]
            has_change = ci >= 0
            split = np.where(has_change, start + ci, start + b)
            lo, hi = _levels(s, rows, start, split, t)
            if s.kind not in COUNT_KINDS:  # CUSUM: baseline mean against the latest value
                hi = np.where(has_change, hi, s.value[rows, t])
            for k, h in enumerate(hits):
                out.append(Found(
                    row=int(rows[k]), column=t,
                    direction="concern" if h < rows_n else "improvement",
                    method=res.method, strength=float(res.strength[h, col]),
                    change_column=int(split[k]) if has_change[k] else None,
                    before=float(lo[k]), after=float(hi[k])))
    return out
