"""Challenge ratio, its trend per cycle, meeting types that complete cadences, and cycle plans
that agree with the calendar rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.governance_cycles import CycleKind, cycle_bounds, cycle_of
from sustain.engine.meeting_rules import (
    Counts,
    EntryFact,
    MeetingFact,
    Period,
    calendar_period,
    challenge_ratio,
    challenge_trend,
    count_entries,
    cycle_label,
    meeting_type_satisfies,
    plan_cycles,
    ratio_of_counts,
)
from sustain.engine.playbook_schema import MEETING_TYPES

U, C, D, A = "update", "challenge", "decision", "action"


def entries(*kinds: str, unsatisfied: int = 0) -> list[EntryFact]:
    found = []
    for kind in kinds:
        if kind == C:
            found.append(EntryFact(C, satisfied=unsatisfied <= 0))
            unsatisfied -= 1
        else:
            found.append(EntryFact(kind))
    return found


@pytest.mark.parametrize(("kinds", "value"), [
    ((U, U, U, C), 0.25),
    ((C, C), 1.0),
    ((U, U), 0.0),
    ((U, C, D, A, A, D), 0.5),  # decisions and actions are not counted
    ((D, A), None),  # nothing counted: no ratio, not 0 %
    ((), None),
])
def test_challenge_ratio(kinds: tuple[str, ...], value: float | None) -> None:
    ratio = challenge_ratio(entries(*kinds))
    assert ratio.value == value
    assert ratio.counts.updates == kinds.count(U)
    assert ratio.counts.challenges == kinds.count(C)
    assert "challenges ÷ (updates + challenges)" in ratio.rule


def test_an_unsatisfied_challenge_still_counts() -> None:
    ratio = challenge_ratio(entries(U, C, C, unsatisfied=1))
    assert ratio.value == pytest.approx(2 / 3)
    assert ratio.counts.unsatisfied == 1
    assert "2 challenges out of 3 updates and challenges (67%)" in ratio.explanation
    assert "1 challenge not answered" in ratio.explanation
    assert not ratio.updates_only


def test_updates_only_is_named() -> None:
    ratio = challenge_ratio(entries(U, U, D))
    assert ratio.updates_only and ratio.value == 0
    assert "updates only" in ratio.explanation
    assert not challenge_ratio(entries(D)).updates_only


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        count_entries([EntryFact("gossip")])


@given(st.lists(st.sampled_from([U, C, D, A]), max_size=40))
def test_ratio_is_between_zero_and_one(kinds: list[str]) -> None:
    ratio = challenge_ratio(entries(*kinds))
    if kinds.count(U) + kinds.count(C) == 0:
        assert ratio.value is None
    else:
        assert ratio.value is not None and 0 <= ratio.value <= 1


def _meeting(day: dt.date, updates: int, challenges: int, key: str = "") -> MeetingFact:
    return MeetingFact(key or day.isoformat(), day, Counts(updates=updates,
                                                           challenges=challenges))


def _months(*months: int) -> list[Period]:
    periods = []
    for i, month in enumerate(months, start=1):
        start, end = cycle_bounds(cycle_of(dt.date(2026, month, 1)))
        periods.append(Period(i, cycle_label(i, start, end), start, end))
    return periods


def test_trend_mean_per_cycle_and_not_falling() -> None:
    meetings = [_meeting(dt.date(2026, 9, 3), 3, 1), _meeting(dt.date(2026, 9, 24), 1, 1),
                _meeting(dt.date(2026, 10, 8), 4, 0), _meeting(dt.date(2026, 11, 5), 2, 2)]
    trend = challenge_trend(meetings, _months(9, 10, 11))
    sept, octo, nov = trend.cycles
    assert sept.meetings == 2 and sept.mean_ratio == pytest.approx((0.25 + 0.5) / 2)
    assert sept.counts.challenges == 2 and sept.counts.updates == 4
    assert octo.mean_ratio == 0 and octo.updates_only == 1
    assert nov.mean_ratio == 0.5
    assert not trend.falling
    assert "2 of the last 3 meetings" in trend.explanation


def test_trend_falls_when_the_last_meetings_are_updates_only() -> None:
    meetings = [_meeting(dt.date(2026, 8, 6), 2, 2), _meeting(dt.date(2026, 9, 3), 5, 0),
                _meeting(dt.date(2026, 10, 1), 6, 0), _meeting(dt.date(2026, 11, 5), 4, 0)]
    trend = challenge_trend(meetings, _months(8, 9, 10, 11))
    assert trend.falling
    assert trend.explanation.startswith("Falling: the last 3 meetings")
    # One challenge in the latest meeting and it no longer falls.
    meetings[-1] = _meeting(dt.date(2026, 11, 5), 4, 1)
    assert not challenge_trend(meetings, _months(8, 9, 10, 11)).falling


def test_trend_ignores_meetings_without_minutes_for_the_flag() -> None:
    meetings = [_meeting(dt.date(2026, 9, 3), 5, 0), _meeting(dt.date(2026, 9, 10), 6, 0),
                _meeting(dt.date(2026, 9, 17), 0, 0), _meeting(dt.date(2026, 9, 24), 4, 0)]
    trend = challenge_trend(meetings, _months(9))
    assert trend.falling
    assert trend.cycles[0].meetings == 4 and trend.cycles[0].rated == 3


def test_trend_needs_enough_meetings_to_judge() -> None:
    trend = challenge_trend([_meeting(dt.date(2026, 9, 3), 5, 0)], _months(9), run=2)
    assert not trend.falling
    assert "Not enough meetings" in trend.explanation


def test_meetings_outside_every_period_are_counted_apart() -> None:
    trend = challenge_trend([_meeting(dt.date(2026, 7, 3), 1, 1)], _months(9))
    assert trend.meetings_outside == 1 and trend.cycles[0].meetings == 0
    assert trend.cycles[0].mean_ratio is None


@pytest.mark.parametrize(("required", "held", "ok"), [
    ("safeguarding_review", "weekly_safeguarding_review", True),
    ("safeguarding_review", "daily_safeguarding_review", True),
    ("safeguarding_review", "safeguarding_review", True),
    ("weekly_safeguarding_review", "daily_safeguarding_review", False),
    ("team_meeting", "team_meeting", True),
    ("team_meeting", "care_plan_clinic", False),
    ("governance_meeting", "board", False),
])
def test_meeting_type_satisfies(required: str, held: str, ok: bool) -> None:
    assert meeting_type_satisfies(required, held) is ok


def test_every_issue_meeting_type_is_a_code() -> None:
    assert {"daily_safeguarding_review", "weekly_safeguarding_review", "team_meeting",
            "care_plan_clinic", "governance_meeting", "provider_review", "board",
            "safeguarding_review"} <= set(MEETING_TYPES)


def test_plan_cycles_from_nothing_numbers_from_one() -> None:
    plans = plan_cycles(kind="monthly", up_to=dt.date(2026, 11, 27), last_number=None,
                        last_end=None, first_day=dt.date(2025, 10, 14))
    assert [p.number for p in plans] == list(range(1, 15))
    assert plans[0].start == dt.date(2025, 10, 1)
    assert plans[-1].label == "Cycle 14 — November 2026"
    assert plans[-1].end == dt.date(2026, 11, 30)
    # Again from the last record: nothing more to plan.
    assert plan_cycles(kind="monthly", up_to=dt.date(2026, 11, 27), last_number=14,
                       last_end=plans[-1].end, first_day=dt.date(2025, 10, 14)) == []


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1)),
       st.integers(min_value=0, max_value=900), st.sampled_from(list(CycleKind)))
def test_planned_cycles_agree_with_the_calendar_rule(first: dt.date, days: int,
                                                     kind: CycleKind) -> None:
    up_to = first + dt.timedelta(days=days)
    plans = plan_cycles(kind=kind, up_to=up_to, last_number=None, last_end=None,
                        first_day=first)
    assert plans and plans[0].start <= first and plans[-1].end >= up_to
    for before, after in zip(plans, plans[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)
        assert after.number == before.number + 1
    for plan in plans:
        assert (plan.start, plan.end) == cycle_bounds(plan.ordinal, kind)
        assert cycle_of(plan.start, kind) == cycle_of(plan.end, kind) == plan.ordinal


def test_a_change_of_kind_starts_a_short_cycle_without_overlap() -> None:
    plans = plan_cycles(kind="quarterly", up_to=dt.date(2027, 1, 10), last_number=14,
                        last_end=dt.date(2026, 11, 30), first_day=dt.date(2025, 10, 1))
    assert [(p.number, p.start, p.end) for p in plans] == [
        (15, dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        (16, dt.date(2027, 1, 1), dt.date(2027, 3, 31))]
    assert plans[1].label == "Cycle 16 — January to March 2027"


def test_calendar_period_for_uncovered_dates() -> None:
    period = calendar_period(dt.date(2026, 2, 14), "quarterly")
    assert (period.number, period.start, period.end) == (None, dt.date(2026, 1, 1),
                                                        dt.date(2026, 3, 31))
    assert period.label == "January to March 2026"


def test_ratio_of_counts_without_entries_explains_itself() -> None:
    assert "no challenge ratio" in ratio_of_counts(Counts()).explanation
