"""Access specs for `cadences/` and `occurrences/` (see tests/access/specs.py)."""

from __future__ import annotations

from typing import Any

from sustain.engine.access import Perm
from sustain.governance import services
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World


def _cadence(world: World, where: str) -> Any:
    return services.cadence_create(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        title=f"Monthly quality review {where}", owner_role="registered_manager",
        frequency="monthly", completes_with="note", grace_days=3)


def _cadence_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "title": "Weekly walk-round",
            "owner_role": "deputy_manager", "frequency": "weekly", "weekday": 4,
            "completes_with": "visit", "completes_params": {"visit_type": "senior_visit"}}


def _occurrence(world: World, where: str) -> Any:
    return _cadence(world, where).occurrences.order_by("due_at").first()


SPECS_LIST: list[Spec] = [
    Spec("cadence", "location", Perm.GOVERNANCE_VIEW, _cadence,
         create=Rule(Perm.CADENCE_MANAGE), create_payload=_cadence_payload,
         location_field="location", update=Rule(Perm.CADENCE_MANAGE),
         update_payload=lambda w, o: {"title": "Monthly quality and risk review",
                                      "grace_days": 5},
         archive=Rule(Perm.CADENCE_MANAGE)),
    Spec("occurrence", "location", Perm.GOVERNANCE_VIEW, _occurrence),
]
