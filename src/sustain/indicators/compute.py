"""The named computations an indicator's numerator and denominator come from.

Each computation counts (or sums) integers per location and period from live (not archived)
records, in the database, set-based:

* **event** computations (falls, complaints, audits due…) read every record of the whole window
  once and group by location and period (``GROUP BY location, TruncMonth/TruncWeek(date)``);
* **state** computations (occupied bed days, training compliance at the end of the period) read
  the records of the whole window once (training: with each record's next record of the same
  person and course, ``LEAD(completed_on)``) and Python files each record into the periods it
  spans (a record counts in every period it spans) — the same numbers as the per-period
  definition in `records`, which the drill-down uses.

The event computations run no Python loop over records; Python only files the grouped rows.
`records` gives the records counted for one location and period — the drill-down behind a
value (`selectors.records_behind`).

Periods are [start, end) in local dates (Europe/London): months start on the 1st, weeks on
Monday. Dates of datetime fields (incidents, safeguarding concerns, audit completion) are
taken in local time.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
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
    Window,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.db.models.functions.window import Lead

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
    # state computations: all periods at once (organisation, location ids, periods) → counts;
    # the same numbers as `records` period by period
    counter: Callable[[int, Sequence[int] | None, Sequence[Period]], Counts] | None = None

    def compute(self, organisation_id: int, location_ids: Sequence[int] | None,
                periods: Sequence[Period], frequency: str) -> Counts:
        if not periods:
            return {}
        if self.is_bed_days:
            return _bed_days(organisation_id, location_ids, periods)
        if self.counter is not None:
            return self.counter(organisation_id, location_ids, periods)
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
        # COUNT(*): the records querysets join only along foreign keys (one row per record)
        return Count("pk") if self.total is None else Sum(self.total)

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
    min(discharge, end) − max(admission, start) days, for every period the person is present
    in (`_people_present`). One query for the whole window; Python files each person's span
    into the periods."""
    out: Counts = {}
    rows = (_people_present(org, locs, periods[0].start, periods[-1].end).order_by()
            .values_list("location_id", "admission_date", "discharge_date"))
    for loc, admitted, discharged in rows:
        for p in periods:
            if admitted >= p.end or (discharged is not None and discharged <= p.start):
                continue
            last = p.end if discharged is None else min(discharged, p.end)
            key = (loc, p.start)
            out[key] = out.get(key, 0) + (last - max(admitted, p.start)).days
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


def _training_counts(org: int, locs: Sequence[int] | None, periods: Sequence[Period],
                    *, in_date: bool) -> Counts:
    """`_training_current` (or `_training_in_date`) counted for every period in one query: a
    live record is a person's latest of the course at a period end E when it was completed
    before E and the next live record of the same person and course (any location; by
    completion date, then id) was completed on or after E; the person has not left before E
    (and, in date, the record does not expire before E)."""
    ends = [p.end for p in periods]
    last_end = max(ends)
    scoped = _scoped(TrainingRecord.objects.all(), org, locs).filter(completed_on__lt=last_end)
    rows = (TrainingRecord.objects.filter(
        archived_at__isnull=True, completed_on__lt=last_end,
        staff_id__in=scoped.values("staff_id"))
        .order_by()
        .annotate(_next_on=Window(Lead("completed_on"), partition_by=[F("staff_id"), F("course")],
                                  order_by=[F("completed_on").asc(), F("pk").asc()]))
        .values_list("organisation_id", "location_id", "completed_on", "expires_on",
                     "staff__leaving_date", "_next_on"))
    wanted = None if locs is None else set(locs)
    order = sorted(range(len(periods)), key=lambda i: ends[i])
    sorted_ends = [ends[i] for i in order]
    spans: dict[int, list[int]] = {}  # location → +1/−1 at sorted period indices
    for org_id, loc, completed, expires, leaving, next_on in rows:
        if org_id != org or (wanted is not None and loc not in wanted):
            continue
        first = bisect_right(sorted_ends, completed)  # first period end after completion
        stop = len(sorted_ends)
        for bound in (_as_date(next_on) if next_on is not None else None, leaving,
                      expires if in_date else None):
            if bound is not None:
                stop = min(stop, bisect_right(sorted_ends, bound))  # ends ≤ bound
        if first < stop:
            diff = spans.setdefault(loc, [0] * (len(sorted_ends) + 1))
            diff[first] += 1
            diff[stop] -= 1
    out: Counts = {}
    for loc, diff in spans.items():
        running = 0
        for k, i in enumerate(order):
            running += diff[k]
            if running:
                out[(loc, periods[i].start)] = running
    return out


def _training_current_counts(org: int, locs: Sequence[int] | None,
                             periods: Sequence[Period]) -> Counts:
    return _training_counts(org, locs, periods, in_date=False)


def _training_in_date_counts(org: int, locs: Sequence[int] | None,
                             periods: Sequence[Period]) -> Counts:
    return _training_counts(org, locs, periods, in_date=True)


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
    Computation("training_current", "current training records", _training_current,
                counter=_training_current_counts),
    Computation("training_in_date", "training records in date", _training_in_date,
                counter=_training_in_date_counts),
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
