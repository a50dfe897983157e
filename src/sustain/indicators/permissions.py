"""Access to indicators and their values (default deny).

Indicator values are aggregates per location (no person or staff member is named), read with
`THEME_VIEW`: the permission every role that follows a service's quality has — care staff,
managers, quality leads, the nominated individual and board members — and commissioners do
not. A value is seen where the actor's `THEME_VIEW` covers its location. Indicator definitions
are the organisation's configuration (no location, nothing personal): every user of the
organisation whose roles give `THEME_VIEW` somewhere sees them, as for escalation rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_anywhere,
)


def filter_indicators_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    if org_id is None or not has_perm_anywhere(actor, Perm.THEME_VIEW):
        return qs.none()
    return qs.filter(organisation_id=org_id)


def filter_indicator_values_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


VISIBILITY_FILTERS = {
    "indicators.indicator": filter_indicators_visible,
    "indicators.indicatorvalue": filter_indicator_values_visible,
}
