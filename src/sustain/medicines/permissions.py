"""Access to medicines checks, discrepancies and weekly reviews (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_checks_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.TRACKER_VIEW)


def filter_discrepancies_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.TRACKER_VIEW)


def filter_reviews_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.TRACKER_VIEW)


def can_record(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.TRACKER_RECORD, location_id)


def can_review(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.TRACKER_REVIEW, location_id)


VISIBILITY_FILTERS = {
    "medicines.medicinescheck": filter_checks_visible,
    "medicines.discrepancy": filter_discrepancies_visible,
    "medicines.weeklyreview": filter_reviews_visible,
}


def filter_staff_choosable(qs: QuerySet, actor: Any) -> QuerySet:
    """Staff a recorder may name on a tracker record (care staff see no staff files, but may
    name a colleague at a location whose records they can see)."""
    from sustain.people.permissions import _filter_staff

    return _filter_staff(qs, actor, Perm.TRACKER_VIEW)
