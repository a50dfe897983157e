"""Access specs for `feedback/` and `visits/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.feedback import services
from sustain.people import services as people_services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

DAY = dt.date(2026, 1, 5)


def _visitor(world: World, where: str) -> Any:
    key = ("feedback-visitor", where)
    if key not in world.objects:
        world.objects[key] = people_services.staff_create(
            actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
            full_name=f"Matrix Visitor {where}", job_role="Operations director",
            start_date=dt.date(2023, 1, 1))
    return world.objects[key]


def _feedback(world: World, where: str) -> Any:
    return services.feedback_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        source="family", channel="conversation", received_on=DAY, text=f"Matrix {where}")


def _visit(world: World, where: str) -> Any:
    return services.visit_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        visitor=_visitor(world, where), date=DAY, type="spot_check",
        looked_at=f"Matrix MAR charts {where}")


SPECS_LIST: list[Spec] = [
    Spec("feedback", "location", Perm.TRACKER_VIEW, _feedback,
         create=Rule(Perm.TRACKER_RECORD),
         create_payload=lambda w, where: {
             "location": str(w.location(where).uuid), "source": "person",
             "channel": "survey", "received_on": DAY.isoformat(), "rating": 4,
             "text": "Matrix feedback"},
         location_field="location", update=Rule(Perm.TRACKER_REVIEW),
         update_payload=lambda w, o: {"response": "Matrix: we changed the menu",
                                      "responded_on": DAY.isoformat()},
         archive=Rule(Perm.TRACKER_REVIEW)),
    Spec("visit", "location", Perm.TRACKER_VIEW, _visit,
         create=Rule(Perm.TRACKER_REVIEW),
         create_payload=lambda w, where: {
             "location": str(w.location(where).uuid),
             "visitor": str(_visitor(w, where).uuid), "date": DAY.isoformat(),
             "type": "night", "looked_at": "Matrix night checks"},
         location_field="location", update=Rule(Perm.TRACKER_REVIEW),
         update_payload=lambda w, o: {"findings": "Matrix findings"},
         archive=Rule(Perm.TRACKER_REVIEW)),
]
