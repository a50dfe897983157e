"""Timeliness rules for safeguarding concerns (and shift arithmetic for any tracker).

The seed's safeguarding pathway: staff record a concern and notify the shift lead *before the
end of the shift*; the Registered Manager reviews every entry *within 24 hours*; when the
decision is a referral to the local authority it is made *within a limit* (default 24 hours
from raising). Each check returns a `Check` naming the rule, the times it used and the result,
so a manager can answer "why is this late?".

Shifts are in Europe/London wall-clock time: the day shift starts at the location's
`day_shift_start`, the night shift at its `night_shift_start` and runs past midnight to the
next day shift. Durations are real elapsed time, so a night shift on a clock-change night is
an hour shorter (March) or longer (October). Pure: every "now" is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
DEFAULT_REVIEW_LIMIT = dt.timedelta(hours=24)
DEFAULT_REFERRAL_LIMIT = dt.timedelta(hours=24)

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"        # not done and the deadline has passed
PENDING = "pending"        # not done yet, still within time
NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Shift:
    """One shift: "day" or "night", with its start and end as aware UTC datetimes."""

    name: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Check:
    """The result of one timeliness rule, with everything used to reach it."""

    rule: str
    status: str
    deadline: dt.datetime | None = None
    done_at: dt.datetime | None = None
    late_by: dt.timedelta | None = None
    times: tuple[tuple[str, dt.datetime], ...] = field(default_factory=tuple)
    explanation: str = ""

    @property
    def on_time(self) -> bool:
        return self.status == ON_TIME

    @property
    def needs_attention(self) -> bool:
        return self.status in (LATE, MISSING)


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _wall(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """A local wall-clock time as UTC (a time skipped by the clocks going forward is read
    with the offset before the change, i.e. an hour later in real time)."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def shift_containing(at: dt.datetime, day_start: dt.time, night_start: dt.time,
                     tz: dt.tzinfo = LONDON) -> Shift:
    """The shift that `at` falls in, given the location's shift start times (local)."""
    if day_start == night_start:
        raise ValueError("the day and night shifts must start at different times")
    moment = _aware(at, "at")
    local_day = moment.astimezone(tz).date()
    starts: list[tuple[dt.datetime, str]] = []
    for offset in (-2, -1, 0, 1, 2):
        day = local_day + dt.timedelta(days=offset)
        starts.append((_wall(day, day_start, tz), "day"))
        starts.append((_wall(day, night_start, tz), "night"))
    starts.sort()
    for (start, name), (end, _next) in zip(starts, starts[1:], strict=False):
        if start <= moment < end:
            return Shift(name=name, start=start, end=end)
    raise AssertionError("unreachable: five days of shift starts cover any moment")


def shift_name(at: dt.datetime, day_start: dt.time, night_start: dt.time,
               tz: dt.tzinfo = LONDON) -> str:
    """"day" or "night" for the moment `at`."""
    return shift_containing(at, day_start, night_start, tz).name


def format_duration(delta: dt.timedelta) -> str:
    """"2 h 10 min", "45 min", "3 d 4 h" (rounded down to the minute)."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def _hours(limit: dt.timedelta) -> str:
    hours = limit.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _judge(rule: str, deadline: dt.datetime, done_at: dt.datetime | None, now: dt.datetime,
           times: tuple[tuple[str, dt.datetime], ...], what: str) -> Check:
    now = _aware(now, "now")
    if done_at is None:
        if now > deadline:
            return Check(rule, MISSING, deadline, None, now - deadline, times,
                         f"{what} not recorded; overdue by {format_duration(now - deadline)}.")
        return Check(rule, PENDING, deadline, None, None, times,
                     f"{what} not recorded yet; due within "
                     f"{format_duration(deadline - now)}.")
    done = _aware(done_at, "done_at")
    times = (*times, (what, done))
    if done <= deadline:
        return Check(rule, ON_TIME, deadline, done, None, times, f"{what} on time.")
    return Check(rule, LATE, deadline, done, done - deadline, times,
                 f"{what} late by {format_duration(done - deadline)}.")


SHIFT_LEAD_RULE = ("The shift lead is notified before the end of the shift the concern was "
                   "raised in.")
REVIEW_RULE = "The Registered Manager reviews the concern within {limit} of it being raised."
REFERRAL_RULE = ("When the decision is a referral, the local authority referral is made within "
                 "{limit} of the concern being raised.")


def shift_lead_notification(*, raised_at: dt.datetime, notified_at: dt.datetime | None,
                            day_start: dt.time, night_start: dt.time, now: dt.datetime,
                            tz: dt.tzinfo = LONDON) -> Check:
    """Shift lead notified before the end of the shift containing `raised_at`."""
    shift = shift_containing(raised_at, day_start, night_start, tz)
    times = (("Raised", _aware(raised_at, "raised_at")),
             (f"End of {shift.name} shift", shift.end))
    return _judge(SHIFT_LEAD_RULE, shift.end, notified_at, now, times, "Shift lead notified")


def manager_review(*, raised_at: dt.datetime, reviewed_at: dt.datetime | None,
                   now: dt.datetime, limit: dt.timedelta = DEFAULT_REVIEW_LIMIT) -> Check:
    """Registered Manager's review within `limit` (default 24 hours) of raising."""
    raised = _aware(raised_at, "raised_at")
    deadline = raised + limit
    rule = REVIEW_RULE.format(limit=_hours(limit))
    times = (("Raised", raised), ("Review due by", deadline))
    return _judge(rule, deadline, reviewed_at, now, times, "Manager review")


def referral(*, raised_at: dt.datetime, decision: str, referral_at: dt.datetime | None,
             now: dt.datetime, limit: dt.timedelta = DEFAULT_REFERRAL_LIMIT,
             referral_decision: str = "referral") -> Check:
    """Local authority referral within `limit` of raising, when the decision is a referral."""
    rule = REFERRAL_RULE.format(limit=_hours(limit))
    raised = _aware(raised_at, "raised_at")
    if decision != referral_decision:
        return Check(rule, NOT_APPLICABLE, times=(("Raised", raised),),
                     explanation="No referral decided, so no referral deadline applies.")
    deadline = raised + limit
    times = (("Raised", raised), ("Referral due by", deadline))
    return _judge(rule, deadline, referral_at, now, times, "Referral")


def summary(check: Check, label: str) -> str:
    """One line for lists: "Shift lead notified on time ✓", "… late by 2 h 10 min"."""
    if check.status == ON_TIME:
        return f"{label} on time ✓"
    if check.status == LATE and check.late_by is not None:
        return f"{label} late by {format_duration(check.late_by)}"
    if check.status == MISSING and check.late_by is not None:
        return f"{label}: not recorded, overdue by {format_duration(check.late_by)}"
    if check.status == PENDING and check.deadline is not None:
        return f"{label}: not yet (due {check.deadline.astimezone(LONDON):%H:%M})"
    return f"{label}: not applicable"
