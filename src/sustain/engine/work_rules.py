""""My work": how urgent a due item is, in what order a person's work is shown, and what goes
in the daily digest.

Pure functions: the caller passes the due date and `today` (the local date in Europe/London).
Weeks run Monday to Sunday; quarters are calendar quarters (January–March, April–June,
July–September, October–December).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

# A briefing's attestation is expected within this many days of the briefing (or of the
# person starting, when they joined after it).
ATTEST_WITHIN_DAYS = 7
# How far ahead the personal calendar feed reaches (beyond the end of this quarter).
FEED_DAYS_AHEAD = 180


class Status(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    THIS_QUARTER = "this_quarter"
    LATER = "later"


STATUS_LABELS: dict[Status, str] = {
    Status.OVERDUE: "Overdue",
    Status.TODAY: "Due today",
    Status.THIS_WEEK: "Due this week",
    Status.THIS_QUARTER: "Due this quarter",
    Status.LATER: "Later",
}

# Most urgent first.
URGENCY: tuple[Status, ...] = (Status.OVERDUE, Status.TODAY, Status.THIS_WEEK,
                               Status.THIS_QUARTER, Status.LATER)
_RANK = {s: i for i, s in enumerate(URGENCY)}

# What the daily digest reports.
DIGEST_STATUSES = frozenset({Status.OVERDUE, Status.TODAY, Status.THIS_WEEK})


def week_end(today: dt.date) -> dt.date:
    """The Sunday ending the (Monday–Sunday) week that contains `today`."""
    return today + dt.timedelta(days=6 - today.weekday())


def quarter_end(today: dt.date) -> dt.date:
    """The last day of the calendar quarter that contains `today`."""
    last_month = ((today.month - 1) // 3 + 1) * 3
    if last_month == 12:
        return dt.date(today.year, 12, 31)
    return dt.date(today.year, last_month + 1, 1) - dt.timedelta(days=1)


def page_horizon(today: dt.date) -> dt.date:
    """The page shows work due up to the end of this quarter (and everything overdue)."""
    return quarter_end(today)


def feed_horizon(today: dt.date) -> dt.date:
    """The calendar feed reaches the later of the quarter's end and FEED_DAYS_AHEAD ahead."""
    return max(quarter_end(today), today + dt.timedelta(days=FEED_DAYS_AHEAD))


def classify(due: dt.date, today: dt.date) -> Status:
    """Overdue (before today), due today, due later this week (to Sunday), later this quarter,
    or later still. A week that crosses into the next quarter stays "this week"."""
    if due < today:
        return Status.OVERDUE
    if due == today:
        return Status.TODAY
    if due <= week_end(today):
        return Status.THIS_WEEK
    if due <= quarter_end(today):
        return Status.THIS_QUARTER
    return Status.LATER


def attest_by(briefed_on: dt.date, started_on: dt.date) -> dt.date:
    """When a member of staff is expected to have attested to a briefing: ATTEST_WITHIN_DAYS
    after the briefing, or after they started if they joined later."""
    return max(briefed_on, started_on) + dt.timedelta(days=ATTEST_WITHIN_DAYS)


def urgency_key(status: Status | str, due: dt.date, due_time: dt.time | None,
                kind: str, title: str) -> tuple[int, dt.date, dt.time, str, str]:
    """Sort key: most urgent status first, then the earliest due (untimed items before timed
    ones on the same day: they are due at any time that day), then kind and title."""
    return (_RANK[Status(status)], due, due_time or dt.time.min, kind, title.casefold())


T = TypeVar("T")


def group_by_status(items: Iterable[tuple[Status | str, T]],
                    shown: Iterable[Status] = URGENCY) -> list[tuple[Status, list[T]]]:
    """[(status, [item, …])] in urgency order for the statuses in `shown` (empty groups kept,
    so a page can say "nothing overdue"); items keep their given order within a group."""
    wanted = [s for s in URGENCY if s in set(shown)]
    groups: dict[Status, list[T]] = {s: [] for s in wanted}
    for status, item in items:
        key = Status(status)
        if key in groups:
            groups[key].append(item)
    return [(s, groups[s]) for s in wanted]


def digest_counts(statuses: Iterable[Status | str]) -> dict[Status, int]:
    """How many items of each digest status (overdue, today, this week)."""
    counts = {s: 0 for s in URGENCY if s in DIGEST_STATUSES}
    for status in statuses:
        key = Status(status)
        if key in counts:
            counts[key] += 1
    return counts


def digest_subject(counts: dict[Status, int]) -> str:
    """E.g. "Your governance work: 2 overdue, 1 due today, 3 due this week"."""
    parts = []
    if counts.get(Status.OVERDUE):
        parts.append(f"{counts[Status.OVERDUE]} overdue")
    if counts.get(Status.TODAY):
        parts.append(f"{counts[Status.TODAY]} due today")
    if counts.get(Status.THIS_WEEK):
        parts.append(f"{counts[Status.THIS_WEEK]} due this week")
    return "Your governance work: " + (", ".join(parts) if parts else "nothing due")
