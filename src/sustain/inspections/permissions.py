"""Access to inspections and their parts (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_inspections_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.INSPECTION_VIEW)


def can_change_inspection(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.INSPECTION_CHANGE, location_id)


VISIBILITY_FILTERS = {
    "inspections.inspection": filter_inspections_visible,
    "inspections.keyquestionrating": filter_inspections_visible,
    "inspections.regulationbreach": filter_inspections_visible,
    "inspections.enforcementaction": filter_inspections_visible,
    "inspections.finding": filter_inspections_visible,
}
