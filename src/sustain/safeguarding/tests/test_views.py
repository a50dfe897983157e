"""Safeguarding pages and API: quick entry (refusal shown, nothing written), review list
(unreviewed first, overdue highlighted), detail timeline and timeliness, review and close;
free text escaped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.safeguarding import services
from sustain.safeguarding.models import SafeguardingConcern

RAISED = dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def staff(org: Any, location: Any) -> Any:
    return StaffFactory(organisation=org, locations=[location], full_name="Sam Carer")


@pytest.fixture
def person(location: Any) -> Any:
    return PersonFactory(location=location, reference="RH-014")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_quick_entry(org: Any, location: Any, staff: Any, person: Any,
                     make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    page = client.get(reverse("safeguarding:new"))
    assert page.status_code == 200 and b'type="datetime-local"' in page.content
    data = {"location": str(location.uuid), "person": str(person.uuid), "category": "neglect",
            "description": "No drink left within reach.", "raised_at": "2026-01-10T10:00",
            "raised_by": str(staff.uuid), "shift_lead_notified_at": "2026-01-10T09:00"}
    refused = client.post(reverse("safeguarding:new"), data)
    assert b"cannot be before the concern was raised" in refused.content
    assert SafeguardingConcern.objects.count() == 0
    data["shift_lead_notified_at"] = "2026-01-10T10:20"
    saved = client.post(reverse("safeguarding:new"), data)
    concern = SafeguardingConcern.objects.get()
    assert saved.status_code == 302 and str(concern.uuid) in saved["Location"]


def test_review_list_detail_review_and_close(org: Any, location: Any, staff: Any,
                                             person: Any, make_user: Any) -> None:
    manager = make_user(org, "registered_manager", location=location)
    reviewed = services.safeguarding_concern_create(
        actor=manager, organisation=org, location=location, raised_at=RAISED,
        raised_by=staff, person=person, category="financial", description="Cash missing.",
        shift_lead_notified_at=RAISED + dt.timedelta(minutes=5),
        manager_reviewed_at=RAISED + dt.timedelta(hours=1), decision="internal_action")
    waiting = services.safeguarding_concern_create(
        actor=manager, organisation=org, location=location,
        raised_at=RAISED - dt.timedelta(days=1), raised_by=staff, person=person,
        category="neglect", description="<b>Left</b> in wet bedding.",
        shift_lead_notified_at=RAISED - dt.timedelta(hours=10))
    client = _client(manager)
    listed = client.get(reverse("safeguarding:list")).content.decode()
    assert listed.index(str(waiting.uuid)) < listed.index(str(reviewed.uuid))
    assert "Review overdue" in listed and "Shift lead notified late by 4 h" in listed
    detail = client.get(reverse("safeguarding:detail", kwargs={"uuid": waiting.uuid}))
    assert b"&lt;b&gt;Left&lt;/b&gt;" in detail.content and b"<b>Left" not in detail.content
    assert b"Timeline" in detail.content and b"Record the review" in detail.content
    url = reverse("safeguarding:detail", kwargs={"uuid": waiting.uuid})
    client.post(url, {"step": "review", "review-version": "1",
                      "review-decision": "no_further_action"})
    waiting.refresh_from_db()
    assert waiting.decision == "no_further_action" and waiting.reviewed_by == manager
    client.post(url, {"step": "close", "close-version": "2", "close-outcome": "Bedding "
                      "checks added to the night round."})
    waiting.refresh_from_db()
    assert waiting.closed_at is not None


def test_care_staff_see_no_review_form(org: Any, location: Any, staff: Any, person: Any,
                                       make_user: Any) -> None:
    carer = make_user(org, "care_staff", location=location)
    concern = services.safeguarding_concern_create(
        actor=carer, organisation=org, location=location, raised_at=RAISED, raised_by=staff,
        person=person, category="physical", description="Bruise.")
    client = _client(carer)
    url = reverse("safeguarding:detail", kwargs={"uuid": concern.uuid})
    assert b"Record the review" not in client.get(url).content
    assert client.post(url, {"step": "review", "review-version": "1",
                             "review-decision": "referral"}).status_code == 403
    assert _client(make_user(org, "board_member", location=location)).get(
        reverse("safeguarding:list")).status_code == 403


def test_api_timeliness_and_refusal(org: Any, location: Any, staff: Any, person: Any,
                                    make_user: Any, token_client: Any) -> None:
    api = token_client(make_user(org, "care_staff", location=location))
    payload = {"location": str(location.uuid), "raised_at": "2026-01-10T10:00:00Z",
               "raised_by": str(staff.uuid), "person": str(person.uuid),
               "category": "sexual", "description": "Disclosure.",
               "shift_lead_notified_at": "2026-01-10T09:00:00Z"}
    bad = api.post("/api/v1/safeguarding-concerns/", payload, format="json")
    assert bad.status_code == 400 and "shift_lead_notified_at" in bad.json()["errors"]
    payload["shift_lead_notified_at"] = "2026-01-10T22:10:00Z"
    made = api.post("/api/v1/safeguarding-concerns/", payload, format="json")
    assert made.status_code == 201, made.json()
    lead = made.json()["timeliness"]["shift_lead_notified"]
    assert lead["status"] == "late" and lead["late_by_minutes"] == 130
    assert made.json()["timeliness"]["referral"]["status"] == "not_applicable"


def test_lists_do_not_grow_with_concerns(org: Any, location: Any, staff: Any, person: Any,
                                         make_user: Any, token_client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = make_user(org, "registered_manager", location=location)
    api, client = token_client(manager), _client(manager)

    def add(n: int) -> None:
        for _ in range(n):
            services.safeguarding_concern_create(
                actor=manager, organisation=org, location=location, raised_at=RAISED,
                raised_by=staff, person=person, category="neglect", description="Seen.")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api_q:
            assert api.get("/api/v1/safeguarding-concerns/").status_code == 200
        with CaptureQueriesContext(connection) as page_q:
            assert client.get(reverse("safeguarding:list")).status_code == 200
        return len(api_q), len(page_q)

    add(2)
    few = count()
    add(5)
    assert count() == few
