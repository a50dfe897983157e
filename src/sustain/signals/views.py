"""Pages: the signals list (awaiting interpretation first) and a signal with its chart and the
interpretation form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.indicators import selectors as indicator_selectors
from sustain.indicators.models import IndicatorValue
from sustain.signals import permissions as perms
from sustain.signals import services
from sustain.signals.explain import method_name
from sustain.signals.forms import InterpretForm, SignalFilterForm
from sustain.signals.models import Signal
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location
from sustain.themes.models import Action, Theme
from sustain.web.spc_charts import spc_chart_html
from sustain.web.views.base import apply_errors, get_visible_or_404, paginate, require_perm_anywhere


def _signals(user: Any) -> QuerySet:
    return perms.filter_signals_visible(Signal.objects.select_related(
        "indicator", "location", "owner", "theme", "action", "interpreted_by"), user)


@login_required
def signal_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    locations = filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                                   Perm.THEME_VIEW, field="pk").order_by("name")
    form = SignalFilterForm(request.GET or None, locations=locations)
    qs = _signals(user).filter(archived_at__isnull=True)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("location"):
            qs = qs.filter(location=data["location"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("direction"):
            qs = qs.filter(direction=data["direction"])
    qs = qs.annotate(awaiting=Case(When(status=Signal.Status.OPEN, then=Value(0)),
                                   default=Value(1), output_field=IntegerField())
                     ).order_by("awaiting", "due_at", "-period_start", "pk")
    page = paginate(request, qs)
    return render(request, "signals/list.html", {
        "form": form, "page": page, "now": timezone.now()})


def _records_url(signal: Signal) -> str:
    value = IndicatorValue.objects.filter(indicator_id=signal.indicator_id,
                                          location_id=signal.location_id,
                                          period_start=signal.period_start).first()
    if value is None:
        return ""
    try:
        return reverse("indicators:value", kwargs={"uuid": value.uuid})
    except NoReverseMatch:
        return ""


def _chart(signal: Signal) -> str:
    values = [v for v in indicator_selectors.series(signal.indicator, signal.location_id)
              if v.value is not None]
    if not values:
        return ""
    chart = indicator_selectors.chart(signal.indicator, values)
    return spc_chart_html(chart, title=f"{signal.indicator.name}, {signal.location.name}",
                          unit=signal.indicator.unit,
                          periods=[f"{v.period_start:%b %Y}" for v in values],
                          target=signal.indicator.target, chart_id="signal-chart")


def _form(signal: Signal, user: Any, data: Any = None) -> InterpretForm:
    themes = filter_by_location(Theme.objects.filter(
        location_id=signal.location_id, archived_at__isnull=True), user, Perm.THEME_VIEW
    ).order_by("title")
    actions = filter_by_location(Action.objects.filter(
        location_id=signal.location_id, archived_at__isnull=True), user, Perm.THEME_VIEW
    ).order_by("due_date", "pk")
    return InterpretForm(data, themes=themes, actions=actions,
                         initial={"version": signal.version})


@login_required
@require_http_methods(["GET", "POST"])
def signal_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    signal = get_visible_or_404(_signals(user), lambda qs, _: qs, user, uuid)
    can_interpret = (signal.status == Signal.Status.OPEN and signal.is_concern
                     and perms.can_interpret(user, signal))
    form = _form(signal, user) if can_interpret else None
    status = 200
    if request.method == "POST":
        if not can_interpret:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("You cannot interpret this signal.")
        form = _form(signal, user, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.interpret(actor=user, signal=signal, meaning=data["meaning"],
                                       response=data["response"], theme=data.get("theme"),
                                       action=data.get("action"),
                                       expected_version=data.get("version") or None)
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Interpretation recorded.")
                return redirect("signals:detail", uuid=signal.uuid)
        status = 400
    return render(request, "signals/detail.html", {
        "signal": signal, "form": form, "chart_html": _chart(signal),
        "records_url": _records_url(signal), "method": method_name(signal.method),
        "now": timezone.now(), "overdue": signal.status == Signal.Status.OPEN
        and signal.due_at is not None and signal.due_at < timezone.now()}, status=status)
