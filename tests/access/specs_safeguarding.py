"""Access spec for `safeguarding-concerns/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.people import services as people_services
from sustain.people.models import PersonSupported, StaffMember
from sustain.safeguarding import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

RAISED = dt.datetime(2026, 1, 10, 14, 0, tzinfo=dt.UTC)


def _staff(world: World, where: str) -> Any:
    name = f"Concern Raiser {where}"
    found = StaffMember.objects.filter(organisation=world.org(where), full_name=name).first()
    return found or people_services.staff_create(
        actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
        full_name=name, job_role="Care assistant", start_date=dt.date(2023, 1, 1))


def _person(world: World, where: str) -> Any:
    ref = f"SG-{where}"
    found = PersonSupported.objects.filter(organisation=world.org(where), reference=ref).first()
    return found or people_services.person_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        reference=ref, initials="SG", admission_date=dt.date(2024, 1, 1))


def _concern(world: World, where: str) -> Any:
    return services.safeguarding_concern_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        raised_at=RAISED, raised_by=_staff(world, where), person=_person(world, where),
        category="neglect", description="Left without a drink all afternoon.",
        shift_lead_notified_at=RAISED + dt.timedelta(hours=1))


def _payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "raised_at": "2026-02-01T10:00:00Z",
            "raised_by": str(_staff(world, where).uuid),
            "person": str(_person(world, where).uuid), "category": "financial",
            "description": "Cash missing from purse.",
            "shift_lead_notified_at": "2026-02-01T10:30:00Z"}


SPECS_LIST: list[Spec] = [
    Spec("safeguarding-concern", "location", Perm.TRACKER_VIEW, _concern,
         create=Rule(Perm.TRACKER_RECORD), create_payload=_payload, location_field="location",
         update=Rule(Perm.TRACKER_RECORD),
         update_payload=lambda w, o: {"description": "Left without a drink; corrected."},
         archive=Rule(Perm.TRACKER_REVIEW)),
]
