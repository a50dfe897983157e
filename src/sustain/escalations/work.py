""""My work" items from escalations, for `sustain.work.providers` (call `register()` to add
the kind "escalation"; the escalations app's `ready()` calls it).

An escalation task is the user's when it is open, not archived, and the user is its named
owner (`EscalationTask.owner`, the person the owner role resolved to at the location, moved
up the ladder with the task). Each item links to the firing's page, where the task is done
or cancelled. One query whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone


def escalation_tasks(user: Any, today: dt.date, until: dt.date) -> list[Any]:
    from sustain.engine.work_rules import Status, classify
    from sustain.escalations.models import EscalationTask
    from sustain.escalations.permissions import filter_tasks_visible
    from sustain.work.providers import WorkItem

    if not getattr(user, "is_authenticated", False):
        return []
    qs = filter_tasks_visible(EscalationTask.objects.filter(
        owner=user, status=EscalationTask.Status.OPEN, archived_at__isnull=True,
        firing__archived_at__isnull=True), user).select_related(
        "firing", "location").order_by("due_at", "pk")
    now = timezone.now()
    items = []
    for task in qs:
        local = timezone.localtime(task.due_at)
        due_date = local.date()
        if due_date > until:
            continue
        status = Status.OVERDUE if task.due_at < now else classify(due_date, today)
        step = "" if task.step == 0 else (
            " It has been escalated to you." if not task.at_board else
            " It has reached the board report.")
        items.append(WorkItem(
            kind="escalation", kind_label="Escalation response", title=task.title,
            due_date=due_date, due_time=local.time().replace(second=0, microsecond=0),
            location=task.location.name,
            url=reverse("escalations:firing", kwargs={"uuid": task.firing.uuid})
            + f"#task-{task.uuid}",
            why=f"The rule “{task.firing.rule_title}” asked for this and you own it.{step}",
            status=status, record_id=task.uuid))
    return items


def register() -> None:
    from sustain.work import providers

    providers.register("escalation", escalation_tasks)
