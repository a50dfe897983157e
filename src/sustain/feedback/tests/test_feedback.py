"""Feedback and visits: services (history, refusals naming the field and writing nothing),
unanswered after 30 days (list, API) and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.feedback import services
from sustain.feedback.models import Feedback, Visit
from sustain.people.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def carer(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "care_staff", location=location)


@pytest.fixture
def manager(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def _feedback(actor: Any, org: Any, location: Any, **extra: Any) -> Feedback:
    fields = {"source": "family", "channel": "meeting", "received_on": TODAY,
              "text": "More choice at tea", **extra}
    return services.feedback_create(actor=actor, organisation=org, location=location,
                                    **fields)


def test_feedback_then_response_with_history(carer: Any, manager: Any, org: Any,
                                             location: Any) -> None:
    staff = StaffFactory(organisation=org, locations=[location])
    fb = _feedback(carer, org, location, rating=3)
    with pytest.raises(PermissionDenied):
        services.feedback_update(actor=carer, feedback=fb, expected_version=1,
                                 changes={"response": "x", "responded_on": TODAY})
    done = services.feedback_update(actor=manager, feedback=fb, expected_version=1, changes={
        "response": "Two choices at tea from Monday", "responded_on": TODAY,
        "response_by": staff})
    assert str(done.response_status()) == "answered"
    assert HistoryEntry.objects.filter(object_uuid=fb.uuid).count() == 2


@pytest.mark.parametrize(("extra", "field"), [
    ({"received_on": TODAY + dt.timedelta(days=1)}, "received_on"),
    ({"rating": 6}, "rating"),
    ({"rating": 0}, "rating"),
    ({"responded_on": TODAY}, "response"),
    ({"response": "We did it"}, "responded_on"),
    ({"response": "We did it", "responded_on": TODAY - dt.timedelta(days=2),
      "received_on": TODAY - dt.timedelta(days=1)}, "responded_on"),
])
def test_feedback_refusals_name_the_field(carer: Any, org: Any, location: Any,
                                          extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _feedback(carer, org, location, **extra)
    assert field in exc.value.errors
    assert not Feedback.objects.exists() and not HistoryEntry.objects.exists()


def test_unanswered_after_30_days_in_api_and_list(carer: Any, org: Any, location: Any,
                                                  token_client: Any) -> None:
    old = _feedback(carer, org, location, received_on=TODAY - dt.timedelta(days=31))
    _feedback(carer, org, location, received_on=TODAY - dt.timedelta(days=30))
    body = token_client(carer).get("/api/v1/feedback/?unanswered=true").json()
    assert [r["id"] for r in body["results"]] == [str(old.uuid)]
    assert body["results"][0]["response_status"] == "unanswered"
    client = Client()
    client.force_login(carer)
    page = client.get(reverse("feedback:feedback-list"))
    assert page.content.count(b"No response after 30 days") == 2  # filter label + one row


def test_visits(manager: Any, carer: Any, org: Any, location: Any, other_org: Any) -> None:
    visitor = StaffFactory(organisation=org, locations=[])
    visit = services.visit_create(actor=manager, organisation=org, location=location,
                                  visitor=visitor, date=TODAY, type="night",
                                  looked_at="Night checks and call bells")
    assert visit.visitor == visitor
    with pytest.raises(PermissionDenied):
        services.visit_create(actor=carer, organisation=org, location=location,
                              visitor=visitor, date=TODAY, type="night", looked_at="x")
    for extra, field in (({"visitor": StaffFactory(organisation=other_org)}, "visitor"),
                         ({"date": TODAY + dt.timedelta(days=1)}, "date")):
        fields = {"visitor": visitor, "date": TODAY, "type": "spot_check",
                  "looked_at": "MAR", **extra}
        with pytest.raises(InvalidInput) as exc:
            services.visit_create(actor=manager, organisation=org, location=location,
                                  **fields)
        assert field in exc.value.errors
    assert Visit.objects.count() == 1


def test_pages(carer: Any, manager: Any, org: Any, location: Any) -> None:
    client = Client()
    client.force_login(carer)
    assert client.get(reverse("feedback:feedback-create")).status_code == 200
    r = client.post(reverse("feedback:feedback-create"), {
        "location": str(location.uuid), "source": "person", "channel": "conversation",
        "received_on": TODAY.isoformat(), "rating": "5", "text": "<i>Loved</i> the garden"})
    assert r.status_code == 302
    assert b"&lt;i&gt;Loved" in client.get(r["Location"]).content
    assert client.get(reverse("feedback:visit-create")).status_code == 403
    client.force_login(manager)
    staff = StaffFactory(organisation=org, locations=[location])
    r = client.post(reverse("feedback:visit-create"), {
        "location": str(location.uuid), "type": "observation", "date": TODAY.isoformat(),
        "visitor": str(staff.uuid), "looked_at": "Lunchtime support"})
    assert r.status_code == 302
    listing = client.get(reverse("feedback:visit-list"), {"type": "observation"})
    assert b"Lunchtime support" in listing.content
    assert b"Senior visits" in client.get(reverse("incidents:index")).content


def test_visit_list_queries_do_not_grow_with_rows(manager: Any, org: Any, location: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(manager)
    for n in range(12):
        services.visit_create(actor="test", organisation=org, location=location,
                              visitor=StaffFactory(organisation=org, locations=[location]),
                              date=TODAY, type="spot_check", looked_at=f"Check {n}")
    client.get(reverse("feedback:visit-list"))  # warm caches (session, scope)
    with django_assert_max_num_queries(10):  # 7 today; +1 per row if visitors were not joined
        page = client.get(reverse("feedback:visit-list"))
    assert page.content.count(b"Check ") >= 12
