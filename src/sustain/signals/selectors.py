"""Reads for signals, used by the dashboards and "My work"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from sustain.signals.models import Signal
from sustain.signals.permissions import filter_signals_visible


def _open_concerns() -> QuerySet:
    return Signal.objects.filter(direction=Signal.Direction.CONCERN,
                                 status=Signal.Status.OPEN, archived_at__isnull=True)


def _by_location(qs: QuerySet) -> dict[int, int]:
    return dict(qs.values("location_id").annotate(n=Count("pk")).values_list("location_id",
                                                                               "n"))


def open_concerns(location_ids: Iterable[int]) -> dict[int, int]:
    """Location pk → open concern signals (awaiting interpretation, overdue included)."""
    return _by_location(_open_concerns().filter(location_id__in=list(location_ids)))


def overdue_count(location_ids: Iterable[int]) -> dict[int, int]:
    """Location pk → open concern signals past their interpretation deadline."""
    return _by_location(_open_concerns().filter(location_id__in=list(location_ids),
                                                due_at__lt=timezone.now()))


def awaiting(actor: Any, location_ids: Iterable[int] | None = None) -> QuerySet:
    """Open concern signals the actor may see (at the given locations), oldest due first."""
    qs = filter_signals_visible(_open_concerns(), actor)
    if location_ids is not None:
        qs = qs.filter(location_id__in=list(location_ids))
    return qs.select_related("indicator", "location", "owner").order_by("due_at", "pk")
