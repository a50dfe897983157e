"""Cadence rules: when recurring governance work is due, and whether it was done on time.

A `CadenceRule` says how often something is due (per shift, daily, weekly on a weekday,
fortnightly, monthly on a day or the last day, quarterly, six-monthly, annually on a month and
day). `validate_rule` refuses impossible rules with a message per field (annually on 31
February, monthly on day 0 or 32, a weekday of 7, …). `occurrences_between` lists the due
dates and times in a window `[start, end)`, worked out in Europe/London local time: an
occurrence is due at the end of its local day (23:59:59) — or at the end of its shift for
`per_shift` — so month ends, leap years, quarter boundaries and the clock changes come out
right. Each occurrence has a window: from the start of the day after the previous one was due
(or the previous shift's end) up to its due time. `classify` says whether an occurrence is
due, overdue (past due, within the grace days), done on time, done late or missed (past due
and grace with nothing done), with the dates that explain it.

`each_meeting` (the playbooks' "at every meeting") is not time-based: it has no occurrences
here (the meeting itself is the occurrence), and `is_time_based` says so.

No Django here: the clock (`now`) and the window are arguments.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
LAST_DAY = -1  # day_of_month meaning "the last day of the month"
END_OF_DAY = dt.time(23, 59, 59)
DEFAULT_SHIFT_ENDS: tuple[dt.time, ...] = (dt.time(8, 0), dt.time(20, 0))
# Fortnights are counted from this Monday (so "every other Friday" is the same Fridays
# everywhere, whatever the year).
FORTNIGHT_EPOCH = dt.date(2024, 1, 1)
_ONE_SECOND = dt.timedelta(seconds=1)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = tuple(calendar.month_name)[1:]


class Frequency(StrEnum):
    PER_SHIFT = "per_shift"
    DAILY = "daily"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUALLY = "annually"
    EACH_MEETING = "each_meeting"


FREQUENCY_LABELS: Mapping[Frequency, str] = {
    Frequency.PER_SHIFT: "At the end of every shift", Frequency.DAILY: "Daily",
    Frequency.WEEKLY: "Weekly", Frequency.FORTNIGHTLY: "Every two weeks",
    Frequency.MONTHLY: "Monthly", Frequency.QUARTERLY: "Quarterly",
    Frequency.SIX_MONTHLY: "Every six months", Frequency.ANNUALLY: "Every year",
    Frequency.EACH_MEETING: "At every meeting",
}

# Months between occurrences of the month-based frequencies.
_MONTH_STEP: Mapping[Frequency, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3,
                                        Frequency.SIX_MONTHLY: 6, Frequency.ANNUALLY: 12}


class Status(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    MISSED = "missed"


STATUS_LABELS: Mapping[Status, str] = {
    Status.DUE: "Due", Status.OVERDUE: "Overdue", Status.DONE_ON_TIME: "Done on time",
    Status.DONE_LATE: "Done late", Status.MISSED: "Missed",
}


@dataclass(frozen=True)
class CadenceRule:
    """How often something is due.

    - `weekday` (0 Monday … 6 Sunday): weekly and fortnightly.
    - `day_of_month` (1–31, or `LAST_DAY`): monthly, quarterly, six-monthly (a day past the end
      of a short month means its last day), and annually (1–31, must exist in `month`).
    - `month`: annually (1–12); quarterly (1–3: the first of the quarter's months the
      occurrence falls in, 3 = March, June, September, December); six-monthly (1–6).
    - `shift_ends`: per shift, the local times shifts end.
    """

    frequency: Frequency | str
    weekday: int | None = None
    day_of_month: int | None = None
    month: int | None = None
    shift_ends: tuple[dt.time, ...] = ()


class RuleError(ValueError):
    """An impossible rule: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {k: list(v) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class Occurrence:
    """One due instance: its local due date, due time and window start (both aware, UTC)."""

    due_date: dt.date
    due_at: dt.datetime
    window_start: dt.datetime


@dataclass(frozen=True)
class Classification:
    status: Status
    due_at: dt.datetime
    grace_ends: dt.datetime
    completed_at: dt.datetime | None
    explanation: str


# --- validation ---------------------------------------------------------------------------

def _frequency(rule: CadenceRule) -> Frequency | None:
    try:
        return Frequency(rule.frequency)
    except ValueError:
        return None


def validate_rule(rule: CadenceRule) -> dict[str, list[str]]:
    """What is wrong with the rule, field by field (empty when it is possible). What the
    frequency needs and was not given is filled by `with_defaults` first."""
    errors: dict[str, list[str]] = {}
    freq = _frequency(rule)
    if freq is None:
        errors["frequency"] = ["Choose how often: " + ", ".join(
            label.lower() for label in FREQUENCY_LABELS.values()) + "."]
        return errors
    rule = with_defaults(rule)
    uses_weekday = freq in (Frequency.WEEKLY, Frequency.FORTNIGHTLY)
    uses_day = freq in _MONTH_STEP
    uses_month = freq in (Frequency.QUARTERLY, Frequency.SIX_MONTHLY, Frequency.ANNUALLY)
    if uses_weekday:
        if rule.weekday is None:
            errors["weekday"] = ["Choose the day of the week it is due."]
        elif not 0 <= rule.weekday <= 6:
            errors["weekday"] = ["Choose a day of the week (Monday to Sunday)."]
    elif rule.weekday is not None:
        errors["weekday"] = [f"A day of the week does not apply to "
                             f"{FREQUENCY_LABELS[freq].lower()} work."]
    if uses_day:
        day = rule.day_of_month
        if day is None:
            if freq == Frequency.ANNUALLY:
                errors["day_of_month"] = ["Choose the day of the month it is due."]
        elif freq == Frequency.ANNUALLY and not 1 <= day <= 31:
            errors["day_of_month"] = [f"There is no day {day} in a month: choose 1 to 31."]
        elif day != LAST_DAY and not 1 <= day <= 31:
            errors["day_of_month"] = [f"There is no day {day} in a month: choose 1 to 31 or "
                                      "the last day."]
    elif rule.day_of_month is not None:
        errors["day_of_month"] = [f"A day of the month does not apply to "
                                  f"{FREQUENCY_LABELS[freq].lower()} work."]
    if uses_month:
        limit = {Frequency.QUARTERLY: 3, Frequency.SIX_MONTHLY: 6, Frequency.ANNUALLY: 12}[freq]
        if rule.month is None:
            if freq == Frequency.ANNUALLY:
                errors["month"] = ["Choose the month it is due."]
        elif not 1 <= rule.month <= limit:
            errors["month"] = [f"Choose a month from 1 to {limit}."]
        elif freq == Frequency.ANNUALLY and rule.day_of_month is not None \
                and "day_of_month" not in errors:
            # 29 February exists (in leap years; due on 28 February in other years).
            longest = 29 if rule.month == 2 else calendar.monthrange(2001, rule.month)[1]
            if rule.day_of_month > longest:
                errors["day_of_month"] = [
                    f"{MONTHS[rule.month - 1]} has no day {rule.day_of_month}: choose 1 to "
                    f"{longest}."]
    elif rule.month is not None:
        errors["month"] = [f"A month does not apply to {FREQUENCY_LABELS[freq].lower()} work."]
    if freq == Frequency.PER_SHIFT:
        if len(set(rule.shift_ends)) != len(rule.shift_ends):
            errors["shift_ends"] = ["Each shift end time is given once."]
        elif len(rule.shift_ends) > 6:
            errors["shift_ends"] = ["At most six shifts a day."]
    elif rule.shift_ends:
        errors["shift_ends"] = ["Shift end times apply to per-shift work only."]
    return errors


def check_rule(rule: CadenceRule) -> CadenceRule:
    """The rule if it is possible, else `RuleError` naming the fields."""
    errors = validate_rule(rule)
    if errors:
        raise RuleError(errors)
    return rule


def is_time_based(rule: CadenceRule) -> bool:
    return _frequency(rule) not in (None, Frequency.EACH_MEETING)


def with_defaults(rule: CadenceRule) -> CadenceRule:
    """Fill what the frequency needs and was not given: weekly and fortnightly on Sunday (the
    end of the week), month-based on the last day, quarterly at the end of March, June,
    September and December, six-monthly at the end of June and December, annually at the end
    of the year; two shifts a day ending 08:00 and 20:00."""
    freq = _frequency(rule)
    if freq in (Frequency.WEEKLY, Frequency.FORTNIGHTLY) and rule.weekday is None:
        rule = replace(rule, weekday=6)
    if freq in (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.SIX_MONTHLY) and \
            rule.day_of_month is None:
        rule = replace(rule, day_of_month=LAST_DAY)
    if freq == Frequency.QUARTERLY and rule.month is None:
        rule = replace(rule, month=3)
    if freq == Frequency.SIX_MONTHLY and rule.month is None:
        rule = replace(rule, month=6)
    if freq == Frequency.ANNUALLY and rule.month is None and rule.day_of_month is None:
        rule = replace(rule, month=12, day_of_month=31)
    if freq == Frequency.PER_SHIFT and not rule.shift_ends:
        rule = replace(rule, shift_ends=DEFAULT_SHIFT_ENDS)
    return rule


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe(rule: CadenceRule) -> str:
    """The rule in plain English ("Weekly on Sunday", "Monthly on the last day")."""
    freq = _frequency(rule)
    if freq is None:
        return str(rule.frequency)
    rule = with_defaults(rule)
    label = FREQUENCY_LABELS[freq]
    day = ("the last day" if rule.day_of_month == LAST_DAY
           else f"the {_ordinal(rule.day_of_month)}" if rule.day_of_month else "")
    if freq in (Frequency.WEEKLY, Frequency.FORTNIGHTLY) and rule.weekday is not None:
        return f"{label} on {WEEKDAYS[rule.weekday]}"
    if freq == Frequency.MONTHLY:
        return f"{label} on {day}"
    if freq in (Frequency.QUARTERLY, Frequency.SIX_MONTHLY) and rule.month:
        step = _MONTH_STEP[freq]
        months = [MONTHS[m - 1] for m in range(rule.month, 13, step)]
        return f"{label}, on {day} of {', '.join(months[:-1])} and {months[-1]}"
    if freq == Frequency.ANNUALLY and rule.month and rule.day_of_month:
        return f"{label} on {rule.day_of_month} {MONTHS[rule.month - 1]}"
    if freq == Frequency.PER_SHIFT:
        ends = ", ".join(t.strftime("%H:%M") for t in sorted(rule.shift_ends))
        return f"{label} (shifts end {ends})"
    return label


# --- generation ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)
def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    """A local wall-clock time on a day in London, as an aware UTC datetime. A time the clocks
    skip (01:30 on the last Sunday of March) is read as if the clocks had not changed yet
    (so it is 02:30 BST); an ambiguous one (01:30 on the last Sunday of October) is the first.
    Cached: many cadences fall due on the same days (a pure function of its arguments)."""
    return dt.datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


def _month_day(year: int, month: int, day: int) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day == LAST_DAY else min(day, last))


def _due_dates(rule: CadenceRule, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Local due dates from `first` to `last` inclusive (a time-based, valid, defaulted rule)."""
    freq = Frequency(rule.frequency)
    if freq in (Frequency.DAILY, Frequency.PER_SHIFT):
        day = first
        while day <= last:
            yield day
            day += dt.timedelta(days=1)
    elif freq in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
        assert rule.weekday is not None
        day = first + dt.timedelta(days=(rule.weekday - first.weekday()) % 7)
        step = 7
        if freq == Frequency.FORTNIGHTLY:
            step = 14
            if ((day - FORTNIGHT_EPOCH).days // 7) % 2:
                day += dt.timedelta(days=7)
        while day <= last:
            yield day
            day += dt.timedelta(days=step)
    else:
        step = _MONTH_STEP[freq]
        assert rule.day_of_month is not None
        start_month = (rule.month or 1) if freq != Frequency.MONTHLY else 1
        index = first.year * 12 + first.month - 1
        while index <= last.year * 12 + last.month - 1:
            year, month = divmod(index, 12)
            month += 1
            if (month - start_month) % step == 0:
                day = _month_day(year, month, rule.day_of_month)
                if first <= day <= last:
                    yield day
            index += 1


def _lookback(rule: CadenceRule) -> dt.timedelta:
    freq = Frequency(rule.frequency)
    return dt.timedelta(days={Frequency.PER_SHIFT: 2, Frequency.DAILY: 2, Frequency.WEEKLY: 8,
                              Frequency.FORTNIGHTLY: 15}.get(freq, 32 * _MONTH_STEP.get(freq, 1)))


def _moments(rule: CadenceRule, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date,
                                                                                dt.datetime]]:
    times = sorted(rule.shift_ends) if Frequency(rule.frequency) == Frequency.PER_SHIFT \
        else [END_OF_DAY]
    for day in _due_dates(rule, first, last):
        for at in times:
            yield day, local_moment(day, at)


def occurrences_between(rule: CadenceRule, start: dt.datetime,
                        end: dt.datetime) -> list[Occurrence]:
    """The occurrences due in `[start, end)` (aware datetimes), in order. Raises `RuleError`
    for an impossible rule; an `each_meeting` rule has none."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    rule = check_rule(with_defaults(rule))
    if not is_time_based(rule) or end <= start:
        return []
    first = local_date(start) - _lookback(rule)
    last = local_date(end) + dt.timedelta(days=1)
    found: list[Occurrence] = []
    previous: dt.datetime | None = None
    previous_day: dt.date | None = None
    shifts = Frequency(rule.frequency) == Frequency.PER_SHIFT
    for day, due_at in _moments(rule, first, last):
        if previous is not None and previous_day is not None and start <= due_at < end:
            # The day after the previous due day starts one second after 23:59:59 (the UK
            # clocks never change at midnight).
            window = previous if shifts else previous + _ONE_SECOND
            found.append(Occurrence(due_date=day, due_at=due_at, window_start=window))
        previous, previous_day = due_at, day
    return found


# --- classification -----------------------------------------------------------------------

def grace_ends(due_at: dt.datetime, grace_days: int) -> dt.datetime:
    """The end of the grace period: the same local time `grace_days` local days later."""
    local = due_at.astimezone(LONDON)
    return local_moment(local.date() + dt.timedelta(days=grace_days), local.time())


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y} {local:%H:%M}"


def classify(*, due_at: dt.datetime, grace_days: int, completed_at: dt.datetime | None,
             now: dt.datetime, rule: CadenceRule | None = None) -> Classification:
    """Due / overdue / done on time / done late / missed, with the reason in words."""
    ends = grace_ends(due_at, grace_days)
    what = f"{describe(rule)}: " if rule is not None else ""
    due_words = f"due {_when(due_at)}"
    grace_words = (f"grace of {grace_days} day{'s' if grace_days != 1 else ''} to "
                   f"{_when(ends)}" if grace_days else "no grace period")
    if completed_at is not None:
        if completed_at <= due_at:
            return Classification(Status.DONE_ON_TIME, due_at, ends, completed_at,
                                  f"{what}{due_words}; done {_when(completed_at)}, on time.")
        return Classification(Status.DONE_LATE, due_at, ends, completed_at,
                              f"{what}{due_words}; done {_when(completed_at)}, after it was "
                              f"due ({grace_words}).")
    if now <= due_at:
        return Classification(Status.DUE, due_at, ends, None, f"{what}{due_words}.")
    if now <= ends:
        return Classification(Status.OVERDUE, due_at, ends, None,
                              f"{what}{due_words}; not done yet, {grace_words}.")
    return Classification(Status.MISSED, due_at, ends, None,
                          f"{what}{due_words}; nothing done by the end of the "
                          f"{grace_words if grace_days else 'day it was due'}.")


def accepts(*, window_start: dt.datetime, due_at: dt.datetime, grace_days: int,
            at: dt.datetime) -> bool:
    """Can a record made at `at` complete this occurrence? From its window start to the end
    of its grace period."""
    return window_start <= at <= grace_ends(due_at, grace_days)


def record_moment(day: dt.date) -> dt.datetime:
    """A record dated `day` (no time) counts as made at the end of that local day — the
    latest it could have been, so a record dated the due day is on time."""
    return local_moment(day, END_OF_DAY)


@dataclass(frozen=True)
class RateSummary:
    on_time: int
    late: int
    missed: int

    @property
    def closed(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def on_time_rate(self) -> float | None:
        """Share done on time among those whose outcome is known (None when none)."""
        return None if not self.closed else round(100 * self.on_time / self.closed, 1)


def summarise(statuses: Sequence[Status | str]) -> RateSummary:
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[Status(status)] += 1
    return RateSummary(counts[Status.DONE_ON_TIME], counts[Status.DONE_LATE],
                       counts[Status.MISSED])


__all__ = ["DEFAULT_SHIFT_ENDS", "FREQUENCY_LABELS", "LAST_DAY", "LONDON", "STATUS_LABELS",
           "CadenceRule", "Classification", "Frequency", "Occurrence", "RateSummary",
           "RuleError", "Status", "accepts", "check_rule", "classify", "describe",
           "grace_ends", "is_time_based", "local_date", "local_moment", "occurrences_between",
           "record_moment", "summarise", "validate_rule", "with_defaults"]
