"""Access specs for `care-plan-reviews/` and `care-plan-actions/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.careplans import services
from sustain.engine.access import Perm
from sustain.people import services as people_services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

DUE = dt.date(2026, 2, 1)


def _person(world: World, where: str) -> Any:
    key = ("careplans-person", where)
    if key not in world.objects:
        world.objects[key] = people_services.person_create(
            actor=ACTOR, organisation=world.org(where), location=world.location(where),
            reference=f"CP-{where}", initials="CP", admission_date=dt.date(2024, 1, 1))
    return world.objects[key]


def _review(world: World, where: str) -> Any:
    return services.care_plan_review_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        person=_person(world, where), due_date=DUE)


def _action(world: World, where: str) -> Any:
    return services.care_plan_action_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        person=_person(world, where), what=f"Matrix update moving plan {where}", due_date=DUE)


def _payload(world: World, where: str, **extra: Any) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid),
            "person": str(_person(world, where).uuid), "due_date": DUE.isoformat(), **extra}


SPECS_LIST: list[Spec] = [
    Spec("care-plan-review", "location", Perm.TRACKER_VIEW, _review,
         create=Rule(Perm.TRACKER_RECORD), create_payload=_payload,
         location_field="location", update=Rule(Perm.TRACKER_RECORD),
         update_payload=lambda w, o: {"changes_made": "Matrix changes"},
         archive=Rule(Perm.TRACKER_REVIEW)),
    Spec("care-plan-action", "location", Perm.TRACKER_VIEW, _action,
         create=Rule(Perm.TRACKER_RECORD),
         create_payload=lambda w, where: _payload(w, where, what="Matrix new action"),
         location_field="location", update=Rule(Perm.TRACKER_RECORD),
         update_payload=lambda w, o: {"what": "Matrix changed action"},
         archive=Rule(Perm.TRACKER_REVIEW)),
]
