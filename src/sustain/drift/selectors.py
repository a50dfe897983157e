"""Reads for drift (contract of issue 7): the latest assessment per location and a location's
history. Callers scope the locations first (`permissions.filter_locations_with_drift`); these
read by location id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Max

from sustain.drift.models import DriftAssessment


def latest_by_location(location_ids: Iterable[int]) -> dict[int, DriftAssessment]:
    """Location pk → its assessment of the latest cycle assessed (two queries)."""
    ids = list(location_ids)
    if not ids:
        return {}
    latest = dict(DriftAssessment.objects.filter(location_id__in=ids, archived_at__isnull=True)
                  .values("location_id").annotate(s=Max("cycle_start")).order_by()
                  .values_list("location_id", "s"))
    if not latest:
        return {}
    rows = DriftAssessment.objects.filter(location_id__in=list(latest),
                                          cycle_start__in=set(latest.values()),
                                          archived_at__isnull=True)
    return {a.location_id: a for a in rows if latest.get(a.location_id) == a.cycle_start}


def history(location: Any) -> list[DriftAssessment]:
    """The location's assessments, oldest cycle first."""
    return list(DriftAssessment.objects.filter(location=location, archived_at__isnull=True)
                .order_by("cycle_start"))


def for_cycle(location: Any, cycle_start: dt.date) -> DriftAssessment | None:
    return DriftAssessment.objects.filter(location=location, cycle_start=cycle_start,
                                          archived_at__isnull=True).first()


def theme_flags(theme: Any, actor: Any) -> dict[str, Any] | None:
    """The theme's relapse-review flag and key-person risk in its location's latest drift
    assessment, for the theme page: None when the actor may not read drift there or nothing
    is flagged. {cycle, relapse (the flag or None), key_person (the risk or None), url}."""
    from django.urls import reverse

    from sustain.drift.permissions import VIEW
    from sustain.drift.present import cycle_label
    from sustain.tenancy.permissions import has_perm_at

    if not has_perm_at(actor, VIEW, theme.location_id):
        return None
    latest = latest_by_location([theme.location_id]).get(theme.location_id)
    if latest is None:
        return None
    key = str(theme.uuid)
    relapse = next((f for f in latest.relapse or [] if f.get("theme") == key), None)
    risk = next((k for k in latest.key_person or [] if k.get("theme") == key), None)
    if relapse is None and risk is None:
        return None
    url = reverse("drift:location", kwargs={"uuid": theme.location.uuid})
    return {"cycle": cycle_label(latest.cycle_start), "relapse": relapse, "key_person": risk,
            "url": f"{url}?cycle={latest.cycle_key}"}
