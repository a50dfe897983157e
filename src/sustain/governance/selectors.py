"""Reads for the governance calendar: a location's (or the organisation's) occurrences this
week, this month and overdue, and each cadence's on-time / late / missed record over the last
three months. A fixed number of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from sustain.engine import cadence_rules as engine
from sustain.governance import permissions as perms
from sustain.governance.models import Cadence, Occurrence

SUMMARY_DAYS = 91


@dataclass
class CadenceSummary:
    cadence: Cadence
    counts: engine.RateSummary


@dataclass
class Calendar:
    now: dt.datetime
    week_start: dt.date
    week_end: dt.date
    month_end: dt.date
    overdue: list[Any] = field(default_factory=list)
    this_week: list[Any] = field(default_factory=list)
    this_month: list[Any] = field(default_factory=list)
    summaries: list[CadenceSummary] = field(default_factory=list)


def visible_occurrences(actor: Any) -> QuerySet:
    return perms.filter_occurrences_visible(
        Occurrence.objects.filter(archived_at__isnull=True, cadence__archived_at__isnull=True),
        actor)


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def calendar_for(*, actor: Any, location: Any, now: dt.datetime) -> Calendar:
    """`location` None: the organisation-wide cadences."""
    today = engine.local_date(now)
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    month_end = max(_month_end(today), week_end)
    cal = Calendar(now=now, week_start=week_start, week_end=week_end, month_end=month_end)
    qs = visible_occurrences(actor).select_related("cadence", "cadence__owner_person",
                                                   "completed_by")
    qs = qs.filter(location=location) if location is not None else qs.filter(
        location__isnull=True)
    week_from = engine.local_moment(week_start, dt.time(0))
    week_to = engine.local_moment(week_end, engine.END_OF_DAY)
    month_to = engine.local_moment(month_end, engine.END_OF_DAY)
    rows = list(qs.filter(Q(status=Occurrence.Status.OPEN, due_at__lt=now)
                          | Q(due_at__gte=week_from, due_at__lte=month_to))
                .order_by("due_at", "cadence__title", "pk"))
    for occ in rows:
        occ.classified = engine.classify(
            due_at=occ.due_at, grace_days=occ.cadence.grace_days,
            completed_at=occ.completed_at, now=now) if occ.status != "missed" else None
        occ.state = occ.classified.status.value if occ.classified else "missed"
        if occ.status == Occurrence.Status.OPEN and occ.due_at < now:
            cal.overdue.append(occ)
        elif week_from <= occ.due_at <= week_to:
            cal.this_week.append(occ)
        elif occ.due_at > week_to:
            cal.this_month.append(occ)
    cadences = perms.filter_cadences_visible(
        Cadence.objects.filter(archived_at__isnull=True), actor).select_related("owner_person")
    cadences = cadences.filter(location=location) if location is not None else cadences.filter(
        location__isnull=True)
    since = now - dt.timedelta(days=SUMMARY_DAYS)
    counts = {row["cadence"]: row for row in Occurrence.objects.filter(
        cadence__in=cadences, archived_at__isnull=True, due_at__gte=since, due_at__lt=now)
        .values("cadence").annotate(
            on_time=Count("pk", filter=Q(status="done_on_time")),
            late=Count("pk", filter=Q(status="done_late")),
            missed=Count("pk", filter=Q(status="missed")))}
    for cadence in cadences.order_by("title", "pk"):
        row = counts.get(cadence.pk, {})
        cal.summaries.append(CadenceSummary(cadence, engine.RateSummary(
            row.get("on_time", 0), row.get("late", 0), row.get("missed", 0))))
    return cal
