"""Access to audits and attachments (default deny). Templates are shared or organisation-owned."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_anywhere,
    has_perm_at,
)


def filter_audits_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.AUDIT_VIEW)


def filter_attachments_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.AUDIT_VIEW)


def filter_templates_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Shipped templates and the organisation's own, for anyone who may see audits."""
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.AUDIT_VIEW):
        return qs.none()
    return qs.filter(Q(organisation__isnull=True) | Q(organisation_id=org_id))


def can_conduct_audit(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.AUDIT_CONDUCT, location_id)


VISIBILITY_FILTERS = {
    "audits.audit": filter_audits_visible,
    "audits.auditattachment": filter_attachments_visible,
}
