"""Access to cadences and occurrences (default deny). Organisation-wide cadences (no
location) are seen and managed only with the permission over the whole organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_cadences_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.GOVERNANCE_VIEW)


def filter_occurrences_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.GOVERNANCE_VIEW)


def can_manage_cadence(actor: Any, location_id: int | None) -> bool:
    return has_perm_at(actor, Perm.CADENCE_MANAGE, location_id)


def can_complete(actor: Any, location_id: int | None) -> bool:
    return has_perm_at(actor, Perm.OCCURRENCE_COMPLETE, location_id)


VISIBILITY_FILTERS = {
    "governance.cadence": filter_cadences_visible,
    "governance.occurrence": filter_occurrences_visible,
}
