"""`{{ ratio|ratio_text }}` (a challenge ratio in words with its counts) and
`{% location_meetings location %}` (the location page's meetings summary, for roles with
meeting.view there)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from sustain.engine.access import Perm
from sustain.engine.meeting_rules import Ratio, percent
from sustain.meetings import selectors
from sustain.meetings.models import Meeting
from sustain.meetings.permissions import filter_meetings_visible
from sustain.tenancy.permissions import has_perm_at

register = template.Library()


@register.filter
def ratio_text(ratio: Ratio) -> str:
    """"33% (1 challenge, 2 updates)", or "No updates or challenges minuted"."""
    c = ratio.counts
    if ratio.value is None:
        return "No updates or challenges minuted"
    challenges = f"{c.challenges} challenge" + ("" if c.challenges == 1 else "s")
    updates = f"{c.updates} update" + ("" if c.updates == 1 else "s")
    return f"{percent(ratio.value)} ({challenges}, {updates})"


@register.inclusion_tag("meetings/_location_meetings.html", takes_context=True)
def location_meetings(context: template.Context, location: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm_at(user, Perm.MEETING_VIEW, location.pk):
        return {"shown": False}
    trends = selectors.trends_by_type(
        organisation=location.organisation, location=location, as_of=timezone.localdate(),
        meetings=filter_meetings_visible(Meeting.objects.all(), user), cycles=3)
    return {"shown": True, "location": location, "falling": [t for t in trends
                                                            if t.trend.falling],
            "types": len(trends)}
