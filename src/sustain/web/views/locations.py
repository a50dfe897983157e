"""Locations: list (filter, paginate), detail, create, edit, archive/restore.

Both the list and the detail page run a fixed number of SQL queries however many locations,
people or staff exist: counts are correlated subqueries and related rows are joined.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.inspections.selectors import with_latest_rating
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy import services
from sustain.tenancy.models import Location, Membership, Region
from sustain.tenancy.permissions import (
    actor_organisation_id,
    can_change_location,
    can_create_location,
    filter_locations_visible,
    has_perm_at,
)
from sustain.web.forms import LocationEditForm, LocationFilterForm, LocationForm, ReasonForm
from sustain.web.views.base import (
    archive_views,
    get_visible_or_404,
    is_visible,
    paginate,
    render_list,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.web.views.history import can_view_history
from sustain.web.views.home import role_label, scope_label


def _count(qs: QuerySet, field: str) -> Coalesce:
    sub = qs.filter(**{field: OuterRef("pk")}).order_by().values(field) \
        .annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet) -> QuerySet:
    """Annotate current people and current staff per location (one query for any number)."""
    today = timezone.localdate()
    people = PersonSupported.objects.filter(
        Q(discharge_date__isnull=True) | Q(discharge_date__gte=today), archived_at__isnull=True)
    staff = StaffMember.locations.through.objects.filter(
        Q(staffmember__leaving_date__isnull=True) | Q(staffmember__leaving_date__gte=today),
        staffmember__archived_at__isnull=True)
    return qs.annotate(people_count=_count(people, "location_id"),
                       staff_count=_count(staff, "location_id"))


def org_regions(user: Any) -> QuerySet:
    return Region.objects.filter(organisation_id=actor_organisation_id(user),
                                 archived_at__isnull=True).order_by("name")


@login_required
def location_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.LOCATION_VIEW)
    form = LocationFilterForm(request.GET or None, regions=org_regions(request.user))
    qs = Location.objects.select_related("region")
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = form.cleaned_data
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    if filters.get("service_type"):
        qs = qs.filter(service_type=filters["service_type"])
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if not filters.get("archived"):
        qs = qs.filter(archived_at__isnull=True)
    qs = with_counts(filter_locations_visible(qs, request.user)).order_by("name", "pk")
    qs = with_latest_rating(qs, request.user)  # latest overall CQC rating (a subquery)
    page = paginate(request, qs)
    return render_list(request, "web/locations/list.html", "web/locations/_results.html", {
        "form": form, "page": page, "can_create": can_create_location(request.user)})


def roles_held_at(location: Location) -> QuerySet:
    """Active memberships that apply at `location`: there, over its region, or everywhere."""
    where = Q(scope="organisation") | Q(scope="location", location=location)
    if location.region_id:
        where |= Q(scope="region", region_id=location.region_id)
    return Membership.objects.filter(
        where, organisation_id=location.organisation_id, archived_at__isnull=True,
        user__is_active=True,
    ).select_related("user", "region", "location").order_by("role", "user__username")


@login_required
def location_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    qs = with_counts(Location.objects.select_related("region", "registered_manager"))
    location = get_visible_or_404(qs, filter_locations_visible, user, uuid)
    holders = None
    if has_perm_at(user, Perm.MEMBERSHIP_VIEW, location.pk):
        holders = [(m.user, role_label(m.role), scope_label(m))
                   for m in roles_held_at(location)]
    return render(request, "web/locations/detail.html", {
        "location": location,
        "holders": holders,
        "can_change": can_change_location(user, location),
        "can_archive": can_create_location(user),
        "can_history": can_view_history(user, location),
        "can_people": has_perm_at(user, Perm.PERSON_VIEW, location.pk),
        "can_staff": has_perm_at(user, Perm.STAFF_VIEW, location.pk),
    })


@login_required
def location_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(can_create_location(user))
    form = LocationForm(request.POST or None, regions=org_regions(user),
                        initial={"day_shift_start": "08:00", "night_shift_start": "20:00"})
    if request.method == "POST" and form.is_valid():
        location = run_service(form, lambda: services.location_create(
            actor=user, organisation=user.organisation, **form.cleaned_data),
            is_visible(filter_locations_visible, user))
        if location is not None:
            messages.success(request, f"{location.name} has been added.")
            return redirect("web:location-detail", uuid=location.uuid)
    return render(request, "web/locations/form.html", {"form": form, "location": None})


def _managers(location: Location, user: Any) -> QuerySet:
    """Staff at the location (and the current manager, even if no longer listed there)."""
    at_location = Q(locations=location, archived_at__isnull=True)
    if location.registered_manager_id:
        at_location |= Q(pk=location.registered_manager_id)
    return filter_staff_visible(StaffMember.objects.filter(at_location), user) \
        .distinct().order_by("full_name")


@login_required
def location_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    location = get_visible_or_404(Location.objects.select_related("region", "registered_manager"),
                                  filter_locations_visible, user, uuid)
    require(can_change_location(user, location))
    initial = {name: getattr(location, name) for name in LocationForm.base_fields}
    initial.update(region=location.region, registered_manager=location.registered_manager,
                   version=location.version)
    form = LocationEditForm(request.POST or None, initial=initial, regions=org_regions(user),
                            managers=_managers(location, user))
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        updated = run_service(form, lambda: services.location_update(
            actor=user, location=location, changes=data,
            expected_version=form.cleaned_data["version"]),
            is_visible(filter_locations_visible, user))
        if updated is not None:
            messages.success(request, f"Changes to {updated.name} have been saved.")
            return redirect("web:location-detail", uuid=updated.uuid)
    return render(request, "web/locations/form.html", {"form": form, "location": location})


def _archive(request: HttpRequest, uuid: Any, restore: bool) -> HttpResponse:
    user = request.user
    location = get_visible_or_404(Location.objects.all(), filter_locations_visible, user, uuid)
    require(can_create_location(user))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.location_archive(actor=user, location=location, reason=reason,
                                  restore=restore)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        done = "restored" if restore else "archived"
        messages.success(request, f"{location.name} has been {done}.")
    return redirect("web:location-detail", uuid=location.uuid)


location_archive, location_restore = archive_views(_archive)
