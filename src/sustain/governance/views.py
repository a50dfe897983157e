"""Governance calendar pages: a location's calendar (overdue, this week, this month; each
cadence's on-time / late / missed record over three months), the cadence form, and "mark
complete" with a record or a reason. Phone-first: one column, plain forms, no script needed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.accounts.models import User
from sustain.accounts.permissions import filter_colleagues_visible
from sustain.audits.models import AuditTemplate
from sustain.core.errors import ApplicationError
from sustain.core.visibility import visibility_filters
from sustain.engine import cadence_rules as engine
from sustain.engine.access import Perm
from sustain.governance import permissions as perms
from sustain.governance import selectors, services
from sustain.governance.forms import CadenceForm, CompleteForm
from sustain.governance.models import Cadence, Occurrence
from sustain.governance.rules import kinds_for_cadence
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere, has_perm_at
from sustain.web.views.base import (
    apply_errors,
    get_visible_or_404,
    is_visible,
    preselected,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.web.views.history import can_view_history

ORGANISATION = "organisation"
MAX_RECORD_CHOICES = 30


def _locations(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.GOVERNANCE_VIEW)
    user = request.user
    locations = _locations(user, Perm.GOVERNANCE_VIEW)
    org_wide = has_perm_at(user, Perm.GOVERNANCE_VIEW, None)
    raw = request.GET.get("location")
    location = preselected(locations, raw)
    organisation = org_wide and raw == ORGANISATION
    if location is None and not organisation:
        location = locations.first()
        if location is None and org_wide:
            organisation = True
    now = timezone.now()
    cal = selectors.calendar_for(actor=user, location=location, now=now) \
        if (location is not None or organisation) else None
    where_id = location.pk if location is not None else None
    return render(request, "governance/calendar.html", {
        "locations": locations, "location": location, "organisation": organisation,
        "org_wide": org_wide, "cal": cal,
        "can_manage": perms.can_manage_cadence(user, where_id),
        "can_complete": perms.can_complete(user, where_id),
        "status_labels": {s.value: label for s, label in engine.STATUS_LABELS.items()},
    })


def _form_context(user: Any) -> dict[str, Any]:
    templates = sorted({(t.code, t.title) for t in AuditTemplate.objects.filter(
        archived_at__isnull=True, organisation__in=[user.organisation]).only("code", "title")}
        | {(t.code, t.title) for t in AuditTemplate.objects.filter(
            archived_at__isnull=True, organisation__isnull=True).only("code", "title")},
        key=lambda pair: pair[1])
    return {"locations": _locations(user, Perm.CADENCE_MANAGE),
            "people": filter_colleagues_visible(User.objects.filter(is_active=True), user)
            .order_by("first_name", "last_name", "username"),
            "templates": list(dict(templates).items())}


def _calendar_url(cadence: Cadence) -> str:
    where = cadence.location.uuid if cadence.location_id else ORGANISATION
    return f"{reverse('governance:calendar')}?location={where}"


@login_required
@require_http_methods(["GET", "POST"])
def cadence_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.CADENCE_MANAGE))
    context = _form_context(user)
    location = preselected(context["locations"], request.GET.get("location"))
    data = request.POST if request.method == "POST" else None
    form = CadenceForm(data, initial={"location": location, "grace_days": 0,
                                      "frequency": "weekly", "completes_with": "note"},
                       **context)
    form.fields["version"].required = False
    if data is not None and form.is_valid():
        cadence = run_service(form, lambda: services.cadence_create(
            actor=user, organisation=user.organisation, **form.service_values()),
            check_visible=is_visible(perms.filter_cadences_visible, user))
        if cadence is not None:
            messages.success(request, f"Cadence “{cadence.title}” set up: "
                                      f"{cadence.rule_text.lower()}.")
            return redirect(_calendar_url(cadence))
    return render(request, "governance/cadence_form.html", {"form": form, "cadence": None})


@login_required
@require_http_methods(["GET", "POST"])
def cadence_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    cadence = get_visible_or_404(Cadence.objects.select_related("location", "owner_person"),
                                 perms.filter_cadences_visible, user, uuid)
    require(perms.can_manage_cadence(user, cadence.location_id))
    data = request.POST if request.method == "POST" else None
    form = CadenceForm(data, initial=CadenceForm.initial_from(cadence), **_form_context(user))
    if data is not None and form.is_valid():
        values = form.service_values()
        changes = {k: v for k, v in values.items() if getattr(cadence, k) != v}
        done = run_service(form, lambda: services.cadence_update(
            actor=user, cadence=cadence, expected_version=form.cleaned_data["version"],
            changes=changes), check_visible=is_visible(perms.filter_cadences_visible, user))
        if done is not None:
            messages.success(request, f"Cadence “{done.title}” saved.")
            return redirect(_calendar_url(done))
    return render(request, "governance/cadence_form.html", {
        "form": form, "cadence": cadence, "can_history": can_view_history(user, cadence)})


def _record_choices(user: Any, occurrence: Occurrence) -> tuple[list[tuple[str, str]],
                                                                dict[str, Any]]:
    """Records the user can see that would complete this occurrence (right kind, place and
    window), newest first."""
    from django.apps import apps

    cadence = occurrence.cadence
    choices: list[tuple[str, str]] = []
    found: dict[str, Any] = {}
    for kind in kinds_for_cadence(cadence):
        try:
            model = apps.get_model(kind.label)
        except LookupError:
            continue
        qs = model._default_manager.filter(organisation_id=occurrence.organisation_id,
                                           archived_at__isnull=True)
        if cadence.location_id is not None:
            qs = qs.filter(location_id=cadence.location_id)
        visible = visibility_filters().get(kind.label)
        qs = visible(qs, user) if visible is not None else qs.none()
        for record in qs.order_by("-pk")[:200]:
            moment = kind.belongs_at(record)
            if not kind.finished(record) or moment is None or \
                    not kind.matches(cadence.completes_params or {}, record) or \
                    not engine.accepts(window_start=occurrence.window_start,
                                       due_at=occurrence.due_at,
                                       grace_days=cadence.grace_days, at=moment):
                continue
            key = f"{kind.label}:{record.uuid}"
            choices.append((key, str(record)))
            found[key] = record
            if len(choices) >= MAX_RECORD_CHOICES:
                return choices, found
    return choices, found


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_complete_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    occurrence = get_visible_or_404(
        Occurrence.objects.select_related("cadence", "location"),
        perms.filter_occurrences_visible, user, uuid)
    require(perms.can_complete(user, occurrence.location_id))
    choices, found = _record_choices(user, occurrence)
    data = request.POST if request.method == "POST" else None
    form = CompleteForm(data, initial={"version": occurrence.version}, records=choices)
    if data is not None and form.is_valid():
        record = found.get(form.cleaned_data.get("record") or "")
        try:
            done = services.occurrence_complete(
                actor=user, occurrence=occurrence, record=record,
                reason=form.cleaned_data.get("reason") or "",
                expected_version=form.cleaned_data["version"])
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{occurrence.cadence.title}” marked "
                                      f"{done.get_status_display().lower()}.")
            return redirect(_calendar_url(occurrence.cadence))
    classified = engine.classify(due_at=occurrence.due_at,
                                 grace_days=occurrence.cadence.grace_days,
                                 completed_at=occurrence.completed_at, now=timezone.now(),
                                 rule=occurrence.cadence.rule)
    return render(request, "governance/complete.html", {
        "form": form, "occurrence": occurrence, "classified": classified,
        "completed_by": occurrence.cadence.get_completes_with_display(),
        "back": _calendar_url(occurrence.cadence),
        "can_history": can_view_history(user, occurrence)})
