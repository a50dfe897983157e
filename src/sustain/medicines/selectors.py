"""Reads for medicines checks: scoped lists, the weekly discrepancy rate per location, and
staff members with repeated discrepancies (for the escalation rules)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from sustain.medicines.models import Discrepancy, MedicinesCheck, WeeklyReview
from sustain.medicines.permissions import (
    filter_checks_visible,
    filter_discrepancies_visible,
    filter_reviews_visible,
)

REPEAT_WINDOW_DAYS = 28
REPEAT_THRESHOLD = 2


def check_list(*, actor: Any) -> QuerySet:
    return filter_checks_visible(MedicinesCheck.objects.select_related(
        "location", "checked_by").annotate(
        discrepancy_count=Count("discrepancies",
                                filter=Q(discrepancies__archived_at__isnull=True))), actor)


def review_list(*, actor: Any) -> QuerySet:
    return filter_reviews_visible(WeeklyReview.objects.select_related(
        "location", "reviewed_by"), actor)


@dataclass(frozen=True)
class WeekRate:
    location_id: int
    week_starting: dt.date
    checks: int
    charts_checked: int
    discrepancies: int

    @property
    def rate(self) -> float | None:
        """Discrepancies per chart checked (None when no charts were checked)."""
        return self.discrepancies / self.charts_checked if self.charts_checked else None


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def discrepancy_rates(*, actor: Any, date_from: dt.date, date_to: dt.date,
                      location_ids: list[int] | None = None) -> list[WeekRate]:
    """Per location and week (Monday start): checks, charts checked, discrepancies, rate."""
    checks = check_list(actor=actor).filter(archived_at__isnull=True,
                                            check_date__gte=date_from, check_date__lte=date_to)
    if location_ids is not None:
        checks = checks.filter(location_id__in=location_ids)
    totals: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for loc, day, charts, found in checks.values_list(
            "location_id", "check_date", "charts_checked", "discrepancy_count"):
        row = totals[(loc, _monday(day))]
        row[0] += 1
        row[1] += charts
        row[2] += found
    return [WeekRate(loc, week, *values) for (loc, week), values in sorted(totals.items())]


@dataclass
class RepeatedDiscrepancies:
    """A staff member responsible for `REPEAT_THRESHOLD` or more discrepancies within the
    window ending on `as_of` (the escalation rules act on these)."""

    staff: Any
    location: Any
    discrepancies: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.discrepancies)


def repeated_discrepancies(*, actor: Any, as_of: dt.date,
                           window_days: int = REPEAT_WINDOW_DAYS,
                           threshold: int = REPEAT_THRESHOLD) -> list[RepeatedDiscrepancies]:
    """Staff with at least `threshold` discrepancies on checks dated in the `window_days`
    days up to and including `as_of`, per location, most first."""
    start = as_of - dt.timedelta(days=window_days - 1)
    rows = filter_discrepancies_visible(Discrepancy.objects.filter(
        archived_at__isnull=True, check_record__archived_at__isnull=True,
        staff_responsible__isnull=False, check_record__check_date__gte=start,
        check_record__check_date__lte=as_of).select_related(
        "staff_responsible", "location", "check_record"), actor)
    grouped: dict[tuple[int, int], RepeatedDiscrepancies] = {}
    for row in rows.order_by("check_record__check_date", "pk"):
        key = (row.staff_responsible_id, row.location_id)
        if key not in grouped:
            grouped[key] = RepeatedDiscrepancies(row.staff_responsible, row.location)
        grouped[key].discrepancies.append(row)
    found = [g for g in grouped.values() if g.count >= threshold]
    return sorted(found, key=lambda g: (-g.count, g.staff.full_name))


def week_checks(*, actor: Any, location: Any, week_starting: dt.date) -> QuerySet:
    return check_list(actor=actor).filter(
        location=location, archived_at__isnull=True, check_date__gte=week_starting,
        check_date__lt=week_starting + dt.timedelta(days=7)).prefetch_related(
        "discrepancies__staff_responsible", "discrepancies__person").order_by(
        "check_date", "shift")


def week_totals(checks: Any) -> dict[str, Any]:
    """Totals and discrepancies by staff member for a week's checks."""
    by_staff: dict[str, list[Any]] = defaultdict(list)
    charts = found = 0
    for check in checks:
        charts += check.charts_checked
        for d in check.discrepancies.all():
            if d.archived_at is not None:
                continue
            found += 1
            name = d.staff_responsible.full_name if d.staff_responsible else "Not recorded"
            by_staff[name].append(d)
    return {"charts": charts, "discrepancies": found,
            "rate": (found / charts) if charts else None,
            "by_staff": sorted(by_staff.items(), key=lambda kv: (-len(kv[1]), kv[0]))}
