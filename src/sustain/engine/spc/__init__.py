"""Statistical process control: XmR charts with the Making Data Count rules, exactly as
NHSRplotthedots v0.2.2 applies them, vectorised over many series (NumPy).

`spc_batch` / `spc_matrix` run many series at once; `summarise` gives each series' latest
variation icon and assurance icon; `spc_series` is the one-series convenience for dashboards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sustain.engine.spc.icons import (
    ASSURANCE_NAMES,
    VARIATION_ICON_NAMES,
    Summary,
    assurance,
    summarise,
    variation_icons,
)
from sustain.engine.spc.rules import (
    DIRECTION_WORDS,
    POINT_TYPE_NAMES,
    RULE_NAMES,
    RuleSet,
)
from sustain.engine.spc.xmr import MIN_POINTS, Groups, SPCOptions, SPCResult, spc_batch, spc_matrix

__all__ = [
    "ASSURANCE_NAMES",
    "DIRECTION_WORDS",
    "MIN_POINTS",
    "POINT_TYPE_NAMES",
    "RULE_NAMES",
    "VARIATION_ICON_NAMES",
    "Groups",
    "RuleSet",
    "SPCOptions",
    "SPCResult",
    "SeriesChart",
    "SeriesPoint",
    "Summary",
    "assurance",
    "spc_batch",
    "spc_matrix",
    "spc_series",
    "summarise",
    "variation_icons",
]


@dataclass(frozen=True)
class SeriesPoint:
    value: float
    mean: float
    lpl: float
    upl: float
    point_type: str  # one of POINT_TYPE_NAMES
    rule: str  # one of RULE_NAMES
    trial: bool


@dataclass(frozen=True)
class SeriesChart:
    points: tuple[SeriesPoint, ...]
    variation_icon: str  # one of VARIATION_ICON_NAMES
    assurance: str  # one of ASSURANCE_NAMES
    trial: bool  # the latest limits come from fewer than 12 points
    insufficient_variation: bool  # screening left no usable limits; rare-event chart advised


def spc_series(
    values: Sequence[float],
    improvement: str = "increase",
    *,
    target: float | None = None,
    rebase: Sequence[bool] | None = None,
    options: SPCOptions | None = None,
) -> SeriesChart:
    """One series, for dashboards: calls the vectorised core with a batch of one."""
    if improvement not in DIRECTION_WORDS:
        raise ValueError(f"improvement must be one of {sorted(DIRECTION_WORDS)}")
    y = np.asarray(values, dtype=np.float64)
    direction = np.array([DIRECTION_WORDS[improvement]], dtype=np.int8)
    offsets = np.array([0, y.shape[0]], dtype=np.int64)
    flags = None if rebase is None else np.asarray(rebase, dtype=np.bool_)
    result = spc_batch(y, offsets, direction, rebase=flags, options=options)
    tgt = np.array([np.nan if target is None else target])
    summary = summarise(result, direction, tgt)
    means, lpls, upls = result.point_mean(), result.point_lpl(), result.point_upl()
    trial = result.point_trial()
    points = tuple(
        SeriesPoint(
            value=float(y[i]),
            mean=float(means[i]),
            lpl=float(lpls[i]),
            upl=float(upls[i]),
            point_type=POINT_TYPE_NAMES[int(result.point_type[i])],
            rule=RULE_NAMES[int(result.rule[i])],
            trial=bool(trial[i]),
        )
        for i in range(y.shape[0])
    )
    return SeriesChart(
        points=points,
        variation_icon=VARIATION_ICON_NAMES[int(summary.variation_icon[0])],
        assurance=ASSURANCE_NAMES[int(summary.assurance[0])],
        trial=bool(summary.trial[0]) if y.shape[0] else True,
        insufficient_variation=bool(summary.insufficient_variation[0]),
    )
