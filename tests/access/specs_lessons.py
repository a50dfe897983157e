"""Access specs for `lessons/`, `lesson-adoptions/` and `handover-notes/` (see
tests/access/specs.py).

A matrix lesson is learnt at `where` and applies to `where` only, so it lives at that location
like any location record. Adoption rows are made by their lesson (no create: 405); the
hand-over note is written by the system when the theme owner's leaving date is set (read
only: its `acknowledge/` action is covered by `src/sustain/lessons/tests/test_api.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.lessons import services
from sustain.lessons.models import HandoverNote
from sustain.people import services as people_services
from sustain.themes import services as theme_services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World


def _lesson(world: World, where: str) -> Any:
    location = world.location(where)
    return services.lesson_create(
        actor=ACTOR, organisation=world.org(where), title=f"Matrix lesson {where}",
        what_happened="Found at the matrix home.", in_practice="Check it at handover.",
        origin_location=location, applies_to=[location])


def _adoption(world: World, where: str) -> Any:
    return _lesson(world, where).adoptions.get()


def _handover_note(world: World, where: str) -> HandoverNote:
    location = world.location(where)
    staff = people_services.staff_create(
        actor=ACTOR, organisation=world.org(where), locations=[location],
        full_name=f"Matrix Leaver {where}", job_role="Deputy manager",
        start_date=dt.date(2023, 1, 1))
    theme = theme_services.theme_create(
        actor=ACTOR, organisation=world.org(where), location=location,
        title=f"Matrix hand-over theme {where}", origin="internal_audit", owner=staff)
    people_services.staff_update(actor=ACTOR, staff=staff, expected_version=staff.version,
                                 changes={"leaving_date": dt.date(2026, 12, 31)})
    return HandoverNote.objects.get(theme=theme)


def _lesson_payload(world: World, where: str) -> dict[str, Any]:
    location = str(world.location(where).uuid)
    return {"title": "Matrix new lesson", "what_happened": "Seen by the matrix.",
            "in_practice": "Do it everywhere.", "origin_location": location,
            "applies_to": [location]}


SPECS_LIST: list[Spec] = [
    Spec("lesson", "location", Perm.THEME_VIEW, _lesson,
         create=Rule(Perm.LESSON_MANAGE), create_payload=_lesson_payload,
         location_field="origin_location", update=Rule(Perm.LESSON_MANAGE),
         update_payload=lambda w, o: {"title": "Matrix renamed lesson"},
         archive=Rule(Perm.LESSON_MANAGE)),
    Spec("lesson-adoption", "location", Perm.THEME_VIEW, _adoption,
         update=Rule(Perm.LESSON_ADOPT),
         update_payload=lambda w, o: {"status": "in_progress"},
         archive=Rule(Perm.LESSON_MANAGE)),
    Spec("handover-note", "location", Perm.THEME_VIEW, _handover_note),
]
