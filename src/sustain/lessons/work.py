""""My work" items from lessons and hand-over, for `sustain.work.providers` (call `register()`
to add the kinds "handover" and "lesson"; not registered automatically yet, because the
work app's tests pin its list of kinds). Each provider runs a fixed number of
queries whatever the data size.

- A hand-over note to acknowledge: the user's staff record is the note's new owner; due
  `ACKNOWLEDGE_WITHIN_DAYS` after the note was completed for them.
- A lesson to start: an adoption not started at a location where the user is the registered
  manager; due on the day it would stall.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from sustain.engine.lesson_rules import DEFAULT_STALLED_AFTER_DAYS

ACKNOWLEDGE_WITHIN_DAYS = 7


def handovers_to_acknowledge(user: Any, today: dt.date, until: dt.date) -> list[Any]:
    from sustain.engine.work_rules import classify
    from sustain.lessons.models import HandoverNote
    from sustain.lessons.permissions import filter_handover_notes_visible
    from sustain.people.models import StaffMember
    from sustain.tenancy.permissions import actor_organisation_id
    from sustain.work.providers import WorkItem

    staff = StaffMember.objects.filter(user=user, organisation_id=actor_organisation_id(user),
                                       archived_at__isnull=True).first()
    if staff is None:
        return []
    qs = filter_handover_notes_visible(HandoverNote.objects.filter(
        to_owner=staff, acknowledged_at__isnull=True, archived_at__isnull=True), user) \
        .select_related("theme", "location").order_by("generated_at", "pk")
    items = []
    for note in qs:
        due = timezone.localdate(note.updated_at) + dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
        if due > until:
            continue
        items.append(WorkItem(
            kind="handover", kind_label="Hand-over to acknowledge", title=note.theme.title,
            due_date=due, due_time=None, location=note.location.name,
            url=reverse("lessons:handover-detail", kwargs={"uuid": note.uuid}),
            why="You are the theme's new owner: read what the previous owner handed over.",
            status=classify(due, today), record_id=note.uuid))
    return items


def lessons_to_start(user: Any, today: dt.date, until: dt.date) -> list[Any]:
    from sustain.engine.work_rules import classify
    from sustain.lessons.models import LessonAdoption
    from sustain.lessons.permissions import filter_adoptions_visible
    from sustain.work.providers import WorkItem, role_places

    places = role_places(user, "registered_manager")
    if places is None:
        return []
    qs = filter_adoptions_visible(LessonAdoption.objects.filter(
        places, status="not_started", archived_at__isnull=True,
        lesson__archived_at__isnull=True, location__isnull=False), user) \
        .select_related("lesson", "location").order_by("status_since", "pk")
    items = []
    for adoption in qs:
        due = adoption.status_since + dt.timedelta(days=DEFAULT_STALLED_AFTER_DAYS)
        if due > until:
            continue
        items.append(WorkItem(
            kind="lesson", kind_label="Lesson to adopt", title=adoption.lesson.title,
            due_date=due, due_time=None, location=adoption.location.name,
            url=reverse("lessons:adoption", kwargs={"uuid": adoption.uuid}),
            why="You manage this location and the lesson has not been started here (it "
                "stalls on the due date).",
            status=classify(due, today), record_id=adoption.uuid))
    return items


def register() -> None:
    from sustain.work import providers

    providers.register("handover", handovers_to_acknowledge)
    providers.register("lesson", lessons_to_start)
