"""Template filters for escalation links on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def sees_escalations_at(user: Any, location: Any) -> bool:
    """May this user see the escalations board of this location?"""
    from sustain.engine.access import Perm
    from sustain.tenancy.permissions import has_perm_at

    return bool(location is not None and has_perm_at(user, Perm.ESCALATION_VIEW, location.pk))
