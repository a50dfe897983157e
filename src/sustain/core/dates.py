"""Dates as people in the UK read them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def uk_day(value: dt.datetime | dt.date | None) -> str:
    """"27 Nov 2026" (a date-time is read in UK time); "" for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y}"
