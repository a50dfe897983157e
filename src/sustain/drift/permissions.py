"""Who may see drift (ADR 0016): the drift detail names supervisions, audits and feedback, so
reading it needs `governance.view` at the location (as the governance calendar). Default
deny: no organisation, no membership or another role sees nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere

VIEW = Perm.GOVERNANCE_VIEW


def filter_assessments_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, VIEW)


def filter_locations_with_drift(qs: QuerySet, actor: Any) -> QuerySet:
    """Locations whose drift the actor may read."""
    return filter_by_location(qs, actor, VIEW, field="pk")


def can_view_drift_anywhere(actor: Any) -> bool:
    return has_perm_anywhere(actor, VIEW)


VISIBILITY_FILTERS = {"drift.driftassessment": filter_assessments_visible}
