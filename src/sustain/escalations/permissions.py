"""Access to escalation rules, firings and tasks (default deny).

Firings and tasks live at a location: seen with `escalation.view` there. Organisation rules
are organisation-level: seen by anyone holding `escalation.view` anywhere in the organisation
(a rule is policy, not a record about a person); written only with `escalation.rule_manage`
over the whole organisation. Acting on a task (complete, cancel) needs `escalation.act` at the
task's location.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_anywhere,
    has_perm_at,
)


def filter_rules_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.ESCALATION_VIEW):
        return qs.none()
    return qs.filter(organisation_id=org_id)


def filter_firings_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.ESCALATION_VIEW)


def filter_tasks_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.ESCALATION_VIEW)


def can_act(actor: Any, location_id: int | None) -> bool:
    """Complete or cancel a task at this location."""
    return has_perm_at(actor, Perm.ESCALATION_ACT, location_id)


def can_manage_rules(actor: Any) -> bool:
    """Add, edit or archive organisation rules (organisation-wide permission)."""
    return has_perm_at(actor, Perm.ESCALATION_RULE_MANAGE, None)


VISIBILITY_FILTERS = {
    "escalations.escalationrule": filter_rules_visible,
    "escalations.firing": filter_firings_visible,
    "escalations.escalationtask": filter_tasks_visible,
}
