"""The meetings API beyond the access matrix: the challenge trend, organisation-level
meetings, other organisations' cycles, action minutes, refusals in the envelope, and a list
whose query count does not grow with the meetings listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.core.models import HistoryEntry
from sustain.meetings import services
from sustain.meetings.models import MinuteEntry
from sustain.meetings.tests.helpers import SYSTEM, staff, theme
from sustain.themes.models import Action

pytestmark = pytest.mark.django_db


def _quality(org: Any, location: Any, day: dt.date, updates: int, challenges: int,
             meeting_type: str = "governance_meeting") -> Any:
    m = services.meeting_create(actor=SYSTEM, organisation=org, location=location,
                                meeting_type=meeting_type, held_on=day)
    for i in range(updates):
        services.minute_entry_create(actor=SYSTEM, meeting=m, kind="update", text=f"U{i}")
    for i in range(challenges):
        services.minute_entry_create(actor=SYSTEM, meeting=m, kind="challenge",
                                     question=f"Q{i}?", answer="A", satisfied=i % 2 == 0)
    return m


def test_challenge_trend(make_user: Any, token_client: Any, org: Any, location: Any) -> None:
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 1, 1))
    _quality(org, location, dt.date(2026, 9, 10), 2, 2)
    _quality(org, location, dt.date(2026, 10, 8), 3, 1)
    _quality(org, location, dt.date(2026, 11, 12), 4, 0)
    _quality(org, location, dt.date(2026, 11, 19), 1, 1, "team_meeting")
    client = token_client(make_user(org, "registered_manager", location=location))
    resp = client.get("/api/v1/meetings/challenge-trend/",
                      {"location": str(location.uuid), "meeting_type": "governance_meeting",
                       "cycles": 3})
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert [c["label"] for c in body["cycles"]] == [
        "Cycle 9 — September 2026", "Cycle 10 — October 2026", "Cycle 11 — November 2026"]
    assert [c["mean_ratio"] for c in body["cycles"]] == [0.5, 0.25, 0.0]
    assert [c["percent"] for c in body["cycles"]] == ["50%", "25%", "0%"]
    assert body["cycles"][0]["unsatisfied"] == 1
    assert body["falling"] is False and "challenges ÷ (updates + challenges)" in body["rule"]
    falling = client.get("/api/v1/meetings/challenge-trend/",
                         {"location": str(location.uuid), "meeting_type":
                          "governance_meeting", "run": 1}).json()
    assert falling["falling"] is True


def test_challenge_trend_refusals(make_user: Any, token_client: Any, org: Any, location: Any,
                                  sibling_location: Any, foreign_location: Any) -> None:
    client = token_client(make_user(org, "registered_manager", location=location))
    url = "/api/v1/meetings/challenge-trend/"
    resp = client.get(url, {"location": str(location.uuid), "meeting_type": "tea_party"})
    assert resp.status_code == 400 and "meeting_type" in resp.json()["errors"]
    resp = client.get(url, {"location": str(location.uuid), "meeting_type": "board",
                            "cycles": "99"})
    assert resp.status_code == 400 and "cycles" in resp.json()["errors"]
    for other in (sibling_location, foreign_location):
        resp = client.get(url, {"location": str(other.uuid), "meeting_type": "board"})
        assert resp.status_code == 404 and set(resp.json()) == {"message", "errors"}
    # Organisation-level meetings need organisation scope.
    assert client.get(url, {"meeting_type": "board"}).status_code == 404
    ni = token_client(make_user(org, "nominated_individual", scope="organisation"))
    assert ni.get(url, {"meeting_type": "board"}).status_code == 200


def test_organisation_level_meetings_and_cycles_are_scoped(
        make_user: Any, token_client: Any, org: Any, other_org: Any, location: Any) -> None:
    board = services.meeting_create(actor=SYSTEM, organisation=org, meeting_type="board",
                                    held_on=dt.date(2026, 11, 3))
    services.governance_cycles_ensure(organisation=other_org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 10, 1))
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 11, 1))
    rm = token_client(make_user(org, "registered_manager", location=location))
    ni = token_client(make_user(org, "nominated_individual", scope="organisation"))
    assert rm.get(f"/api/v1/meetings/{board.uuid}/").status_code == 404
    assert ni.get(f"/api/v1/meetings/{board.uuid}/").status_code == 200
    cycles = rm.get("/api/v1/governance-cycles/").json()["results"]
    assert [c["label"] for c in cycles] == ["Cycle 1 — November 2026"]
    created = ni.post("/api/v1/meetings/", {"meeting_type": "provider_review",
                                            "held_on": "2026-11-20"}, format="json")
    assert created.status_code == 201 and created.json()["location"] is None


def test_action_minute_through_the_api(make_user: Any, token_client: Any, org: Any,
                                       location: Any) -> None:
    meeting = _quality(org, location, dt.date(2026, 11, 12), 0, 0)
    topic = theme(org, location)
    owner = staff(org, location)
    client = token_client(make_user(org, "registered_manager", location=location))
    payload = {"meeting": str(meeting.uuid), "kind": "action", "theme": str(topic.uuid),
               "text": "Weekly MAR spot check on nights"}
    resp = client.post("/api/v1/minute-entries/", payload, format="json")
    assert resp.status_code == 400
    assert {"action_owner", "action_due_date"} <= set(resp.json()["errors"])
    assert not MinuteEntry.objects.exists() and not Action.objects.exists()
    resp = client.post("/api/v1/minute-entries/", {**payload, "action_owner": str(owner.uuid),
                                                   "action_due_date": "2026-12-18"},
                       format="json")
    assert resp.status_code == 201, resp.json()
    action = Action.objects.get()
    assert resp.json()["action"] == str(action.uuid)
    assert HistoryEntry.objects.filter(object_uuid=action.uuid,
                                       request_id=resp["X-Request-ID"]).exists()
    ratio = client.get(f"/api/v1/meetings/{meeting.uuid}/").json()["challenge_ratio"]
    assert ratio["actions"] == 1 and ratio["value"] is None


def test_meeting_list_query_count_is_constant(make_user: Any, token_client: Any, org: Any,
                                              location: Any) -> None:
    client = token_client(make_user(org, "registered_manager", location=location))
    _quality(org, location, dt.date(2026, 10, 1), 1, 1)
    client.get("/api/v1/meetings/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/meetings/").status_code == 200
    for day in range(2, 9):
        _quality(org, location, dt.date(2026, 10, day), 2, 1)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/meetings/").json()
    assert body["count"] == 8
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {r["challenge_ratio"]["percent"] for r in body["results"]} == {"50%", "33%"}
