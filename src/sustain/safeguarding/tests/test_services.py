"""Safeguarding concerns through the services: history, refusals naming the field with
nothing written, review and close permissions, and the computed timeliness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.engine import timeliness as rules
from sustain.people.tests.factories import PersonFactory, StaffFactory
from sustain.safeguarding import selectors, services
from sustain.safeguarding.models import SafeguardingConcern

RAISED = dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC)  # a winter day shift (08:00-20:00)


@pytest.fixture
def staff(org: Any, location: Any) -> Any:
    return StaffFactory(organisation=org, locations=[location], full_name="Sam Carer")


@pytest.fixture
def person(location: Any) -> Any:
    return PersonFactory(location=location, reference="RH-014")


@pytest.fixture
def carer(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "care_staff", location=location)


@pytest.fixture
def manager(org: Any, location: Any, make_user: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


def _raise(actor: Any, org: Any, location: Any, staff: Any, who: Any,
           **kw: Any) -> SafeguardingConcern:
    fields = {"raised_at": RAISED, "raised_by": staff, "person": who,
              "category": "neglect", "description": "Bruise on left arm, unexplained."}
    fields.update(kw)
    return services.safeguarding_concern_create(actor=actor, organisation=org,
                                                location=location, **fields)


def test_raise_records_history(org: Any, location: Any, staff: Any, person: Any,
                               carer: Any) -> None:
    concern = _raise(carer, org, location, staff, person,
                     shift_lead_notified_at=RAISED + dt.timedelta(minutes=30))
    entry = HistoryEntry.objects.get(object_uuid=concern.uuid)
    assert entry.action == "create" and entry.actor == carer


@pytest.mark.parametrize(("changes", "field"), [
    ({"raised_at": timezone.now() + dt.timedelta(hours=1)}, "raised_at"),
    ({"shift_lead_notified_at": RAISED - dt.timedelta(minutes=1)}, "shift_lead_notified_at"),
    ({"shift_lead_notified_at": timezone.now() + dt.timedelta(days=1)},
     "shift_lead_notified_at"),
    ({"category": "bullying"}, "category"),
    ({"description": "   "}, "description"),
    ({"person": None}, "person"),
])
def test_refusals_name_the_field_and_write_nothing(org: Any, location: Any, staff: Any,
                                                   person: Any, carer: Any,
                                                   changes: dict[str, Any], field: str) -> None:
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        _raise(carer, org, location, staff, person, **changes)
    assert field in exc.value.errors
    assert SafeguardingConcern.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_people_and_staff_must_be_at_the_location(org: Any, location: Any,
                                                  sibling_location: Any, carer: Any) -> None:
    staff = StaffFactory(organisation=org, locations=[sibling_location])
    person = PersonFactory(location=sibling_location)
    with pytest.raises(InvalidInput) as exc:
        _raise(carer, org, location, staff, person)
    assert {"raised_by", "person"} <= set(exc.value.errors)


def test_care_staff_cannot_record_the_review(org: Any, location: Any, staff: Any,
                                             person: Any, carer: Any) -> None:
    with pytest.raises(PermissionDenied):
        _raise(carer, org, location, staff, person, decision="referral",
               manager_reviewed_at=RAISED + dt.timedelta(hours=2))
    concern = _raise(carer, org, location, staff, person)
    with pytest.raises(PermissionDenied):
        services.safeguarding_concern_review(actor=carer, concern=concern, expected_version=1,
                                             decision="no_further_action")
    assert SafeguardingConcern.objects.get().decision == ""


def test_review_referral_and_close(org: Any, location: Any, staff: Any, person: Any,
                                   carer: Any, manager: Any) -> None:
    concern = _raise(carer, org, location, staff, person)
    with pytest.raises(InvalidInput) as exc:
        services.safeguarding_concern_review(
            actor=manager, concern=concern, expected_version=1, decision="internal_action",
            reviewed_at=RAISED + dt.timedelta(hours=3), la_reference="LA-1")
    assert "decision" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.safeguarding_concern_close(actor=manager, concern=concern, expected_version=1,
                                            outcome="Resolved")
    assert "closed_at" in exc.value.errors
    reviewed = services.safeguarding_concern_review(
        actor=manager, concern=concern, expected_version=1, decision="referral",
        reviewed_at=RAISED + dt.timedelta(hours=3))
    assert reviewed.reviewed_by == manager and reviewed.version == 2
    with pytest.raises(InvalidInput) as exc:
        services.safeguarding_concern_close(actor=manager, concern=reviewed,
                                            expected_version=2, outcome="Resolved")
    assert "la_referral_at" in exc.value.errors
    with pytest.raises(Conflict):
        services.safeguarding_concern_close(actor=manager, concern=reviewed,
                                            expected_version=1, outcome="Resolved")
    referred = services.safeguarding_concern_review(
        actor=manager, concern=reviewed, expected_version=2, decision="referral",
        la_referral_at=RAISED + dt.timedelta(hours=30), la_reference="LA-77")
    closed = services.safeguarding_concern_close(actor=manager, concern=referred,
                                                 expected_version=3, outcome="Plan agreed.")
    assert closed.closed_at is not None
    found = selectors.timeliness(closed, timezone.now())
    assert found.review.status == rules.ON_TIME
    assert found.referral.status == rules.LATE
    assert found.referral.late_by == dt.timedelta(hours=6)
    assert [e.action for e in HistoryEntry.objects.filter(object_uuid=closed.uuid)] == [
        "create", "update", "update", "update"]


def test_timeliness_and_review_queue(org: Any, location: Any, staff: Any, person: Any,
                                     carer: Any, manager: Any) -> None:
    late = _raise(carer, org, location, staff, person,
                  shift_lead_notified_at=RAISED + dt.timedelta(hours=12, minutes=10))
    reviewed = _raise(carer, org, location, staff, person,
                      raised_at=RAISED + dt.timedelta(days=1),
                      shift_lead_notified_at=RAISED + dt.timedelta(days=1, minutes=5))
    services.safeguarding_concern_review(actor=manager, concern=reviewed, expected_version=1,
                                         decision="no_further_action",
                                         reviewed_at=RAISED + dt.timedelta(days=1, hours=2))
    check = selectors.timeliness(late, timezone.now())
    assert check.shift_lead.status == rules.LATE
    assert rules.summary(check.shift_lead, "Shift lead notified") == \
        "Shift lead notified late by 2 h 10 min"
    assert check.overdue_review
    assert [c.pk for c in selectors.review_queue(actor=manager)] == [late.pk, reviewed.pk]


def test_archive_needs_review_permission(org: Any, location: Any, staff: Any, person: Any,
                                         carer: Any, manager: Any) -> None:
    concern = _raise(carer, org, location, staff, person)
    with pytest.raises(PermissionDenied):
        services.safeguarding_concern_archive(actor=carer, concern=concern)
    archived = services.safeguarding_concern_archive(actor=manager, concern=concern,
                                                     reason="Duplicate")
    assert archived.archived_at is not None
