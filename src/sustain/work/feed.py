"""The personal calendar feed (iCalendar, RFC 5545) built with the `icalendar` library.

Each item becomes one event with a stable UID (`<kind>-<record uuid>@sustain`), so Outlook
and Google Calendar update an event when its due date moves rather than add a second one.
Untimed items are all-day events; governance occurrences with a due time are 30-minute
events ending at the due time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from icalendar import Calendar, Event, vDuration

from sustain.engine.cadence_rules import LONDON

REFRESH = dt.timedelta(hours=1)
TIMED_LENGTH = dt.timedelta(minutes=30)


def build_calendar(*, user: Any, items: Iterable[Any], base_url: str,
                   now: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Sustain//My work//EN-GB")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Sustain: {user.display_name}'s governance work")
    cal.add("x-wr-timezone", "Europe/London")
    # How often calendar apps should fetch again (RFC 7986 and the older Microsoft hint).
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    stamp = now.astimezone(dt.UTC)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        if item.due_time is None:
            event.add("dtstart", item.due_date)
            event.add("dtend", item.due_date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        else:
            end = dt.datetime.combine(item.due_date, item.due_time, tzinfo=LONDON)
            event.add("dtstart", (end - TIMED_LENGTH).astimezone(dt.UTC))
            event.add("dtend", end.astimezone(dt.UTC))
        event.add("summary", f"{item.kind_label}: {item.title}")
        where = f"{item.location}. " if item.location else ""
        link = f"{base_url}{item.url}" if item.url else ""
        event.add("description", f"{item.status_label}. {where}{item.why}\n{link}".strip())
        if item.location:
            event.add("location", item.location)
        if link:
            event.add("url", link)
        event.add("categories", [item.kind_label])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
