"""Supervision overdue and briefing coverage rules (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.workforce_rules import (
    StaffFacts,
    StaffMemberFact,
    coverage,
    is_current,
    new_starters_not_briefed,
    next_due,
    overdue_supervisions,
    supervision_status,
)

D = dt.date


def test_next_due_defaults_to_eight_weeks_and_refuses_nonsense() -> None:
    assert next_due(D(2026, 1, 1)) == D(2026, 2, 26)
    assert next_due(D(2026, 1, 1), 4) == D(2026, 1, 29)
    with pytest.raises(ValueError):
        next_due(D(2026, 1, 1), 0)


def test_overdue_when_latest_next_due_has_passed_and_explains_the_dates() -> None:
    facts = StaffFacts(1, D(2024, 1, 1), latest_supervision_on=D(2026, 1, 5),
                       latest_next_due=D(2026, 3, 2))
    due_today = supervision_status(facts, D(2026, 3, 2))
    assert due_today is not None and not due_today.overdue
    late = supervision_status(facts, D(2026, 3, 12))
    assert late is not None and late.overdue and late.days_overdue == 10
    assert late.basis == "next_due" and late.due_on == D(2026, 3, 2)
    assert "2 Mar 2026" in late.explanation and "5 Jan 2026" in late.explanation
    assert "12 Mar 2026" in late.explanation


def test_none_yet_is_overdue_only_after_the_probation_period() -> None:
    facts = StaffFacts(2, D(2026, 3, 1))
    early = supervision_status(facts, D(2026, 3, 29))
    assert early is not None and not early.overdue and early.basis == "probation"
    late = supervision_status(facts, D(2026, 3, 30))
    assert late is not None and late.overdue and late.days_overdue == 1
    assert "1 Mar 2026" in late.explanation
    custom = supervision_status(facts, D(2026, 3, 30), probation_days=42)
    assert custom is not None and not custom.overdue


def test_leavers_and_future_starters_are_not_counted() -> None:
    assert supervision_status(StaffFacts(3, D(2020, 1, 1), D(2025, 1, 1)), D(2026, 1, 1)) is None
    assert supervision_status(StaffFacts(4, D(2027, 1, 1)), D(2026, 1, 1)) is None
    staff = [StaffFacts(5, D(2020, 1, 1), latest_next_due=D(2025, 12, 1)),
             StaffFacts(6, D(2020, 1, 1), latest_next_due=D(2025, 11, 1)),
             StaffFacts(7, D(2020, 1, 1), latest_next_due=D(2026, 2, 1)),
             StaffFacts(8, D(2020, 1, 1), D(2025, 6, 1))]
    assert [s.staff_id for s in overdue_supervisions(staff, D(2026, 1, 1))] == [6, 5]


def test_is_current_includes_the_leaving_day() -> None:
    assert is_current(D(2026, 1, 1), D(2026, 2, 1), D(2026, 2, 1))
    assert not is_current(D(2026, 1, 1), D(2026, 2, 1), D(2026, 2, 2))


def test_coverage_counts_only_current_staff() -> None:
    staff = [StaffMemberFact(1, D(2024, 1, 1)), StaffMemberFact(2, D(2024, 1, 1)),
             StaffMemberFact(3, D(2024, 1, 1)), StaffMemberFact(4, D(2024, 1, 1), D(2025, 1, 1))]
    result = coverage(staff, {1, 4, 99}, D(2026, 1, 1))
    assert result.attested == (1,) and result.not_attested == (2, 3) and result.total == 3
    assert result.percent == 33.3
    assert "1 of 3" in result.explanation
    empty = coverage([], set(), D(2026, 1, 1))
    assert empty.percent is None and empty.total == 0


def test_new_starters_not_briefed() -> None:
    staff = [StaffMemberFact(1, D(2024, 1, 1)), StaffMemberFact(2, D(2026, 2, 1)),
             StaffMemberFact(3, D(2026, 2, 10)), StaffMemberFact(4, D(2026, 2, 5), D(2026, 2, 20))]
    as_of = D(2026, 3, 1)
    assert new_starters_not_briefed(staff, {3}, D(2026, 1, 15), "sustaining", as_of) == (2,)
    # No briefing yet: every current member of staff who has not attested.
    assert new_starters_not_briefed(staff, set(), None, "recovering", as_of) == (1, 2, 3)
    assert new_starters_not_briefed(staff, set(), D(2026, 1, 15), "identified", as_of) == ()


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 1, 1))


@given(st.lists(st.tuples(dates, st.booleans()), max_size=30), st.sets(st.integers(0, 40)),
       dates)
def test_coverage_partitions_current_staff(rows: list[tuple[dt.date, bool]],
                                           attested: set[int], as_of: dt.date) -> None:
    staff = [StaffMemberFact(i, start, start + dt.timedelta(days=100) if left else None)
             for i, (start, left) in enumerate(rows)]
    result = coverage(staff, attested, as_of)
    assert len(result.attested) + len(result.not_attested) == result.total
    assert set(result.attested) <= attested
    if result.percent is not None:
        assert 0 <= result.percent <= 100
