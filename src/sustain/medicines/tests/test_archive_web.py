"""Archive and restore a medicines check from its page: roles that may record checks at the
location (as the service requires) see the button and can use it after confirming; others get
403 or 404 and see no button; archived checks leave the list unless asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sustain.core.models import HistoryEntry
from sustain.medicines import services
from sustain.people.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 12)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def check(org: Any, location: Any) -> Any:
    staff = StaffFactory(organisation=org, locations=[location])
    return services.medicines_check_create(actor="test", organisation=org, location=location,
                                           check_date=DAY, shift="day", checked_by=staff,
                                           charts_checked=10)


def _url(name: str, check: Any) -> str:
    return reverse(f"medicines:{name}", kwargs={"uuid": check.uuid})


@pytest.mark.parametrize("role", ["care_staff", "senior_carer", "registered_manager"])
def test_roles_that_record_checks_archive_and_restore(role: str, check: Any, org: Any,
                                                      location: Any, make_user: Any) -> None:
    client = _client(make_user(org, role, location=location))
    assert _url("archive", check) in client.get(_url("detail", check)).content.decode()
    confirm = client.get(_url("archive", check))
    assert confirm.status_code == 200 and b'name="reason"' in confirm.content
    check.refresh_from_db()
    assert check.archived_at is None
    done = client.post(_url("archive", check), {"reason": ""})  # the reason is optional here
    assert done.status_code == 302
    check.refresh_from_db()
    assert check.archived_at is not None
    assert _url("detail", check) not in client.get(reverse("medicines:list")).content.decode()
    shown = client.get(reverse("medicines:list"), {"archived": "on"}).content.decode()
    assert _url("detail", check) in shown
    page = client.get(_url("detail", check)).content.decode()
    assert _url("restore", check) in page and _url("archive", check) not in page
    assert client.post(_url("restore", check)).status_code == 302
    check.refresh_from_db()
    assert check.archived_at is None
    assert list(HistoryEntry.objects.filter(object_uuid=check.uuid).order_by("pk")
                .values_list("action", flat=True)) == ["create", "archive", "restore"]


@pytest.mark.parametrize(("role", "where", "status"), [
    ("registered_manager", "sibling", 404),
    ("board_member", "own", 403),
])
def test_others_are_refused_and_see_no_button(role: str, where: str, status: int, check: Any,
                                              org: Any, location: Any, sibling_location: Any,
                                              make_user: Any) -> None:
    user = make_user(org, role, location=location if where == "own" else sibling_location)
    client = _client(user)
    detail = client.get(_url("detail", check))
    assert detail.status_code == status
    assert _url("archive", check).encode() not in detail.content
    assert client.post(_url("archive", check), {"reason": "Recorded twice."}).status_code \
        == status
    check.refresh_from_db()
    assert check.archived_at is None


def test_weekly_review_archive_and_restore(check: Any, org: Any, location: Any,
                                           make_user: Any) -> None:
    week = services.week_start(DAY)
    review = services.weekly_review_create(actor="test", organisation=org, location=location,
                                           week_starting=week, pattern_noted="Nights.")
    week_url = reverse("medicines:week") + f"?location={location.uuid}&week={week}"
    archive = reverse("medicines:review-archive", kwargs={"uuid": review.uuid})
    restore = reverse("medicines:review-restore", kwargs={"uuid": review.uuid})
    carer = _client(make_user(org, "care_staff", location=location))
    assert archive not in carer.get(week_url).content.decode()
    assert carer.post(archive, {"reason": "Wrong week."}).status_code == 403
    senior = _client(make_user(org, "senior_carer", location=location))
    assert archive in senior.get(week_url).content.decode()
    assert senior.get(archive).status_code == 200
    assert senior.post(archive, {"reason": "Wrong week."}).status_code == 302
    review.refresh_from_db()
    assert review.archived_at is not None
    page = senior.get(week_url).content.decode()
    assert restore in page and "Record the review" in page
    assert senior.post(restore).status_code == 302
    review.refresh_from_db()
    assert review.archived_at is None
