"""Cadence rules: validation, generation over month ends, leap years, quarters and the clock
changes (Europe/London), and on-time / late / missed classification. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sustain.engine.cadence_rules import (
    LAST_DAY,
    LONDON,
    CadenceRule,
    Frequency,
    RuleError,
    Status,
    accepts,
    check_rule,
    classify,
    describe,
    grace_ends,
    is_time_based,
    local_date,
    occurrences_between,
    record_moment,
    summarise,
    validate_rule,
)
from sustain.engine.playbook_schema import FREQUENCY_LABELS as PLAYBOOK_FREQUENCIES

UTC = dt.UTC


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    """A London wall-clock time as an aware datetime."""
    return dt.datetime(y, m, d, h, mi, s, tzinfo=LONDON)


def dues(rule: CadenceRule, start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    return [o.due_date for o in occurrences_between(rule, start, end)]


# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "field", "fragment"), [
    (CadenceRule("annually", month=2, day_of_month=31), "day_of_month", "February has no day 31"),
    (CadenceRule("annually", month=2, day_of_month=30), "day_of_month", "February has no day 30"),
    (CadenceRule("annually", month=4, day_of_month=31), "day_of_month", "April has no day 31"),
    (CadenceRule("annually", month=13, day_of_month=1), "month", "1 to 12"),
    (CadenceRule("annually", month=6), "day_of_month", "Choose the day"),
    (CadenceRule("annually", day_of_month=6), "month", "Choose the month"),
    (CadenceRule("monthly", day_of_month=0), "day_of_month", "no day 0"),
    (CadenceRule("monthly", day_of_month=32), "day_of_month", "no day 32"),
    (CadenceRule("monthly", day_of_month=-2), "day_of_month", "no day -2"),
    (CadenceRule("monthly", day_of_month=1, month=3), "month", "does not apply"),
    (CadenceRule("weekly", weekday=7), "weekday", "Monday to Sunday"),
    (CadenceRule("weekly", weekday=2, day_of_month=3), "day_of_month", "does not apply"),
    (CadenceRule("daily", weekday=2), "weekday", "does not apply"),
    (CadenceRule("quarterly", month=4), "month", "1 to 3"),
    (CadenceRule("six_monthly", month=7), "month", "1 to 6"),
    (CadenceRule("hourly"), "frequency", "Choose how often"),
    (CadenceRule("per_shift", shift_ends=(dt.time(8), dt.time(8))), "shift_ends", "once"),
    (CadenceRule("daily", shift_ends=(dt.time(8),)), "shift_ends", "per-shift"),
])
def test_impossible_rules_are_refused_by_field(rule: CadenceRule, field: str,
                                               fragment: str) -> None:
    errors = validate_rule(rule)
    assert field in errors
    assert fragment in " ".join(errors[field])
    with pytest.raises(RuleError) as caught:
        check_rule(rule)
    assert field in caught.value.errors
    with pytest.raises(RuleError):
        occurrences_between(rule, at(2026, 1, 1), at(2026, 2, 1))


@pytest.mark.parametrize("rule", [
    CadenceRule("annually", month=2, day_of_month=29),
    CadenceRule("annually", month=12, day_of_month=31),
    CadenceRule("monthly", day_of_month=31),
    CadenceRule("monthly", day_of_month=LAST_DAY),
    CadenceRule("monthly"),
    CadenceRule("weekly", weekday=0),
    CadenceRule("quarterly"),
    CadenceRule("per_shift"),
    CadenceRule("each_meeting"),
])
def test_possible_rules_pass(rule: CadenceRule) -> None:
    assert validate_rule(rule) == {}


def test_every_playbook_frequency_maps_onto_a_rule() -> None:
    for code in PLAYBOOK_FREQUENCIES:
        rule = CadenceRule(Frequency(code))
        assert validate_rule(rule) == {}
        assert is_time_based(rule) == (code != "each_meeting")
        assert describe(rule)


def test_each_meeting_has_no_timed_occurrences() -> None:
    assert occurrences_between(CadenceRule("each_meeting"), at(2026, 1, 1), at(2027, 1, 1)) == []


# --- generation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "start", "end", "expected"), [
    # Month ends: day 31 falls back to the last day of shorter months.
    (CadenceRule("monthly", day_of_month=31), at(2027, 1, 1), at(2027, 5, 1),
     [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]),
    (CadenceRule("monthly", day_of_month=30), at(2028, 1, 1), at(2028, 4, 1),
     [dt.date(2028, 1, 30), dt.date(2028, 2, 29), dt.date(2028, 3, 30)]),
    (CadenceRule("monthly"), at(2026, 11, 1), at(2027, 2, 1),
     [dt.date(2026, 11, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 31)]),
    # Leap years: 29 February in 2028, 28 February otherwise.
    (CadenceRule("annually", month=2, day_of_month=29), at(2026, 1, 1), at(2030, 1, 1),
     [dt.date(2026, 2, 28), dt.date(2027, 2, 28), dt.date(2028, 2, 29), dt.date(2029, 2, 28)]),
    (CadenceRule("monthly", day_of_month=LAST_DAY), at(2028, 2, 1), at(2028, 3, 1),
     [dt.date(2028, 2, 29)]),
    # Quarter boundaries.
    (CadenceRule("quarterly"), at(2026, 1, 1), at(2027, 1, 1),
     [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)]),
    (CadenceRule("quarterly", month=1, day_of_month=15), at(2026, 1, 1), at(2026, 12, 1),
     [dt.date(2026, 1, 15), dt.date(2026, 4, 15), dt.date(2026, 7, 15), dt.date(2026, 10, 15)]),
    (CadenceRule("six_monthly"), at(2026, 1, 1), at(2028, 1, 1),
     [dt.date(2026, 6, 30), dt.date(2026, 12, 31), dt.date(2027, 6, 30), dt.date(2027, 12, 31)]),
    (CadenceRule("annually", month=3, day_of_month=31), at(2026, 4, 1), at(2028, 4, 1),
     [dt.date(2027, 3, 31), dt.date(2028, 3, 31)]),
    # Weeks: the weekday named, across a year end.
    (CadenceRule("weekly", weekday=0), at(2026, 12, 25), at(2027, 1, 12),
     [dt.date(2026, 12, 28), dt.date(2027, 1, 4), dt.date(2027, 1, 11)]),
    (CadenceRule("weekly"), at(2026, 11, 23), at(2026, 12, 7),
     [dt.date(2026, 11, 29), dt.date(2026, 12, 6)]),
    # Fortnights are the same Fridays whatever the window.
    (CadenceRule("fortnightly", weekday=4), at(2026, 1, 1), at(2026, 2, 1),
     [dt.date(2026, 1, 2), dt.date(2026, 1, 16), dt.date(2026, 1, 30)]),
    (CadenceRule("fortnightly", weekday=4), at(2026, 1, 3), at(2026, 2, 1),
     [dt.date(2026, 1, 16), dt.date(2026, 1, 30)]),
    (CadenceRule("daily"), at(2026, 2, 27), at(2026, 3, 2),
     [dt.date(2026, 2, 27), dt.date(2026, 2, 28), dt.date(2026, 3, 1)]),
])
def test_due_dates(rule: CadenceRule, start: dt.datetime, end: dt.datetime,
                   expected: list[dt.date]) -> None:
    assert dues(rule, start, end) == expected


def test_due_at_the_end_of_the_local_day_across_the_clock_changes() -> None:
    found = occurrences_between(CadenceRule("daily"), at(2026, 3, 28), at(2026, 3, 31))
    # 28 March is GMT; 29 March (clocks go forward at 01:00) and after are BST.
    assert [o.due_at.astimezone(UTC) for o in found] == [
        dt.datetime(2026, 3, 28, 23, 59, 59, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC),
        dt.datetime(2026, 3, 30, 22, 59, 59, tzinfo=UTC)]
    # The window of the clock-change day is 23 hours long; the day the clocks go back, 25.
    spring = found[1]
    assert spring.due_at - spring.window_start == dt.timedelta(hours=22, minutes=59, seconds=59)
    autumn = occurrences_between(CadenceRule("daily"), at(2026, 10, 25), at(2026, 10, 26))[0]
    assert autumn.window_start == dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert autumn.due_at == dt.datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)
    assert autumn.due_at - autumn.window_start == dt.timedelta(hours=24, minutes=59, seconds=59)


def test_per_shift_occurrences_at_the_local_shift_ends_over_the_clock_change() -> None:
    found = occurrences_between(CadenceRule("per_shift"), at(2026, 10, 25), at(2026, 10, 26))
    assert [o.due_at.astimezone(LONDON).time() for o in found] == [dt.time(8), dt.time(20)]
    assert [o.due_at for o in found] == [dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC),
                                         dt.datetime(2026, 10, 25, 20, 0, tzinfo=UTC)]
    # The night shift ending 08:00 GMT began at 20:00 BST the evening before.
    assert found[0].window_start == dt.datetime(2026, 10, 24, 19, 0, tzinfo=UTC)
    assert found[1].window_start == found[0].due_at


def test_monthly_window_starts_the_day_after_the_previous_due_date() -> None:
    found = occurrences_between(CadenceRule("monthly"), at(2026, 3, 1), at(2026, 5, 1))
    assert found[0].window_start == at(2026, 3, 1).astimezone(UTC)
    assert found[1].window_start == at(2026, 4, 1).astimezone(UTC)  # BST: 23:00 UTC on 31 Mar
    assert found[1].window_start == dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)


def test_the_window_is_half_open() -> None:
    rule = CadenceRule("weekly", weekday=6)
    due = occurrences_between(rule, at(2026, 11, 23), at(2026, 11, 30))[0].due_at
    assert occurrences_between(rule, due, due + dt.timedelta(seconds=1))[0].due_at == due
    assert occurrences_between(rule, due - dt.timedelta(days=1), due) == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrences_between(CadenceRule("daily"), dt.datetime(2026, 1, 1),
                            dt.datetime(2026, 1, 2))


RULES = st.one_of(
    st.builds(CadenceRule, st.just("daily")),
    st.builds(CadenceRule, st.just("per_shift")),
    st.builds(CadenceRule, st.just("weekly"), weekday=st.integers(0, 6)),
    st.builds(CadenceRule, st.just("fortnightly"), weekday=st.integers(0, 6)),
    st.builds(CadenceRule, st.just("monthly"),
              day_of_month=st.one_of(st.just(LAST_DAY), st.integers(1, 31))),
    st.builds(CadenceRule, st.just("quarterly"), month=st.integers(1, 3),
              day_of_month=st.one_of(st.just(LAST_DAY), st.integers(1, 31))),
    st.builds(CadenceRule, st.just("six_monthly"), month=st.integers(1, 6),
              day_of_month=st.one_of(st.just(LAST_DAY), st.integers(1, 31))),
    st.builds(CadenceRule, st.just("annually"), month=st.just(2), day_of_month=st.integers(1, 29)),
    st.builds(CadenceRule, st.just("annually"), month=st.integers(1, 12),
              day_of_month=st.integers(1, 28)),
)
MOMENTS = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1),
                       timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(rule=RULES, start=MOMENTS, days=st.integers(1, 400), cut=st.integers(0, 400))
def test_generation_properties(rule: CadenceRule, start: dt.datetime, days: int,
                               cut: int) -> None:
    end = start + dt.timedelta(days=days)
    found = occurrences_between(rule, start, end)
    for occ in found:
        assert start <= occ.due_at < end
        assert occ.window_start < occ.due_at
        assert local_date(occ.due_at) == occ.due_date
    # Ordered, without gaps or overlaps: each window begins where the previous one ended
    # (a day-based rule: at the start of the next local day).
    for before, after in zip(found, found[1:], strict=False):
        assert before.due_at < after.due_at
        if rule.frequency == "per_shift":
            assert after.window_start == before.due_at
        else:
            assert after.window_start - before.due_at == dt.timedelta(seconds=1)
    # Splitting the window anywhere gives the same occurrences (what the rolling horizon does).
    middle = start + dt.timedelta(days=min(cut, days))
    assert occurrences_between(rule, start, middle) + occurrences_between(rule, middle, end) \
        == found


# --- classification -----------------------------------------------------------------------

DUE = at(2026, 11, 29, 23, 59, 59)


@pytest.mark.parametrize(("grace", "completed", "now", "status", "words"), [
    (2, None, at(2026, 11, 29, 12), Status.DUE, "due 29 Nov 2026 23:59"),
    (2, None, at(2026, 11, 30, 9), Status.OVERDUE, "grace of 2 days to 1 Dec 2026 23:59"),
    (2, None, at(2026, 12, 1, 23, 59, 59), Status.OVERDUE, "not done yet"),
    (2, None, at(2026, 12, 2, 0, 0), Status.MISSED, "nothing done"),
    (0, None, at(2026, 11, 30, 0, 0), Status.MISSED, "end of the day it was due"),
    (2, at(2026, 11, 29, 23, 59, 59), at(2026, 12, 10), Status.DONE_ON_TIME, "on time"),
    (2, at(2026, 11, 27, 10), at(2026, 11, 28), Status.DONE_ON_TIME, "done 27 Nov 2026 10:00"),
    (2, at(2026, 11, 30, 10), at(2026, 12, 10), Status.DONE_LATE, "after it was due"),
    (2, at(2026, 12, 5, 10), at(2026, 12, 10), Status.DONE_LATE, "done 5 Dec 2026"),
])
def test_classification(grace: int, completed: dt.datetime | None, now: dt.datetime,
                        status: Status, words: str) -> None:
    result = classify(due_at=DUE, grace_days=grace, completed_at=completed, now=now,
                      rule=CadenceRule("weekly"))
    assert result.status == status
    assert words in result.explanation
    assert result.explanation.startswith("Weekly on Sunday: ")
    assert result.grace_ends == grace_ends(DUE, grace)


def test_grace_ends_at_the_same_local_time_across_the_clock_change() -> None:
    due = at(2026, 10, 24, 23, 59, 59)
    assert grace_ends(due, 1) == at(2026, 10, 25, 23, 59, 59)
    assert grace_ends(due, 1) - due == dt.timedelta(hours=25)


def test_accepts_from_window_start_to_the_end_of_grace() -> None:
    start = at(2026, 11, 23)
    assert accepts(window_start=start, due_at=DUE, grace_days=2, at=start)
    assert accepts(window_start=start, due_at=DUE, grace_days=2,
                   at=record_moment(dt.date(2026, 12, 1)))
    assert not accepts(window_start=start, due_at=DUE, grace_days=2,
                       at=record_moment(dt.date(2026, 12, 2)))
    assert not accepts(window_start=start, due_at=DUE, grace_days=2,
                       at=start - dt.timedelta(seconds=1))
    # A record dated the due day is on time.
    assert record_moment(dt.date(2026, 11, 29)) == DUE


def test_summary_rate() -> None:
    summary = summarise(["done_on_time", "done_on_time", "done_late", "missed", "due"])
    assert (summary.on_time, summary.late, summary.missed) == (2, 1, 1)
    assert summary.on_time_rate == 50.0
    assert summarise(["due", "overdue"]).on_time_rate is None
