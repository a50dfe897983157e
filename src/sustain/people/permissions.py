"""Access to people supported and staff records (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_at,
    location_scope,
)


def filter_people_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.PERSON_VIEW)


def can_change_person(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.PERSON_CHANGE, location_id)


def _filter_staff(qs: QuerySet, actor: Any, perm: Perm) -> QuerySet:
    from sustain.people.models import StaffMember

    org_id = actor_organisation_id(actor)
    scope = location_scope(actor, perm)
    if org_id is None or scope.is_empty:
        return qs.none()
    qs = qs.filter(organisation_id=org_id)
    if scope.whole_organisation:
        return qs
    # A staff member is visible where any of their locations is in scope (no duplicates).
    through = StaffMember.locations.through
    return qs.filter(Exists(through.objects.filter(
        staffmember_id=OuterRef("pk"), location_id__in=sorted(scope.location_ids))))


def filter_staff_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return _filter_staff(qs, actor, Perm.STAFF_VIEW)


def can_change_staff(actor: Any, location_ids: list[int]) -> bool:
    """Changing a staff record needs staff.change over every location it names."""
    scope = location_scope(actor, Perm.STAFF_CHANGE)
    if scope.is_empty:
        return False
    return all(scope.covers(loc) for loc in location_ids) if location_ids else \
        scope.whole_organisation


# The visibility filter of each tenant-scoped model of this app (see AGENTS.md; checked by
# tests/test_meta.py and collected by sustain.core.visibility).
VISIBILITY_FILTERS = {
    "people.personsupported": filter_people_visible,
    "people.staffmember": filter_staff_visible,
}
