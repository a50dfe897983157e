"""Access specs for `incidents/`, `complaints/` and `compliments/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.incidents import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

DAY = dt.date(2026, 1, 5)


def _at(world: World, where: str) -> dict[str, Any]:
    return {"organisation": world.org(where), "location": world.location(where)}


def _incident(world: World, where: str) -> Any:
    return services.incident_create(
        actor=ACTOR, **_at(world, where), type="fall", severity="no_harm",
        occurred_at=timezone.now() - dt.timedelta(hours=2), description=f"Matrix {where}")


def _complaint(world: World, where: str) -> Any:
    return services.complaint_create(actor=ACTOR, **_at(world, where), received_on=DAY,
                                     received_from="family", category="Laundry",
                                     summary=f"Matrix {where}")


def _compliment(world: World, where: str) -> Any:
    return services.compliment_create(actor=ACTOR, **_at(world, where), received_on=DAY,
                                      received_from="family", summary=f"Matrix {where}")


def _loc(world: World, where: str) -> str:
    return str(world.location(where).uuid)


SPECS_LIST: list[Spec] = [
    Spec("incident", "location", Perm.TRACKER_VIEW, _incident,
         create=Rule(Perm.TRACKER_RECORD),
         create_payload=lambda w, where: {
             "location": _loc(w, where), "type": "near_miss", "severity": "no_harm",
             "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
         location_field="location", update=Rule(Perm.TRACKER_REVIEW),
         update_payload=lambda w, o: {"learning": "Matrix learning"},
         archive=Rule(Perm.TRACKER_REVIEW)),
    Spec("complaint", "location", Perm.TRACKER_VIEW, _complaint,
         create=Rule(Perm.TRACKER_RECORD),
         create_payload=lambda w, where: {
             "location": _loc(w, where), "received_on": DAY.isoformat(),
             "received_from": "person", "category": "Food", "summary": "Matrix complaint"},
         location_field="location", update=Rule(Perm.TRACKER_REVIEW),
         update_payload=lambda w, o: {"outcome": "Matrix outcome"},
         archive=Rule(Perm.TRACKER_REVIEW)),
    Spec("compliment", "location", Perm.TRACKER_VIEW, _compliment,
         create=Rule(Perm.TRACKER_RECORD),
         create_payload=lambda w, where: {
             "location": _loc(w, where), "received_on": DAY.isoformat(),
             "received_from": "family", "summary": "Matrix compliment"},
         location_field="location", update=Rule(Perm.TRACKER_RECORD),
         update_payload=lambda w, o: {"summary": "Matrix compliment, corrected"},
         archive=Rule(Perm.TRACKER_REVIEW)),
]
