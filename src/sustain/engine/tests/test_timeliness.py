"""Timeliness rules: shifts in London time (night shifts past midnight, clock changes) and the
three safeguarding checks. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from sustain.engine import timeliness as t

UTC = dt.UTC
DAY, NIGHT = dt.time(8, 0), dt.time(20, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def london(year: int, month: int, day: int, hour: int, minute: int,
           fold: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=t.LONDON, fold=fold)


@pytest.mark.parametrize(("at", "name", "start", "end"), [
    # Winter (GMT = UTC): a day shift.
    (london(2026, 1, 10, 10, 0), "day", utc(2026, 1, 10, 8), utc(2026, 1, 10, 20)),
    # Summer (BST = UTC+1): the same wall-clock shift is an hour earlier in UTC.
    (london(2026, 6, 10, 10, 0), "day", utc(2026, 6, 10, 7), utc(2026, 6, 10, 19)),
    # Night shift before midnight ends the next morning.
    (london(2026, 1, 10, 23, 0), "night", utc(2026, 1, 10, 20), utc(2026, 1, 11, 8)),
    # Night shift after midnight belongs to the shift that started the evening before.
    (london(2026, 1, 11, 3, 0), "night", utc(2026, 1, 10, 20), utc(2026, 1, 11, 8)),
    # Boundaries: a shift starts at its start time exactly.
    (london(2026, 1, 10, 20, 0), "night", utc(2026, 1, 10, 20), utc(2026, 1, 11, 8)),
    (london(2026, 1, 11, 8, 0), "day", utc(2026, 1, 11, 8), utc(2026, 1, 11, 20)),
    (london(2026, 1, 11, 7, 59), "night", utc(2026, 1, 10, 20), utc(2026, 1, 11, 8)),
    # Clocks go forward (29 Mar 2026, 01:00 UTC): the night shift lasts 11 hours.
    (london(2026, 3, 29, 3, 30), "night", utc(2026, 3, 28, 20), utc(2026, 3, 29, 7)),
    # Clocks go back (25 Oct 2026, 01:00 UTC): the night shift lasts 13 hours.
    (london(2026, 10, 25, 5, 0), "night", utc(2026, 10, 24, 19), utc(2026, 10, 25, 8)),
    # 01:30 happens twice on 25 Oct; both are in the same night shift.
    (london(2026, 10, 25, 1, 30, fold=0), "night", utc(2026, 10, 24, 19), utc(2026, 10, 25, 8)),
    (london(2026, 10, 25, 1, 30, fold=1), "night", utc(2026, 10, 24, 19), utc(2026, 10, 25, 8)),
])
def test_shift_containing(at: dt.datetime, name: str, start: dt.datetime,
                          end: dt.datetime) -> None:
    shift = t.shift_containing(at, DAY, NIGHT)
    assert (shift.name, shift.start, shift.end) == (name, start, end)


def test_clock_change_night_lengths() -> None:
    spring = t.shift_containing(london(2026, 3, 29, 2, 30), DAY, NIGHT)
    autumn = t.shift_containing(london(2026, 10, 25, 2, 30), DAY, NIGHT)
    assert spring.end - spring.start == dt.timedelta(hours=11)
    assert autumn.end - autumn.start == dt.timedelta(hours=13)


def test_other_shift_times() -> None:
    shift = t.shift_containing(london(2026, 2, 2, 19, 45), dt.time(7, 0), dt.time(19, 30))
    assert (shift.name, shift.end) == ("night", utc(2026, 2, 3, 7))
    assert t.shift_name(london(2026, 2, 2, 7, 0), dt.time(7, 0), dt.time(19, 30)) == "day"


def test_refuses_naive_and_equal_starts() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        t.shift_containing(dt.datetime(2026, 1, 1, 9), DAY, NIGHT)
    with pytest.raises(ValueError, match="different times"):
        t.shift_containing(utc(2026, 1, 1, 9), DAY, DAY)


NOW = utc(2026, 2, 1, 12)


@pytest.mark.parametrize(("raised", "notified", "now", "status", "late_by"), [
    # Day shift ends 20:00: notified at 19:59 is on time.
    (utc(2026, 1, 10, 10), utc(2026, 1, 10, 19, 59), NOW, t.ON_TIME, None),
    # Notified at 22:10: late by 2 h 10 min.
    (utc(2026, 1, 10, 10), utc(2026, 1, 10, 22, 10), NOW, t.LATE, dt.timedelta(hours=2,
                                                                                 minutes=10)),
    # Night shift across midnight: raised 23:00, notified 06:00 next day is on time.
    (utc(2026, 1, 10, 23), utc(2026, 1, 11, 6), NOW, t.ON_TIME, None),
    # Night shift, notified 08:30 the next morning: late by 30 min.
    (utc(2026, 1, 10, 23), utc(2026, 1, 11, 8, 30), NOW, t.LATE, dt.timedelta(minutes=30)),
    # Spring-forward night: the shift ends 07:00 UTC, so 07:30 UTC is late.
    (utc(2026, 3, 28, 22), utc(2026, 3, 29, 7, 30), utc(2026, 4, 1), t.LATE,
     dt.timedelta(minutes=30)),
    # Autumn night: the shift ends 08:00 UTC, so 07:30 UTC is on time.
    (utc(2026, 10, 24, 22), utc(2026, 10, 25, 7, 30), utc(2026, 11, 1), t.ON_TIME, None),
    # Missing notification after the shift ended.
    (utc(2026, 1, 10, 10), None, utc(2026, 1, 10, 21), t.MISSING, dt.timedelta(hours=1)),
    # Missing but the shift is still running.
    (utc(2026, 1, 10, 10), None, utc(2026, 1, 10, 12), t.PENDING, None),
])
def test_shift_lead_notification(raised: dt.datetime, notified: dt.datetime | None,
                                 now: dt.datetime, status: str,
                                 late_by: dt.timedelta | None) -> None:
    check = t.shift_lead_notification(raised_at=raised, notified_at=notified, day_start=DAY,
                                      night_start=NIGHT, now=now)
    assert check.status == status
    assert check.late_by == late_by
    assert check.rule == t.SHIFT_LEAD_RULE
    assert check.times[0] == ("Raised", raised)
    assert check.times[1][0].startswith("End of ")


@pytest.mark.parametrize(("reviewed", "now", "status"), [
    (utc(2026, 1, 11, 9, 59), NOW, t.ON_TIME),
    (utc(2026, 1, 11, 10, 0), NOW, t.ON_TIME),
    (utc(2026, 1, 11, 10, 1), NOW, t.LATE),
    (None, utc(2026, 1, 10, 20), t.PENDING),
    (None, utc(2026, 1, 12), t.MISSING),
])
def test_manager_review(reviewed: dt.datetime | None, now: dt.datetime, status: str) -> None:
    check = t.manager_review(raised_at=utc(2026, 1, 10, 10), reviewed_at=reviewed, now=now)
    assert check.status == status
    assert check.deadline == utc(2026, 1, 11, 10)
    assert "within 24 hours" in check.rule


def test_manager_review_limit_is_configurable() -> None:
    check = t.manager_review(raised_at=utc(2026, 1, 10, 10), reviewed_at=utc(2026, 1, 10, 20),
                             now=NOW, limit=dt.timedelta(hours=8))
    assert check.status == t.LATE
    assert check.late_by == dt.timedelta(hours=2)


@pytest.mark.parametrize(("decision", "made", "limit", "status"), [
    ("no_further_action", None, t.DEFAULT_REFERRAL_LIMIT, t.NOT_APPLICABLE),
    ("internal_action", None, t.DEFAULT_REFERRAL_LIMIT, t.NOT_APPLICABLE),
    ("referral", utc(2026, 1, 11, 9), t.DEFAULT_REFERRAL_LIMIT, t.ON_TIME),
    ("referral", utc(2026, 1, 12, 9), t.DEFAULT_REFERRAL_LIMIT, t.LATE),
    ("referral", utc(2026, 1, 12, 9), dt.timedelta(hours=72), t.ON_TIME),
    ("referral", None, t.DEFAULT_REFERRAL_LIMIT, t.MISSING),
])
def test_referral(decision: str, made: dt.datetime | None, limit: dt.timedelta,
                  status: str) -> None:
    check = t.referral(raised_at=utc(2026, 1, 10, 10), decision=decision, referral_at=made,
                       now=NOW, limit=limit)
    assert check.status == status


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (45, "45 min"), (60, "1 h"), (130, "2 h 10 min"), (24 * 60, "1 d"),
    (27 * 60 + 5, "1 d 3 h"),
])
def test_format_duration(minutes: int, text: str) -> None:
    assert t.format_duration(dt.timedelta(minutes=minutes)) == text


def test_summary_lines() -> None:
    on_time = t.manager_review(raised_at=utc(2026, 1, 10, 10), reviewed_at=utc(2026, 1, 10, 11),
                               now=NOW)
    late = t.shift_lead_notification(raised_at=utc(2026, 1, 10, 10),
                                     notified_at=utc(2026, 1, 10, 22, 10), day_start=DAY,
                                     night_start=NIGHT, now=NOW)
    assert t.summary(on_time, "Manager review") == "Manager review on time ✓"
    assert t.summary(late, "Shift lead notified") == "Shift lead notified late by 2 h 10 min"
    assert late.explanation == "Shift lead notified late by 2 h 10 min."
