"""`{% location_workforce location %}`: the location page's workforce summary (overdue
supervision and briefing coverage of active themes), shown to roles with workforce.view."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from sustain.engine.access import Perm
from sustain.tenancy.permissions import has_perm_at
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.workforce import selectors

register = template.Library()


@register.inclusion_tag("workforce/_location_workforce.html", takes_context=True)
def location_workforce(context: template.Context, location: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm_at(user, Perm.WORKFORCE_VIEW, location.pk):
        return {"shown": False}
    today = timezone.localdate()
    statuses = selectors.supervision_statuses(location, today)
    coverage = selectors.location_coverage(
        location, filter_themes_visible(Theme.objects.all(), user), today)
    return {"shown": True, "location": location, "staff_count": len(statuses),
            "overdue": [s for s in statuses if s.status.overdue], "coverage": coverage}
