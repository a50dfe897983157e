"""Access for organisations, locations and memberships: object checks paired with queryset
filters. Everything denies by default: no organisation or no membership means nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import (
    NO_SCOPE,
    LocationFact,
    LocationScope,
    MembershipFact,
    Perm,
    scope_for,
)

_CACHE_ATTR = "_sustain_scope_cache"


def actor_organisation_id(actor: Any) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if getattr(actor, "archived_at", None) is not None or not actor.is_active:
        return None
    return getattr(actor, "organisation_id", None)


def location_scope(actor: Any, perm: Perm | str) -> LocationScope:
    """The locations `actor` may act on for `perm` (cached on the user object per request)."""
    from sustain.tenancy.models import Location, Membership

    org_id = actor_organisation_id(actor)
    if org_id is None:
        return NO_SCOPE
    cache: dict[str, Any] = actor.__dict__.setdefault(_CACHE_ATTR, {})
    if "facts" not in cache:
        memberships = list(Membership.objects.filter(
            user=actor, organisation_id=org_id, archived_at__isnull=True,
        ).values_list("role", "scope", "region_id", "location_id"))
        cache["facts"] = [MembershipFact(*m) for m in memberships]
        needs_regions = any(m.scope == "region" for m in cache["facts"])
        cache["locations"] = [
            LocationFact(pk, region_id) for pk, region_id in Location.objects.filter(
                organisation_id=org_id).values_list("pk", "region_id")
        ] if needs_regions else []
    key = str(perm)
    if key not in cache:
        cache[key] = scope_for(cache["facts"], cache["locations"], perm)
    result: LocationScope = cache[key]
    return result


def forget_scope(actor: Any) -> None:
    """Drop the cached scope (after memberships change)."""
    actor.__dict__.pop(_CACHE_ATTR, None)


def has_perm_anywhere(actor: Any, perm: Perm | str) -> bool:
    return not location_scope(actor, perm).is_empty


def has_perm_at(actor: Any, perm: Perm | str, location_id: int | None) -> bool:
    """Permission over one location (None = organisation-level: needs organisation scope)."""
    return location_scope(actor, perm).covers(location_id)


def filter_by_location(qs: QuerySet, actor: Any, perm: Perm | str,
                       field: str = "location_id") -> QuerySet:
    """Scope a queryset of location-owned rows: organisation first, then locations."""
    org_id = actor_organisation_id(actor)
    if org_id is None:
        return qs.none()
    scope = location_scope(actor, perm)
    if scope.is_empty:
        return qs.none()
    qs = qs.filter(organisation_id=org_id)
    if scope.whole_organisation:
        return qs
    return qs.filter(**{f"{field}__in": sorted(scope.location_ids)})


def filter_locations_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.LOCATION_VIEW, field="pk")


def can_create_location(actor: Any) -> bool:
    return has_perm_at(actor, Perm.LOCATION_CREATE, None)


def can_change_location(actor: Any, location: Any) -> bool:
    return (location.organisation_id == actor_organisation_id(actor)
            and has_perm_at(actor, Perm.LOCATION_CHANGE, location.pk))


def filter_memberships_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Location memberships by location scope; region/organisation ones need organisation scope."""
    from django.db.models import Q

    org_id = actor_organisation_id(actor)
    scope = location_scope(actor, Perm.MEMBERSHIP_VIEW)
    if org_id is None or scope.is_empty:
        return qs.none()
    qs = qs.filter(organisation_id=org_id)
    if scope.whole_organisation:
        return qs
    return qs.filter(Q(location_id__in=sorted(scope.location_ids)))


def can_change_membership(actor: Any, location_id: int | None) -> bool:
    """Granting roles: administrators over the organisation (or the location in question)."""
    return has_perm_at(actor, Perm.MEMBERSHIP_CHANGE, location_id)


def can_manage_users(actor: Any) -> bool:
    return has_perm_at(actor, Perm.USER_MANAGE, None)


def filter_regions_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Regions are names for groups of locations: visible to anyone who may see a location."""
    org_id = actor_organisation_id(actor)
    if org_id is None or location_scope(actor, Perm.LOCATION_VIEW).is_empty:
        return qs.none()
    return qs.filter(organisation_id=org_id)


# The visibility filter of each tenant-scoped model of this app (see AGENTS.md; checked by
# tests/test_meta.py and collected by sustain.core.visibility).
VISIBILITY_FILTERS = {
    "tenancy.region": filter_regions_visible,
    "tenancy.location": filter_locations_visible,
    "tenancy.membership": filter_memberships_visible,
}
