"""The demo's escalation story, read from the built data (one build per test session,
conftest.py): Rosewood's history holds firings of the three seed rules, every response done
with its record after the trigger and before its deadline; Meadowbank has exactly two overdue
responses, escalated to the quality lead with history; the open tasks stay few."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from sustain.core.models import HistoryEntry
from sustain.demo.escalations import SEED_RULES
from sustain.engine import timeliness
from sustain.engine.escalation_records import RECORD_TYPES
from sustain.escalations.models import EscalationTask, Firing

AS_OF = dt.date(2026, 11, 27)
CUTOFF = dt.datetime.combine(AS_OF, dt.time(0), tzinfo=timeliness.LONDON)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@dataclass
class TaskFact:
    task_type: str
    status: str
    record_type: str
    count_needed: int
    original_due_at: dt.datetime
    due_at: dt.datetime
    done_at: dt.datetime | None
    records: list[tuple[str, dt.datetime]]  # (type, time) of the records it counted
    completion_note: str
    step: int
    owner_role: str
    owner: str | None
    escalated_at: dt.datetime | None
    history: list[str]
    firing_id: int


@dataclass
class FiringFact:
    rule_code: str
    location: str
    status: str
    triggered_at: dt.datetime
    tasks: list[TaskFact] = field(default_factory=list)


@dataclass
class EscalationFacts:
    firings: list[FiringFact] = field(default_factory=list)

    def at(self, location: str) -> list[FiringFact]:
        return [f for f in self.firings if f.location == location]

    def open_tasks(self, location: str | None = None) -> list[TaskFact]:
        return [t for f in self.firings if location in (None, f.location) for t in f.tasks
                if t.status == EscalationTask.Status.OPEN]


def read_escalations(org: Any) -> EscalationFacts:
    """Every firing of the demo organisation with its tasks, as plain values."""
    facts = EscalationFacts()
    tasks: dict[int, list[EscalationTask]] = {}
    for task in EscalationTask.objects.filter(organisation=org).select_related(
            "owner").order_by("firing_id", "response_index"):
        tasks.setdefault(task.firing_id, []).append(task)
    history: dict[str, list[str]] = {}
    for uuid, message in HistoryEntry.objects.filter(
            organisation=org, object_type="escalations.escalationtask").order_by(
            "seq").values_list("object_uuid", "message"):
        history.setdefault(str(uuid), []).append(message)
    for firing in Firing.objects.filter(organisation=org).select_related(
            "location").order_by("triggered_at", "pk"):
        fact = FiringFact(rule_code=firing.rule_code, location=firing.location.name,
                          status=firing.status, triggered_at=firing.triggered_at)
        for task in tasks.get(firing.pk, []):
            fact.tasks.append(TaskFact(
                task_type=task.task_type, status=task.status,
                record_type=task.fulfilled_by_type, count_needed=task.count_needed,
                original_due_at=task.original_due_at, due_at=task.due_at,
                done_at=task.done_at,
                records=[(r["type"], dt.datetime.fromisoformat(r["at"]))
                         for r in task.fulfilled_records or []],
                completion_note=task.completion_note, step=task.step,
                owner_role=task.owner_role,
                owner=task.owner.username if task.owner else None,
                escalated_at=task.escalated_at, history=history.get(str(task.uuid), []),
                firing_id=firing.pk))
        facts.firings.append(fact)
    return facts


@pytest.fixture(scope="module")
def esc(full_demo: Any) -> EscalationFacts:
    facts = full_demo.escalations
    assert isinstance(facts, EscalationFacts)
    return facts


def _in_time(task: TaskFact, triggered_at: dt.datetime) -> list[str]:
    """Why `task` was not done in time with its records (empty when it was)."""
    problems = []
    if task.status != EscalationTask.Status.DONE:
        return [f"{task.task_type} is {task.status}"]
    if task.records:
        if len(task.records) < task.count_needed:
            problems.append(f"{task.task_type}: {len(task.records)} of {task.count_needed}")
        for kind, at in task.records:
            rt = RECORD_TYPES[kind]
            if rt.kind(rt.time_field) == "date":  # a date: on or after the trigger's day
                local = timeliness.LONDON
                after = at.astimezone(local).date() >= triggered_at.astimezone(local).date()
            else:
                after = at >= triggered_at
            if not after:
                problems.append(f"{task.task_type}: {kind} at {at} before the trigger")
            if at > task.original_due_at:
                problems.append(f"{task.task_type}: {kind} at {at} after the deadline "
                                f"{task.original_due_at}")
    else:  # completed by hand: a note of what was done, before the deadline
        if len(task.completion_note) < 20:
            problems.append(f"{task.task_type}: done with neither a record nor a note")
        if task.done_at is None or not triggered_at <= task.done_at <= task.original_due_at:
            problems.append(f"{task.task_type}: done at {task.done_at}, not in time")
    return problems


@pytest.mark.parametrize("rule", SEED_RULES)
def test_rosewood_fired_each_seed_rule_and_responded_in_time(esc: EscalationFacts,
                                                             rule: str) -> None:
    fired = [f for f in esc.at("Rosewood House") if f.rule_code == rule]
    assert fired, f"no firing of {rule} at Rosewood House"
    in_time = [f for f in fired if f.tasks and f.status == Firing.Status.CLOSED
               and not [p for t in f.tasks for p in _in_time(t, f.triggered_at)]]
    assert in_time, {f.triggered_at.isoformat(): [p for t in f.tasks
                                                  for p in _in_time(t, f.triggered_at)]
                     for f in fired}
    # Responses done with the records that fulfil them, not only by hand.
    assert any(t.records and t.record_type != "note" for f in in_time for t in f.tasks)


def test_rosewood_answered_every_firing_in_time(esc: EscalationFacts) -> None:
    firings = esc.at("Rosewood House")
    assert len(firings) >= len(SEED_RULES)
    assert esc.open_tasks("Rosewood House") == []
    late = {(f.rule_code, f.triggered_at.isoformat()): problems for f in firings
            if (problems := [p for t in f.tasks for p in _in_time(t, f.triggered_at)])}
    assert late == {}
    assert {f.status for f in firings} == {Firing.Status.CLOSED}


def test_meadowbank_two_overdue_responses_escalated_to_the_quality_lead(
        esc: EscalationFacts) -> None:
    open_tasks = esc.open_tasks("Meadowbank")
    assert len(open_tasks) == 2
    assert len({t.firing_id for t in open_tasks}) == 1  # both responses to one firing
    for task in open_tasks:
        assert task.step == 1
        assert task.owner_role == "quality_lead"
        assert task.owner == "quality.north"
        assert task.original_due_at < CUTOFF  # the response is overdue
        assert task.escalated_at is not None and task.escalated_at > task.original_due_at
        assert task.due_at > task.original_due_at  # a new deadline at the new step
        escalated = [m for m in task.history if m.startswith("Escalated to")]
        assert len(escalated) == 1 and "quality lead" in escalated[0].lower(), task.history
    # Its earlier falls firing was answered.
    answered = [f for f in esc.at("Meadowbank") if f.status == Firing.Status.CLOSED]
    assert answered and all(t.status == EscalationTask.Status.DONE
                            for f in answered for t in f.tasks)


def test_open_tasks_stay_few(esc: EscalationFacts) -> None:
    """The replay covers months, not years: tens of open tasks at most, none at the homes
    without rules."""
    assert len(esc.open_tasks()) <= 40
    for name in ("Larch Close", "Northfield Home Care Wakefield"):
        assert esc.at(name) == []
