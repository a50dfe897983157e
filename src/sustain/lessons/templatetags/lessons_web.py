"""Template helpers for the lesson and hand-over pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

register = template.Library()


@register.filter
def isodate(value: Any) -> str:
    """An ISO date string (as kept in a hand-over note's content) shown as "27 Nov 2026"."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return f"{day.day} {day:%b %Y}"


@register.filter
def can_share_lessons(user: Any) -> bool:
    """May this user write lessons anywhere (the "Share as lesson" button on a theme)?"""
    from sustain.lessons.permissions import can_manage_lessons_anywhere

    return can_manage_lessons_anywhere(user)
