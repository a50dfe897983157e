"""Meetings as embedding channels: a theme on a meeting's agenda or in its minutes shows the
theme in that meeting's channel (team meetings → team-meeting agendas, board → board
reporting, quality and provider reviews and clinics → governance calendar, safeguarding
reviews → incident review). Registered with `themes.embedding` in `MeetingsConfig.ready()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.urls import reverse

from sustain.themes.embedding import ChannelRecord, register_source

MEETING_CHANNELS = {
    "team_meeting": "team_meetings",
    "board": "board_reporting",
    "governance_meeting": "governance_calendar",
    "provider_review": "governance_calendar",
    "care_plan_clinic": "governance_calendar",
    "safeguarding_review": "incident_review",
    "daily_safeguarding_review": "incident_review",
    "weekly_safeguarding_review": "incident_review",
}


def meeting_records(ids: Sequence[int], start: dt.date,
                    end: dt.date) -> Iterable[ChannelRecord]:
    """One record per theme and meeting, whether the theme is on the agenda or in minutes."""
    from sustain.meetings.models import AgendaItem, Meeting, MinuteEntry

    labels = dict(Meeting._meta.get_field("meeting_type").choices or ())
    seen: set[tuple[int, int]] = set()
    for model in (AgendaItem, MinuteEntry):
        rows = model.objects.filter(
            theme_id__in=ids, archived_at__isnull=True, meeting__archived_at__isnull=True,
            meeting__held_on__range=(start, end),
            meeting__meeting_type__in=list(MEETING_CHANNELS)).values_list(
            "theme_id", "meeting_id", "meeting__held_on", "meeting__meeting_type",
            "meeting__uuid")
        for theme_id, meeting_id, day, kind, uuid in rows:
            if (theme_id, meeting_id) in seen:
                continue
            seen.add((theme_id, meeting_id))
            label = labels.get(kind, kind)
            yield ChannelRecord(theme_id, MEETING_CHANNELS[kind], day, f"Meeting: {label}",
                                reverse("meetings:detail", kwargs={"uuid": uuid}))


def register() -> None:
    for channel in sorted(set(MEETING_CHANNELS.values())):
        register_source(channel, meeting_records)
