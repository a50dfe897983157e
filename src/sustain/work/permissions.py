"""Access for My work's records: a person sees only their own calendar links (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.tenancy.permissions import actor_organisation_id


def filter_calendar_tokens_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None:
        return qs.none()
    return qs.filter(organisation_id=org_id, user_id=actor.pk)


VISIBILITY_FILTERS = {
    "work.calendartoken": filter_calendar_tokens_visible,
}
