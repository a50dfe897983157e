"""XmR limits (Making Data Count, NHSRplotthedots v0.2.2 `R/ptd_spc_standard.R`) and the
vectorised batch over many series.

Layout: many series are passed flat (`values` in series order) with `offsets` (CSR style:
series s is `values[offsets[s]:offsets[s + 1]]`). Each series is cut into limits groups at its
start and at every rebase flag; groups are sorted by length and processed in chunks of padded
rows, so ragged input costs little padding and there is no per-series Python loop.

Limits are constant within a group, so they are returned per group (`SPCResult.groups`); the
per-point labels are int8 arrays. `SPCResult.point_mean()` etc. expand the limits per point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sustain.engine.spc.rules import RuleSet, evaluate

LIMIT = 2.66
SCREEN = 3.267
MIN_POINTS = 12  # fewer points give trial limits; fix_after must be at least this
CHUNK_CELLS = 1 << 18  # padded cells per chunk (keeps temporaries in cache)


@dataclass(frozen=True)
class SPCOptions:
    """`screen`: drop moving ranges ≥ 3.267 × MR̄ (NHSRplotthedots default; the MDC Excel
    tool does not). `shift_n`/`trend_n`: run lengths (7; MDC's Excel offers 6).
    `fix_after`: limits from the first n (≥ 12) points of each group, then extended.
    `rules`: "ptd" (v0.2.2) or "mdc2023" (beyond-3σ points count as beyond 2σ).
    `eq_tol`: relative tolerance for a point "on the mean"."""

    screen: bool = True
    shift_n: int = 7
    trend_n: int = 7
    fix_after: int | None = None
    rules: RuleSet = "ptd"
    eq_tol: float = 1e-9

    def __post_init__(self) -> None:
        if self.fix_after is not None and self.fix_after < MIN_POINTS:
            raise ValueError(f"fix_after must be at least {MIN_POINTS}")
        if self.shift_n < 2 or self.trend_n < 2:
            raise ValueError("shift_n and trend_n must be at least 2")
        if self.rules not in ("ptd", "mdc2023"):
            raise ValueError(f"unknown rule set {self.rules!r}")


@dataclass(frozen=True)
class Groups:
    """One entry per limits group (a series, or its part from a rebase on)."""

    series: NDArray[np.int64]  # index of the series
    start: NDArray[np.int64]  # flat index of the group's first point
    length: NDArray[np.int64]
    baseline: NDArray[np.int64]  # points the limits were computed from
    mean: NDArray[np.float64]
    amr: NDArray[np.float64]  # mean moving range used for the limits (NaN: no limits)
    lpl: NDArray[np.float64]
    upl: NDArray[np.float64]
    trial: NDArray[np.bool_]  # limits from fewer than 12 points
    insufficient: NDArray[np.bool_]  # screening left zero-width/NaN limits (fell back)


@dataclass(frozen=True)
class SPCResult:
    offsets: NDArray[np.int64]
    rule: NDArray[np.int8]  # per point, code into rules.RULE_NAMES
    side: NDArray[np.int8]  # per point, +1 above/increasing, −1 below/decreasing, 0
    point_type: NDArray[np.int8]  # per point, code into rules.POINT_TYPE_NAMES
    groups: Groups  # contiguous and in point order: group g covers start[g]:start[g]+length[g]

    def _expand(self, per_group: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.repeat(per_group, self.groups.length)

    def point_mean(self) -> NDArray[np.float64]:
        return self._expand(self.groups.mean)

    def point_lpl(self) -> NDArray[np.float64]:
        return self._expand(self.groups.lpl)

    def point_upl(self) -> NDArray[np.float64]:
        return self._expand(self.groups.upl)

    def point_trial(self) -> NDArray[np.bool_]:
        return np.repeat(self.groups.trial, self.groups.length)


def group_limits(
    y: NDArray[np.float64], length: NDArray[np.int64], baseline: NDArray[np.int64], screen: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Mean, MR̄ and the insufficient-variation flag for each padded row of `y`.

    The first `baseline[r]` points of row r give the mean and moving ranges (L67–78). With
    `screen`, moving ranges ≥ 3.267 × MR̄ are dropped once and MR̄ recomputed; when that leaves
    no moving range or a zero MR̄, the unscreened MR̄ is used and the row is flagged (research
    §1.6, as qikit and PowerBI-SPC do). A constant row keeps zero-width limits (MR̄ 0) and a
    one-point row has none (NaN); both are flagged too.
    """
    rows, cols = y.shape
    col = np.arange(cols)
    base = col[None, :] < baseline[:, None]
    nb = baseline.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(base, y, 0.0).sum(axis=1) / nb
        if cols > 1:
            mr = np.abs(y[:, 1:] - y[:, :-1])
            mr_ok = base[:, 1:]
            mr = np.where(mr_ok, mr, 0.0)
            n_mr = mr_ok.sum(axis=1).astype(np.float64)
            amr_raw = mr.sum(axis=1) / n_mr
        else:
            mr = np.zeros((rows, 0))
            mr_ok = np.zeros((rows, 0), dtype=np.bool_)
            amr_raw = np.full(rows, np.nan)
        amr = amr_raw
        if screen and cols > 1:
            keep = mr_ok & (mr < SCREEN * amr_raw[:, None])
            amr = np.where(keep, mr, 0.0).sum(axis=1) / keep.sum(axis=1)
            fallback = ~(amr > 0) & (amr_raw >= 0)
            amr = np.where(fallback, amr_raw, amr)
        else:
            fallback = np.zeros(rows, dtype=np.bool_)
    insufficient = fallback | ~(amr > 0)
    return mean, amr, insufficient


def _layout(
    offsets: NDArray[np.int64], rebase: NDArray[np.bool_] | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Group starts, lengths and series of each limits group."""
    n = int(offsets[-1])
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    is_start = np.zeros(n, dtype=np.bool_)
    is_start[offsets[:-1][nonempty]] = True
    if rebase is not None:
        is_start |= rebase
    starts = np.flatnonzero(is_start).astype(np.int64)
    glen = np.diff(np.append(starts, n)).astype(np.int64)
    series = (np.searchsorted(offsets, starts, side="right") - 1).astype(np.int64)
    return starts, glen, series


def spc_batch(
    values: NDArray[np.float64],
    offsets: NDArray[np.int64],
    improvement: NDArray[np.int8],
    *,
    rebase: NDArray[np.bool_] | None = None,
    options: SPCOptions | None = None,
) -> SPCResult:
    """XmR limits and MDC labels for many series at once.

    `values`: all points, series after series, in period order. `offsets`: n_series + 1
    increasing indexes into `values`. `improvement`: per series +1 increase, 0 neutral,
    −1 decrease. `rebase`: per point, True starts a new limits group (ignored on a series'
    first point). Values must be finite.
    """
    opts = options or SPCOptions()
    values = np.asarray(values, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    improvement = np.asarray(improvement, dtype=np.int8)
    n = values.shape[0]
    if offsets.ndim != 1 or offsets[0] != 0 or offsets[-1] != n or np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must run from 0 to len(values), non-decreasing")
    if improvement.shape[0] != offsets.shape[0] - 1:
        raise ValueError("one improvement direction per series")
    if np.any((improvement < -1) | (improvement > 1)):
        raise ValueError("improvement must be +1 (increase), 0 (neutral) or -1 (decrease)")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    if rebase is not None:
        rebase = np.asarray(rebase, dtype=np.bool_)
        if rebase.shape != values.shape:
            raise ValueError("rebase must have one flag per value")

    starts, glen, gseries = _layout(offsets, rebase)
    ng = starts.shape[0]
    gmean = np.empty(ng)
    gamr = np.empty(ng)
    ginsuf = np.empty(ng, dtype=np.bool_)
    baseline = glen if opts.fix_after is None else np.minimum(glen, opts.fix_after)
    rule = np.zeros(n, dtype=np.int8)
    side = np.zeros(n, dtype=np.int8)
    ptype = np.zeros(n, dtype=np.int8)
    gdir = improvement[gseries]

    uniform = ng > 0 and bool(np.all(glen == glen[0]))
    order = np.arange(ng) if uniform else np.argsort(glen, kind="stable")
    i = 0
    while i < ng:  # loop over chunks of groups, not over series
        first_len = max(int(glen[order[i]]), 1)
        end = min(ng, i + max(1, CHUNK_CELLS // first_len))
        width = max(int(glen[order[end - 1]]), 1)
        end = min(end, i + max(1, CHUNK_CELLS // width))
        width = max(int(glen[order[end - 1]]), 1)
        idx = order[i:end]
        st, ln = starts[idx], glen[idx]
        if uniform:
            y = values[int(st[0]) : int(st[0]) + len(idx) * width].reshape(len(idx), width)
            cells = None
        else:
            col = np.arange(width)
            mask = col[None, :] < ln[:, None]
            cells = st[:, None] + col[None, :]
            y = np.where(mask, values[np.minimum(cells, n - 1)], np.nan)
            cells = cells[mask]
        mean, amr, insuf = group_limits(y, ln, baseline[idx], opts.screen)
        r, s, p = evaluate(
            y,
            mean,
            amr,
            gdir[idx],
            shift_n=opts.shift_n,
            trend_n=opts.trend_n,
            rules=opts.rules,
            eq_tol=opts.eq_tol,
        )
        gmean[idx], gamr[idx], ginsuf[idx] = mean, amr, insuf
        if cells is None:
            lo = int(st[0])
            hi = lo + len(idx) * width
            rule[lo:hi] = r.reshape(-1)
            side[lo:hi] = s.reshape(-1)
            ptype[lo:hi] = p.reshape(-1)
        else:
            valid = ~np.isnan(y)
            rule[cells] = r[valid]
            side[cells] = s[valid]
            ptype[cells] = p[valid]
        i = end

    groups = Groups(
        series=gseries,
        start=starts,
        length=glen,
        baseline=baseline.astype(np.int64),
        mean=gmean,
        amr=gamr,
        lpl=gmean - LIMIT * gamr,
        upl=gmean + LIMIT * gamr,
        trial=baseline < MIN_POINTS,
        insufficient=ginsuf,
    )
    return SPCResult(offsets=offsets, rule=rule, side=side, point_type=ptype, groups=groups)


def spc_matrix(
    y: NDArray[np.float64],
    improvement: NDArray[np.int8],
    *,
    options: SPCOptions | None = None,
) -> SPCResult:
    """Equal-length series as rows of a 2-D array (no rebasing): the bulk fast path."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    rows, cols = y.shape
    offsets = np.arange(rows + 1, dtype=np.int64) * cols
    return spc_batch(y.reshape(-1), offsets, improvement, options=options)
