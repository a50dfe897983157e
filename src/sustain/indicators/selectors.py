"""Reads for indicators: the records behind a value (drill-down), a location's series, and the
SPC fields of values, computed on the fly with `engine.spc.spc_series`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sustain.engine.spc import SeriesChart, SeriesPoint, spc_series
from sustain.indicators.compute import COMPUTATIONS
from sustain.indicators.models import Indicator, IndicatorValue, Source


@dataclass(frozen=True)
class RecordsBehind:
    label: str  # what the records are, e.g. "falls"
    records: QuerySet | None  # None: an imported value (no records in Sustain)


def records_behind(value: IndicatorValue) -> RecordsBehind:
    """The records counted in the value's numerator, at its location in its period (live
    records only, as the computation counted them). The caller scopes them to the reader
    with the records' own visibility filters before showing them."""
    ind = value.indicator
    comp = COMPUTATIONS.get(ind.numerator)
    if value.source == Source.IMPORTED or comp is None:
        return RecordsBehind(f"{ind.name} (imported)", None)
    return RecordsBehind(comp.label, comp.records(value.organisation_id, [value.location_id],
                                                  value.period_start, value.period_end))


def series(indicator: Indicator, location_id: int) -> list[IndicatorValue]:
    """The location's live values of the indicator, oldest first."""
    return list(IndicatorValue.objects.filter(indicator=indicator, location_id=location_id,
                                              archived_at__isnull=True)
                .order_by("period_start"))


@dataclass(frozen=True)
class SPCPoint:
    mean: float | None
    lpl: float | None
    upl: float | None
    point_type: str
    rule: str
    trial: bool


def _number(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else x


def chart(indicator: Indicator, values: list[IndicatorValue]) -> SeriesChart:
    """The XmR chart of a series (values without a denominator left out)."""
    return spc_series([v.value for v in values if v.value is not None], indicator.improvement,
                      target=indicator.target)


def spc_points(values: Iterable[IndicatorValue]) -> dict[int, SPCPoint]:
    """SPC fields for each value (by primary key), from its location's whole live series of its
    indicator: one query for every series the values belong to, one `spc_series` per series.
    A value without a denominator (no value) has none."""
    values = list(values)
    pairs = {(v.indicator_id, v.location_id) for v in values}
    if not pairs:
        return {}
    match = Q()
    for ind_id, loc_id in pairs:
        match |= Q(indicator_id=ind_id, location_id=loc_id)
    rows = (IndicatorValue.objects.filter(match, archived_at__isnull=True, value__isnull=False)
            .select_related("indicator").order_by("indicator_id", "location_id", "period_start"))
    grouped: dict[tuple[int, int], list[IndicatorValue]] = {}
    for row in rows:
        grouped.setdefault((row.indicator_id, row.location_id), []).append(row)
    out: dict[int, SPCPoint] = {}
    for group in grouped.values():
        result = chart(group[0].indicator, group)
        for row, point in zip(group, result.points, strict=True):
            out[row.pk] = _spc_point(point)
    return out


def _spc_point(p: SeriesPoint) -> SPCPoint:
    return SPCPoint(mean=_number(p.mean), lpl=_number(p.lpl), upl=_number(p.upl),
                    point_type=p.point_type, rule=p.rule, trial=p.trial)
