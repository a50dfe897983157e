"""Home: the signed-in user's organisation, their roles and the locations they may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sustain.engine.access import ROLE_LABELS, Role
from sustain.tenancy.models import Location, Membership
from sustain.tenancy.permissions import actor_organisation_id, filter_locations_visible
from sustain.web.views.base import paginate


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def scope_label(membership: Membership) -> str:
    if membership.scope == "organisation":
        return "whole organisation"
    if membership.scope == "region":
        return f"{membership.region} region"
    return str(membership.location)


def roles_at(location: Location, memberships: list[Membership]) -> list[str]:
    """The user's roles that apply at `location`, with where each comes from."""
    labels = []
    for m in memberships:
        if m.scope == "organisation":
            labels.append(f"{role_label(m.role)} (whole organisation)")
        elif m.scope == "region" and m.region_id and m.region_id == location.region_id:
            labels.append(f"{role_label(m.role)} (region)")
        elif m.scope == "location" and m.location_id == location.pk:
            labels.append(role_label(m.role))
    return labels


def my_memberships(user: Any) -> list[Membership]:
    org_id = actor_organisation_id(user)
    if org_id is None:
        return []
    return list(Membership.objects.filter(
        user=user, organisation_id=org_id, archived_at__isnull=True,
    ).select_related("region", "location").order_by("role", "scope"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = my_memberships(request.user)
    locations = filter_locations_visible(
        Location.objects.filter(archived_at__isnull=True).select_related("region"),
        request.user).order_by("name")
    page = paginate(request, locations, per_page=50)
    rows = [(loc, roles_at(loc, memberships)) for loc in page]
    return render(request, "web/home.html", {
        "memberships": [(role_label(m.role), scope_label(m)) for m in memberships],
        "page": page,
        "rows": rows,
    })
