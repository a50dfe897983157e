"""Reads of the history log, always scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sustain.core.models import HistoryEntry
from sustain.engine.access import Perm
from sustain.tenancy.permissions import actor_organisation_id, location_scope


def filter_history_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """History entries in the actor's organisation whose location is covered by history.view.

    Entries not tied to one location (the organisation, users, staff working at several
    locations) need organisation-wide history.view.
    """
    org_id = actor_organisation_id(actor)
    scope = location_scope(actor, Perm.HISTORY_VIEW)
    if org_id is None or scope.is_empty:
        return qs.none()
    qs = qs.filter(organisation_id=org_id)
    if scope.whole_organisation:
        return qs
    return qs.filter(Q(location_id__in=sorted(scope.location_ids)))


def history_list(*, actor: Any) -> QuerySet:
    return filter_history_visible(HistoryEntry.objects.select_related("actor"), actor) \
        .order_by("-seq")


def history_for_object(*, actor: Any, obj: Any) -> QuerySet:
    """Every entry about one record, oldest first. Callers check the record is visible; for
    records spanning locations (staff) visibility of the record plus history.view anywhere in
    the organisation is enough."""
    org_id = actor_organisation_id(actor)
    if org_id is None or location_scope(actor, Perm.HISTORY_VIEW).is_empty:
        return HistoryEntry.objects.none()
    return HistoryEntry.objects.filter(
        organisation_id=org_id, object_type=obj._meta.label_lower, object_uuid=obj.uuid,
    ).select_related("actor").order_by("seq")
