"""Access for My work's records: a person sees only their own calendar links, and only while
they hold a role somewhere (every role grants location.view); default deny."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import actor_organisation_id, has_perm_anywhere


def filter_calendar_tokens_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.LOCATION_VIEW):
        return qs.none()
    return qs.filter(organisation_id=org_id, user_id=actor.pk)


VISIBILITY_FILTERS = {
    "work.calendartoken": filter_calendar_tokens_visible,
}
