"""Use cases for organisations, regions, locations and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.tenancy import permissions as perms
from sustain.tenancy.models import Location, Membership, Organisation, Region

LOCATION_FIELDS = (
    "cqc_location_id", "name", "service_type", "capacity", "region", "address_line_1",
    "address_line_2", "town", "postcode", "local_authority", "registration_date",
    "registered_manager", "day_shift_start", "night_shift_start",
)


def organisation_create(*, actor: Any, name: str, slug: str, **fields: Any) -> Organisation:
    """Create a tenant. Only system operators (CLI, demo, superusers) do this."""
    if actor is not None and not isinstance(actor, str) and not actor.is_superuser:
        raise PermissionDenied("Only a system administrator can create an organisation.")
    return tracked_create(actor=actor, obj=Organisation(name=name, slug=slug, **fields))


ORGANISATION_SETTINGS = ("name", "cqc_provider_id", "supervision_interval_weeks")


def organisation_update(*, actor: Any, organisation: Organisation, changes: dict[str, Any],
                        expected_version: int | None) -> Organisation:
    """Change an organisation's settings (its administrators: `user.manage` over the whole
    organisation). Bad values are refused naming the field; a stale version is a conflict."""
    if not isinstance(actor, str | None) and (
            getattr(actor, "organisation_id", None) != organisation.pk
            or not perms.can_manage_users(actor)):
        raise PermissionDenied("Only an administrator of the organisation can change its "
                               "settings.")
    _unknown(changes, ORGANISATION_SETTINGS)
    with transaction.atomic():
        return tracked_update(actor=actor, obj=organisation, changes=changes,
                              expected_version=expected_version)


def region_create(*, actor: Any, organisation: Organisation, name: str) -> Region:
    if not isinstance(actor, str | None) and not perms.can_create_location(actor):
        raise PermissionDenied("Only an administrator can add a region.")
    return tracked_create(actor=actor, obj=Region(organisation=organisation, name=name))


def _check_related(organisation: Organisation, fields: dict[str, Any]) -> None:
    for name in ("region", "registered_manager"):
        value = fields.get(name)
        if value is not None and value.organisation_id != organisation.pk:
            raise InvalidInput(f"The {name.replace('_', ' ')} belongs to another organisation.",
                               {name: ["Not found in this organisation."]})


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


def location_create(*, actor: Any, organisation: Organisation, **fields: Any) -> Location:
    """Register a CQC location in the organisation (administrators)."""
    if not isinstance(actor, str | None) and (
            actor.organisation_id != organisation.pk or not perms.can_create_location(actor)):
        raise PermissionDenied("Only an administrator can add a location.")
    _unknown(fields, LOCATION_FIELDS)
    _check_related(organisation, fields)
    return tracked_create(actor=actor, obj=Location(organisation=organisation, **fields))


def location_update(*, actor: Any, location: Location, changes: dict[str, Any],
                    expected_version: int | None) -> Location:
    if not isinstance(actor, str | None) and not perms.can_change_location(actor, location):
        raise PermissionDenied("Your role cannot change this location.")
    _unknown(changes, LOCATION_FIELDS)
    _check_related(location.organisation, changes)
    return tracked_update(actor=actor, obj=location, changes=changes,
                          expected_version=expected_version)


def location_archive(*, actor: Any, location: Location, reason: str = "",
                     restore: bool = False) -> Location:
    if not isinstance(actor, str | None) and not perms.can_create_location(actor):
        raise PermissionDenied("Only an administrator can archive a location.")
    return tracked_archive(actor=actor, obj=location, reason=reason, restore=restore)


def membership_create(*, actor: Any, organisation: Organisation, user: Any, role: str,
                      scope: str, region: Region | None = None,
                      location: Location | None = None) -> Membership:
    """Give a user a role over a scope. Administrators only; checks every part is in the org."""
    target_location = location.pk if location is not None else None
    if not isinstance(actor, str | None) and (
            actor.organisation_id != organisation.pk
            or not perms.can_change_membership(actor, target_location if scope == "location"
                                               else None)):
        raise PermissionDenied("Only an administrator can grant roles.")
    with transaction.atomic():
        membership = tracked_create(actor=actor, obj=Membership(
            organisation=organisation, user=user, role=role, scope=scope, region=region,
            location=location))
    perms.forget_scope(user)
    return membership


def membership_archive(*, actor: Any, membership: Membership, reason: str = "",
                       restore: bool = False) -> Membership:
    """Withdraw (or give back) a role. The membership stays in history."""
    if not isinstance(actor, str | None) and not perms.can_change_membership(
            actor, membership.location_id if membership.scope == "location" else None):
        raise PermissionDenied("Only an administrator can withdraw roles.")
    result = tracked_archive(actor=actor, obj=membership, reason=reason, restore=restore)
    perms.forget_scope(membership.user)
    return result
