"""Access specs for `medicines-checks/` and `medicines-reviews/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.medicines import services
from sustain.people import services as people_services
from sustain.people.models import StaffMember
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World


def _checker(world: World, where: str) -> Any:
    name = f"MAR Checker {where}"
    found = StaffMember.objects.filter(organisation=world.org(where), full_name=name).first()
    return found or people_services.staff_create(
        actor=ACTOR, organisation=world.org(where), locations=[world.location(where)],
        full_name=name, job_role="Senior carer", start_date=dt.date(2023, 1, 1))


def _check(world: World, where: str) -> Any:
    return services.medicines_check_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        check_date=dt.date(2026, 1, 10), shift="day", checked_by=_checker(world, where),
        charts_checked=12, discrepancies=[{"type": "omission", "action_taken": "GP called"}])


def _check_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "check_date": "2026-02-01",
            "shift": "night", "checked_by": str(_checker(world, where).uuid),
            "charts_checked": 9, "discrepancies": [{"type": "missing_signature"}]}


_weeks = iter(dt.date(2025, 1, 6) + dt.timedelta(weeks=n) for n in range(10_000))


def _review(world: World, where: str) -> Any:
    return services.weekly_review_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        week_starting=next(_weeks), pattern_noted="Signatures missing on nights.")


def _review_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid),
            "week_starting": next(_weeks).isoformat(), "pattern_noted": "No pattern."}


SPECS_LIST: list[Spec] = [
    Spec("medicines-check", "location", Perm.TRACKER_VIEW, _check,
         create=Rule(Perm.TRACKER_RECORD), create_payload=_check_payload,
         location_field="location", update=Rule(Perm.TRACKER_RECORD),
         update_payload=lambda w, o: {"charts_checked": 14, "notes": "Recounted."},
         archive=Rule(Perm.TRACKER_RECORD)),
    Spec("medicines-review", "location", Perm.TRACKER_VIEW, _review,
         create=Rule(Perm.TRACKER_REVIEW), create_payload=_review_payload,
         location_field="location", archive=Rule(Perm.TRACKER_REVIEW)),
]
