"""Variation and assurance icons (NHSRplotthedots v0.2.2 `R/geom_ptd_icon.R`,
`R/ptd_calculate_assurance_type.R`) and the per-series summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sustain.engine.spc.rules import CONCERN, IMPROVEMENT, INCREASE, NEUTRAL, NEUTRAL_HIGH
from sustain.engine.spc.xmr import SPCResult

VARIATION_ICON_NAMES: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_NAMES: tuple[str, ...] = ("none", "consistent_pass", "consistent_fail", "inconsistent")
A_NONE, A_PASS, A_FAIL, A_INCONSISTENT = 0, 1, 2, 3


def variation_icons(point_type: NDArray[np.int8], side: NDArray[np.int8]) -> NDArray[np.int8]:
    """Icon code (into VARIATION_ICON_NAMES) for a point type and its side: an improvement
    with the signal above is `improvement_high`, a concern below is `concern_low`, etc."""
    high = side > 0
    icon = np.zeros(point_type.shape, dtype=np.int8)
    icon[point_type == IMPROVEMENT] = np.where(high, 1, 2)[point_type == IMPROVEMENT]
    icon[point_type == CONCERN] = np.where(high, 3, 4)[point_type == CONCERN]
    neutral = point_type >= NEUTRAL_HIGH
    icon[neutral] = np.where(point_type == NEUTRAL_HIGH, 5, 6)[neutral]
    return icon


def assurance(
    target: NDArray[np.float64],
    lpl: NDArray[np.float64],
    upl: NDArray[np.float64],
    improvement: NDArray[np.int8],
) -> NDArray[np.int8]:
    """Assurance code (into ASSURANCE_NAMES) from a target and the latest limits: none without a
    target, for a neutral direction or without limits; a target beyond a limit is a
    consistent pass or fail by direction; a target within the limits is inconsistent."""
    inc = improvement == INCREASE
    code = np.full(target.shape, A_INCONSISTENT, dtype=np.int8)
    hi = target > upl
    lo = target < lpl
    code[hi] = np.where(inc, A_FAIL, A_PASS)[hi]
    code[lo] = np.where(inc, A_PASS, A_FAIL)[lo]
    none = np.isnan(target) | (improvement == NEUTRAL) | np.isnan(upl) | np.isnan(lpl)
    code[none] = A_NONE
    return code


@dataclass(frozen=True)
class Summary:
    """Per series (empty series: n = 0, latest fields common cause/none)."""

    n: NDArray[np.int64]
    latest_point_type: NDArray[np.int8]
    variation_icon: NDArray[np.int8]
    assurance: NDArray[np.int8]
    trial: NDArray[np.bool_]
    insufficient_variation: NDArray[np.bool_]
    mean: NDArray[np.float64]  # latest group's limits
    lpl: NDArray[np.float64]
    upl: NDArray[np.float64]


def summarise(
    result: SPCResult, improvement: NDArray[np.int8], target: NDArray[np.float64] | None = None
) -> Summary:
    """Latest-point variation icon and assurance from the latest limits, per series."""
    offsets = result.offsets
    ns = offsets.shape[0] - 1
    n = np.diff(offsets)
    has = n > 0
    last = offsets[1:][has] - 1
    g = result.groups
    last_group = np.searchsorted(g.start, last, side="right") - 1

    def per_series(arr: NDArray[np.generic], fill: object) -> NDArray[np.generic]:
        out = np.full(ns, fill, dtype=arr.dtype)
        out[has] = arr
        return out

    pt = per_series(result.point_type[last], 0)
    icon = per_series(variation_icons(result.point_type[last], result.side[last]), 0)
    mean = per_series(g.mean[last_group], np.nan)
    lpl = per_series(g.lpl[last_group], np.nan)
    upl = per_series(g.upl[last_group], np.nan)
    tgt = np.full(ns, np.nan) if target is None else np.asarray(target, dtype=np.float64)
    return Summary(
        n=n.astype(np.int64),
        latest_point_type=pt.astype(np.int8),
        variation_icon=icon.astype(np.int8),
        assurance=assurance(tgt, lpl.astype(np.float64), upl.astype(np.float64),
                            np.asarray(improvement, dtype=np.int8)),
        trial=per_series(g.trial[last_group], False).astype(np.bool_),
        insufficient_variation=per_series(g.insufficient[last_group], False).astype(np.bool_),
        mean=mean.astype(np.float64),
        lpl=lpl.astype(np.float64),
        upl=upl.astype(np.float64),
    )
