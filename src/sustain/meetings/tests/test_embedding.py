"""Meetings feed the embedding map: a theme on a team meeting's agenda or in a board meeting's
minutes puts it in the team-meeting or board-reporting channel for that cycle, once per
meeting; an archived meeting or another theme does not count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.meetings import services
from sustain.meetings.tests.helpers import theme
from sustain.themes.embedding import observed_channels, records_by_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def test_meetings_put_their_themes_in_the_channels(rm: Any, org: Any, location: Any,
                                                   make_user: Any) -> None:
    assert {"team_meetings", "board_reporting", "governance_calendar"} <= observed_channels()
    medicines, falls = theme(org, location), theme(org, location, "Falls")
    day = timezone.localdate() - dt.timedelta(days=2)
    team = services.meeting_create(actor=rm, organisation=org, location=location,
                                   meeting_type="team_meeting", held_on=day)
    item = services.agenda_item_create(actor=rm, meeting=team, title="MAR signatures",
                                       theme=medicines)
    services.minute_entry_create(actor=rm, meeting=team, kind="update", agenda_item=item,
                                 theme=medicines, text="No gaps this week.")
    ni = make_user(org, "nominated_individual", scope="organisation")
    board = services.meeting_create(actor=ni, organisation=org, meeting_type="board",
                                    held_on=day)
    services.minute_entry_create(actor=ni, meeting=board, kind="update", theme=medicines,
                                 text="Re-audit held at 96%.")
    old = services.meeting_create(actor=rm, organisation=org, location=location,
                                  meeting_type="team_meeting", held_on=day)
    services.agenda_item_create(actor=rm, meeting=old, title="MAR", theme=medicines)
    services.meeting_archive(actor=rm, meeting=old, reason="Recorded twice by mistake.")

    found = records_by_theme([medicines.pk, falls.pk], day - dt.timedelta(days=1),
                             timezone.localdate())
    channels = sorted((r.channel, r.label) for r in found[medicines.pk])
    assert channels == [("board_reporting", "Meeting: Board"),
                        ("team_meetings", "Meeting: Team meeting")]
    assert falls.pk not in found
