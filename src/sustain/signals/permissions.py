"""Access to signals (default deny).

A signal is an aggregate about a location's indicator (no person or staff member is named),
read with `THEME_VIEW` at its location, as indicator values are. Interpreting one needs
`SIGNAL_INTERPRET` at its location (deputy and registered managers, quality leads, the
nominated individual)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import filter_by_location, has_perm_at


def filter_signals_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def can_interpret(actor: Any, signal: Any) -> bool:
    return has_perm_at(actor, Perm.SIGNAL_INTERPRET, signal.location_id)


VISIBILITY_FILTERS = {"signals.signal": filter_signals_visible}
