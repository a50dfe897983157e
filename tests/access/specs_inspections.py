"""Access specs for `inspections/` (see tests/access/specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.engine.access import Perm
from sustain.inspections import services
from sustain.reference.models import KeyQuestion
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

RATINGS = {"safe": "requires-improvement", "effective": "good", "caring": "good",
           "responsive": "good", "well-led": "requires-improvement"}


def _library() -> None:
    if not KeyQuestion.objects.exists():
        from sustain.reference.services import reference_load

        reference_load()


def _inspection(world: World, where: str) -> Any:
    _library()
    return services.inspection_record(
        actor=ACTOR, organisation=world.org(where), location=world.location(where),
        inspection_date=dt.date(2026, 1, 5), inspection_type="comprehensive",
        overall_rating="requires-improvement", ratings=RATINGS,
        breaches=[{"regulation": "RA2014-12", "summary": "Matrix breach."}],
        findings=[{"text": "Matrix finding.", "key_question": "safe",
                   "quality_statements": ["S8"]}])


def _inspection_payload(world: World, where: str) -> dict[str, Any]:
    return {"location": str(world.location(where).uuid), "inspection_date": "2026-02-10",
            "inspection_type": "focused", "overall_rating": "good", "ratings": RATINGS,
            "breaches": [{"regulation": "RA2014-17", "summary": "Matrix governance."}],
            "enforcement": [{"enforcement_type": "requirement-notice",
                             "issued_on": "2026-02-20"}],
            "findings": [{"text": "Matrix new finding.", "key_question": "well-led"}]}


SPECS_LIST: list[Spec] = [
    Spec("inspection", "location", Perm.INSPECTION_VIEW, _inspection,
         create=Rule(Perm.INSPECTION_CHANGE), create_payload=_inspection_payload,
         location_field="location", update=Rule(Perm.INSPECTION_CHANGE),
         update_payload=lambda w, o: {"summary": "Matrix corrected summary."},
         archive=Rule(Perm.INSPECTION_CHANGE)),
]
