"""The location dashboard: one function per panel, each reading only what the reader's role
shows at that location. A panel the reader may not see is None (the page omits it).

Panels: indicator chart cards, concern signals awaiting interpretation, drift, themes by
stage, overdue governance, open escalation tasks; and the location's row of facts with its
risk score (`selectors.location_rows`). Each panel runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sustain.dashboards.selectors import (
    LocationRow,
    location_rows,
    optional,
)
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


def _date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y}"


# --- indicator chart cards -------------------------------------------------------------------

@dataclass
class ChartCardView:
    indicator: Any
    chart_html: str
    variation_icon: str
    assurance: str
    latest: str
    url: str | None
    card: Any = None  # the indicators app's ChartCard, when it provides one


def _period_label(start: dt.date, frequency: str) -> str:
    return f"w/c {start.day} {start:%b %Y}" if frequency == "weekly" else f"{start:%b %Y}"


def _cards_from_values(location: Location) -> list[ChartCardView]:
    """Until the indicators app offers `location_charts`: every live indicator series of the
    location (one query), each charted by `indicators.selectors.chart`."""
    from sustain.indicators.models import IndicatorValue
    from sustain.indicators.selectors import chart
    from sustain.web.spc_charts import spc_chart_html, with_unit

    rows = (IndicatorValue.objects.filter(location_id=location.pk, archived_at__isnull=True,
                                          indicator__archived_at__isnull=True,
                                          value__isnull=False)
            .select_related("indicator").order_by("indicator__name", "indicator_id",
                                                  "period_start"))
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.indicator_id, []).append(row)
    cards = []
    for values in grouped.values():
        ind = values[0].indicator
        result = chart(ind, values)
        periods = [_period_label(v.period_start, ind.frequency) for v in values]
        html = spc_chart_html(result, title=ind.name, unit=ind.unit, periods=periods,
                              target=ind.target, chart_id=f"spc-{ind.code}")
        last = values[-1]
        cards.append(ChartCardView(
            indicator=ind, chart_html=html, variation_icon=result.variation_icon,
            assurance=result.assurance,
            latest=f"{periods[-1]}: {with_unit(float(last.value), ind.unit)}",
            url=url_or_none("indicators:detail", ind.uuid, query=f"location={location.uuid}")))
    return cards


def chart_cards(actor: Any, location: Location) -> list[ChartCardView] | None:
    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    provided = optional("sustain.indicators.selectors", "location_charts")
    if provided is None:
        return _cards_from_values(location)
    cards = []
    for card in provided(location):
        ind = card.indicator
        cards.append(ChartCardView(
            indicator=ind, chart_html=str(getattr(card, "chart_html", "")),
            variation_icon=str(getattr(card, "variation_icon", "")),
            assurance=str(getattr(card, "assurance", "")), latest="",
            url=url_or_none("indicators:detail", ind.uuid, query=f"location={location.uuid}"),
            card=card))
    return cards


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
    available: bool
    items: list[SignalItem] = field(default_factory=list)
    total: int = 0
    overdue: int = 0
    url: str | None = None


def signals_panel(actor: Any, location: Location, now: dt.datetime) -> SignalsPanel | None:
    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    awaiting = optional("sustain.signals.selectors", "awaiting")
    if awaiting is None:
        return SignalsPanel(available=False)
    signals = list(awaiting(actor, location_ids=[location.pk]).select_related("indicator"))
    items = [SignalItem(
        signal=s, title=f"{s.indicator.name}, {_date(s.period_start)}",
        raised=_date(s.raised_at), due=_date(s.due_at),
        overdue=s.due_at is not None and s.due_at < now,
        url=url_or_none("signals:detail", s.uuid)) for s in signals]
    return SignalsPanel(True, items[:PANEL_LIMIT], len(items), sum(i.overdue for i in items),
                        url_or_none("signals:list", query=f"location={location.uuid}"))


# --- drift -----------------------------------------------------------------------------------

@dataclass
class DriftPanel:
    available: bool
    assessment: Any = None
    url: str | None = None


def drift_panel(actor: Any, location: Location, row: LocationRow) -> DriftPanel | None:
    """Needs governance.view at the location (drift names supervisions, audits…)."""
    if not has_perm_at(actor, Perm.GOVERNANCE_VIEW, location.pk):
        return None
    if optional("sustain.drift.selectors", "latest_by_location") is None:
        return DriftPanel(available=False)
    return DriftPanel(True, row.drift.assessment if row.drift else None,
                      url_or_none("drift:location", location.uuid))


# --- themes by stage -------------------------------------------------------------------------

@dataclass
class StageGroup:
    stage: str
    label: str
    themes: list[Any]


def themes_panel(actor: Any, location: Location) -> list[StageGroup] | None:
    from sustain.themes.selectors import themes_at

    if not has_perm_at(actor, Perm.THEME_VIEW, location.pk):
        return None
    themes = list(themes_at(actor=actor, location=location).select_related(None)
                  .only("uuid", "title", "stage", "stage_since", "location_id"))
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
    charts: list[ChartCardView] | None
    signals: SignalsPanel | None
    drift: DriftPanel | None
    themes: list[StageGroup] | None
    governance: ListPanel | None
    escalations: ListPanel | None
    links: dict[str, str | None]


def location_dashboard(actor: Any, location: Location, now: dt.datetime) -> LocationDashboard:
    """Every panel the reader may see at `location` (which the caller found through
    `visible_locations`, so the reader holds theme.view there)."""
    [row] = location_rows(actor, Location.objects.filter(pk=location.pk), now)
    return LocationDashboard(
        location=location, row=row, charts=chart_cards(actor, location),
        signals=signals_panel(actor, location, now), drift=drift_panel(actor, location, row),
        themes=themes_panel(actor, location),
        governance=governance_panel(actor, location, now),
        escalations=escalations_panel(actor, location, now),
        links={"themes": url_or_none("themes:list", query=f"location={location.uuid}"),
               "location": url_or_none("web:location-detail", location.uuid),
               "indicators": url_or_none("indicators:list", query=f"location={location.uuid}"),
               "inspections": url_or_none("web:location-detail", location.uuid)})
