"""Shared machinery for the operational record types (incidents, complaints, compliments,
care-plan reviews and actions, feedback, visits): one set of checks for every write.

A `RecordKind` says which fields a record type accepts and which permission each write needs;
`record_create` / `record_update` / `record_archive` check permission at the record's location,
that every person, staff member and theme named belongs to the same organisation and location
(each refusal names the field), and write through the tracked services so history is kept.
Rules about one record's own fields (dates not in the future, "done" needs a date) live in the
model's `clean`, so bulk imports and forms get the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at

MIN_REASON = 10


@dataclass(frozen=True)
class RecordKind:
    """What a record type accepts and who may write it."""

    model: type[Model]
    fields: tuple[str, ...]  # accepted on create and update (besides location)
    create_perm: Perm = Perm.TRACKER_RECORD
    update_perm: Perm = Perm.TRACKER_REVIEW
    archive_perm: Perm = Perm.TRACKER_REVIEW
    people: tuple[str, ...] = ()  # FKs to people.PersonSupported
    staff: tuple[str, ...] = ()  # FKs to people.StaffMember
    staff_many: tuple[str, ...] = ()  # M2M to people.StaffMember
    staff_org: tuple[str, ...] = ()  # staff of the organisation, any location (visitors)
    m2m: tuple[str, ...] = ("themes",)  # all M2M fields (themes and staff_many)
    same_location: tuple[str, ...] = field(default_factory=tuple)  # other FKs to same-location rows

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)


def is_system(actor: Any) -> bool:
    """Imports, the demo and the access-matrix fixtures write as a named system actor."""
    return actor is None or isinstance(actor, str)


def _unknown(fields: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


def _label(name: str) -> str:
    return name.replace("_", " ")


def _check_refs(kind: RecordKind, organisation: Any, location: Any,
                values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in kind.people:
        person = values.get(name)
        if person is None:
            continue
        if person.organisation_id != organisation.pk:
            errors[name] = ["No such person in this organisation."]
        elif person.location_id != location.pk:
            errors[name] = ["This person is supported at another location."]
    for name in kind.staff:
        member = values.get(name)
        if member is None:
            continue
        if member.organisation_id != organisation.pk:
            errors[name] = ["No such staff member in this organisation."]
        elif not member.locations.filter(pk=location.pk).exists():
            errors[name] = [f"{member.full_name} does not work at {location.name}."]
    for name in kind.staff_org:
        member = values.get(name)
        if member is not None and member.organisation_id != organisation.pk:
            errors[name] = ["No such staff member in this organisation."]
    for name in kind.staff_many:
        for member in values.get(name) or ():
            if member.organisation_id != organisation.pk:
                errors[name] = ["No such staff member in this organisation."]
            elif not member.locations.filter(pk=location.pk).exists():
                errors[name] = [f"{member.full_name} does not work at {location.name}."]
    for theme in values.get("themes") or ():
        if theme.organisation_id != organisation.pk:
            errors["themes"] = ["No such theme in this organisation."]
        elif theme.location_id != location.pk:
            errors["themes"] = [f"The theme “{theme.title}” belongs to another location."]
    for name in kind.same_location:
        other = values.get(name)
        if other is None:
            continue
        if other.organisation_id != organisation.pk or other.location_id != location.pk:
            errors[name] = [f"The {_label(name)} is not a record at {location.name}."]
    if errors:
        raise InvalidInput("Some of the people, staff or themes named cannot be used here.",
                           errors)


def _split_m2m(kind: RecordKind, values: dict[str, Any]) -> dict[str, Any]:
    return {name: list(values.pop(name)) for name in kind.m2m if name in values}


def record_create(kind: RecordKind, *, actor: Any, organisation: Any, location: Any,
                  **fields: Any) -> Any:
    """Validate and write one record at `location`, with history. Usable row by row from
    imports (`actor` may be a system actor name)."""
    _unknown(fields, kind.fields)
    if location is None:
        raise InvalidInput("Choose the location.", {"location": ["This field is required."]})
    if location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["No such location in this organisation."]})
    if location.archived_at is not None:
        raise InvalidInput("The location is archived.",
                           {"location": ["Records cannot be added to an archived location."]})
    if not is_system(actor) and not has_perm_at(actor, kind.create_perm, location.pk):
        raise PermissionDenied(f"Your role cannot record a {kind.noun} at {location.name}.")
    values = dict(fields)
    _check_refs(kind, organisation, location, values)
    m2m = _split_m2m(kind, values)
    with transaction.atomic():
        return tracked_create(actor=actor, obj=kind.model(
            organisation=organisation, location=location, **values), m2m=m2m)


def record_update(kind: RecordKind, *, actor: Any, obj: Any, changes: dict[str, Any],
                  expected_version: int | None) -> Any:
    """Change a record (it stays at its location); a stale version is a conflict."""
    changes = dict(changes)
    location = changes.pop("location", obj.location)
    if location is not None and location.pk != obj.location_id:
        raise InvalidInput(f"A {kind.noun} stays at its location.",
                           {"location": ["Record it again at the other location instead."]})
    _unknown(changes, kind.fields)
    if not is_system(actor) and not has_perm_at(actor, kind.update_perm, obj.location_id):
        raise PermissionDenied(f"Your role cannot change this {kind.noun}.")
    if obj.archived_at is not None:
        raise InvalidInput(f"This {kind.noun} is archived: restore it first.")
    _check_refs(kind, obj.organisation, obj.location, changes)
    m2m = _split_m2m(kind, changes)
    with transaction.atomic():
        return tracked_update(actor=actor, obj=obj, changes=changes,
                              expected_version=expected_version, m2m=m2m)


def record_archive(kind: RecordKind, *, actor: Any, obj: Any, reason: str = "",
                   restore: bool = False) -> Any:
    """Archive a record made in error (history keeps it), or bring it back."""
    if not is_system(actor) and not has_perm_at(actor, kind.archive_perm, obj.location_id):
        raise PermissionDenied(f"Your role cannot archive this {kind.noun}.")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput(f"Say why the {kind.noun} is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    return tracked_archive(actor=actor, obj=obj, reason=reason.strip(), restore=restore)


def filter_records_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Operational records: the actor's organisation, locations where they hold tracker.view."""
    return filter_by_location(qs, actor, Perm.TRACKER_VIEW)


def filter_staff_for_records(qs: QuerySet, actor: Any) -> QuerySet:
    """Staff who may be named on a record: those working at a location where the actor may
    see records (care staff name colleagues without seeing staff files)."""
    locations = filter_by_location(_locations(), actor, Perm.TRACKER_VIEW, field="pk")
    return qs.filter(organisation_id__in=locations.values("organisation_id"),
                     locations__in=locations).distinct()


def _locations() -> QuerySet:
    from sustain.tenancy.models import Location

    return Location.objects.all()
