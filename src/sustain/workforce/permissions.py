"""Access to workforce records and briefings (default deny).

Supervision, competency, training and attestation records are staff-file information: seen
with `workforce.view`. Briefings are read by everyone asked to attest to them
(`briefing.attest`, which every role with `workforce.view` also has)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_workforce_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.WORKFORCE_VIEW)


def filter_briefings_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.BRIEFING_ATTEST)


def can_change_workforce(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.WORKFORCE_CHANGE, location_id)


def can_attest(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.BRIEFING_ATTEST, location_id)


VISIBILITY_FILTERS = {
    "workforce.supervision": filter_workforce_visible,
    "workforce.competencyassessment": filter_workforce_visible,
    "workforce.trainingrecord": filter_workforce_visible,
    "workforce.briefing": filter_briefings_visible,
    "workforce.attestation": filter_workforce_visible,
}
