"""Indicator pages: `indicators:list` (the organisation's indicators, with the chosen
location's latest value and icons), `indicators:detail` (one indicator's MDC chart at a
location, its data and its definition in words), `indicators:value` (the records behind one
value) and `indicators:funnel` (the funnel plot across the reader's locations). The pages
that create, edit and archive indicators are in `views_manage.py`.

Visibility: `theme.view` at the location (default deny); another organisation's indicator,
location or value answers 404. Views never write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from sustain.core.errors import InvalidInput
from sustain.core.visibility import filter_visible
from sustain.engine.access import Perm
from sustain.indicators import permissions as perms
from sustain.indicators import selectors
from sustain.indicators.custom import can_manage
from sustain.indicators.funnels import funnel_kind
from sustain.indicators.models import Indicator, IndicatorValue, Source
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_at
from sustain.web.spc_charts import (
    ASSURANCE_LABELS,
    VARIATION_LABELS,
    fmt,
    funnel_chart_html,
    point_words,
    spc_chart_html,
)
from sustain.web.views.base import get_visible_or_404, preselected, require_perm_anywhere

RECORDS_SHOWN = 200
DIRECTION_WORDS = {"higher_is_better": "Higher is better", "higher_is_worse":
                   "Higher is worse", "neutral": "Neither higher nor lower is better"}


def visible_locations(user: Any) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                              Perm.THEME_VIEW, field="pk").order_by("name")


def visible_indicators(user: Any) -> QuerySet:
    return perms.filter_indicators_visible(Indicator.objects.all(), user)


def chosen_location(request: HttpRequest, locations: QuerySet) -> Location | None:
    """The location named by `?location=` (404 when it is not one the user may see), or the
    user's first visible location."""
    raw = request.GET.get("location")
    if raw:
        found = preselected(locations, raw)
        if found is None:
            raise Http404("No such location.")
        return found
    return locations.first()


def definition_words(ind: Indicator) -> str:
    """How the value is made, in words."""
    from sustain.indicators.compute import COMPUTATIONS

    period = "week (Monday to Sunday)" if ind.frequency == "weekly" else "month"
    num = COMPUTATIONS[ind.numerator].label if ind.numerator in COMPUTATIONS \
        else ind.numerator.replace("_", " ")
    den = COMPUTATIONS[ind.denominator].label if ind.denominator in COMPUTATIONS \
        else ind.denominator.replace("_", " ")
    times = "" if ind.multiplier == 1 else f", × {fmt(ind.multiplier)}"
    where = ("imported with its numerator and denominator" if ind.source == Source.IMPORTED
             else "computed each night from the records")
    text = (f"Each {period} at each location: {num} divided by {den}{times}, {where}. "
            f"{DIRECTION_WORDS[ind.direction]}.")
    if ind.target is not None:
        text += f" Target {fmt(ind.target)} ({ind.unit})."
    text += (f" Limits need at least {ind.minimum_points} points; with fewer than 12 they are "
             "trial limits.")
    return text


@dataclass
class ListRow:
    indicator: Indicator
    card: selectors.ChartCard | None

    @property
    def latest_text(self) -> str:
        latest = self.card.latest if self.card else None
        if latest is None or latest.value is None:
            return "No value yet"
        return (f"{fmt(latest.value)} {self.indicator.unit} "
                f"({selectors.period_label(self.indicator, latest.period_start)})")

    @property
    def target_text(self) -> str:
        target = self.indicator.target
        return "—" if target is None else fmt(target)

    @property
    def variation(self) -> str:
        return VARIATION_LABELS.get(self.card.variation_icon, "") if self.card else ""

    @property
    def assurance(self) -> str:
        if self.card is None or self.card.assurance == "none":
            return ""
        return ASSURANCE_LABELS.get(self.card.assurance, self.card.assurance)


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    locations = visible_locations(user)
    location = chosen_location(request, locations)
    indicators = list(visible_indicators(user).filter(archived_at__isnull=True)
                      .order_by("name"))
    cards = {c.indicator.pk: c for c in selectors.location_charts(location, indicators)} \
        if location is not None else {}
    rows = [ListRow(i, cards.get(i.pk)) for i in indicators]
    return render(request, "indicators/list.html", {
        "rows": rows, "locations": locations, "location": location,
        "can_manage": can_manage(user)})


@login_required
def indicator_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    indicator = get_visible_or_404(Indicator.objects.all(), perms.filter_indicators_visible,
                                   user, uuid)
    locations = visible_locations(user)
    location = chosen_location(request, locations)
    context: dict[str, Any] = {"indicator": indicator, "locations": locations,
                               "location": location, "definition": definition_words(indicator),
                               "has_funnel": funnel_kind(indicator) is not None,
                               "can_manage": can_manage(user), "chart_html": "", "rows": []}
    if location is not None:
        values = selectors.series(indicator, location.pk)
        charted = [v for v in values if v.value is not None]
        chart = selectors.chart(indicator, charted)
        periods = [selectors.period_label(indicator, v.period_start) for v in charted]
        if charted:
            context["chart_html"] = spc_chart_html(
                chart, title=f"{indicator.name} at {location.name}", unit=indicator.unit,
                periods=periods, target=indicator.target, chart_id="indicator-chart",
                links=[reverse("indicators:value", kwargs={"uuid": v.uuid}) for v in charted])
        words = {v.pk: point_words(p) for v, p in zip(charted, chart.points, strict=True)}
        context["rows"] = [{"value": v, "period": selectors.period_label(indicator,
                                                                         v.period_start),
                            "shown": "—" if v.value is None else fmt(v.value),
                            "words": words.get(v.pk, "No value: the denominator is 0")}
                           for v in reversed(values)]
        context["can_import"] = (indicator.source == Source.IMPORTED
                                 and has_perm_at(user, Perm.IMPORT_RUN, location.pk))
    return render(request, "indicators/detail.html", context)


def _record_url(obj: Any) -> str | None:
    """The page of a record behind a value, where it has one."""
    label = obj._meta.label_lower
    targets = {"workforce.supervision": ("workforce:staff", "supervisee"),
               "workforce.trainingrecord": ("workforce:staff", "staff"),
               "medicines.discrepancy": ("medicines:detail", "check_record"),
               "careplans.careplanreview": ("careplans:review-detail", None),
               "people.personsupported": ("web:person-detail", None)}
    name, via = targets.get(label, (f"{obj._meta.app_label}:detail", None))
    target = getattr(obj, via) if via else obj
    try:
        return reverse(name, kwargs={"uuid": target.uuid})
    except (NoReverseMatch, AttributeError):
        return None


@login_required
def value_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    value = get_visible_or_404(
        IndicatorValue.objects.select_related("indicator", "location"),
        perms.filter_indicator_values_visible, user, uuid)
    behind = selectors.records_behind(value)
    records: list[dict[str, Any]] = []
    hidden = 0
    if behind.records is not None:
        total = behind.records.count()
        shown = filter_visible(behind.records, user)
        visible_count = shown.count()
        hidden = total - visible_count
        records = [{"text": str(r), "url": _record_url(r)}
                   for r in shown.order_by("pk")[:RECORDS_SHOWN]]
    return render(request, "indicators/value.html", {
        "value": value, "indicator": value.indicator, "location": value.location,
        "period": selectors.period_label(value.indicator, value.period_start),
        "shown": "—" if value.value is None else fmt(value.value),
        "behind": behind, "records": records, "hidden": hidden,
        "more": behind.records is not None and len(records) == RECORDS_SHOWN})


@login_required
def funnel_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    indicator = get_visible_or_404(Indicator.objects.all(), perms.filter_indicators_visible,
                                   user, uuid)
    context: dict[str, Any] = {"indicator": indicator, "view": None, "problem": ""}
    try:
        view = selectors.funnel_for(indicator, user)
    except InvalidInput as error:
        context["problem"] = error.message
        return render(request, "indicators/funnel.html", context, status=400)
    context["view"] = view
    context["chart_html"] = funnel_chart_html(
        view.funnel, title=f"{indicator.name}, {view.window_text}", unit=indicator.unit,
        names=view.names, chart_id="indicator-funnel")
    context["rows"] = [{"row": r, "value": "—" if r.unit.value is None else fmt(r.unit.value),
                        "position": r.unit.position, "judgement": str(r.unit.judgement)}
                       for r in view.rows]
    return render(request, "indicators/funnel.html", context)
