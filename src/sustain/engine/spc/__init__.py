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
    "spc_charts",
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
    return spc_charts([values], [improvement], targets=[target],
                      rebase=None if rebase is None else [rebase], options=options)[0]


def spc_charts(
    series: Sequence[Sequence[float]],
    improvements: Sequence[str],
    *,
    targets: Sequence[float | None] | None = None,
    rebase: Sequence[Sequence[bool]] | None = None,
    options: SPCOptions | None = None,
) -> list[SeriesChart]:
    """Several series at once (e.g. every indicator of a location's dashboard): one call of
    the vectorised core, one `SeriesChart` per series, in order."""
    for improvement in improvements:
        if improvement not in DIRECTION_WORDS:
            raise ValueError(f"improvement must be one of {sorted(DIRECTION_WORDS)}")
    if len(improvements) != len(series):
        raise ValueError("give one improvement word per series")
    lengths = [len(v) for v in series]
    y = np.concatenate([np.asarray(v, dtype=np.float64) for v in series]) if series \
        else np.zeros(0)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    direction = np.array([DIRECTION_WORDS[w] for w in improvements], dtype=np.int8)
    flags = None if rebase is None else np.concatenate(
        [np.asarray(r, dtype=np.bool_) for r in rebase])
    result = spc_batch(y, offsets, direction, rebase=flags, options=options)
    tgt = np.array([np.nan if t is None else t for t in (targets or [None] * len(series))],
                   dtype=np.float64)
    summary = summarise(result, direction, tgt)
    means, lpls, upls = (result.point_mean().tolist(), result.point_lpl().tolist(),
                         result.point_upl().tolist())
    trial, values = result.point_trial().tolist(), y.tolist()
    types, rules = result.point_type.tolist(), result.rule.tolist()
    charts = []
    for n in range(len(series)):
        lo, hi = int(offsets[n]), int(offsets[n + 1])
        points = tuple(
            SeriesPoint(value=values[i], mean=means[i], lpl=lpls[i], upl=upls[i],
                        point_type=POINT_TYPE_NAMES[types[i]], rule=RULE_NAMES[rules[i]],
                        trial=bool(trial[i]))
            for i in range(lo, hi)
        )
        charts.append(SeriesChart(
            points=points,
            variation_icon=VARIATION_ICON_NAMES[int(summary.variation_icon[n])],
            assurance=ASSURANCE_NAMES[int(summary.assurance[n])],
            trial=bool(summary.trial[n]) if hi > lo else True,
            insufficient_variation=bool(summary.insufficient_variation[n]),
        ))
    return charts
