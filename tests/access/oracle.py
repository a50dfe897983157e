"""What each request should answer, derived from the spec and the engine's access rules.

Order of checks, as the API applies them: anonymous → 401; no read permission anywhere → 403
(before anything else, even for methods the route lacks); record not visible → 404 (never 403,
so other organisations' records are not revealed); action missing → 405; a create naming a
location the user cannot see → 400 naming that field; permission missing → 403; else 2xx.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.access.specs import Rule, Spec
from tests.access.world import FOREIGN, SHARED, Principal, World

ACTIONS = ("list", "retrieve", "create", "update", "archive")


@dataclass(frozen=True)
class Expect:
    status: int
    present: bool | None = None  # list: is the record in the results?
    writes: bool = False  # a successful write: a history entry must be recorded
    field: str | None = None  # 400: the field the error must name


def visible(world: World, spec: Spec, principal: Principal, where: str) -> bool:
    if spec.level == "shared":
        return where == SHARED and not world.scope(principal, spec.read).is_empty
    if where == FOREIGN:
        return False
    return world.covers(principal, spec.read, where,
                        "organisation" if spec.level == "organisation" else "object")


def _allowed(world: World, principal: Principal, rule: Rule, where: str) -> bool:
    return world.covers(principal, rule.perm, where, rule.level)


def expected(world: World, spec: Spec, principal: Principal, where: str,
             action: str) -> Expect:
    if action == "archive" and spec.archive is None:
        return Expect(404)  # no such route
    if principal.anonymous:
        return Expect(401)
    if world.scope(principal, spec.read).is_empty:
        return Expect(403)
    seen = visible(world, spec, principal, where)
    if action == "list":
        return Expect(200, present=seen)
    if action == "retrieve":
        return Expect(200 if seen else 404)
    if action == "create":
        return _expect_create(world, spec, principal, where)
    rule = spec.update if action == "update" else spec.archive
    if rule is None:
        return Expect(405)
    if not seen:
        return Expect(404)
    allowed = _allowed(world, principal, rule, where)
    return Expect(200 if allowed else 403, writes=allowed)


def _expect_create(world: World, spec: Spec, principal: Principal, where: str) -> Expect:
    from sustain.engine.access import Perm

    if spec.create is None:
        return Expect(405)
    if spec.location_field is not None and not world.covers(principal, Perm.LOCATION_VIEW,
                                                            where):
        return Expect(400, field=spec.location_field)
    allowed = _allowed(world, principal, spec.create, where)
    return Expect(201 if allowed else 403, writes=allowed)
