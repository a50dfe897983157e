"""The location dashboard: one function per panel, each reading only what the reader's role
shows at that location. A panel the reader may not see is None (the page omits it).

Panels: indicator chart cards, concern signals awaiting interpretation, drift, themes by
stage, overdue governance, open escalation tasks; and the location's row of facts with its
risk score (`selectors.location_rows`). Each panel runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from sustain.core.dates import uk_day
from sustain.dashboards.selectors import LocationRow, location_rows
from sustain.engine.access import Perm
from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.engine.risk_rank import STAGE_RISK_ORDER
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import has_perm_at

PANEL_LIMIT = 10  # rows listed in a list panel; the panel links on to the full page


def url_or_none(name: str, *args: Any, query: str = "") -> str | None:
    """A page's address if that page exists (pages of apps built beside this one)."""
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


_date = uk_day


# --- indicator chart cards -------------------------------------------------------------------

@dataclass
class IndicatorSummary:
    """One indicator's latest icons at the location (what the API returns per card)."""

    uuid: Any
    code: str
    name: str
    unit: str
    variation_icon: str
    assurance: str


@dataclass
class ChartsPanel:
    summaries: list[IndicatorSummary]
    html: str = ""  # the rendered cards (the page only)
    cached: bool = False


CHART_CACHE_SECONDS = 24 * 3600


def _live_values(location: Location) -> Any:
    from sustain.indicators.models import IndicatorValue

    return IndicatorValue.objects.filter(location_id=location.pk, archived_at__isnull=True,
                                         indicator__archived_at__isnull=True)


def chart_fingerprint(location: Location) -> str:
    """Changes whenever a chart card of the location could change: any stored value (count,
    sums, last period, last computation or edit) or any indicator definition (one query)."""
    from django.db.models import Count, Max, Sum

    values = list(_live_values(location).values("indicator_id").order_by("indicator_id")
                  .annotate(n=Count("pk"), num=Sum("numerator"), den=Sum("denominator"),
                            last=Max("period_start"), at=Max("computed_at"),
                            edited=Max("updated_at"), ind=Max("indicator__updated_at"),
                            iv=Sum("indicator__version"))
                  .values_list("indicator_id", "n", "num", "den", "last", "at", "edited",
                               "ind", "iv"))
    return hashlib.sha256(repr((location.version, values)).encode()).hexdigest()


def indicator_summaries(location: Location) -> list[IndicatorSummary]:
    """Every live indicator series of the location through the vectorised SPC core in one
    batch (two queries): each indicator's latest variation and assurance icons, by name."""
    import numpy as np

    from sustain.engine.spc import (
        ASSURANCE_NAMES,
        DIRECTION_WORDS,
        VARIATION_ICON_NAMES,
        spc_batch,
        summarise,
    )
    from sustain.indicators.models import Indicator

    rows = list(_live_values(location).filter(value__isnull=False)
                .order_by("indicator_id", "period_start").values_list("indicator_id", "value"))
    by_pk = {i.pk: i for i in Indicator.objects.filter(
        pk__in={r[0] for r in rows}).only("uuid", "code", "name", "unit", "direction",
                                          "target")}
    series: dict[int, list[float]] = {}
    for ind_id, value in rows:
        series.setdefault(ind_id, []).append(float(value))
    indicators = sorted((by_pk[i] for i in series), key=lambda i: (i.name, i.pk))
    ys: list[float] = []
    offsets = [0]
    for ind in indicators:
        ys.extend(series[ind.pk])
        offsets.append(len(ys))
    if not indicators:
        return []
    direction = np.array([DIRECTION_WORDS[i.improvement] for i in indicators], dtype=np.int8)
    targets = np.array([np.nan if i.target is None else i.target for i in indicators])
    result = spc_batch(np.array(ys), np.array(offsets, dtype=np.int64), direction)
    summary = summarise(result, direction, targets)
    return [IndicatorSummary(ind.uuid, ind.code, ind.name, ind.unit,
                             VARIATION_ICON_NAMES[int(summary.variation_icon[n])],
                             ASSURANCE_NAMES[int(summary.assurance[n])])
            for n, ind in enumerate(indicators)]


def _render_cards(location: Location) -> tuple[str, list[IndicatorSummary]]:
    from sustain.indicators.selectors import location_charts

    cards = location_charts(location)
    html = render_to_string("dashboards/_chart_cards.html", {"cards": cards,
                                                             "location": location})
    return html, [IndicatorSummary(c.indicator.uuid, c.indicator.code, c.indicator.name,
                                   c.indicator.unit, c.variation_icon, c.assurance)
                  for c in cards]


def chart_cards(actor: Any, location: Location, *, render: bool = True) -> ChartsPanel | None:
    """The location's indicator cards (theme.view). The page's rendered cards are cached
    under the fingerprint of the values and definitions they draw, so a card is drawn again
    only when something it shows has changed; the API needs no drawing."""
    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    if not render:
        return ChartsPanel(indicator_summaries(location))
    key = f"dashboards:charts:{location.uuid}:{chart_fingerprint(location)}"
    hit = cache.get(key)
    if hit is not None:
        return ChartsPanel(hit[1], mark_safe(hit[0]), cached=True)  # noqa: S308 - rendered here
    html, summaries = _render_cards(location)
    cache.set(key, (html, summaries), CHART_CACHE_SECONDS)
    return ChartsPanel(summaries, html)


# --- concern signals awaiting interpretation --------------------------------------------------

@dataclass
class SignalItem:
    signal: Any
    title: str
    raised: str
    due: str
    overdue: bool
    url: str | None


@dataclass
class SignalsPanel:
    items: list[SignalItem] = field(default_factory=list)
    total: int = 0
    overdue: int = 0
    url: str | None = None


def signals_panel(actor: Any, location: Location, now: dt.datetime) -> SignalsPanel | None:
    """Open concern signals at the location awaiting interpretation, oldest deadline first."""
    from sustain.signals.selectors import awaiting

    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    signals = list(awaiting(actor, location_ids=[location.pk]).select_related("indicator"))
    items = [SignalItem(
        signal=s, title=f"{s.indicator.name}, {_period(s)}",
        raised=_date(s.raised_at), due=_date(s.due_at),
        overdue=s.due_at is not None and s.due_at < now,
        url=url_or_none("signals:detail", s.uuid)) for s in signals]
    return SignalsPanel(items[:PANEL_LIMIT], len(items), sum(i.overdue for i in items),
                        url_or_none("signals:list", query=f"location={location.uuid}"))


def _period(signal: Any) -> str:
    from sustain.indicators.selectors import period_label

    return period_label(signal.indicator, signal.period_start)


# --- drift -----------------------------------------------------------------------------------

@dataclass
class DriftPanel:
    assessment: Any = None
    url: str | None = None


def drift_panel(actor: Any, location: Location, row: LocationRow) -> DriftPanel | None:
    """Needs governance.view at the location (drift names supervisions, audits…)."""
    if not has_perm_at(actor, Perm.GOVERNANCE_VIEW, location.pk):
        return None
    return DriftPanel(row.drift.assessment if row.drift else None,
                      url_or_none("drift:location", location.uuid))


# --- themes by stage -------------------------------------------------------------------------

@dataclass
class StageGroup:
    stage: str
    label: str
    themes: list[Any]


def themes_panel(actor: Any, location: Location) -> list[StageGroup] | None:
    """The location's live themes grouped by stage, most at risk first (one query)."""
    from sustain.themes.models import Theme
    from sustain.themes.permissions import filter_themes_visible

    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    themes = list(filter_themes_visible(Theme.objects.filter(
        location_id=location.pk, archived_at__isnull=True), actor)
        .order_by("title", "pk").only("uuid", "title", "stage", "stage_since"))
    groups = []
    for stage in STAGE_RISK_ORDER:
        found = [t for t in themes if t.stage == stage.value]
        if found:
            groups.append(StageGroup(stage.value, STAGE_LABELS[Stage(stage)], found))
    return groups


# --- overdue governance ----------------------------------------------------------------------

@dataclass
class ListPanel:
    items: list[Any]
    total: int
    url: str | None
    overdue: int = 0


def governance_panel(actor: Any, location: Location, now: dt.datetime) -> ListPanel | None:
    from sustain.governance.selectors import visible_occurrences

    if not has_perm_at(actor, Perm.GOVERNANCE_VIEW, location.pk):
        return None
    qs = visible_occurrences(actor).filter(location_id=location.pk, status="open",
                                           due_at__lt=now)
    items = list(qs.select_related("cadence").order_by("due_at", "pk")[:PANEL_LIMIT])
    for occ in items:
        occ.due_text = _date(occ.due_at)
        occ.days_late = (now - occ.due_at).days
    total = len(items) if len(items) < PANEL_LIMIT else qs.count()
    return ListPanel(items, total, url_or_none("governance:calendar",
                                               query=f"location={location.uuid}"), total)


# --- open escalation tasks -------------------------------------------------------------------

def escalations_panel(actor: Any, location: Location, now: dt.datetime) -> ListPanel | None:
    from sustain.escalations.selectors import task_state, tasks_visible
    from sustain.escalations.views import due_phrase

    if not has_perm_at(actor, Perm.ESCALATION_VIEW, location.pk):
        return None
    qs = tasks_visible(actor).filter(location_id=location.pk, status="open",
                                     archived_at__isnull=True,
                                     firing__archived_at__isnull=True)
    items = list(qs.order_by("due_at", "pk")[:PANEL_LIMIT])
    for task in items:
        task.state = task_state(task, now)
        task.due_text = due_phrase(task, now)
        task.is_overdue = task.due_at < now
    total = len(items) if len(items) < PANEL_LIMIT else qs.count()
    overdue = sum(t.is_overdue for t in items) if total == len(items) else \
        qs.filter(due_at__lt=now).count()
    return ListPanel(items, total, url_or_none("escalations:location-board", location.uuid),
                     overdue)


# --- the whole dashboard ---------------------------------------------------------------------

@dataclass
class LocationDashboard:
    location: Location
    row: LocationRow
    charts: ChartsPanel | None
    signals: SignalsPanel | None
    drift: DriftPanel | None
    themes: list[StageGroup] | None
    governance: ListPanel | None
    escalations: ListPanel | None
    links: dict[str, str | None]


def location_dashboard(actor: Any, location: Location, now: dt.datetime, *,
                       render: bool = True) -> LocationDashboard:
    """Every panel the reader may see at `location` (which the caller found through
    `visible_locations`, so the reader holds theme.view there)."""
    [row] = location_rows(actor, Location.objects.filter(pk=location.pk), now)
    return LocationDashboard(
        location=location, row=row, charts=chart_cards(actor, location, render=render),
        signals=signals_panel(actor, location, now), drift=drift_panel(actor, location, row),
        themes=themes_panel(actor, location),
        governance=governance_panel(actor, location, now),
        escalations=escalations_panel(actor, location, now),
        links={"themes": url_or_none("themes:list", query=f"location={location.uuid}"),
               "location": url_or_none("web:location-detail", location.uuid),
               "indicators": url_or_none("indicators:list", query=f"location={location.uuid}"),
               "inspections": url_or_none("web:location-detail", location.uuid)})
