"""Small template helpers for the web interface."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj: Any) -> str:
    """Link to a record's history page."""
    return reverse("web:history", kwargs={"label": obj._meta.label_lower, "uuid": obj.uuid})


@register.filter
def minutes(value: Any) -> str:
    """A timedelta as whole minutes in words ("30 minutes")."""
    if not isinstance(value, dt.timedelta):
        return ""
    total = max(1, round(value.total_seconds() / 60))
    if total % 60 == 0:
        hours = total // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{total} minute{'s' if total != 1 else ''}"


@register.filter
def yes_no(value: Any) -> str:
    return "Yes" if value else "No"
