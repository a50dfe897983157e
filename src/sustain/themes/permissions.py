"""Access to themes, their transitions and actions (default deny)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_themes_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def filter_transitions_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def filter_actions_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def can_change_theme(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.THEME_CHANGE, location_id)


def can_change_action(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.ACTION_CHANGE, location_id)


def can_verify_action(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.ACTION_VERIFY, location_id)


VISIBILITY_FILTERS = {
    "themes.theme": filter_themes_visible,
    "themes.themetransition": filter_transitions_visible,
    "themes.action": filter_actions_visible,
}
