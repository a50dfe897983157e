"""People supported: list (filter by location and status), detail, create, edit,
archive/restore. Recorded by reference and initials only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.people import services
from sustain.people.models import PersonSupported
from sustain.people.permissions import can_change_person, filter_people_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere
from sustain.web.forms import PersonEditForm, PersonFilterForm, PersonForm, ReasonForm
from sustain.web.views.base import (
    archive_views,
    get_visible_or_404,
    is_visible,
    paginate,
    preselected,
    render_list,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.web.views.history import can_view_history


def locations_for(user: Any, perm: Perm) -> QuerySet:
    """Active locations where the user holds `perm` (for filters and form choices)."""
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def filter_by_status(qs: QuerySet, status: str, end_field: str) -> QuerySet:
    """current / ended (discharged, left) / archived / all, as of today (Europe/London)."""
    today = timezone.localdate()
    if status == "archived":
        return qs.filter(archived_at__isnull=False)
    if status == "all":
        return qs
    qs = qs.filter(archived_at__isnull=True)
    still_here = Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": today})
    return qs.exclude(still_here) if status in ("discharged", "left") else qs.filter(still_here)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.PERSON_VIEW)
    user = request.user
    form = PersonFilterForm(request.GET or None, locations=locations_for(user, Perm.PERSON_VIEW))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = PersonSupported.objects.select_related("location")
    if filters.get("q"):
        qs = qs.filter(reference__icontains=filters["q"])
    if filters.get("location"):
        qs = qs.filter(location=filters["location"])
    qs = filter_by_status(qs, filters.get("status") or "current", "discharge_date")
    page = paginate(request, filter_people_visible(qs, user).order_by("reference", "pk"))
    return render_list(request, "web/people/list.html", "web/people/_results.html", {
        "form": form, "page": page, "can_create": has_perm_anywhere(user, Perm.PERSON_CHANGE)})


@login_required
def person_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.PERSON_VIEW)
    person = get_visible_or_404(PersonSupported.objects.select_related("location"),
                                filter_people_visible, user, uuid)
    return render(request, "web/people/detail.html", {
        "person": person,
        "can_change": can_change_person(user, person.location_id),
        "can_history": can_view_history(user, person),
        "today": timezone.localdate(),
    })


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.PERSON_CHANGE))
    locations = locations_for(user, Perm.PERSON_CHANGE)
    initial: dict[str, Any] = {"admission_date": timezone.localdate()}
    preselect = preselected(locations, request.GET.get("location"))
    if preselect is not None:
        initial["location"] = preselect
    form = PersonForm(request.POST or None, locations=locations, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = run_service(form, lambda: services.person_create(
            actor=user, organisation=user.organisation, **form.cleaned_data),
            is_visible(filter_people_visible, user))
        if person is not None:
            messages.success(request, f"{person} has been added.")
            return redirect("web:person-detail", uuid=person.uuid)
    return render(request, "web/people/form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.PERSON_VIEW)
    person = get_visible_or_404(PersonSupported.objects.select_related("location"),
                                filter_people_visible, user, uuid)
    require(can_change_person(user, person.location_id))
    initial = {name: getattr(person, name) for name in PersonForm.base_fields}
    initial["version"] = person.version
    form = PersonEditForm(request.POST or None, initial=initial,
                          locations=locations_for(user, Perm.PERSON_CHANGE))
    if request.method == "POST" and form.is_valid():
        updated = run_service(form, lambda: services.person_update(
            actor=user, person=person, changes=form.changes(),
            expected_version=form.cleaned_data["version"]),
            is_visible(filter_people_visible, user))
        if updated is not None:
            messages.success(request, f"Changes to {updated} have been saved.")
            return redirect("web:person-detail", uuid=updated.uuid)
    return render(request, "web/people/form.html", {"form": form, "person": person})


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.PERSON_VIEW)
    person = get_visible_or_404(PersonSupported.objects.all(), filter_people_visible, user, uuid)
    require(can_change_person(user, person.location_id))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.person_archive(actor=user, person=person, reason=reason, restore=restore)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{person} has been {'restored' if restore else 'archived'}.")
    return redirect("web:person-detail", uuid=person.uuid)


person_archive, person_restore = archive_views(_archive)
