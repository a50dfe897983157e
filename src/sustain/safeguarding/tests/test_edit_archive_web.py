"""A concern's raised details can be corrected on an edit page (with the version it was
loaded at: a stale form is refused with "someone else changed this record"), through the
update service, so "notified before raised" is still refused on its field; managers archive
and restore concerns (care staff see no button and are refused)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.safeguarding import services

pytestmark = pytest.mark.django_db
RAISED = dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def concern(org: Any, location: Any) -> Any:
    staff = StaffFactory(organisation=org, locations=[location], full_name="Sam Carer")
    return services.safeguarding_concern_create(
        actor="test", organisation=org, location=location, raised_at=RAISED, raised_by=staff,
        person=PersonFactory(location=location, reference="RH-014"), category="neglect",
        description="No drink left within reach.",
        shift_lead_notified_at=RAISED + dt.timedelta(minutes=20))


def _form(concern: Any, **changes: Any) -> dict[str, Any]:
    local = timezone.localtime
    data = {"version": concern.version,
            "raised_at": local(concern.raised_at).strftime("%Y-%m-%dT%H:%M"),
            "raised_by": str(concern.raised_by.uuid), "person": str(concern.person.uuid),
            "category": concern.category, "description": concern.description,
            "shift_lead_notified_at": local(concern.shift_lead_notified_at)
            .strftime("%Y-%m-%dT%H:%M")}
    data.update(changes)
    return data


def _edit(concern: Any) -> str:
    return reverse("safeguarding:edit", kwargs={"uuid": concern.uuid})


def test_care_staff_correct_the_raised_details(concern: Any, org: Any, location: Any,
                                               make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    detail = client.get(reverse("safeguarding:detail", kwargs={"uuid": concern.uuid}))
    assert _edit(concern) in detail.content.decode()
    page = client.get(_edit(concern))
    assert page.status_code == 200 and b"No drink left within reach." in page.content
    other = PersonFactory(location=location, reference="RH-020")
    saved = client.post(_edit(concern), _form(concern, category="psychological",
                                              person=str(other.uuid),
                                              description="Shouted at during care."))
    assert saved.status_code == 302
    concern.refresh_from_db()
    assert (concern.category, concern.person, concern.description, concern.version) == (
        "psychological", other, "Shouted at during care.", 2)
    entry = HistoryEntry.objects.filter(object_uuid=concern.uuid).latest("pk")
    assert entry.action == "update"


def test_notified_before_raised_is_refused_on_its_field(concern: Any, org: Any,
                                                        location: Any,
                                                        make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    later = timezone.localtime(RAISED + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(_edit(concern), _form(concern, raised_at=later))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "cannot be before the concern was raised" in html
    assert 'href="#id_shift_lead_notified_at"' in html  # the message names the field
    concern.refresh_from_db()
    assert concern.raised_at == RAISED and concern.version == 1


def test_a_stale_form_is_refused(concern: Any, org: Any, location: Any,
                                 make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    stale = _form(concern, description="My version.")
    services.safeguarding_concern_update(actor="test", concern=concern, expected_version=1,
                                         changes={"description": "Their version."})
    refused = client.post(_edit(concern), stale)
    assert "Someone else changed this record" in refused.content.decode()
    concern.refresh_from_db()
    assert concern.description == "Their version." and concern.version == 2


def test_edit_is_refused_outside_the_role(concern: Any, org: Any, location: Any,
                                          sibling_location: Any, make_user: Any) -> None:
    board = _client(make_user(org, "board_member", location=location))
    assert board.get(_edit(concern)).status_code == 403
    elsewhere = _client(make_user(org, "registered_manager", location=sibling_location))
    assert elsewhere.post(_edit(concern), _form(concern, category="financial")) \
        .status_code == 404
    concern.refresh_from_db()
    assert concern.category == "neglect"


def test_manager_archives_and_restores(concern: Any, org: Any, location: Any,
                                       make_user: Any) -> None:
    client = _client(make_user(org, "registered_manager", location=location))
    archive = reverse("safeguarding:archive", kwargs={"uuid": concern.uuid})
    restore = reverse("safeguarding:restore", kwargs={"uuid": concern.uuid})
    detail = reverse("safeguarding:detail", kwargs={"uuid": concern.uuid})
    assert archive in client.get(detail).content.decode()
    assert client.get(archive).status_code == 200
    assert client.post(archive, {"reason": "Raised twice for one event."}).status_code == 302
    concern.refresh_from_db()
    assert concern.archived_at is not None
    assert detail not in client.get(reverse("safeguarding:list"),
                                    {"status": "all"}).content.decode()
    assert detail in client.get(reverse("safeguarding:list"),
                                {"status": "all", "archived": "on"}).content.decode()
    page = client.get(detail).content.decode()
    assert restore in page and _edit(concern) not in page
    assert client.get(_edit(concern)).status_code == 403  # restore it first
    assert client.post(restore).status_code == 302
    concern.refresh_from_db()
    assert concern.archived_at is None
    assert list(HistoryEntry.objects.filter(object_uuid=concern.uuid).order_by("pk")
                .values_list("action", flat=True)) == ["create", "archive", "restore"]


def test_care_staff_cannot_archive(concern: Any, org: Any, location: Any,
                                   make_user: Any) -> None:
    client = _client(make_user(org, "care_staff", location=location))
    archive = reverse("safeguarding:archive", kwargs={"uuid": concern.uuid})
    page = client.get(reverse("safeguarding:detail", kwargs={"uuid": concern.uuid}))
    assert archive.encode() not in page.content
    assert client.post(archive, {"reason": "Raised twice."}).status_code == 403
    concern.refresh_from_db()
    assert concern.archived_at is None
