"""Funnel plots of one indicator across the locations a reader may see (research §5.3).

The window is the 12 complete months before `until` (default today): each location's
numerators and denominators are summed over the values whose period lies inside it, and
`engine.funnel.funnel` compares the locations with Spiegelhalter's overdispersion adjustment.
Rates (and rare counts, which are rates with an exposure) use the Poisson funnel, proportions
the binomial one; a continuous measure (a mean score) has no funnel.

Only the locations the reader may see take part — so the pooled average and the
overdispersion are those of the reader's locations, and a registered manager of one home
sees a funnel of one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.engine.funnel import Funnel, FunnelKind, FunnelUnit, Limits, funnel
from sustain.indicators.models import Indicator, IndicatorValue, Kind
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location

WINDOW_MONTHS = 12
FUNNEL_KINDS = {Kind.RATE: FunnelKind.RATE, Kind.RARE_COUNT: FunnelKind.RATE,
                Kind.PROPORTION: FunnelKind.PROPORTION}


@dataclass(frozen=True)
class FunnelLocation:
    location: Location
    count: int  # Σ numerators in the window
    exposure: int  # Σ denominators
    unit: FunnelUnit  # value, z-scores, position, judgement and the words


@dataclass(frozen=True)
class FunnelView:
    indicator: Indicator
    window_start: dt.date
    window_end: dt.date  # the day after the window
    funnel: Funnel
    rows: list[FunnelLocation]

    @property
    def names(self) -> dict[str, str]:
        return {str(r.location.uuid): r.location.name for r in self.rows}

    @property
    def window_text(self) -> str:
        last = self.window_end - dt.timedelta(days=1)
        return f"{self.window_start:%b %Y} to {last:%b %Y}"

    def limits(self, points: int = 41) -> Limits | None:
        """The 95 % and 99.8 % limits at `points` exposures from the smallest to the largest
        location's (None when no location has any exposure)."""
        exposures = [r.exposure for r in self.rows if r.exposure > 0]
        if not exposures:
            return None
        lo, hi = min(exposures), max(exposures)
        step = (hi - lo) / (points - 1) if points > 1 else 0
        return self.funnel.limits([lo + step * k for k in range(points)] if hi > lo else [lo])


def funnel_kind(indicator: Indicator) -> FunnelKind | None:
    """The funnel an indicator's kind takes, or None (a continuous measure has none)."""
    return FUNNEL_KINDS.get(Kind(indicator.kind))


def _month_start(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def unit_label(indicator: Indicator) -> str:
    return indicator.unit if indicator.unit == "%" else f" {indicator.unit}"


def funnel_for(indicator: Indicator, actor: Any, *, until: dt.date | None = None) -> FunnelView:
    """The funnel of `indicator` over the rolling 12 complete months before `until`, one
    point per location the actor may see (`THEME_VIEW`), positions judged by the
    indicator's direction. Raises `InvalidInput` for an indicator with no funnel."""
    kind = funnel_kind(indicator)
    if kind is None:
        raise InvalidInput(
            f"{indicator.name} is a continuous measure: funnel plots compare rates and "
            "proportions only.",
            {"indicator": [f"Kind {indicator.kind!r} has no funnel plot; choose a rate, rare "
                           "count or proportion indicator."]})
    end = _month_start(until or timezone.localdate(), 0)
    start = _month_start(end, -WINDOW_MONTHS)
    locations = list(filter_by_location(
        Location.objects.filter(organisation_id=indicator.organisation_id,
                                archived_at__isnull=True),
        actor, Perm.THEME_VIEW, field="pk").order_by("name"))
    sums = {r["location_id"]: (int(r["n"] or 0), int(r["d"] or 0))
            for r in IndicatorValue.objects.filter(
                indicator=indicator, location_id__in=[loc.pk for loc in locations],
                archived_at__isnull=True, period_start__gte=start, period_end__lte=end)
            .order_by().values("location_id").annotate(n=Sum("numerator"),
                                                       d=Sum("denominator"))}
    counts = [sums.get(loc.pk, (0, 0)) for loc in locations]
    if kind is FunnelKind.PROPORTION:
        over = [loc.name for loc, (n, d) in zip(locations, counts, strict=True) if n > d]
        if over:
            raise InvalidInput(
                "Some locations count more than their denominator, so no proportion funnel "
                "can be drawn: " + ", ".join(over) + ".",
                {"indicator": ["Numerators exceed denominators at " + ", ".join(over) + "."]})
    result = funnel([str(loc.uuid) for loc in locations], [n for n, _ in counts],
                    [d for _, d in counts], kind=kind, direction=indicator.direction,
                    multiplier=indicator.multiplier, unit_label=unit_label(indicator))
    rows = [FunnelLocation(loc, n, d, u) for loc, (n, d), u in
            zip(locations, counts, result.units, strict=True)]
    return FunnelView(indicator, start, end, result, rows)
