"""Pages that change indicator definitions: `indicators:new` (a custom indicator),
`indicators:edit` (a custom one in full; a library copy's target, minimum points and
frequency) and `indicators:archive` (POST) need `indicator.manage` over the whole
organisation; `indicators:upload` (an imported indicator's values) needs `import.run` at the
location. Every change goes through `services` (history with before and after)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sustain.core.errors import ApplicationError, Conflict
from sustain.engine.access import Perm
from sustain.indicators import permissions as perms
from sustain.indicators import services
from sustain.indicators.custom import FIELDS, can_manage
from sustain.indicators.forms import ArchiveForm, IndicatorForm, LibraryIndicatorForm
from sustain.indicators.models import Indicator, Source
from sustain.indicators.upload import COLUMNS, PROBLEMS_SHOWN, values_upload
from sustain.indicators.views import visible_locations
from sustain.tenancy.models import Organisation
from sustain.tenancy.permissions import actor_organisation_id, filter_by_location
from sustain.web.views.base import CONFLICT_MESSAGE, get_visible_or_404, preselected, require
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


class UploadForm(forms.Form):
    location = forms.ModelChoiceField(queryset=None, label="Location", to_field_name="uuid",
                                      help_text="The values are recorded at this location.")
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)",
                           help_text="Columns indicator_code, period, numerator, denominator. "
                                     "Nothing is written while any row has a problem.")

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"


@login_required
@require_http_methods(["GET", "POST"])
def values_upload_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Upload an imported indicator's values at a location: "Check" previews every row
    (problems by row and column), "Import" writes them all or none."""
    user = request.user
    indicator = get_visible_or_404(Indicator.objects.all(), perms.filter_indicators_visible,
                                   user, uuid)
    if indicator.source != Source.IMPORTED:
        raise Http404("This indicator is computed from records.")
    locations = filter_by_location(visible_locations(user), user, Perm.IMPORT_RUN, field="pk")
    require(locations.exists())
    form = UploadForm(request.POST or None, request.FILES or None, locations=locations,
                      initial={"location": preselected(locations, request.GET.get("location"))})
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                result = values_upload(
                    actor=user, indicator=indicator, location=form.cleaned_data["location"],
                    fileobj=upload, size=upload.size, today=timezone.localdate(),
                    write="import" in request.POST)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            if result.written:
                messages.success(request, f"Imported {len(result.rows)} values "
                                          f"({result.created} new, {result.updated} updated).")
                return redirect(reverse("indicators:detail", kwargs={"uuid": indicator.uuid})
                                + f"?location={form.cleaned_data['location'].uuid}")
    return render(request, "indicators/upload.html", {
        "indicator": indicator, "form": form, "result": result, "columns": COLUMNS,
        "problems": result.problems[:PROBLEMS_SHOWN] if result else []},
        status=400 if form.errors or (result is not None and not result.ok) else 200)
