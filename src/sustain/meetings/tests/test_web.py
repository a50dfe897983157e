"""Meeting pages: record a meeting, add minutes one after another (refusals by field), the
detail grouped by agenda item with the ratio and its counts, and the per-location trend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sustain.meetings import services
from sustain.meetings.models import Meeting, MinuteEntry
from sustain.meetings.tests.helpers import SYSTEM, staff, theme
from sustain.themes.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm_client(make_user: Any, org: Any, location: Any) -> Client:
    client = Client()
    client.force_login(make_user(org, "registered_manager", location=location))
    return client


def test_record_a_meeting_and_minute_it(rm_client: Client, org: Any, location: Any) -> None:
    chair = staff(org, location, "Chris Chair")
    topic = theme(org, location)
    page = rm_client.get(f"/meetings/new/?location={location.uuid}")
    assert page.status_code == 200 and "Record a meeting" in page.content.decode()
    resp = rm_client.post("/meetings/new/", {
        "location": str(location.uuid), "meeting_type": "governance_meeting",
        "held_on": "2026-11-12", "chair": str(chair.uuid), "attendees": [str(chair.uuid)],
        "title": "November quality meeting"})
    meeting = Meeting.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/meetings/{meeting.uuid}/"
    minutes = f"/meetings/{meeting.uuid}/minutes/"
    resp = rm_client.post(minutes, {"kind": "update", "text": "Falls fell to 3"})
    assert resp.status_code == 302 and resp["Location"].endswith("?kind=update#add-entry")
    refused = rm_client.post(minutes, {"kind": "challenge", "question": ""})
    assert refused.status_code == 400
    assert "A challenge records the question asked." in refused.content.decode()
    assert MinuteEntry.objects.count() == 1
    rm_client.post(minutes, {"kind": "challenge", "question": "Why were two audits late?",
                             "asked_by": str(chair.uuid), "answer": "Sickness",
                             "satisfied": "no"})
    resp = rm_client.post(minutes, {"kind": "action", "text": "Re-audit nights",
                                    "theme": str(topic.uuid),
                                    "action_owner": str(chair.uuid),
                                    "action_due_date": "2026-12-10"})
    assert resp.status_code == 302
    action = Action.objects.get()
    assert action.theme == topic and action.owner == chair
    detail = rm_client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "50% (1 challenge, 1 update)" in detail
    assert "1 challenge not answered to the questioner&#x27;s satisfaction" in detail
    assert "Why were two audits late?" in detail and "Tracked action" in detail


def test_entries_are_grouped_by_agenda_item(rm_client: Client, org: Any,
                                            location: Any) -> None:
    meeting = services.meeting_create(actor=SYSTEM, organisation=org, location=location,
                                      meeting_type="team_meeting",
                                      held_on=dt.date(2026, 11, 5))
    resp = rm_client.post(f"/meetings/{meeting.uuid}/agenda/", {"title": "Care plans"})
    assert resp.status_code == 302
    item = meeting.agenda_items.get()
    services.minute_entry_create(actor=SYSTEM, meeting=meeting, kind="update",
                                 text="One care plan update discussed", agenda_item=item)
    services.minute_entry_create(actor=SYSTEM, meeting=meeting, kind="decision",
                                 decision="Rota swap agreed")
    html = rm_client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert html.index("1. Care plans") < html.index("One care plan update discussed") \
        < html.index("Other business") < html.index("Rota swap agreed")


def test_location_meetings_page_shows_the_trend(rm_client: Client, org: Any,
                                                location: Any) -> None:
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 1, 1))
    for day in (dt.date(2026, 9, 10), dt.date(2026, 10, 8), dt.date(2026, 11, 12)):
        m = services.meeting_create(actor=SYSTEM, organisation=org, location=location,
                                    meeting_type="governance_meeting", held_on=day)
        services.minute_entry_create(actor=SYSTEM, meeting=m, kind="update", text="Figures")
    html = rm_client.get(f"/meetings/?location={location.uuid}").content.decode()
    assert "Monthly quality meeting" in html and "Cycle 11 — November 2026" in html
    assert "Falling" in html and "0% (0 challenges, 1 update)" in html
    location_page = rm_client.get(f"/locations/{location.uuid}/").content.decode()
    assert f"/meetings/?location={location.uuid}" in location_page
    assert "Updates only at the latest meetings: Monthly quality meeting" in location_page


def test_pages_are_scoped(make_user: Any, org: Any, location: Any,
                          sibling_location: Any) -> None:
    elsewhere = services.meeting_create(actor=SYSTEM, organisation=org,
                                        location=sibling_location,
                                        meeting_type="team_meeting",
                                        held_on=dt.date(2026, 11, 5))
    rm = Client()
    rm.force_login(make_user(org, "registered_manager", location=location))
    assert rm.get(f"/meetings/{elsewhere.uuid}/").status_code == 404
    assert rm.post(f"/meetings/{elsewhere.uuid}/minutes/",
                   {"kind": "update", "text": "x"}).status_code == 404
    carer = Client()
    carer.force_login(make_user(org, "care_staff", location=location))
    assert carer.get("/meetings/").status_code == 403
    board = Client()
    board.force_login(make_user(org, "board_member", scope="organisation"))
    assert board.get(f"/meetings/{elsewhere.uuid}/").status_code == 200
    assert board.get("/meetings/new/").status_code == 403
    assert not MinuteEntry.objects.exists()


def test_change_details_and_remove_a_minute(rm_client: Client, org: Any,
                                            location: Any) -> None:
    meeting = services.meeting_create(actor=SYSTEM, organisation=org, location=location,
                                      meeting_type="team_meeting",
                                      held_on=dt.date(2026, 11, 5))
    entry = services.minute_entry_create(actor=SYSTEM, meeting=meeting, kind="challenge",
                                         question="Minuted in the wrong meeting?")
    edit = f"/meetings/{meeting.uuid}/edit/"
    assert rm_client.get(edit).status_code == 200
    stale = rm_client.post(edit, {"meeting_type": "care_plan_clinic", "held_on": "2026-11-05",
                                  "version": 99})
    assert stale.status_code == 400 and "Someone else changed this record" in \
        stale.content.decode()
    resp = rm_client.post(edit, {"meeting_type": "care_plan_clinic", "held_on": "2026-11-05",
                                 "version": meeting.version})
    assert resp.status_code == 302
    meeting.refresh_from_db()
    assert meeting.meeting_type == "care_plan_clinic" and meeting.version == 2
    archive = f"/meetings/{meeting.uuid}/minutes/{entry.uuid}/archive/"
    rm_client.post(archive, {"reason": "short"})
    entry.refresh_from_db()
    assert entry.archived_at is None
    rm_client.post(archive, {"reason": "Belongs to the October meeting"})
    entry.refresh_from_db()
    assert entry.archived_at is not None
    html = rm_client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Minuted in the wrong meeting?" not in html
