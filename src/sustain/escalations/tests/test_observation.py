"""An observation of practice is about the staff member observed (not the visitor), so a
rule's "follow-up observation of the key worker" is fulfilled by observing the key worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.engine.escalation_eval import fulfils
from sustain.engine.escalation_rules import FulfilledBy, ResponseSpec
from sustain.escalations import records
from sustain.escalations.tests.conftest import days_ago

pytestmark = pytest.mark.django_db

RESPONSE = ResponseSpec(task="observation", title="Follow-up observation",
                        subject="staff_member", owner_role="deputy_manager",
                        due_within_days=14, fulfilled_by=FulfilledBy(record="observation"))


def _observation(org: Any, location: Any, visitor: Any, observed: Any) -> list[Any]:
    from sustain.feedback.services import visit_create

    visit = visit_create(actor="test", organisation=org, location=location, visitor=visitor,
                         date=days_ago(1), type="observation", staff_observed=observed,
                         looked_at="Medicines round")
    return records.recs_from_instance("feedback.visit", visit, location)


def test_observing_the_key_worker_fulfils_the_observation_task(
        org: Any, location: Any, alex: Any, blake: Any) -> None:
    recs = {r.type: r for r in _observation(org, location, visitor=blake, observed=alex)}
    subject = {"staff_member": str(alex.uuid), "location": str(location.uuid)}
    trigger = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    assert recs["observation"].fields["staff_member"] == str(alex.uuid)
    assert "Alex" in recs["observation"].label
    assert fulfils(RESPONSE, subject, trigger, recs["observation"]) is None
    # The same visit read as a visit is the visitor's.
    assert recs["visit"].fields["staff_member"] == str(blake.uuid)


def test_an_observation_of_someone_else_or_of_no_one_named_does_not(
        org: Any, location: Any, alex: Any, blake: Any) -> None:
    subject = {"staff_member": str(alex.uuid), "location": str(location.uuid)}
    trigger = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    [_, other] = sorted(_observation(org, location, visitor=alex, observed=blake),
                        key=lambda r: r.type != "visit")
    assert other.type == "observation"
    assert fulfils(RESPONSE, subject, trigger, other) == (
        "the observation of practice is of another staff member")
    [_, unnamed] = sorted(_observation(org, location, visitor=blake, observed=None),
                          key=lambda r: r.type != "visit")
    assert "does not name the staff member" in (fulfils(RESPONSE, subject, trigger, unnamed)
                                                or "")
