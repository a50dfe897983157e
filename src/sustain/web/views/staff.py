"""Staff members: list (filter by location and status), detail, create, edit,
archive/restore. A staff member can work at several locations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sustain.accounts.models import User
from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.people import services
from sustain.people.models import StaffMember
from sustain.people.permissions import can_change_staff, filter_staff_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import (
    actor_organisation_id,
    can_manage_users,
    filter_locations_visible,
    has_perm_anywhere,
)
from sustain.web.forms import ReasonForm, StaffEditForm, StaffFilterForm, StaffForm
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
from sustain.web.views.people import filter_by_status, locations_for


def _visible_locations(user: Any) -> Prefetch:
    """Prefetch only the locations the reader may see (others are not named)."""
    return Prefetch("locations", to_attr="visible_locations", queryset=filter_locations_visible(
        Location.objects.order_by("name"), user))


def _users(user: Any) -> QuerySet | None:
    """Accounts that can be linked to a staff record: only administrators link accounts."""
    if not can_manage_users(user):
        return None
    return User.objects.filter(organisation_id=actor_organisation_id(user),
                               is_active=True).order_by("username")


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.STAFF_VIEW)
    user = request.user
    form = StaffFilterForm(request.GET or None, locations=locations_for(user, Perm.STAFF_VIEW))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = StaffMember.objects.prefetch_related(_visible_locations(user))
    if filters.get("q"):
        qs = qs.filter(full_name__icontains=filters["q"])
    if filters.get("location"):
        qs = qs.filter(locations=filters["location"])
    qs = filter_by_status(qs, filters.get("status") or "current", "leaving_date")
    page = paginate(request, filter_staff_visible(qs, user).order_by("full_name", "pk"))
    return render_list(request, "web/staff/list.html", "web/staff/_results.html", {
        "form": form, "page": page, "can_create": has_perm_anywhere(user, Perm.STAFF_CHANGE)})


def _location_ids(staff: StaffMember) -> list[int]:
    return list(staff.locations.values_list("pk", flat=True))


@login_required
def staff_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.STAFF_VIEW)
    staff = get_visible_or_404(
        StaffMember.objects.select_related("user").prefetch_related(_visible_locations(user)),
        filter_staff_visible, user, uuid)
    all_ids = _location_ids(staff)
    return render(request, "web/staff/detail.html", {
        "staff": staff,
        "hidden_locations": len(all_ids) - len(staff.visible_locations),
        "can_change": can_change_staff(user, all_ids),
        "can_history": can_view_history(user, staff),
        "show_user": can_manage_users(user),
        "today": timezone.localdate(),
    })


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.STAFF_CHANGE))
    locations = locations_for(user, Perm.STAFF_CHANGE)
    initial: dict[str, Any] = {"start_date": timezone.localdate()}
    preselect = preselected(locations, request.GET.get("location"))
    if preselect is not None:
        initial["locations"] = [preselect]
    form = StaffForm(request.POST or None, locations=locations, users=_users(user),
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["locations"] = list(data["locations"])
        staff = run_service(form, lambda: services.staff_create(
            actor=user, organisation=user.organisation, **data),
            is_visible(filter_staff_visible, user))
        if staff is not None:
            messages.success(request, f"{staff.full_name} has been added.")
            return redirect("web:staff-detail", uuid=staff.uuid)
    return render(request, "web/staff/form.html", {"form": form, "staff": None})


@login_required
def staff_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.STAFF_VIEW)
    staff = get_visible_or_404(StaffMember.objects.select_related("user"),
                               filter_staff_visible, user, uuid)
    require(can_change_staff(user, _location_ids(staff)))
    initial = {name: getattr(staff, name) for name in StaffForm.base_fields if name != "locations"}
    initial.update(locations=list(staff.locations.all()), version=staff.version)
    form = StaffEditForm(request.POST or None, initial=initial,
                         locations=locations_for(user, Perm.STAFF_CHANGE), users=_users(user))
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        changes["locations"] = list(changes["locations"])
        updated = run_service(form, lambda: services.staff_update(
            actor=user, staff=staff, changes=changes,
            expected_version=form.cleaned_data["version"]),
            is_visible(filter_staff_visible, user))
        if updated is not None:
            messages.success(request, f"Changes to {updated.full_name} have been saved.")
            return redirect("web:staff-detail", uuid=updated.uuid)
    return render(request, "web/staff/form.html", {"form": form, "staff": staff})


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.STAFF_VIEW)
    staff = get_visible_or_404(StaffMember.objects.all(), filter_staff_visible, user, uuid)
    require(can_change_staff(user, _location_ids(staff)))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.staff_archive(actor=user, staff=staff, reason=reason, restore=restore)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        done = "restored" if restore else "archived"
        messages.success(request, f"{staff.full_name} has been {done}.")
    return redirect("web:staff-detail", uuid=staff.uuid)


staff_archive, staff_restore = archive_views(_archive)
