"""Use cases for people supported and staff members."""

from __future__ import annotations

from typing import Any

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.people import permissions as perms
from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.models import Location, Organisation

PERSON_FIELDS = ("reference", "initials", "location", "admission_date", "discharge_date")
STAFF_FIELDS = ("full_name", "job_role", "staff_reference", "start_date", "leaving_date", "user")


def _is_system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _same_org(organisation: Organisation, field: str, obj: Any) -> None:
    if obj is not None and obj.organisation_id != organisation.pk:
        raise InvalidInput(f"The {field} belongs to another organisation.",
                           {field: ["Not found in this organisation."]})


def person_create(*, actor: Any, organisation: Organisation, location: Location,
                  **fields: Any) -> PersonSupported:
    """Record a person supported at a location (reference + initials only)."""
    _same_org(organisation, "location", location)
    if not _is_system(actor) and not perms.can_change_person(actor, location.pk):
        raise PermissionDenied("Your role cannot add people at this location.")
    if "initials" in fields and isinstance(fields["initials"], str):
        fields["initials"] = fields["initials"].upper().strip()
    return tracked_create(actor=actor, obj=PersonSupported(
        organisation=organisation, location=location, **fields))


def person_update(*, actor: Any, person: PersonSupported, changes: dict[str, Any],
                  expected_version: int | None) -> PersonSupported:
    new_location = changes.get("location", person.location)
    _same_org(person.organisation, "location", new_location)
    if not _is_system(actor) and not (perms.can_change_person(actor, person.location_id)
                                      and perms.can_change_person(actor, new_location.pk)):
        raise PermissionDenied("Your role cannot change this person's record.")
    return tracked_update(actor=actor, obj=person, changes=changes,
                          expected_version=expected_version)


def person_archive(*, actor: Any, person: PersonSupported, reason: str = "",
                   restore: bool = False) -> PersonSupported:
    if not _is_system(actor) and not perms.can_change_person(actor, person.location_id):
        raise PermissionDenied("Your role cannot archive this person's record.")
    return tracked_archive(actor=actor, obj=person, reason=reason, restore=restore)


def staff_create(*, actor: Any, organisation: Organisation, locations: list[Location],
                 **fields: Any) -> StaffMember:
    """Add a staff member working at one or more locations."""
    if not locations:
        raise InvalidInput("Choose at least one location.", {"locations": ["Required."]})
    for loc in locations:
        _same_org(organisation, "locations", loc)
    _same_org(organisation, "user", fields.get("user"))
    if not _is_system(actor) and not perms.can_change_staff(actor, [x.pk for x in locations]):
        raise PermissionDenied("Your role cannot add staff at these locations.")
    return tracked_create(actor=actor, obj=StaffMember(organisation=organisation, **fields),
                          m2m={"locations": locations})


def staff_update(*, actor: Any, staff: StaffMember, changes: dict[str, Any],
                 expected_version: int | None) -> StaffMember:
    changes = dict(changes)
    locations = changes.pop("locations", None)
    current_ids = list(staff.locations.values_list("pk", flat=True))
    new_ids = [x.pk for x in locations] if locations is not None else current_ids
    if locations is not None:
        if not locations:
            raise InvalidInput("Choose at least one location.", {"locations": ["Required."]})
        for loc in locations:
            _same_org(staff.organisation, "locations", loc)
    _same_org(staff.organisation, "user", changes.get("user"))
    if not _is_system(actor) and not perms.can_change_staff(actor, current_ids + new_ids):
        raise PermissionDenied("Your role cannot change this staff record.")
    return tracked_update(actor=actor, obj=staff, changes=changes,
                          expected_version=expected_version,
                          m2m={"locations": locations} if locations is not None else None)


def staff_archive(*, actor: Any, staff: StaffMember, reason: str = "",
                  restore: bool = False) -> StaffMember:
    ids = list(staff.locations.values_list("pk", flat=True))
    if not _is_system(actor) and not perms.can_change_staff(actor, ids):
        raise PermissionDenied("Your role cannot archive this staff record.")
    return tracked_archive(actor=actor, obj=staff, reason=reason, restore=restore)
