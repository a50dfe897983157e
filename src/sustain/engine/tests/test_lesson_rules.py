"""Lesson adoption summaries, stalled adoptions, adoption evidence and owner departures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.lesson_rules import (
    AdoptionFact,
    Departure,
    adoption_problems,
    classify,
    most_stalled_first,
    owner_departure,
    summarise,
    summary_by_lesson,
    summary_by_location,
)

AS_OF = dt.date(2026, 11, 27)


def fact(status: str, days_ago: int, lesson: int = 1, location: int = 1) -> AdoptionFact:
    return AdoptionFact(lesson, location, status, AS_OF - dt.timedelta(days=days_ago))


@pytest.mark.parametrize(("status", "days", "stalled"), [
    ("not_started", 0, False),
    ("not_started", 28, False),   # on the day it would stall it has not yet
    ("not_started", 29, True),
    ("in_progress", 400, False),  # only "not started" stalls
    ("adopted", 400, False),
])
def test_classify_stalled(status: str, days: int, stalled: bool) -> None:
    state = classify(fact(status, days), AS_OF, stalled_after_days=28)
    assert state.stalled is stalled
    assert state.days_in_status == days
    assert str(days) in state.reason


def test_classify_reason_explains_stall() -> None:
    state = classify(fact("not_started", 40), AS_OF, stalled_after_days=30)
    assert state.reason == ("Not started 40 days after the lesson reached this location "
                            "(stalled after 30).")


def test_classify_future_since_counts_zero_days() -> None:
    assert classify(fact("not_started", -5), AS_OF).days_in_status == 0


def test_classify_refuses_negative_threshold() -> None:
    with pytest.raises(ValueError):
        classify(fact("not_started", 1), AS_OF, stalled_after_days=-1)


def test_summarise_counts_percent_and_reasons() -> None:
    summary = summarise([fact("adopted", 3, location=1), fact("adopted", 3, location=2),
                         fact("in_progress", 10, location=3),
                         fact("not_started", 50, location=4),
                         fact("not_started", 60, location=5)], AS_OF, 28)
    assert (summary.total, summary.adopted, summary.in_progress, summary.not_started) == \
        (5, 2, 1, 2)
    assert summary.stalled == 2
    assert summary.percent_adopted == 40
    assert summary.reasons[0] == "2 of 5 adopted."
    # The longest stalled comes first.
    assert "60 days" in summary.reasons[1] and "50 days" in summary.reasons[2]


def test_summarise_rounds_down_so_100_means_all() -> None:
    facts = [fact("adopted", 1, location=i) for i in range(199)] + [fact("in_progress", 1, 0)]
    assert summarise(facts, AS_OF).percent_adopted == 99


def test_summarise_nothing() -> None:
    summary = summarise([], AS_OF)
    assert summary.total == 0 and summary.percent_adopted is None
    assert summary.reasons == ("Applies nowhere yet.",)


def test_summaries_by_lesson_and_location() -> None:
    facts = [fact("adopted", 1, lesson=1, location=10), fact("not_started", 90, 1, 11),
             fact("not_started", 90, lesson=2, location=10)]
    by_lesson = summary_by_lesson(facts, AS_OF)
    by_location = summary_by_location(facts, AS_OF)
    assert set(by_lesson) == {1, 2} and set(by_location) == {10, 11}
    assert by_lesson[1].total == 2 and by_lesson[1].percent_adopted == 50
    assert by_lesson[2].stalled == 1
    assert by_location[10].total == 2 and by_location[10].adopted == 1
    assert by_location[11].stalled == 1


def test_most_stalled_first() -> None:
    facts = [fact("adopted", 1, lesson=1, location=1),
             fact("not_started", 90, lesson=1, location=2),
             fact("not_started", 90, lesson=2, location=1),
             fact("not_started", 90, lesson=2, location=2),
             fact("in_progress", 90, lesson=3, location=1),
             fact("adopted", 1, lesson=4, location=1)]
    order = most_stalled_first(summary_by_lesson(facts, AS_OF))
    assert order == [2, 1, 3, 4]


@given(st.lists(st.tuples(st.sampled_from(["not_started", "in_progress", "adopted"]),
                          st.integers(min_value=0, max_value=400)), max_size=30),
       st.integers(min_value=0, max_value=100))
def test_summary_counts_add_up(rows: list[tuple[str, int]], threshold: int) -> None:
    facts = [fact(status, days, location=i) for i, (status, days) in enumerate(rows)]
    summary = summarise(facts, AS_OF, threshold)
    assert summary.not_started + summary.in_progress + summary.adopted == summary.total
    assert summary.stalled <= summary.not_started
    assert len(summary.reasons) == 1 + summary.stalled
    if summary.total:
        assert summary.percent_adopted is not None
        assert (summary.percent_adopted == 100) == (summary.adopted == summary.total)


@pytest.mark.parametrize(("kwargs", "errors"), [
    ({"status": "adopted", "has_evidence_record": True}, {}),
    ({"status": "adopted", "evidence_note": "Seen on the MAR audit", "evidence_date": AS_OF},
     {}),
    ({"status": "adopted"}, {"evidence"}),
    ({"status": "adopted", "evidence_note": "   "}, {"evidence"}),
    ({"status": "adopted", "evidence_note": "Seen on the MAR audit"}, {"evidence_date"}),
    ({"status": "in_progress"}, {}),
    ({"status": "not_started"}, {}),
    ({"status": "in_progress", "evidence_date": AS_OF + dt.timedelta(days=1)},
     {"evidence_date"}),
    ({"status": "finished"}, {"status"}),
])
def test_adoption_problems(kwargs: dict[str, Any], errors: set[str]) -> None:
    args = {"has_evidence_record": False, "evidence_note": "", "evidence_date": None,
            "as_of": AS_OF, **kwargs}
    assert set(adoption_problems(**args)) == set(errors)


@pytest.mark.parametrize(("offset", "within", "status", "reason"), [
    (None, 28, None, None),
    (29, 28, None, None),
    (28, 28, Departure.LEAVING, "The owner leaves in 28 days."),
    (1, 28, Departure.LEAVING, "The owner leaves in 1 day."),
    (0, 28, Departure.LEAVING, "The owner leaves today."),
    (-1, 28, Departure.LEFT, "The owner left 1 day ago."),
    (-30, 0, Departure.LEFT, "The owner left 30 days ago."),
    (3, 0, None, None),
])
def test_owner_departure(offset: int | None, within: int, status: Departure | None,
                         reason: str | None) -> None:
    leaving = None if offset is None else AS_OF + dt.timedelta(days=offset)
    result = owner_departure(leaving, AS_OF, within)
    if status is None:
        assert result is None
    else:
        assert result is not None and result.status is status and result.reason == reason
