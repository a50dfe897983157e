"""History of meetings and their minutes: the meeting page links to its history for whoever
holds history.view where it was held; the history pages of the meeting and of a minute entry
open (and lead back to the meeting); a manager of another home cannot open them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.meetings import services

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history(obj: Any) -> str:
    return reverse("web:history", kwargs={"label": obj._meta.label_lower, "uuid": obj.uuid})


def test_meeting_and_minute_history(make_user: Any, org: Any, location: Any,
                                    sibling_location: Any) -> None:
    rm = make_user(org, "registered_manager", location=location)
    meeting = services.meeting_create(actor=rm, organisation=org, location=location,
                                      meeting_type="team_meeting", held_on=dt.date(2026, 11, 2))
    entry = services.minute_entry_create(actor=rm, meeting=meeting, kind="update",
                                         text="No MAR gaps this week.")
    client = _client(rm)
    detail = reverse("meetings:detail", kwargs={"uuid": meeting.uuid})
    assert _history(meeting) in client.get(detail).content.decode()
    page = client.get(_history(meeting))
    assert page.status_code == 200 and f'href="{detail}"' in page.content.decode()
    page = client.get(_history(entry))
    assert page.status_code == 200 and "No MAR gaps this week." in page.content.decode()
    other = _client(make_user(org, "registered_manager", location=sibling_location))
    assert other.get(_history(meeting)).status_code in (403, 404)
    assert other.get(_history(entry)).status_code in (403, 404)
    assert _history(meeting) not in other.get(detail).content.decode()
