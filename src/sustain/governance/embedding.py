"""The governance calendar as an embedding channel: an occurrence completed (on time or late)
in a cycle, of a cadence that belongs to a theme, puts that theme in the `governance_calendar`
channel — one record per occurrence, labelled with the cadence's title, linking to the
calendar page of the cadence's location.

A cadence belongs to a theme when it was created for it (`Cadence.theme`, set when a
playbook's declared cadences are instantiated for the theme) or, for a playbook cadence not
linked to a theme, when it comes from the theme's playbook at the theme's location. Open and
missed occurrences, archived occurrences and occurrences of archived cadences do not count.
Registered with `themes.embedding` in `GovernanceConfig.ready()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sustain.themes.embedding import ChannelRecord, register_source

CHANNEL = "governance_calendar"


def occurrence_records(ids: Sequence[int], start: dt.date,
                       end: dt.date) -> Iterable[ChannelRecord]:
    """Completed occurrences between `start` and `end` (local days, inclusive) of the themes'
    cadences: two queries for any number of themes."""
    from sustain.governance.models import Cadence, Occurrence
    from sustain.themes.models import Theme

    if not ids:
        return
    wanted = set(ids)
    # Playbook cadences with no theme link: the theme's playbook at the theme's location.
    by_place: dict[tuple[int, int], list[int]] = {}
    for pk, playbook_id, location_id in Theme.objects.filter(
            pk__in=ids, playbook__isnull=False, location__isnull=False).values_list(
            "pk", "playbook_id", "location_id"):
        by_place.setdefault((playbook_id, location_id), []).append(pk)
    belongs = Q(cadence__theme_id__in=wanted)
    for playbook_id, location_id in by_place:
        belongs |= Q(cadence__theme__isnull=True, cadence__source=Cadence.Source.PLAYBOOK,
                     cadence__playbook_id=playbook_id, cadence__location_id=location_id)
    tz = timezone.get_current_timezone()
    after = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    before = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = Occurrence.objects.filter(
        belongs, archived_at__isnull=True, cadence__archived_at__isnull=True,
        status__in=(Occurrence.Status.DONE_ON_TIME, Occurrence.Status.DONE_LATE),
        completed_at__gte=after, completed_at__lt=before).values_list(
        "cadence__theme_id", "cadence__playbook_id", "cadence__location_id",
        "cadence__location__uuid", "cadence__title", "completed_at").order_by("completed_at", "pk")
    calendar = reverse("governance:calendar")
    for theme_id, playbook_id, location_id, location_uuid, title, completed in rows:
        themes = [theme_id] if theme_id in wanted else by_place.get((playbook_id, location_id), [])
        url = f"{calendar}?location={location_uuid}" if location_uuid else calendar
        day = timezone.localtime(completed, tz).date()
        for pk in themes:
            yield ChannelRecord(pk, CHANNEL, day, f"Governance calendar: {title}", url)


def register() -> None:
    register_source(CHANNEL, occurrence_records)
