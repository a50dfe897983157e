"""My work: status classification (week and quarter boundaries), ordering, grouping, digest
wording (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.work_rules import (
    URGENCY,
    Status,
    attest_by,
    classify,
    digest_counts,
    digest_subject,
    feed_horizon,
    group_by_status,
    page_horizon,
    quarter_end,
    urgency_key,
    week_end,
)

D = dt.date
# Friday 27 November 2026; its week ends Sunday 29 November; its quarter on 31 December.
TODAY = D(2026, 11, 27)


@pytest.mark.parametrize(("due", "expected"), [
    (D(2026, 11, 26), Status.OVERDUE),
    (D(2025, 1, 1), Status.OVERDUE),
    (D(2026, 11, 27), Status.TODAY),
    (D(2026, 11, 28), Status.THIS_WEEK),
    (D(2026, 11, 29), Status.THIS_WEEK),       # Sunday ends the week
    (D(2026, 11, 30), Status.THIS_QUARTER),    # Monday starts the next one
    (D(2026, 12, 31), Status.THIS_QUARTER),    # last day of the quarter
    (D(2027, 1, 1), Status.LATER),             # first day of the next quarter
])
def test_classify_around_the_boundaries(due: dt.date, expected: Status) -> None:
    assert classify(due, TODAY) == expected


def test_a_week_that_crosses_into_the_next_quarter_is_still_this_week() -> None:
    today = D(2026, 12, 30)  # Wednesday; the week ends Sunday 3 January 2027
    assert week_end(today) == D(2027, 1, 3)
    assert classify(D(2027, 1, 2), today) == Status.THIS_WEEK
    assert classify(D(2027, 1, 4), today) == Status.LATER


def test_on_a_sunday_the_week_is_today_only() -> None:
    sunday = D(2026, 11, 29)
    assert week_end(sunday) == sunday
    assert classify(D(2026, 11, 30), sunday) == Status.THIS_QUARTER


@pytest.mark.parametrize(("day", "end"), [
    (D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 3, 31), D(2026, 3, 31)),
    (D(2026, 4, 1), D(2026, 6, 30)), (D(2026, 8, 15), D(2026, 9, 30)),
    (D(2026, 10, 1), D(2026, 12, 31)), (D(2028, 2, 29), D(2028, 3, 31)),
])
def test_quarter_end_is_the_calendar_quarter(day: dt.date, end: dt.date) -> None:
    assert quarter_end(day) == end


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)))
def test_week_and_quarter_ends_hold_for_any_day(day: dt.date) -> None:
    end = week_end(day)
    assert end.weekday() == 6 and 0 <= (end - day).days <= 6
    q = quarter_end(day)
    assert q >= day and q.month in (3, 6, 9, 12) and (q + dt.timedelta(days=1)).day == 1
    assert (q - day).days < 92
    assert page_horizon(day) == q and feed_horizon(day) >= q


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
       st.integers(min_value=-400, max_value=400))
def test_classification_is_monotonic_in_the_due_date(today: dt.date, offset: int) -> None:
    due = today + dt.timedelta(days=offset)
    later = due + dt.timedelta(days=1)
    rank = URGENCY.index
    assert rank(classify(due, today)) <= rank(classify(later, today))


def test_urgency_order_status_then_date_then_time() -> None:
    rows = [
        ("this_week", D(2026, 11, 28), dt.time(9, 0), "action", "b"),
        ("overdue", D(2026, 11, 20), None, "audit", "z"),
        ("overdue", D(2026, 11, 1), None, "action", "a"),
        ("today", D(2026, 11, 27), dt.time(8, 0), "occurrence", "timed"),
        ("today", D(2026, 11, 27), None, "action", "untimed"),
    ]
    ordered = sorted(rows, key=lambda r: urgency_key(*r))
    assert [r[4] for r in ordered] == ["a", "z", "untimed", "timed", "b"]


def test_group_by_status_keeps_empty_groups_in_urgency_order() -> None:
    shown = (Status.OVERDUE, Status.TODAY, Status.THIS_WEEK, Status.THIS_QUARTER)
    groups = group_by_status([("this_week", "x"), ("overdue", "y"), ("later", "hidden"),
                              ("overdue", "z")], shown)
    assert groups == [(Status.OVERDUE, ["y", "z"]), (Status.TODAY, []),
                      (Status.THIS_WEEK, ["x"]), (Status.THIS_QUARTER, [])]


def test_attestation_is_due_a_week_after_the_briefing_or_after_starting() -> None:
    assert attest_by(D(2026, 11, 2), D(2020, 1, 1)) == D(2026, 11, 9)
    assert attest_by(D(2026, 11, 2), D(2026, 11, 20)) == D(2026, 11, 27)


def test_digest_counts_and_subject() -> None:
    counts = digest_counts(["overdue", "overdue", "today", "this_quarter", "later"])
    assert counts == {Status.OVERDUE: 2, Status.TODAY: 1, Status.THIS_WEEK: 0}
    assert digest_subject(counts) == "Your governance work: 2 overdue, 1 due today"
    assert digest_subject(digest_counts([])) == "Your governance work: nothing due"
