"""Care-plan reviews and actions: services (history, refusals naming the field and writing
nothing, overdue), API filter and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sustain.careplans import services
from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.people.tests.factories import PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def key_worker(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "key_worker", location=location)


@pytest.fixture
def person(location: Any) -> Any:
    return PersonFactory(location=location)


def _review(actor: Any, org: Any, location: Any, person: Any, **extra: Any) -> CarePlanReview:
    return services.care_plan_review_create(actor=actor, organisation=org, location=location,
                                            person=person, **{"due_date": TODAY, **extra})


def test_review_completed_with_checks_records_history(key_worker: Any, org: Any,
                                                      location: Any, person: Any) -> None:
    staff = StaffFactory(organisation=org, locations=[location])
    review = _review(key_worker, org, location, person, key_worker=staff)
    done = services.care_plan_review_update(
        actor=key_worker, review=review, expected_version=1,
        changes={"completed_on": TODAY, "checked_daily_notes": True, "mismatch_found": True,
                 "mismatch_detail": "Plan says two carers; notes show one at night"})
    assert done.version == 2
    assert HistoryEntry.objects.filter(object_uuid=review.uuid).count() == 2


@pytest.mark.parametrize(("extra", "field"), [
    ({"mismatch_found": True}, "mismatch_detail"),
    ({"completed_on": TODAY + dt.timedelta(days=1), "checked_incidents": True},
     "completed_on"),
    ({"completed_on": TODAY}, "completed_on"),
])
def test_review_refusals_name_the_field(key_worker: Any, org: Any, location: Any,
                                        person: Any, extra: dict[str, Any],
                                        field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        _review(key_worker, org, location, person, **extra)
    assert field in exc.value.errors
    assert not CarePlanReview.objects.exists() and not HistoryEntry.objects.exists()


def test_refs_from_elsewhere_are_refused(key_worker: Any, org: Any, location: Any,
                                         sibling_location: Any, person: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        _review(key_worker, org, location, PersonFactory(location=sibling_location))
    assert "person" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        _review(key_worker, org, location, person,
                key_worker=StaffFactory(organisation=org, locations=[sibling_location]))
    assert "key_worker" in exc.value.errors
    other_review = _review("test", org, sibling_location,
                           PersonFactory(location=sibling_location))
    with pytest.raises(InvalidInput) as exc:
        services.care_plan_action_create(actor=key_worker, organisation=org,
                                         location=location, person=person,
                                         review=other_review, what="x", due_date=TODAY)
    assert "review" in exc.value.errors
    with pytest.raises(PermissionDenied):
        _review(key_worker, org, sibling_location, PersonFactory(location=sibling_location))
    assert CarePlanReview.objects.count() == 1 and not CarePlanAction.objects.exists()


def test_overdue_review_and_action(key_worker: Any, org: Any, location: Any, person: Any,
                                   token_client: Any) -> None:
    late = _review(key_worker, org, location, person, due_date=TODAY - dt.timedelta(days=3))
    _review(key_worker, org, location, person, due_date=TODAY + dt.timedelta(days=3))
    action = services.care_plan_action_create(
        actor=key_worker, organisation=org, location=location, person=person, review=late,
        what="Update night-time moving plan", due_date=TODAY - dt.timedelta(days=1))
    assert late.is_overdue() and action.is_overdue()
    body = token_client(key_worker).get("/api/v1/care-plan-reviews/?overdue=true").json()
    assert [r["id"] for r in body["results"]] == [str(late.uuid)]
    assert body["results"][0]["overdue"] is True


def test_pages(key_worker: Any, org: Any, location: Any, person: Any) -> None:
    late = _review("test", org, location, person, due_date=TODAY - dt.timedelta(days=3))
    client = Client()
    client.force_login(key_worker)
    listing = client.get(reverse("careplans:review-list"), {"overdue": "on"})
    assert listing.status_code == 200 and b"Review overdue" in listing.content
    assert str(late.uuid).encode() in listing.content
    assert client.get(reverse("careplans:review-create")).status_code == 200
    r = client.post(reverse("careplans:review-edit", kwargs={"uuid": late.uuid}), {
        "version": 1, "person": str(person.uuid), "due_date": late.due_date.isoformat(),
        "completed_on": TODAY.isoformat(), "mismatch_found": "on"})
    assert r.status_code == 200 and b"Say what did not match" in r.content
    assert CarePlanReview.objects.get().version == 1
    r = client.post(reverse("careplans:action-create"), {
        "location": str(location.uuid), "person": str(person.uuid), "review": str(late.uuid),
        "what": "Check sensor mat <b>daily</b>", "due_date": TODAY.isoformat()})
    assert r.status_code == 302
    detail = client.get(r["Location"])
    assert b"&lt;b&gt;daily" in detail.content
    assert b"Care-plan reviews" in client.get(reverse("incidents:index")).content
