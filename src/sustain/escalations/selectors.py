"""Reads: what an actor may see of firings, tasks and rules, each task's state, the board
report feed. Every query is scoped by the visibility filters in `permissions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from sustain.escalations.models import EscalationRule, EscalationTask, Firing
from sustain.escalations.permissions import (
    filter_firings_visible,
    filter_rules_visible,
    filter_tasks_visible,
)

DUE_SOON = dt.timedelta(hours=24)

# task_state values and how a person reads them.
TASK_STATES = {"open": "Open", "due_soon": "Due soon", "overdue": "Overdue",
               "escalated": "Escalated", "done": "Done", "cancelled": "Cancelled",
               "withdrawn": "Withdrawn"}


def rules_visible(actor: Any, *, include_archived: bool = False) -> QuerySet:
    qs = filter_rules_visible(EscalationRule.objects.all(), actor)
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def firings_visible(actor: Any) -> QuerySet:
    """Firings at the locations where the actor holds `escalation.view` (newest first)."""
    return filter_firings_visible(Firing.objects.all(), actor).select_related(
        "location", "theme", "staff_member", "person", "rule")


def tasks_visible(actor: Any) -> QuerySet:
    """Response tasks at the locations where the actor holds `escalation.view`."""
    return filter_tasks_visible(EscalationTask.objects.all(), actor).select_related(
        "firing", "location", "owner", "staff_member", "person")


def task_state(task: EscalationTask, now: dt.datetime) -> str:
    """One of TASK_STATES: a finished task says how it finished; an open one is escalated
    (moved up the ladder and not yet past its new deadline, or in the board report), overdue
    (past due), due soon (within 24 hours) or open."""
    if task.status != EscalationTask.Status.OPEN:
        return str(task.status)
    if task.at_board:
        return "escalated"
    if task.due_at < now:
        return "overdue"
    if task.step > 0:
        return "escalated"
    if task.due_at - now <= DUE_SOON:
        return "due_soon"
    return "open"


def board_feed(actor: Any, *, include_closed: bool = False) -> QuerySet:
    """Tasks that climbed the whole ladder into the board report (open ones; with
    `include_closed`, also those done or cancelled since), most recently escalated first."""
    qs = tasks_visible(actor).filter(at_board=True)
    if not include_closed:
        qs = qs.filter(status=EscalationTask.Status.OPEN)
    else:
        qs = qs.exclude(status=EscalationTask.Status.WITHDRAWN)
    return qs.annotate(_open_first=Case(
        When(status=EscalationTask.Status.OPEN, then=Value(0)), default=Value(1),
        output_field=IntegerField())).order_by("_open_first", "-escalated_at", "pk")


def firing_tasks(firing: Firing) -> list[EscalationTask]:
    """A firing's tasks in response order."""
    return list(firing.tasks.select_related("owner").order_by("response_index"))
