"""The periodic sweep (catches records written without events; idempotent; recorded in the
jobs list), the ladder (overdue tasks climb to the board report, with history), and the
`sustain escalations` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sustain.core import events
from sustain.core.models import HistoryEntry
from sustain.escalations import selectors, services, tasks
from sustain.escalations.models import EscalationTask, Firing
from sustain.escalations.tests.conftest import (
    CARE_PLAN_RULE,
    MEDICINES_RULE,
    days_ago,
    discrepancy_check,
    mismatch_review,
)
from sustain.governance.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_history(org: Any, location: Any, owners: dict[str, Any], make_rule: Any,
                  alex: Any, blake: Any, person: Any) -> None:
    """Two rules and records that satisfy them, written without events (as an import's COPY
    path writes)."""
    make_rule(MEDICINES_RULE)
    make_rule(CARE_PLAN_RULE)
    with events.muted():
        for n in (20, 15, 12, 10):
            discrepancy_check(org, location, days_ago(n), alex, blake)
        mismatch_review(org, location, days_ago(9), person, blake)
        mismatch_review(org, location, days_ago(7), person, blake)


def test_sweep_finds_what_was_written_quietly_and_twice_changes_nothing(
        quiet_history: None) -> None:
    assert not Firing.objects.exists()
    first = services.sweep()
    assert first["new"] == 3 and first["tasks"] == 9 and first["locations"] == 1
    assert Firing.objects.count() == 3 and EscalationTask.objects.count() == 9
    history = HistoryEntry.objects.count()
    second = services.sweep()
    assert second["new"] == 0 and second["kept"] == 3 and second["withdrawn"] == 0
    assert (Firing.objects.count(), EscalationTask.objects.count(),
            HistoryEntry.objects.count()) == (3, 9, history)
    runs = list(JobRun.objects.filter(name="escalations.sweep").order_by("pk"))
    assert [(r.outcome, r.counts["new"]) for r in runs] == [("succeeded", 3),
                                                            ("succeeded", 0)]


def test_the_periodic_jobs_and_the_command(quiet_history: None) -> None:
    result = tasks.escalations_sweep_task.call_local()
    assert result["new"] == 3
    out = StringIO()
    call_command("escalations", "sweep", "--escalate", stdout=out)
    text = out.getvalue()
    assert "0 new firing(s)" in text and "3 still holding" in text
    assert "task(s) escalated" in text
    assert set(JobRun.objects.values_list("name", flat=True)) == {
        "escalations.sweep", "escalations.escalate"}


def test_an_overdue_task_climbs_the_ladder_to_the_board(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    make_rule(MEDICINES_RULE)
    discrepancy_check(org, location, days_ago(3), alex, blake)
    discrepancy_check(org, location, days_ago(2), alex, blake)
    firing = Firing.objects.get()
    task = firing.tasks.get(task_type="supervision")
    others = list(firing.tasks.exclude(pk=task.pk).values_list("pk", "version"))
    assert task.owner == owners["registered_manager"] and task.step == 0

    now = task.due_at + dt.timedelta(minutes=1)
    assert services.escalate_overdue(now=now) == {"escalated": 1, "to_board": 0}
    task.refresh_from_db()
    assert (task.step, task.owner_role, task.owner) == (1, "quality_lead",
                                                        owners["quality_lead"])
    assert task.due_at == now + dt.timedelta(days=3) and task.escalated_at == now
    assert selectors.task_state(task, now) == "escalated"
    entry = HistoryEntry.objects.filter(object_uuid=task.uuid).latest("seq")
    assert entry.message.startswith("Escalated to the provider quality lead")
    # the other tasks are not due yet: untouched
    assert list(firing.tasks.exclude(pk=task.pk).values_list("pk", "version")) == others
    # running again at the same moment moves nothing
    assert services.escalate_overdue(now=now) == {"escalated": 0, "to_board": 0}

    now = task.due_at + dt.timedelta(minutes=1)
    services.escalate_overdue(now=now)
    task.refresh_from_db()
    assert (task.step, task.owner_role, task.owner) == (2, "nominated_individual",
                                                        owners["nominated_individual"])
    assert not selectors.board_feed(owners["nominated_individual"]).exists()

    now = task.due_at + dt.timedelta(minutes=1)
    result = services.escalate_overdue(now=now)
    task.refresh_from_db()
    assert result["to_board"] >= 1
    assert (task.step, task.owner_role, task.owner, task.at_board) == (3, "board", None, True)
    assert task.status == "open"
    assert list(selectors.board_feed(owners["nominated_individual"])) == [task]
    assert HistoryEntry.objects.filter(object_uuid=task.uuid,
                                       message__startswith="Escalated to the board report"
                                       ).exists()
    assert HistoryEntry.objects.filter(object_uuid=task.uuid,
                                       message__startswith="Escalated").count() == 3
    # in the board report: it climbs no further
    services.escalate_overdue(now=now + dt.timedelta(days=30))
    task.refresh_from_db()
    assert task.step == 3


def test_an_escalated_role_no_one_holds_leaves_the_task_without_owner(
        org: Any, location: Any, manager: Any, senior: Any, nominated: Any, alex: Any,
        blake: Any) -> None:
    services.rule_create(actor=nominated, yaml_text=MEDICINES_RULE)  # no quality lead here
    discrepancy_check(org, location, days_ago(3), alex, blake)
    discrepancy_check(org, location, days_ago(2), alex, blake)
    task = EscalationTask.objects.get(task_type="supervision")
    services.escalate_overdue(now=task.due_at + dt.timedelta(minutes=1))
    task.refresh_from_db()
    assert (task.owner_role, task.owner) == ("quality_lead", None)
    assert "no one holds this role here" in HistoryEntry.objects.filter(
        object_uuid=task.uuid).latest("seq").message


REAUDIT_RULE = """\
id: improvement-slowing
title: Re-audits of a theme stay below the pass mark for two cycles
source: Escalation where improvement slows.
trigger:
  kind: audit_below
  group_by: theme
  consecutive: 2
  reaudit_only: true
responses:
  - task: provider_review
    title: Provider-level review of the theme
    subject: theme
    owner_role: quality_lead
    due_within_days: 14
    fulfilled_by:
      record: note
"""


def test_audits_below_the_mark_for_a_theme_fire_with_the_theme_linked(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any) -> None:
    from django.utils import timezone

    from sustain.themes.tests.factories import AuditFactory, AuditTemplateFactory, ThemeFactory

    make_rule(REAUDIT_RULE)
    theme = ThemeFactory(organisation=org, location=location, title="Medicines")
    other = ThemeFactory(organisation=org, location=location, title="Falls")
    template = AuditTemplateFactory(pass_mark=90)
    now = timezone.now()
    for days, score, about in ((60, 70, theme), (45, 95, other), (30, 80, theme),
                               (20, 60, other)):
        AuditFactory(theme=about, template=template, score=score, passed=score >= 90,
                     audit_date=days_ago(days), completed_at=now - dt.timedelta(days=days))
    services.sweep()
    firing = Firing.objects.get()
    assert firing.theme == theme and firing.group_label == "Medicines"
    assert firing.subject["theme"] == str(theme.uuid)
    task = firing.tasks.get()
    assert task.owner == owners["quality_lead"] and task.subject["about"] == "theme"


# --- evaluation at a past time; a firing's tasks all exist before any closes it --------------


def _noon(day: dt.date) -> dt.datetime:
    from sustain.engine.timeliness import LONDON

    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=LONDON)


def test_an_evaluation_at_a_past_time_reads_nothing_written_for_after_it(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    from sustain.escalations.tests.conftest import supervision

    make_rule(MEDICINES_RULE)
    with events.muted():
        for n in (20, 18):
            discrepancy_check(org, location, days_ago(n), alex, blake)
        for n in (5, 3):  # after the evaluation time: not there yet
            discrepancy_check(org, location, days_ago(n), blake, alex)
        supervision(org, location, days_ago(10), alex, blake)  # after it too
    counts = services.evaluate_location(location=location, now=_noon(days_ago(15)))
    assert counts.new == 1
    firing = Firing.objects.get()
    assert firing.staff_member == alex
    tasks = {t.task_type: t for t in firing.tasks.all()}
    assert tasks["supervision"].status == "open"  # the supervision 10 days ago is later
    assert tasks["supervision"].fulfilled_records == []
    # Today, Blake's discrepancies fire too (Alex's firing is kept, not fired again).
    later = services.evaluate_location(location=location, now=_noon(days_ago(0)))
    assert (later.new, later.kept) == (1, 1)
    assert Firing.objects.filter(staff_member=blake).count() == 1
    # ... and the later evaluation counts the supervision written (quietly) in between.
    done = firing.tasks.get(task_type="supervision")
    assert done.status == "done" and done.done_at == _noon(days_ago(0))
    assert [r["type"] for r in done.fulfilled_records] == ["supervision"]


def test_a_firing_stays_open_until_every_task_is_finished(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    """The first task is fulfilled by a record already written; the firing must not close
    before its other two tasks exist (they are open)."""
    from sustain.escalations.tests.conftest import supervision

    make_rule(MEDICINES_RULE)
    with events.muted():
        discrepancy_check(org, location, days_ago(12), alex, blake)
        discrepancy_check(org, location, days_ago(10), alex, blake)
        supervision(org, location, days_ago(8), alex, blake)
    services.sweep()
    firing = Firing.objects.get()
    tasks = {t.task_type: t.status for t in firing.tasks.all()}
    assert tasks == {"supervision": "done", "competency_reassessment": "open",
                     "spot_checks": "open"}
    assert firing.status == "open"


def test_the_open_task_catch_up_reads_back_only_the_tasks_span(
        org: Any, location: Any, owners: dict[str, Any], make_rule: Any, alex: Any,
        blake: Any) -> None:
    """A task open for months: the sweep counts a record written quietly within the open
    tasks' longest span (due window + ladder) before now, not one dated long before that (it
    was there for earlier sweeps, or an import back-dated it: not counted)."""
    from sustain.escalations.tests.conftest import supervision

    make_rule(MEDICINES_RULE)
    with events.muted():
        for n in (205, 203):
            discrepancy_check(org, location, days_ago(n), alex, blake)
    assert services.evaluate_location(location=location, now=_noon(days_ago(200))).new == 1
    task = EscalationTask.objects.get(task_type="supervision")
    span = services._task_span(task)
    assert dt.timedelta(days=7) < span < dt.timedelta(days=120)
    with events.muted():
        supervision(org, location, days_ago(150), alex, blake)  # long before now - span
    services.evaluate_location(location=location, now=_noon(days_ago(0)))
    task.refresh_from_db()
    assert task.status == "open" and task.fulfilled_records == []
    with events.muted():
        supervision(org, location, days_ago(2), alex, blake)
    services.evaluate_location(location=location, now=_noon(days_ago(0)))
    task.refresh_from_db()
    assert task.status == "done"
    assert [r["at"] for r in task.fulfilled_records] == [
        services.rec_io.day_start(days_ago(2)).isoformat()]
