"""Archive and restore on the record pages shared by incidents, complaints, compliments,
care-plan reviews and actions, feedback and visits (`records_web`): role by role, the button
is shown only to roles the service allows; a confirmation page comes first; a refusal names
the reason field and changes nothing; archived records leave the list unless asked for; the
history shows the archive and the restore."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sustain.careplans import services as careplans
from sustain.core.models import HistoryEntry
from sustain.feedback import services as feedback
from sustain.incidents import services as incidents
from sustain.people.tests.factories import PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "Recorded twice by mistake on the night shift."


def _incident(org: Any, location: Any) -> Any:
    return incidents.incident_create(actor="test", organisation=org, location=location,
                                     type="fall", severity="low",
                                     occurred_at=timezone.now() - dt.timedelta(hours=2))


def _complaint(org: Any, location: Any) -> Any:
    return incidents.complaint_create(actor="test", organisation=org, location=location,
                                      received_on=TODAY, received_from="family",
                                      category="Laundry", summary="Lost cardigan")


def _compliment(org: Any, location: Any) -> Any:
    return incidents.compliment_create(actor="test", organisation=org, location=location,
                                       received_on=TODAY, received_from="family",
                                       summary="Lovely birthday tea")


def _review(org: Any, location: Any) -> Any:
    return careplans.care_plan_review_create(actor="test", organisation=org, location=location,
                                             person=PersonFactory(location=location),
                                             due_date=TODAY)


def _action(org: Any, location: Any) -> Any:
    return careplans.care_plan_action_create(actor="test", organisation=org, location=location,
                                             person=PersonFactory(location=location),
                                             what="Update the falls plan", due_date=TODAY)


def _feedback(org: Any, location: Any) -> Any:
    return feedback.feedback_create(actor="test", organisation=org, location=location,
                                    source="family", channel="meeting", received_on=TODAY,
                                    text="More choice at tea")


def _visit(org: Any, location: Any) -> Any:
    return feedback.visit_create(actor="test", organisation=org, location=location,
                                 visitor=StaffFactory(organisation=org, locations=[location]),
                                 date=TODAY, type="night", looked_at="Call bells")


KINDS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("incidents:incident", _incident), ("incidents:complaint", _complaint),
    ("incidents:compliment", _compliment), ("careplans:review", _review),
    ("careplans:action", _action), ("feedback:feedback", _feedback),
    ("feedback:visit", _visit),
]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, action: str, obj: Any) -> str:
    return reverse(f"{name}-{action}", kwargs={"uuid": obj.uuid})


@pytest.mark.parametrize(("name", "make"), KINDS, ids=[k[0] for k in KINDS])
def test_manager_archives_after_confirming_then_restores(name: str, make: Any, org: Any,
                                                         location: Any,
                                                         make_user: Any) -> None:
    record = make(org, location)
    client = _client(make_user(org, "registered_manager", location=location))
    detail = client.get(_url(name, "detail", record)).content.decode()
    assert _url(name, "archive", record) in detail  # the Archive button
    confirm = client.get(_url(name, "archive", record))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and 'name="reason"' in page
    record.refresh_from_db()
    assert record.archived_at is None  # GET only asks

    refused = client.post(_url(name, "archive", record), {"reason": "oops"})
    assert refused.status_code == 400 and "at least 10 characters" in refused.content.decode()
    record.refresh_from_db()
    assert record.archived_at is None and record.version == 1

    done = client.post(_url(name, "archive", record), {"reason": REASON})
    assert done.status_code == 302 and done["Location"] == _url(name, "detail", record)
    record.refresh_from_db()
    assert record.archived_at is not None

    listing = client.get(reverse(f"{name}-list")).content.decode()
    assert _url(name, "detail", record) not in listing
    shown = client.get(reverse(f"{name}-list"), {"archived": "on"}).content.decode()
    assert _url(name, "detail", record) in shown and "Archived" in shown

    archived_page = client.get(_url(name, "detail", record)).content.decode()
    assert _url(name, "restore", record) in archived_page
    assert _url(name, "archive", record) not in archived_page
    assert _url(name, "edit", record) not in archived_page

    back = client.post(_url(name, "restore", record))
    assert back.status_code == 302
    record.refresh_from_db()
    assert record.archived_at is None
    actions = list(HistoryEntry.objects.filter(object_uuid=record.uuid)
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "archive", "restore"]


@pytest.mark.parametrize(("name", "make"), KINDS, ids=[k[0] for k in KINDS])
def test_care_staff_see_no_button_and_are_refused(name: str, make: Any, org: Any,
                                                  location: Any, make_user: Any) -> None:
    record = make(org, location)
    client = _client(make_user(org, "care_staff", location=location))
    detail = client.get(_url(name, "detail", record))
    assert detail.status_code == 200
    assert _url(name, "archive", record).encode() not in detail.content
    assert client.get(_url(name, "archive", record)).status_code == 403
    assert client.post(_url(name, "archive", record), {"reason": REASON}).status_code == 403
    record.refresh_from_db()
    assert record.archived_at is None
    assert not HistoryEntry.objects.filter(object_uuid=record.uuid, action="archive").exists()


def test_care_staff_cannot_restore(org: Any, location: Any, make_user: Any) -> None:
    record = _incident(org, location)
    incidents.incident_archive(actor="test", incident=record, reason=REASON)
    client = _client(make_user(org, "care_staff", location=location))
    page = client.get(_url("incidents:incident", "detail", record)).content.decode()
    assert _url("incidents:incident", "restore", record) not in page
    assert client.post(_url("incidents:incident", "restore", record)).status_code == 403
    record.refresh_from_db()
    assert record.archived_at is not None


def test_manager_elsewhere_gets_404(org: Any, location: Any, sibling_location: Any,
                                    other_org: Any, foreign_location: Any,
                                    make_user: Any) -> None:
    record = _incident(org, location)
    for user in (make_user(org, "registered_manager", location=sibling_location),
                 make_user(other_org, "registered_manager", location=foreign_location)):
        client = _client(user)
        assert client.post(_url("incidents:incident", "archive", record),
                           {"reason": REASON}).status_code == 404
    record.refresh_from_db()
    assert record.archived_at is None


def test_archive_needs_post_with_csrf(org: Any, location: Any, make_user: Any) -> None:
    record = _incident(org, location)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(org, "registered_manager", location=location))
    assert client.post(_url("incidents:incident", "archive", record),
                       {"reason": REASON}).status_code == 403
    record.refresh_from_db()
    assert record.archived_at is None
