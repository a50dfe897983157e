"""Access to drift (see tests/access/specs.py): `GET locations/{uuid}/drift/` is not a router
viewset, so the route matrix in tests/test_access_matrix.py cannot run it and it has no
`Spec` here (the matrix would fail a spec without a router route). Its role-by-role test is
`src/sustain/drift/tests/test_access.py`, which runs every principal of the access world
against the own, sibling and foreign locations with the expectations below, from the same
engine rules (`World.covers`).

- anonymous: 401; a location the principal cannot see (`location.view`), including another
  organisation's: 404 (its existence is not revealed);
- a visible location where the roles do not give `governance.view`: 403 (the drift detail
  names supervisions, audits and feedback);
- otherwise 200 with the assessment.
"""

from __future__ import annotations

from typing import Any

from sustain.engine.access import Perm
from tests.access.world import Principal, World

SPECS_LIST: list[Any] = []  # no router route: see the module docstring


def expected_drift_status(world: World, principal: Principal, where: str) -> int:
    if principal.anonymous:
        return 401
    if not world.covers(principal, Perm.LOCATION_VIEW, where):
        return 404
    if not world.covers(principal, Perm.GOVERNANCE_VIEW, where):
        return 403
    return 200


def drift_url(world: World, where: str) -> str:
    location: Any = world.location(where)
    return f"/api/v1/locations/{location.uuid}/drift/"
