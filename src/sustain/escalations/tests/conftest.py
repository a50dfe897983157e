"""Fixtures for escalation rules: the people who own responses, staff, a person supported,
the three seed rules as organisation rules, and writers of the records they read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from sustain.escalations import services
from sustain.people import services as people_services
from sustain.people.tests.factories import PersonFactory

TODAY = timezone.localdate()

MEDICINES_RULE = """\
id: repeated-mar-discrepancy
title: Repeated MAR discrepancy by the same staff member
source: >-
  Any repeated discrepancy triggered immediate supervision, competency reassessment and
  additional spot checks.
trigger:
  kind: repeated
  record: medicines_discrepancy
  group_by: staff_member
  count: 2
  within_days: 28
responses:
  - task: supervision
    title: Immediate supervision on the discrepancies
    subject: staff_member
    owner_role: registered_manager
    due_within_hours: 24
    fulfilled_by:
      record: supervision
  - task: competency_reassessment
    title: Medicines competency reassessment
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 7
    fulfilled_by:
      record: competency_assessment
      where: {assessment_type: medicines_administration}
  - task: spot_checks
    title: Additional spot checks
    subject: location
    owner_role: senior_carer
    due_within_days: 14
    count: 3
    fulfilled_by:
      record: visit
      where: {type: spot_check}
"""

# The medicines rule with its first response only (the supervision): pages and the access
# matrix need one task, not three.
SUPERVISION_RULE = MEDICINES_RULE.split("  - task: competency_reassessment")[0]

CARE_PLAN_RULE = """\
id: repeated-care-plan-mismatch
title: Repeated mismatch between care plans and daily practice
source: >-
  Any repeated mismatch between records and daily practice triggered key worker supervision,
  immediate plan review and follow-up observation.
trigger:
  kind: repeated
  record: care_plan_review
  where: {mismatch_found: true}
  group_by: key_worker
  count: 2
  within_days: 60
responses:
  - task: supervision
    title: Key worker supervision
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 7
    fulfilled_by:
      record: supervision
  - task: plan_review
    title: Immediate plan review
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 2
    fulfilled_by:
      record: care_plan_review
  - task: observation
    title: Follow-up observation of practice
    subject: location
    owner_role: registered_manager
    due_within_days: 14
    fulfilled_by:
      record: observation
"""

SAFEGUARDING_RULE = """\
id: delayed-safeguarding-escalation
title: Shift lead not told of a safeguarding concern before the end of the shift
source: >-
  Any delayed escalation triggered immediate management review, staff debrief and threshold
  refresher training.
trigger:
  kind: timeliness
  record: safeguarding_concern
  from_field: raised_at
  to_field: shift_lead_notified_at
  deadline: end_of_shift
responses:
  - task: management_review
    title: Immediate management review
    subject: location
    owner_role: registered_manager
    due_within_hours: 24
    fulfilled_by:
      record: note
  - task: debrief
    title: Staff debrief
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 3
    fulfilled_by:
      record: supervision
  - task: training
    title: Safeguarding threshold refresher training
    subject: staff_member
    owner_role: registered_manager
    due_within_days: 14
    fulfilled_by:
      record: training
"""


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location, first_name="Rita",
                     last_name="Manager")


@pytest.fixture
def senior(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "senior_carer", location=location)


@pytest.fixture
def quality_lead(make_user: Any, org: Any) -> Any:
    return make_user(org, "quality_lead", scope="organisation")


@pytest.fixture
def nominated(make_user: Any, org: Any) -> Any:
    return make_user(org, "nominated_individual", scope="organisation")


@pytest.fixture
def owners(manager: Any, senior: Any, quality_lead: Any, nominated: Any) -> dict[str, Any]:
    return {"registered_manager": manager, "senior_carer": senior,
            "quality_lead": quality_lead, "nominated_individual": nominated}


def _staff(org: Any, location: Any, name: str) -> Any:
    return people_services.staff_create(
        actor="test", organisation=org, locations=[location], full_name=name,
        job_role="Care assistant", start_date=dt.date(2023, 1, 1))


@pytest.fixture
def alex(org: Any, location: Any) -> Any:
    return _staff(org, location, "Alex Carer")


@pytest.fixture
def blake(org: Any, location: Any) -> Any:
    return _staff(org, location, "Blake Carer")


@pytest.fixture
def person(org: Any, location: Any) -> Any:
    return PersonFactory(organisation=org, location=location)


@pytest.fixture
def make_rule(quality_lead: Any) -> Callable[..., Any]:
    def _make(text: str, locations: tuple[Any, ...] = ()) -> Any:
        return services.rule_create(actor=quality_lead, yaml_text=text,
                                    location_ids=[loc.uuid for loc in locations])
    return _make


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def discrepancy_check(org: Any, location: Any, day: dt.date, staff: Any, checker: Any,
                      *, kind: str = "omission", shift: str = "day", n: int = 1) -> Any:
    from sustain.medicines.services import medicines_check_create

    return medicines_check_create(
        actor="test", organisation=org, location=location, check_date=day, shift=shift,
        checked_by=checker, charts_checked=12,
        discrepancies=[{"type": kind, "staff_responsible": staff} for _ in range(n)])


def supervision(org: Any, location: Any, day: dt.date, supervisee: Any, supervisor: Any
                ) -> Any:
    from sustain.workforce.services import supervision_create

    return supervision_create(actor="test", organisation=org, location=location, date=day,
                              supervisor=supervisor, supervisee=supervisee,
                              topics="Medicines discrepancies")


def mismatch_review(org: Any, location: Any, day: dt.date, person: Any, key_worker: Any,
                    *, mismatch: bool = True) -> Any:
    from sustain.careplans.services import care_plan_review_create

    return care_plan_review_create(
        actor="test", organisation=org, location=location, person=person,
        key_worker=key_worker, due_date=day, completed_on=day, checked_daily_notes=True,
        mismatch_found=mismatch,
        mismatch_detail="Plan says two carers; notes show one." if mismatch else "")
