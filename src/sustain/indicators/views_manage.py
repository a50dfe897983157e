"""Pages that change indicator definitions: `indicators:new` (a custom indicator),
`indicators:edit` (a custom one in full; a library copy's target, minimum points and
frequency) and `indicators:archive` (POST). They need `indicator.manage` over the whole
organisation; every change goes through `services` (history with before and after)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sustain.core.errors import ApplicationError, Conflict
from sustain.indicators import permissions as perms
from sustain.indicators import services
from sustain.indicators.custom import FIELDS, can_manage
from sustain.indicators.forms import ArchiveForm, IndicatorForm, LibraryIndicatorForm
from sustain.indicators.models import Indicator, Source
from sustain.tenancy.models import Organisation
from sustain.tenancy.permissions import actor_organisation_id
from sustain.web.views.base import CONFLICT_MESSAGE, get_visible_or_404, require
from sustain.web.views.history import can_view_history


def _initial(indicator: Indicator) -> dict[str, Any]:
    data = {name: getattr(indicator, name) for name in FIELDS}
    data["version"] = indicator.version
    if indicator.source == Source.IMPORTED:
        data["imported_numerator"], data["imported_denominator"] = \
            indicator.numerator, indicator.denominator
        data["numerator"] = data["denominator"] = ""
    return data


def _page(request: HttpRequest, indicator: Indicator | None) -> HttpResponse:
    user = request.user
    require(can_manage(user))
    library = indicator is not None and indicator.from_library
    form_class = LibraryIndicatorForm if library else IndicatorForm
    data = request.POST if request.method == "POST" else None
    initial = _initial(indicator) if indicator is not None else {
        "source": Source.COMPUTED, "frequency": "monthly", "direction": "higher_is_worse",
        "kind": "rate", "multiplier": 1, "minimum_points": 12}
    form = form_class(data, initial=initial)
    if indicator is not None and not library:
        form.fields["code"].disabled = True
    if data is not None and form.is_valid():
        fields = form.service_fields()
        try:
            with transaction.atomic():
                if indicator is None:
                    org = Organisation.objects.get(pk=actor_organisation_id(user))
                    saved = services.indicator_create(actor=user, organisation=org, **fields)
                else:
                    fields.pop("code", None)
                    saved = services.indicator_update(
                        actor=user, indicator=indicator,
                        expected_version=form.cleaned_data.get("version") or indicator.version,
                        changes=fields)
        except ApplicationError as error:
            if isinstance(error, Conflict):
                form.add_error(None, CONFLICT_MESSAGE)
            else:
                form.place_errors(error.errors)
                if not error.errors:
                    form.add_error(None, error.message)
        else:
            messages.success(request, f"Indicator “{saved.name}” saved.")
            return redirect("indicators:detail", uuid=saved.uuid)
    return render(request, "indicators/form.html", {
        "form": form, "indicator": indicator, "library": library,
        "archive_form": ArchiveForm(initial={"version": indicator.version})
        if indicator is not None and indicator.archived_at is None else None,
        "can_history": indicator is not None and can_view_history(user, indicator)},
        status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    indicator = get_visible_or_404(Indicator.objects.all(), perms.filter_indicators_visible,
                                   request.user, uuid)
    return _page(request, indicator)


@login_required
@require_POST
def indicator_archive(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    indicator = get_visible_or_404(Indicator.objects.all(), perms.filter_indicators_visible,
                                   user, uuid)
    require(can_manage(user))
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.indicator_archive(actor=user, indicator=indicator,
                                           expected_version=form.cleaned_data["version"],
                                           reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Indicator “{indicator.name}” archived.")
            return redirect("indicators:list")
    return redirect("indicators:edit", uuid=indicator.uuid)
