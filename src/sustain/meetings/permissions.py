"""Access to meetings, their agenda and minutes, and governance cycles (default deny).

Meetings at a location need meeting.view there; organisation-level meetings (no location) need
it over the whole organisation. Agenda items and minutes follow their meeting. Governance
cycles are the organisation's calendar: visible to anyone who may see meetings anywhere in it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_anywhere,
    has_perm_at,
)


def filter_meetings_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.MEETING_VIEW)


def filter_meeting_parts_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Agenda items and minute entries: visible with their meeting."""
    return filter_by_location(qs, actor, Perm.MEETING_VIEW, field="meeting__location_id")


def filter_cycles_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.MEETING_VIEW):
        return qs.none()
    return qs.filter(organisation_id=org_id)


def can_record_meeting(actor: Any, location_id: int | None) -> bool:
    """Record or change a meeting at this location (None: an organisation-level meeting)."""
    return has_perm_at(actor, Perm.MEETING_RECORD, location_id)


VISIBILITY_FILTERS = {
    "meetings.meeting": filter_meetings_visible,
    "meetings.agendaitem": filter_meeting_parts_visible,
    "meetings.minuteentry": filter_meeting_parts_visible,
    "meetings.governancecycle": filter_cycles_visible,
}
