"""Access to safeguarding concerns (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_concerns_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.TRACKER_VIEW)


def can_record(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.TRACKER_RECORD, location_id)


def can_review(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.TRACKER_REVIEW, location_id)


VISIBILITY_FILTERS = {"safeguarding.safeguardingconcern": filter_concerns_visible}
