"""Feedback rules: "you said, we did" within 30 days. Pure functions; pass `today` in.

Feedback is *answered* once a response has been recorded with its date; otherwise it is
*awaiting* a response until 30 days after it was received, and *unanswered* after that (shown
as such on the lists, so feedback that nobody acted on is visible).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

RESPONSE_DAYS = 30


class ResponseStatus(StrEnum):
    ANSWERED = "answered"
    AWAITING = "awaiting"
    UNANSWERED = "unanswered"


LABELS = {ResponseStatus.ANSWERED: "Answered",
          ResponseStatus.AWAITING: "Awaiting response",
          ResponseStatus.UNANSWERED: "No response after 30 days"}


def response_due(received_on: dt.date, days: int = RESPONSE_DAYS) -> dt.date:
    """The last day a response is in time."""
    return received_on + dt.timedelta(days=days)


def response_status(received_on: dt.date, responded_on: dt.date | None, today: dt.date,
                    days: int = RESPONSE_DAYS) -> ResponseStatus:
    """Answered, awaiting (still within `days` of receipt) or unanswered (past it)."""
    if responded_on is not None:
        return ResponseStatus.ANSWERED
    if today > response_due(received_on, days):
        return ResponseStatus.UNANSWERED
    return ResponseStatus.AWAITING


def unanswered_cutoff(today: dt.date, days: int = RESPONSE_DAYS) -> dt.date:
    """Feedback received before this date with no response is unanswered (for queries)."""
    return today - dt.timedelta(days=days)


def days_waiting(received_on: dt.date, responded_on: dt.date | None, today: dt.date) -> int:
    """Days from receipt to the response (or to today while there is none)."""
    end = responded_on if responded_on is not None else today
    return max(0, (end - received_on).days)
