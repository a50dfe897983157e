"""Template helpers for the governance calendar."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, key) if hasattr(mapping, "get") else key


@register.filter
def sees_governance_at(user: Any, location: Any) -> bool:
    """May this user see the governance calendar of this location?"""
    from sustain.engine.access import Perm
    from sustain.tenancy.permissions import has_perm_at

    return bool(location is not None and has_perm_at(user, Perm.GOVERNANCE_VIEW, location.pk))
