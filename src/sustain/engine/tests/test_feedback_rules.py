"""Feedback response rule: answered / awaiting / unanswered after 30 days. No database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sustain.engine import feedback_rules as r

RECEIVED = dt.date(2026, 3, 1)


def test_awaiting_up_to_and_including_day_30() -> None:
    assert r.response_due(RECEIVED) == dt.date(2026, 3, 31)
    assert r.response_status(RECEIVED, None, dt.date(2026, 3, 31)) == r.ResponseStatus.AWAITING
    assert r.response_status(RECEIVED, None, RECEIVED) == r.ResponseStatus.AWAITING


def test_unanswered_from_day_31() -> None:
    assert r.response_status(RECEIVED, None, dt.date(2026, 4, 1)) == \
        r.ResponseStatus.UNANSWERED
    assert r.LABELS[r.ResponseStatus.UNANSWERED] == "No response after 30 days"


def test_answered_late_is_still_answered() -> None:
    assert r.response_status(RECEIVED, dt.date(2026, 5, 1), dt.date(2026, 6, 1)) == \
        r.ResponseStatus.ANSWERED
    assert r.days_waiting(RECEIVED, dt.date(2026, 5, 1), dt.date(2026, 6, 1)) == 61


def test_cutoff_agrees_with_status() -> None:
    today = dt.date(2026, 4, 10)
    cutoff = r.unanswered_cutoff(today)
    assert r.response_status(cutoff - dt.timedelta(days=1), None, today) == \
        r.ResponseStatus.UNANSWERED
    assert r.response_status(cutoff, None, today) == r.ResponseStatus.AWAITING


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
       st.integers(min_value=0, max_value=400))
def test_cutoff_matches_status_for_any_date(received: dt.date, waited: int) -> None:
    today = received + dt.timedelta(days=waited)
    unanswered = r.response_status(received, None, today) == r.ResponseStatus.UNANSWERED
    assert unanswered == (received < r.unanswered_cutoff(today))
    assert unanswered == (waited > r.RESPONSE_DAYS)
