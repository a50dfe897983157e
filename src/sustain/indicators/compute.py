"""The named computations an indicator's numerator and denominator come from.

Each computation counts (or sums) integers per location and period from live (not archived)
records, in the database, set-based:

* **event** computations (falls, complaints, audits due…) read every record of the whole window
  once and group by location and period (``GROUP BY location, TruncMonth/TruncWeek(date)``);
* **state** computations (occupied bed days, training compliance at the end of the period) are
  one grouped query per period (``GROUP BY location``), because a record counts in every period
  it spans.

No Python loop runs over records; Python only files the grouped rows. `records` gives the
records counted for one location and period — the drill-down behind a value
(`selectors.records_behind`).

Periods are [start, end) in local dates (Europe/London): months start on the 1st, weeks on
Monday. Dates of datetime fields (incidents, safeguarding concerns, audit completion) are
taken in local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate, TruncMonth, TruncWeek

from sustain.audits.models import Audit
from sustain.careplans.models import CarePlanReview
from sustain.feedback.models import Feedback
from sustain.incidents.models import Complaint, Compliment, Incident, IncidentType, Severity
from sustain.medicines.models import Discrepancy, MedicinesCheck
from sustain.people.models import PersonSupported
from sustain.safeguarding.models import SafeguardingConcern
from sustain.workforce.models import Supervision, TrainingRecord


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive


Key = tuple[int, dt.date]  # (location id, period start)
Counts = dict[Key, int]
RecordsFn = Callable[[int, Sequence[int] | None, dt.date, dt.date], QuerySet]


@dataclass(frozen=True)
class Computation:
    name: str
    label: str  # what the records behind it are, for the drill-down
    records: RecordsFn  # (organisation id, location ids or None, start, end) → counted records
    date_field: str | None = None  # event computations: the (local) date grouped by period
    datetime_field: bool = False  # date_field is a DateTimeField
    total: str | None = None  # sum this integer/decimal field instead of counting records
    scale: int = 1  # a summed decimal × scale, rounded to an integer
    lag_days: int = 0  # a period is complete only this many days after it ends
    is_bed_days: bool = False  # a sum of days, not records (no drill-down)

    def compute(self, organisation_id: int, location_ids: Sequence[int] | None,
                periods: Sequence[Period], frequency: str) -> Counts:
        if not periods:
            return {}
        if self.is_bed_days:
            return _bed_days(organisation_id, location_ids, periods)
        if self.date_field is None:
            out: Counts = {}
            for p in periods:
                rows = (self.records(organisation_id, location_ids, p.start, p.end)
                        .order_by().values("location_id").annotate(n=self._aggregate()))
                out.update({(r["location_id"], p.start): self._int(r["n"]) for r in rows})
            return out
        trunc = TruncWeek if frequency == "weekly" else TruncMonth
        qs = self.records(organisation_id, location_ids, periods[0].start, periods[-1].end)
        rows = (qs.order_by()
                .annotate(_period=trunc(self.date_field, output_field=DateField()))
                .values("location_id", "_period").annotate(n=self._aggregate()))
        return {(r["location_id"], _as_date(r["_period"])): self._int(r["n"]) for r in rows}

    def _aggregate(self) -> Any:
        return Count("pk", distinct=True) if self.total is None else Sum(self.total)

    def _int(self, n: Any) -> int:
        if n is None:
            return 0
        if isinstance(n, Decimal | float):
            return int((Decimal(str(n)) * self.scale).to_integral_value())
        return int(n) * self.scale


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _scoped(qs: QuerySet, organisation_id: int, location_ids: Sequence[int] | None) -> QuerySet:
    qs = qs.filter(organisation_id=organisation_id, archived_at__isnull=True)
    return qs if location_ids is None else qs.filter(location_id__in=list(location_ids))


def _between(field: str, start: dt.date, end: dt.date, *, is_datetime: bool = False) -> Q:
    if is_datetime:
        return Q(**{f"{field}__date__gte": start, f"{field}__date__lt": end})
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


# --- occupied bed days --------------------------------------------------------------------

def _people_present(org: int, locs: Sequence[int] | None, start: dt.date,
                    end: dt.date) -> QuerySet:
    """People supported at the location on at least one day of [start, end)."""
    return _scoped(PersonSupported.objects.all(), org, locs).filter(
        Q(discharge_date__isnull=True) | Q(discharge_date__gt=start), admission_date__lt=end)


def _bed_days(org: int, locs: Sequence[int] | None, periods: Sequence[Period]) -> Counts:
    """Σ over days d in the period of people with admission ≤ d < discharge: per person,
    min(discharge, end) − max(admission, start) days. One grouped query per period; the
    per-person spans are summed in the database (first and last day as day numbers)."""
    out: Counts = {}
    for p in periods:
        rows = (_people_present(org, locs, p.start, p.end).order_by()
                .annotate(_first=Greatest(F("admission_date"), p.start, output_field=DateField()),
                          _last=Least(Coalesce(F("discharge_date"), p.end), p.end,
                                      output_field=DateField()))
                .values("location_id")
                .annotate(n=Sum(F("_last") - F("_first"))))
        for r in rows:
            n = r["n"]
            days = n.days if isinstance(n, dt.timedelta) else int(n or 0)
            out[(r["location_id"], p.start)] = days
    return out


# --- incidents, complaints, compliments, safeguarding -------------------------------------

def _incidents(condition: Q) -> RecordsFn:
    def records(org: int, locs: Sequence[int] | None, start: dt.date, end: dt.date) -> QuerySet:
        return _scoped(Incident.objects.all(), org, locs).filter(
            condition, _between("occurred_at", start, end, is_datetime=True))
    return records


FALL_TYPES = (IncidentType.FALL, IncidentType.FALL_WITH_HARM)
FALL_WITH_HARM = (Q(type=IncidentType.FALL_WITH_HARM)
                  | (Q(type=IncidentType.FALL) & ~Q(severity=Severity.NO_HARM)))


def _simple(model: Any, field: str, *, is_datetime: bool = False) -> RecordsFn:
    def records(org: int, locs: Sequence[int] | None, start: dt.date, end: dt.date) -> QuerySet:
        return _scoped(model.objects.all(), org, locs).filter(
            _between(field, start, end, is_datetime=is_datetime))
    return records


# --- medicines ----------------------------------------------------------------------------

def _discrepancies(org: int, locs: Sequence[int] | None, start: dt.date,
                   end: dt.date) -> QuerySet:
    return _scoped(Discrepancy.objects.all(), org, locs).filter(
        _between("check_record__check_date", start, end),
        check_record__archived_at__isnull=True)


# --- supervision and training -------------------------------------------------------------

def _supervisions_due(org: int, locs: Sequence[int] | None, start: dt.date,
                      end: dt.date) -> QuerySet:
    """Supervisions whose next supervision fell due in the period (staff still employed)."""
    return _scoped(Supervision.objects.all(), org, locs).filter(
        Q(supervisee__leaving_date__isnull=True) | Q(supervisee__leaving_date__gt=F("next_due")),
        _between("next_due", start, end))


def _supervisions_overdue(org: int, locs: Sequence[int] | None, start: dt.date,
                          end: dt.date) -> QuerySet:
    """…and no later supervision of the same person was held by that due date."""
    held = Supervision.objects.filter(
        supervisee_id=OuterRef("supervisee_id"), archived_at__isnull=True,
        date__gt=OuterRef("date"), date__lte=OuterRef("next_due"))
    return _supervisions_due(org, locs, start, end).filter(~Exists(held))


def _training_current(org: int, locs: Sequence[int] | None, start: dt.date,
                      end: dt.date) -> QuerySet:
    """At the end of the period: each person's latest record of each course (staff still
    employed)."""
    newer = TrainingRecord.objects.filter(
        staff_id=OuterRef("staff_id"), course=OuterRef("course"), archived_at__isnull=True,
        completed_on__lt=end).filter(
        Q(completed_on__gt=OuterRef("completed_on"))
        | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk")))
    return _scoped(TrainingRecord.objects.all(), org, locs).filter(
        Q(staff__leaving_date__isnull=True) | Q(staff__leaving_date__gte=end),
        completed_on__lt=end).filter(~Exists(newer))


def _training_in_date(org: int, locs: Sequence[int] | None, start: dt.date,
                      end: dt.date) -> QuerySet:
    return _training_current(org, locs, start, end).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=end))


# --- audits -------------------------------------------------------------------------------

def _audits_due(org: int, locs: Sequence[int] | None, start: dt.date, end: dt.date) -> QuerySet:
    return _scoped(Audit.objects.all(), org, locs).filter(_between("due_date", start, end))


def _audits_on_time(org: int, locs: Sequence[int] | None, start: dt.date,
                    end: dt.date) -> QuerySet:
    return (_audits_due(org, locs, start, end)
            .annotate(_done_day=TruncDate("completed_at"))
            .filter(status=Audit.Status.COMPLETED, _done_day__lte=F("due_date")))


def _audits_completed(org: int, locs: Sequence[int] | None, start: dt.date,
                      end: dt.date) -> QuerySet:
    return _scoped(Audit.objects.all(), org, locs).filter(
        _between("completed_at", start, end, is_datetime=True),
        status=Audit.Status.COMPLETED, score__isnull=False)


# --- care plans and feedback --------------------------------------------------------------

def _reviews_due(org: int, locs: Sequence[int] | None, start: dt.date,
                 end: dt.date) -> QuerySet:
    return _scoped(CarePlanReview.objects.all(), org, locs).filter(
        _between("due_date", start, end))


def _reviews_late(org: int, locs: Sequence[int] | None, start: dt.date,
                  end: dt.date) -> QuerySet:
    return _reviews_due(org, locs, start, end).filter(
        Q(completed_on__isnull=True) | Q(completed_on__gt=F("due_date")))


RESPONSE_DAYS = 30


def _feedback_received(org: int, locs: Sequence[int] | None, start: dt.date,
                       end: dt.date) -> QuerySet:
    return _scoped(Feedback.objects.all(), org, locs).filter(_between("received_on", start, end))


def _feedback_unanswered(org: int, locs: Sequence[int] | None, start: dt.date,
                         end: dt.date) -> QuerySet:
    return _feedback_received(org, locs, start, end).filter(
        Q(responded_on__isnull=True)
        | Q(responded_on__gt=F("received_on") + dt.timedelta(days=RESPONSE_DAYS)))


_ALL: Iterable[Computation] = (
    Computation("occupied_bed_days", "people supported (occupied bed days)", _people_present,
                is_bed_days=True),
    Computation("falls", "falls", _incidents(Q(type__in=FALL_TYPES)), "occurred_at", True),
    Computation("falls_with_harm", "falls with harm", _incidents(FALL_WITH_HARM),
                "occurred_at", True),
    Computation("medicines_error_incidents", "medicines error incidents",
                _incidents(Q(type=IncidentType.MEDICINES_ERROR)), "occurred_at", True),
    Computation("pressure_ulcers", "pressure ulcers",
                _incidents(Q(type=IncidentType.PRESSURE_ULCER)), "occurred_at", True),
    Computation("complaints", "complaints", _simple(Complaint, "received_on"), "received_on"),
    Computation("compliments", "compliments", _simple(Compliment, "received_on"),
                "received_on"),
    Computation("safeguarding_concerns", "safeguarding concerns",
                _simple(SafeguardingConcern, "raised_at", is_datetime=True), "raised_at", True),
    Computation("mar_discrepancies", "MAR discrepancies", _discrepancies,
                "check_record__check_date"),
    Computation("mar_charts_checked", "medicines checks (MAR charts checked)",
                _simple(MedicinesCheck, "check_date"), "check_date", total="charts_checked"),
    Computation("supervisions_due", "supervisions falling due", _supervisions_due, "next_due"),
    Computation("supervisions_overdue", "supervisions not followed up by the due date",
                _supervisions_overdue, "next_due"),
    Computation("training_current", "current training records", _training_current),
    Computation("training_in_date", "training records in date", _training_in_date),
    Computation("audits_due", "audits due", _audits_due, "due_date"),
    Computation("audits_done_on_time", "audits completed on time", _audits_on_time,
                "due_date"),
    Computation("audits_completed", "audits completed", _audits_completed, "completed_at",
                True),
    Computation("audit_score_hundredths", "audits completed (scores)", _audits_completed,
                "completed_at", True, total="score", scale=100),
    Computation("care_plan_reviews_due", "care-plan reviews due", _reviews_due, "due_date"),
    Computation("care_plan_reviews_late", "care-plan reviews overdue", _reviews_late,
                "due_date"),
    Computation("feedback_received_30d", "feedback received", _feedback_received,
                "received_on", lag_days=RESPONSE_DAYS),
    Computation("feedback_unanswered_30d", "feedback without a response within 30 days",
                _feedback_unanswered, "received_on", lag_days=RESPONSE_DAYS),
)

COMPUTATIONS: dict[str, Computation] = {c.name: c for c in _ALL}
