"""Reads for indicators: the records behind a value (drill-down), a location's series, the
SPC fields of values, computed on the fly with `engine.spc.spc_series`, the chart cards of a
location (`location_charts`, for dashboards) and the funnel plot of an indicator
(`funnel_for`, from `funnels.py`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet

from sustain.engine.spc import SeriesChart, SeriesPoint, spc_charts, spc_series
from sustain.indicators.compute import COMPUTATIONS
from sustain.indicators.funnels import FunnelLocation as FunnelLocation
from sustain.indicators.funnels import FunnelView as FunnelView
from sustain.indicators.funnels import funnel_for as funnel_for
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


def chart(indicator: Indicator, values: Sequence[IndicatorValue] | Sequence[CardValue]
          ) -> SeriesChart:
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


# --- pages and dashboards -----------------------------------------------------------------

def period_label(indicator: Indicator, start: dt.date) -> str:
    """"Jan 2026" for a month, "5 Jan 2026" (the Monday) for a week."""
    if indicator.frequency == "weekly":
        return f"{start.day} {start:%b %Y}"
    return f"{start:%b %Y}"


@dataclass(frozen=True)
class CardValue:
    """What a chart card needs of one value (read as a plain row, not a model object)."""

    pk: int
    uuid: Any
    period_start: dt.date
    value: float
    numerator: int
    denominator: int


@dataclass(frozen=True)
class ChartCard:
    """One indicator at one location: its values (with a value, oldest first), the XmR
    chart over them and the latest point's variation and assurance icons. `chart_html` and
    `icons_html` draw it (a small chart for a dashboard card)."""

    indicator: Indicator
    location: Any
    values: list[CardValue]
    chart: SeriesChart

    @property
    def latest(self) -> CardValue | None:
        return self.values[-1] if self.values else None

    @property
    def variation_icon(self) -> str:
        return self.chart.variation_icon

    @property
    def assurance(self) -> str:
        return self.chart.assurance

    @cached_property
    def periods(self) -> list[str]:
        return [period_label(self.indicator, v.period_start) for v in self.values]

    @property
    def chart_html(self) -> Any:
        from sustain.web.spc_charts import spc_chart_svg

        return spc_chart_svg(self.chart, title=self.indicator.name, unit=self.indicator.unit,
                             periods=self.periods, target=self.indicator.target,
                             chart_id=f"card-{self.indicator.code}-{self.location.uuid}",
                             size=CARD_SIZE)

    @property
    def icons_html(self) -> Any:
        from sustain.web.spc_charts import spc_icons

        return spc_icons(self.chart, title=self.indicator.name, unit=self.indicator.unit,
                         periods=self.periods)


CARD_SIZE = (400, 220)


def location_charts(location: Any, indicators: Iterable[Indicator] | None = None
                    ) -> list[ChartCard]:
    """A chart card for each of the location's live indicators (or those given) that has at
    least one value there, by indicator name: one query for every value of the location, one
    `spc_series` per indicator. The caller checks the reader may see the location
    (`THEME_VIEW` there)."""
    if indicators is None:
        chosen = list(Indicator.objects.filter(organisation_id=location.organisation_id,
                                               archived_at__isnull=True).order_by("name"))
    else:
        chosen = sorted(indicators, key=lambda i: i.name)
    by_pk = {i.pk: i for i in chosen}
    grouped: dict[int, list[CardValue]] = {}
    rows = IndicatorValue.objects.filter(
        location_id=location.pk, archived_at__isnull=True, value__isnull=False,
        indicator_id__in=list(by_pk)).order_by("indicator_id", "period_start").values_list(
        "indicator_id", "pk", "uuid", "period_start", "value", "numerator", "denominator")
    for ind_id, *row in rows:  # plain rows: model objects cost 4 ms per 60 values
        grouped.setdefault(ind_id, []).append(CardValue(*row))
    shown = [ind for ind in chosen if ind.pk in grouped]
    charts = spc_charts([[v.value for v in grouped[ind.pk]] for ind in shown],
                        [ind.improvement for ind in shown],
                        targets=[ind.target for ind in shown])
    return [ChartCard(ind, location, grouped[ind.pk], c)
            for ind, c in zip(shown, charts, strict=True)]

