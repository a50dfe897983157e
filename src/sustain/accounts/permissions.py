"""Access to user accounts: organisation-wide administrators (user.manage) only, default deny."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.tenancy.permissions import actor_organisation_id, can_manage_users


def filter_users_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Accounts of the actor's organisation, for administrators over the whole organisation."""
    org_id = actor_organisation_id(actor)
    if org_id is None or not can_manage_users(actor):
        return qs.none()
    return qs.filter(organisation_id=org_id)


def filter_colleagues_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Accounts of the actor's own organisation (for choosing a user in a form or payload)."""
    org_id = actor_organisation_id(actor)
    if org_id is None:
        return qs.none()
    return qs.filter(organisation_id=org_id)
