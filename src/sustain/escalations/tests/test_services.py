"""Services: withdrawal when a triggering record goes, completing and cancelling tasks (and
their refusals), organisation rules (create, new versions, archive, refusals), the preview,
and the cost of the on-write path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.models import HistoryEntry
from sustain.escalations import selectors, services
from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.escalations.tests.conftest import (
    MEDICINES_RULE,
    SAFEGUARDING_RULE,
    days_ago,
    discrepancy_check,
    supervision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fired(org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
          blake: Any) -> Firing:
    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    return Firing.objects.get()


def _counts() -> tuple[int, int, int, int]:
    return (Firing.objects.count(), EscalationTask.objects.count(),
            EscalationRule.objects.count(), HistoryEntry.objects.count())


# --- withdrawal -----------------------------------------------------------------------------


def test_archiving_a_triggering_record_withdraws_the_firing_and_its_open_tasks(
        fired: Firing, org: Any, location: Any, alex: Any, blake: Any) -> None:
    from sustain.medicines.models import MedicinesCheck
    from sustain.medicines.services import medicines_check_archive

    supervision(org, location, days_ago(4), alex, blake)  # the supervision task is done
    check = MedicinesCheck.objects.order_by("check_date").last()
    medicines_check_archive(actor="test", check=check, reason="Entered in error")
    fired.refresh_from_db()
    assert fired.status == "withdrawn"
    assert "no longer recorded" in fired.withdrawn_reason
    tasks = {t.task_type: t for t in fired.tasks.all()}
    assert len(tasks) == 3  # nothing deleted
    assert tasks["supervision"].status == "done"
    assert tasks["spot_checks"].status == "withdrawn"
    assert tasks["spot_checks"].withdrawn_reason == fired.withdrawn_reason
    entry = HistoryEntry.objects.filter(object_type="escalations.escalationtask",
                                        object_uuid=tasks["spot_checks"].uuid,
                                        action="update").latest("seq")
    assert entry.message.startswith("Withdrawn: ")
    # restoring the check brings the same firing back (same key), not a second one
    medicines_check_archive(actor="test", check=check, restore=True)
    fired.refresh_from_db()
    assert Firing.objects.count() == 1 and fired.status == "open"
    assert fired.tasks.filter(status="open").count() == 2


# --- completing and cancelling tasks --------------------------------------------------------


def test_task_complete_with_a_record_that_does_not_fulfil_is_refused_with_the_reason(
        fired: Firing, org: Any, location: Any, owners: dict[str, Any], alex: Any,
        blake: Any) -> None:
    from sustain.workforce.services import supervision_create

    task = fired.tasks.get(task_type="supervision")
    other = supervision_create(actor="test", organisation=org, location=location,
                               date=days_ago(3), supervisor=alex, supervisee=blake)
    early = supervision(org, location, days_ago(20), alex, blake)
    manager = owners["registered_manager"]
    before = _counts()
    for record_type, record, words in (("supervision", other, "another staff member"),
                                       ("supervision", early, "before the trigger")):
        with pytest.raises(InvalidInput) as exc:
            services.task_complete(actor=manager, task=task, expected_version=task.version,
                                   record_type=record_type, record_id=record.uuid)
        assert list(exc.value.errors) == ["record"]
        assert words in exc.value.errors["record"][0]
    with pytest.raises(InvalidInput) as exc:
        services.task_complete(actor=manager, task=task, expected_version=task.version,
                               record_type="competency_assessment", record_id=other.uuid)
    assert list(exc.value.errors) == ["record"]  # no competency assessment with that id
    with pytest.raises(InvalidInput) as exc:
        services.task_complete(actor=manager, task=task, expected_version=task.version,
                               note="done")
    assert list(exc.value.errors) == ["note"]
    assert _counts() == before
    task.refresh_from_db()
    assert task.status == "open"


def test_task_complete_with_the_right_record_and_by_hand(
        fired: Firing, org: Any, location: Any, owners: dict[str, Any], alex: Any,
        blake: Any) -> None:
    from sustain.core import events

    manager = owners["registered_manager"]
    task = fired.tasks.get(task_type="supervision")
    with events.muted():  # written without events (as an import's COPY path would)
        record = supervision(org, location, days_ago(3), alex, blake)
    task.refresh_from_db()
    assert task.status == "open"
    with pytest.raises(Conflict):
        services.task_complete(actor=manager, task=task, expected_version=task.version - 1,
                               record_type="supervision", record_id=str(record.uuid))
    done = services.task_complete(actor=manager, task=task, expected_version=task.version,
                                  record_type="supervision", record_id=str(record.uuid))
    assert done.status == "done" and done.fulfilled_records[0]["id"] == str(record.uuid)
    competency = fired.tasks.get(task_type="competency_reassessment")
    note = "Assessed on paper on 3 Mar; form in the staff file"
    done = services.task_complete(actor=manager, task=competency,
                                  expected_version=competency.version, note=note)
    assert done.status == "done" and done.completion_note == note
    assert HistoryEntry.objects.filter(object_uuid=competency.uuid,
                                       message__startswith="Completed by hand").exists()
    with pytest.raises(InvalidInput) as exc:
        services.task_complete(actor=manager, task=done, expected_version=done.version,
                               note=note)
    assert list(exc.value.errors) == ["status"]


def test_acting_on_a_task_needs_escalation_act_at_its_location(
        fired: Firing, make_user: Any, org: Any, location: Any, sibling_location: Any) -> None:
    task = fired.tasks.get(task_type="supervision")
    for user in (make_user(org, "registered_manager", location=sibling_location),
                 make_user(org, "board_member", scope="organisation"),
                 make_user(org, "care_staff", location=location)):
        with pytest.raises(PermissionDenied):
            services.task_cancel(actor=user, task=task, expected_version=task.version,
                                 reason="Not needed")
    task.refresh_from_db()
    assert task.status == "open"


def test_cancel_needs_a_reason_and_is_recorded(fired: Firing,
                                               owners: dict[str, Any]) -> None:
    manager = owners["registered_manager"]
    task = fired.tasks.get(task_type="spot_checks")
    before = _counts()
    with pytest.raises(InvalidInput) as exc:
        services.task_cancel(actor=manager, task=task, expected_version=task.version,
                             reason="   ")
    assert list(exc.value.errors) == ["reason"] and _counts() == before
    cancelled = services.task_cancel(actor=manager, task=task, expected_version=task.version,
                                     reason="Spot checks already weekly here")
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_reason == "Spot checks already weekly here"
    assert HistoryEntry.objects.filter(
        object_uuid=task.uuid, message="Cancelled: Spot checks already weekly here").exists()
    assert selectors.task_state(cancelled, cancelled.due_at) == "cancelled"


def test_task_state(fired: Firing) -> None:
    task = fired.tasks.get(task_type="competency_reassessment")
    due = task.due_at
    assert selectors.task_state(task, due - dt.timedelta(days=3)) == "open"
    assert selectors.task_state(task, due - dt.timedelta(hours=3)) == "due_soon"
    assert selectors.task_state(task, due + dt.timedelta(seconds=1)) == "overdue"
    task.step = 1
    assert selectors.task_state(task, due - dt.timedelta(hours=3)) == "escalated"
    task.at_board = True
    assert selectors.task_state(task, due + dt.timedelta(days=9)) == "escalated"


def test_visibility_by_location(fired: Firing, make_user: Any, org: Any, other_org: Any,
                                location: Any, sibling_location: Any) -> None:
    here = make_user(org, "registered_manager", location=location)
    there = make_user(org, "registered_manager", location=sibling_location)
    stranger = make_user(other_org, "quality_lead", scope="organisation")
    assert list(selectors.firings_visible(here)) == [fired]
    assert selectors.tasks_visible(here).count() == 3
    assert not selectors.firings_visible(there).exists()
    assert not selectors.tasks_visible(stranger).exists()
    assert selectors.rules_visible(there).count() == 1  # rules are organisation-level
    assert not selectors.rules_visible(stranger).exists()


# --- organisation rules ---------------------------------------------------------------------


def test_rule_create_refuses_bad_yaml_with_the_line_and_writes_nothing(
        quality_lead: Any, owners: dict[str, Any]) -> None:
    before = _counts()
    bad = MEDICINES_RULE.replace("within_days: 28", "within_days: 0")
    with pytest.raises(InvalidInput) as exc:
        services.rule_create(actor=quality_lead, yaml_text=bad)
    assert list(exc.value.errors) == ["yaml"]
    message = exc.value.errors["yaml"][0]
    line = bad.splitlines().index("  within_days: 0") + 1
    assert f"rule.yaml:{line}:" in message and "within_days" in message
    assert "window of zero" in message
    unknown = MEDICINES_RULE.replace("record: medicines_discrepancy", "record: mar_errors")
    with pytest.raises(InvalidInput) as exc:
        services.rule_create(actor=quality_lead, yaml_text=unknown)
    assert "unknown record type 'mar_errors'" in exc.value.errors["yaml"][0]
    assert _counts() == before


def test_rule_create_refuses_a_response_no_one_would_own(
        quality_lead: Any, manager: Any, location: Any, sibling_location: Any) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as exc:  # no senior carer anywhere
        services.rule_create(actor=quality_lead, yaml_text=MEDICINES_RULE,
                             location_ids=[location.uuid])
    [problem] = exc.value.errors["yaml"]
    line = MEDICINES_RULE.splitlines().index("    owner_role: senior_carer") + 1
    assert problem.startswith(f"rule.yaml:{line}: responses[2].owner_role: ")
    assert "Senior carer" in problem and "Oak House" in problem
    with pytest.raises(InvalidInput) as exc:  # every location: Elm Court has no manager
        services.rule_create(actor=quality_lead, yaml_text=SAFEGUARDING_RULE)
    assert "Elm Court" in exc.value.errors["yaml"][0]
    assert "Oak House" not in exc.value.errors["yaml"][0]
    assert _counts() == before
    rule = services.rule_create(actor=quality_lead, yaml_text=SAFEGUARDING_RULE,
                                location_ids=[location.uuid])
    assert list(rule.locations.all()) == [location]


def test_rule_create_needs_rule_manage_over_the_organisation(
        make_user: Any, org: Any, location: Any, owners: dict[str, Any]) -> None:
    for user in (owners["registered_manager"],
                 make_user(org, "quality_lead", location=location)):
        with pytest.raises(PermissionDenied):
            services.rule_create(actor=user, yaml_text=MEDICINES_RULE)
    assert not EscalationRule.objects.exists()


def test_rule_update_adds_a_version_and_archive_needs_a_reason(
        quality_lead: Any, owners: dict[str, Any], make_rule: Any) -> None:
    first = make_rule(MEDICINES_RULE)
    with pytest.raises(InvalidInput) as exc:
        services.rule_update(actor=quality_lead, rule=first, expected_version=first.version,
                             yaml_text=MEDICINES_RULE.replace("id: repeated-mar-discrepancy",
                                                              "id: another-id"))
    assert list(exc.value.errors) == ["yaml"]
    second = services.rule_update(actor=quality_lead, rule=first,
                                  expected_version=first.version,
                                  yaml_text=MEDICINES_RULE.replace("count: 2", "count: 3"))
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.rule_version) == (False, True, 2)
    with pytest.raises(Conflict):
        services.rule_update(actor=quality_lead, rule=second, expected_version=99,
                             yaml_text=MEDICINES_RULE)
    with pytest.raises(InvalidInput) as exc:
        services.rule_archive(actor=quality_lead, rule=second,
                              expected_version=second.version, reason="")
    assert list(exc.value.errors) == ["reason"]
    archived = services.rule_archive(actor=quality_lead, rule=second,
                                     expected_version=second.version, reason="Replaced")
    assert archived.archived_at is not None
    # the id is free again: a new rule with it is version 3
    again = services.rule_create(actor=quality_lead, yaml_text=MEDICINES_RULE)
    assert again.rule_version == 3


def test_a_new_version_runs_with_its_own_version_and_old_firings_stay_prior(
        org: Any, location: Any, quality_lead: Any, owners: dict[str, Any], make_rule: Any,
        alex: Any, blake: Any) -> None:
    rule = make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(12), alex, blake)
    discrepancy_check(org, location, days_ago(10), alex, blake)
    services.rule_update(actor=quality_lead, rule=rule, expected_version=rule.version,
                         yaml_text=MEDICINES_RULE.replace("Immediate supervision",
                                                          "Supervision now"))
    discrepancy_check(org, location, days_ago(9), alex, blake)
    discrepancy_check(org, location, days_ago(8), alex, blake)
    assert list(Firing.objects.order_by("triggered_at").values_list("rule_version", flat=True)
                ) == ["v1", "v2"]
    assert Firing.objects.filter(status="open").count() == 2


def test_rule_preview_counts_what_would_have_fired_and_writes_nothing(
        org: Any, location: Any, sibling_location: Any, quality_lead: Any, alex: Any,
        blake: Any) -> None:
    from sustain.core import events

    with events.muted():
        for n in (80, 75, 40, 38, 37, 120, 118):
            discrepancy_check(org, location, days_ago(n), alex, blake)
        discrepancy_check(org, location, days_ago(30), blake, alex)
    before = _counts()
    preview = services.rule_preview(actor=quality_lead, yaml_text=MEDICINES_RULE, days=90)
    # 80+75 and 40+38 (37 waits for a fourth); 120+118 are before the 90 days
    assert preview.count == 2
    assert preview.summary == "This rule would have fired 2 times in the last 90 days."
    assert {p.name: p.count for p in preview.locations} == {"Oak House": 2, "Elm Court": 0}
    assert len(preview.examples) == 2 and preview.examples[0].startswith("Oak House: ")
    assert "Alex Carer" in preview.examples[0]
    assert services.rule_preview(actor=quality_lead, yaml_text=MEDICINES_RULE, days=200,
                                 location_ids=[location.uuid]).count == 3
    assert _counts() == before
    with pytest.raises(InvalidInput) as exc:
        services.rule_preview(actor=quality_lead, yaml_text="id: [", days=90)
    assert list(exc.value.errors) == ["yaml"]


# --- the on-write path ----------------------------------------------------------------------


def _write_and_count(org: Any, location: Any, staff: Any, checker: Any, day: dt.date) -> int:
    from sustain.medicines.models import Discrepancy
    from sustain.medicines.services import _write_discrepancies

    check = discrepancy_check(org, location, day, None, checker, n=0)
    with CaptureQueriesContext(connection) as ctx:
        _write_discrepancies("test", check, [{"type": "omission", "person": None,
                                              "staff_responsible": staff,
                                              "action_taken": ""}])
    assert Discrepancy.objects.filter(check_record=check).count() == 1
    return len(ctx.captured_queries)


def test_the_on_write_path_reads_only_the_records_location(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    """A discrepancy write costs the same number of queries however many other locations
    (with their own records and rules) the organisation has."""
    from sustain.tenancy.tests.factories import LocationFactory

    make_rule(MEDICINES_RULE)  # every location
    one = _write_and_count(org, location, alex, blake, days_ago(60))
    others = [LocationFactory(organisation=org) for _ in range(5)]
    for other in others:
        staff = services_staff(org, other)
        discrepancy_check(org, other, days_ago(20), staff, staff, n=2)
    assert Firing.objects.exclude(location=location).count() == 5
    many = _write_and_count(org, location, alex, blake, days_ago(30))
    assert many == one
    assert not Firing.objects.filter(location=location).exists()


def services_staff(org: Any, location: Any) -> Any:
    from sustain.people import services as people_services

    return people_services.staff_create(actor="test", organisation=org, locations=[location],
                                        full_name="Other Carer", job_role="Carer",
                                        start_date=dt.date(2023, 1, 1))


def test_a_medicines_check_save_evaluates_once_for_its_discrepancy_not_for_the_check(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_rule(MEDICINES_RULE)
    calls: list[set[str] | None] = []
    real = services.evaluate_location

    def spy(**kwargs: Any) -> services.EvalCounts:
        types = kwargs.get("record_types")
        calls.append(None if types is None else set(types))
        return real(**kwargs)

    monkeypatch.setattr(services, "evaluate_location", spy)
    discrepancy_check(org, location, days_ago(12), alex, blake, n=0)
    assert calls == []  # a check with no discrepancies changes no record a rule reads
    discrepancy_check(org, location, days_ago(10), alex, blake)
    assert calls == [{"medicines_discrepancy"}]


def test_a_new_firings_tasks_are_written_in_bulk_with_history_and_counted_at_once(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    """Spot checks × 3 written before the firing are counted in one update (one history
    entry naming them); every firing and task has its own create entry; the sweep's queries
    do not grow with the number of firings at a location."""
    from sustain.core import events
    from sustain.feedback.services import visit_create

    make_rule(MEDICINES_RULE)
    with events.muted():
        discrepancy_check(org, location, days_ago(12), alex, blake)
        discrepancy_check(org, location, days_ago(10), alex, blake)
        for n in (9, 8, 7, 6):
            visit_create(actor="test", organisation=org, location=location, visitor=blake,
                         date=days_ago(n), type="spot_check", looked_at="MAR charts")
    with CaptureQueriesContext(connection) as one:
        services.sweep()
    firing = Firing.objects.get()
    spot = firing.tasks.get(task_type="spot_checks")
    assert spot.status == "done" and len(spot.fulfilled_records) == 3
    entries = HistoryEntry.objects.filter(object_uuid=spot.uuid).order_by("seq")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].message.startswith("Done: ") and entries[1].message.count(";") == 2
    for obj in (firing, *firing.tasks.all()):
        assert HistoryEntry.objects.filter(object_uuid=obj.uuid, action="create").count() == 1
    with events.muted():  # two more firings (Blake twice, Alex again) at the same location
        for n in (5, 4):
            discrepancy_check(org, location, days_ago(n), blake, alex)
        for n in (3, 2):
            discrepancy_check(org, location, days_ago(n), alex, blake)
    with CaptureQueriesContext(connection) as more:
        services.sweep()
    assert Firing.objects.count() == 3
    assert len(more.captured_queries) <= len(one.captured_queries) + 2
