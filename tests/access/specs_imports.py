"""Access spec for `imports/` (see tests/access/specs.py): import jobs live at a location and
need `import.run` there to upload (validating and committing also need the kind's own
permission). Jobs are never updated or archived through the API."""

from __future__ import annotations

import io
from typing import Any

from sustain.engine.access import Perm
from sustain.imports.services import job_upload
from tests.access.specs import Rule, Spec
from tests.access.world import ACTOR, World

CSV = "reference,initials,admission_date\nRH-9,JS,2025-01-02\n"


def _job(world: World, where: str) -> Any:
    data = CSV.encode()
    return job_upload(actor=ACTOR, organisation=world.org(where),
                      location=world.location(where), kind="people",
                      fileobj=io.BytesIO(data), name=f"matrix-{where}.csv", size=len(data))


def _payload(world: World, where: str) -> dict[str, Any]:
    return {"kind": "people", "location": str(world.location(where).uuid), "content": CSV,
            "name": "matrix.csv"}


SPECS_LIST = [
    Spec("import-job", "location", Perm.IMPORT_RUN, _job, create=Rule(Perm.IMPORT_RUN),
         create_payload=_payload, location_field="location"),
]
