"""Access specs for `meetings/`, `agenda-items/`, `minute-entries/` and `governance-cycles/`
(see tests/access/specs.py).

Governance cycles belong to one organisation but are its calendar, visible to anyone who may
see meetings anywhere in it: the matrix's "shared" level has exactly those semantics (read
permission anywhere → listed). That another organisation's cycles are never shown, and the
`meetings/challenge-trend/` route, are tested in `src/sustain/meetings/tests/test_api.py`.
Organisation-level meetings (no location) are tested there too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.meetings import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, SHARED, World

HELD = dt.date(2026, 10, 14)


def _meeting(world: World, where: str) -> Any:
    key = ("meetings-meeting", where)
    if key not in world.objects:
        world.objects[key] = services.meeting_create(
            actor=ACTOR, organisation=world.org(where), location=world.location(where),
            meeting_type="governance_meeting", held_on=HELD, title=f"Matrix quality {where}")
    return world.objects[key]


def _agenda_item(world: World, where: str) -> Any:
    return services.agenda_item_create(actor=ACTOR, meeting=_meeting(world, where),
                                       title=f"Matrix agenda {where}")


def _entry(world: World, where: str) -> Any:
    return services.minute_entry_create(actor=ACTOR, meeting=_meeting(world, where),
                                        kind="update", text=f"Matrix update {where}")


def _cycle(world: World, where: str) -> Any:
    assert where == SHARED
    org = world.org(where)
    services.governance_cycles_ensure(organisation=org, up_to=dt.date(2026, 11, 27),
                                      since=dt.date(2026, 9, 1))
    from sustain.meetings.models import GovernanceCycle

    return GovernanceCycle.objects.filter(organisation=org).order_by("start").first()


def _meeting_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "meeting_type": "team_meeting",
            "held_on": "2026-11-02", "title": "Matrix team meeting"}


def _agenda_payload(world: World, where: str) -> dict[str, Any]:
    return {"meeting": str(_meeting(world, where).uuid), "title": "Matrix new item"}


def _entry_payload(world: World, where: str) -> dict[str, Any]:
    return {"meeting": str(_meeting(world, where).uuid), "kind": "challenge",
            "question": "Why were two MAR audits late?", "answer": "Staff sickness.",
            "satisfied": False}


SPECS_LIST: list[Spec] = [
    Spec("meeting", "location", Perm.MEETING_VIEW, _meeting,
         create=Rule(Perm.MEETING_RECORD), create_payload=_meeting_payload,
         location_field="location", update=Rule(Perm.MEETING_RECORD),
         update_payload=lambda w, o: {"notes": "Matrix notes"},
         archive=Rule(Perm.MEETING_RECORD)),
    # The meeting named by the payload fixes the location (400 "meeting" when unseen).
    Spec("agenda-item", "location", Perm.MEETING_VIEW, _agenda_item,
         create=Rule(Perm.MEETING_RECORD), create_payload=_agenda_payload,
         location_field="meeting", update=Rule(Perm.MEETING_RECORD),
         update_payload=lambda w, o: {"title": "Matrix renamed item"},
         archive=Rule(Perm.MEETING_RECORD)),
    Spec("minute-entry", "location", Perm.MEETING_VIEW, _entry,
         create=Rule(Perm.MEETING_RECORD), create_payload=_entry_payload,
         location_field="meeting", update=Rule(Perm.MEETING_RECORD),
         update_payload=lambda w, o: {"text": "Matrix corrected update"},
         archive=Rule(Perm.MEETING_RECORD)),
    Spec("governance-cycle", "shared", Perm.MEETING_VIEW, _cycle),
]
