"""The seed's three rules end to end through the services: records written the usual way
fire the rule on write, the tasks have owners and deadlines, and the fulfilling record closes
its task (only when it is about the right subject and after the trigger)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.models import HistoryEntry
from sustain.engine.timeliness import LONDON
from sustain.escalations.models import EscalationTask, Firing
from sustain.escalations.tests.conftest import (
    CARE_PLAN_RULE,
    MEDICINES_RULE,
    SAFEGUARDING_RULE,
    days_ago,
    discrepancy_check,
    mismatch_review,
    supervision,
)

pytestmark = pytest.mark.django_db


def test_two_discrepancies_by_one_staff_member_in_28_days_fire_with_three_tasks(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(20), alex, blake)
    discrepancy_check(org, location, days_ago(12), blake, alex)  # someone else's
    assert not Firing.objects.exists()
    second = discrepancy_check(org, location, days_ago(10), alex, blake)
    firing = Firing.objects.get()
    assert firing.rule_code == "repeated-mar-discrepancy" and firing.status == "open"
    assert firing.staff_member == alex and firing.group_label == "Alex Carer"
    assert firing.source == "organisation" and firing.rule_version == "v1"
    assert [r["type"] for r in firing.records] == ["medicines_discrepancy"] * 2
    assert firing.records[-1]["id"] == str(second.discrepancies.get().uuid)
    assert "Alex Carer" in firing.records[0]["label"]
    tasks = list(firing.tasks.order_by("response_index"))
    assert [t.task_type for t in tasks] == ["supervision", "competency_reassessment",
                                            "spot_checks"]
    assert [t.owner for t in tasks] == [owners["registered_manager"]] * 2 + [
        owners["senior_carer"]]
    assert tasks[0].due_at == firing.triggered_at + dt.timedelta(hours=24)
    assert tasks[1].due_at == firing.triggered_at + dt.timedelta(days=7)
    assert tasks[2].count_needed == 3
    assert HistoryEntry.objects.filter(object_type="escalations.escalationtask",
                                       action="create").count() == 3
    # a third discrepancy of Alex's waits for a fourth (consumption)
    discrepancy_check(org, location, days_ago(8), alex, blake)
    assert Firing.objects.count() == 1


def test_a_supervision_after_the_trigger_closes_the_supervision_task_only(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    firing = Firing.objects.get()
    task = firing.tasks.get(task_type="supervision")
    supervision(org, location, days_ago(14), alex, blake)   # before the trigger
    supervision(org, location, days_ago(5), blake, alex)    # of someone else
    task.refresh_from_db()
    assert task.status == "open" and task.fulfilled_records == []
    done = supervision(org, location, days_ago(4), alex, blake)
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    assert [r["id"] for r in task.fulfilled_records] == [str(done.uuid)]
    assert firing.tasks.filter(status="open").count() == 2
    firing.refresh_from_db()
    assert firing.status == "open"


def test_spot_checks_need_three_visits_and_the_firing_closes_when_all_are_done(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    from sustain.feedback.services import visit_create
    from sustain.workforce.services import competency_assessment_create

    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    firing = Firing.objects.get()
    spot = firing.tasks.get(task_type="spot_checks")
    for n in (9, 8):
        visit_create(actor="test", organisation=org, location=location, visitor=blake,
                     date=days_ago(n), type="spot_check", looked_at="MAR charts")
    visit_create(actor="test", organisation=org, location=location, visitor=blake,
                 date=days_ago(7), type="night", looked_at="Night round")
    spot.refresh_from_db()
    assert spot.status == "open" and len(spot.fulfilled_records) == 2
    visit_create(actor="test", organisation=org, location=location, visitor=blake,
                 date=days_ago(6), type="spot_check", looked_at="MAR charts")
    spot.refresh_from_db()
    assert spot.status == "done" and len(spot.fulfilled_records) == 3
    supervision(org, location, days_ago(5), alex, blake)
    competency_assessment_create(actor="test", organisation=org, location=location,
                                 assessment_type="medicines_administration", assessor=blake,
                                 staff=alex, date=days_ago(4), outcome="competent")
    firing.refresh_from_db()
    assert firing.status == "closed"
    assert set(firing.tasks.values_list("status", flat=True)) == {"done"}


def test_two_care_plan_mismatches_for_one_key_worker(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any, person: Any) -> None:
    from sustain.people.tests.factories import PersonFactory

    make_rule(CARE_PLAN_RULE)
    other = PersonFactory(organisation=org, location=location)
    mismatch_review(org, location, days_ago(30), person, alex)
    mismatch_review(org, location, days_ago(25), other, blake)
    mismatch_review(org, location, days_ago(22), other, alex, mismatch=False)
    assert not Firing.objects.exists()
    mismatch_review(org, location, days_ago(20), other, alex)
    firing = Firing.objects.get()
    assert firing.staff_member == alex and firing.group_field == "key_worker"
    assert len(firing.records) == 2
    assert firing.triggered_at.date() <= days_ago(20)
    plan = firing.tasks.get(task_type="plan_review")
    mismatch_review(org, location, days_ago(15), person, alex, mismatch=False)
    plan.refresh_from_db()
    assert plan.status == "done"


def test_shift_lead_not_notified_before_end_of_shift(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any, person: Any) -> None:
    from sustain.safeguarding.services import safeguarding_concern_create

    make_rule(SAFEGUARDING_RULE)
    # 10:00 three days ago: the day shift runs 08:00-20:00 (Europe/London)
    raised = dt.datetime.combine(days_ago(3), dt.time(10, 0), tzinfo=LONDON)
    on_time = safeguarding_concern_create(
        actor="test", organisation=org, location=location, raised_at=raised, raised_by=blake,
        person=person, category="neglect", description="Seen at breakfast",
        shift_lead_notified_at=raised + dt.timedelta(minutes=30))
    late = safeguarding_concern_create(
        actor="test", organisation=org, location=location, raised_at=raised, raised_by=alex,
        person=person, category="neglect", description="Seen at lunch",
        shift_lead_notified_at=raised + dt.timedelta(hours=13))
    firing = Firing.objects.get()
    assert firing.records[0]["id"] == str(late.uuid)
    assert str(on_time.uuid) not in {r["id"] for r in firing.records}
    assert firing.staff_member == alex
    assert "shift lead notified" in firing.explanation
    review = firing.tasks.get(task_type="management_review")
    assert review.fulfilled_by_type == "note"
    # the management review is completed with a written note
    from sustain.escalations import services

    done = services.task_complete(actor=owners["registered_manager"], task=review,
                                  expected_version=review.version,
                                  note="Reviewed with the shift lead")
    assert done.status == "done" and done.fulfilled_records[0]["type"] == "note"
    assert done.completion_note == "Reviewed with the shift lead"


def test_a_concern_never_notified_fires_once_the_shift_has_ended(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        person: Any) -> None:
    from sustain.escalations import services
    from sustain.safeguarding.services import safeguarding_concern_create

    make_rule(SAFEGUARDING_RULE)
    safeguarding_concern_create(
        actor="test", organisation=org, location=location,
        raised_at=timezone.now() - dt.timedelta(seconds=1), raised_by=alex, person=person,
        category="neglect", description="Bruise seen")
    assert not Firing.objects.exists()  # the shift has not ended yet
    counts = services.evaluate_location(location=location,
                                        now=timezone.now() + dt.timedelta(hours=25))
    assert counts.new == 1 and counts.tasks == 3
    assert EscalationTask.objects.filter(firing__rule_code="delayed-safeguarding-escalation"
                                         ).count() == 3


def test_the_shipped_medicines_playbook_rule_runs_where_the_playbook_is_applied(
        org: Any, location: Any, sibling_location: Any, owners: dict[str, Any], alex: Any,
        blake: Any) -> None:
    """No organisation rule here: the rule comes from the playbook applied to the location's
    medicines theme; the firing names the playbook version and links the theme. The sibling
    location has no such theme, so its discrepancies fire nothing."""
    from sustain.escalations.tests.conftest import _staff
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbook_apply, playbooks_load
    from sustain.themes import services as theme_services

    playbooks_load()
    playbook = Playbook.objects.get(code="medicines-governance", organisation__isnull=True)
    theme = theme_services.theme_create(actor="test", organisation=org, location=location,
                                        title="Medicines", origin="inspection",
                                        as_of=days_ago(60))
    playbook_apply(actor="test", playbook=playbook, theme=theme)
    elsewhere = _staff(org, sibling_location, "Dana Carer")
    for n in (12, 10):
        discrepancy_check(org, location, days_ago(n), alex, blake)
        discrepancy_check(org, sibling_location, days_ago(n), elsewhere, elsewhere)
    firing = Firing.objects.get()
    assert firing.location == location and firing.source == "playbook"
    assert firing.playbook_code == "medicines-governance"
    assert firing.rule_version == f"medicines-governance v{playbook.version}"
    assert firing.theme == theme and firing.rule is None
    assert firing.tasks.count() == 3
    assert firing.tasks.get(task_type="spot_checks").ladder == [
        "quality_lead", "nominated_individual", "board"]
