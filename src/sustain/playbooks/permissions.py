"""Access to playbooks: shipped ones for every organisation user who may see themes; an
organisation's own for its users. Managing them is organisation-level."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import actor_organisation_id, has_perm_anywhere, has_perm_at


def filter_playbooks_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.THEME_VIEW):
        return qs.none()
    return qs.filter(Q(organisation__isnull=True) | Q(organisation_id=org_id))


def can_manage_playbooks(actor: Any) -> bool:
    return has_perm_at(actor, Perm.PLAYBOOK_MANAGE, None)
