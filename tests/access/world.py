"""The world the access matrix runs in, built once per test module.

Organisation A has a region holding the "own" location and a "sibling" location outside the
region; organisation B has the "foreign" location. Every principal is a user of A (or nobody:
anonymous) holding one membership: a role over the own location, over region R, or over the
whole organisation. `expected_scope` asks the pure engine which locations a principal may act
on, so the HTTP layer is checked against the one definition of the access rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rest_framework.authtoken.models import Token

from sustain.accounts.tests.factories import UserFactory
from sustain.engine.access import (
    NO_SCOPE,
    LocationFact,
    LocationScope,
    MembershipFact,
    Perm,
    Role,
    Scope,
    scope_for,
)
from sustain.tenancy.models import Location, Membership
from sustain.tenancy.tests.factories import LocationFactory, OrganisationFactory, RegionFactory

ACTOR = "access-matrix"  # the system actor that builds fixtures (recorded in history)

# Where an object lives, relative to the principal (who always belongs to organisation A).
OWN, SIBLING, FOREIGN = "own", "sibling", "foreign"
LOCATION_WHERES = (OWN, SIBLING, FOREIGN)
ORGANISATION_WHERES = (OWN, FOREIGN)
SHARED = "shared"

ORG_SCOPED_ROLES = (Role.CARE_STAFF, Role.REGISTERED_MANAGER, Role.QUALITY_LEAD,
                    Role.ADMINISTRATOR)
REGION_SCOPED_ROLES = (Role.REGISTERED_MANAGER, Role.QUALITY_LEAD, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Principal:
    """Who makes the request: `key` is the test id part, e.g. "loc:care_staff"."""

    key: str
    role: Role | None = None
    scope: Scope | None = None

    @property
    def anonymous(self) -> bool:
        return self.key == "anonymous"


def principals() -> list[Principal]:
    found = [Principal("anonymous"), Principal("no-membership")]
    found += [Principal(f"loc:{r.value}", r, Scope.LOCATION) for r in Role]
    found += [Principal(f"org:{r.value}", r, Scope.ORGANISATION) for r in ORG_SCOPED_ROLES]
    found += [Principal(f"region:{r.value}", r, Scope.REGION) for r in REGION_SCOPED_ROLES]
    return found


@dataclass
class World:
    org_a: Any
    org_b: Any
    region: Any
    locations: dict[str, Location]
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    facts: dict[str, list[MembershipFact]] = field(default_factory=dict)
    spare_users: dict[str, Any] = field(default_factory=dict)
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)
    history_count: int = 0  # history entries once the world is built (each test starts there)

    def org(self, where: str) -> Any:
        return self.org_b if where == FOREIGN else self.org_a

    def location(self, where: str) -> Location:
        return self.locations[where]

    def spare_user(self, where: str) -> Any:
        """A user of the object's organisation with no role, to name in payloads."""
        return self.spare_users[FOREIGN if where == FOREIGN else OWN]

    def scope(self, principal: Principal, perm: Perm | None) -> LocationScope:
        """What the engine says the principal may do with `perm` (None: any organisation user)."""
        if principal.anonymous:
            return NO_SCOPE
        if perm is None:
            return LocationScope(True, frozenset())
        location_facts = [LocationFact(loc.pk, loc.region_id)
                          for loc in self.locations.values() if loc.organisation_id ==
                          self.org_a.pk]
        return scope_for(self.facts[principal.key], location_facts, perm)

    def covers(self, principal: Principal, perm: Perm | None, where: str,
               level: str = "object") -> bool:
        """May the principal use `perm` on a record at `where` (organisation-level if asked)?"""
        if where == FOREIGN:
            return False
        scope = self.scope(principal, perm)
        if level == "organisation" or where not in self.locations:
            return scope.whole_organisation
        return scope.covers(self.locations[where].pk)


def build_world() -> World:
    org_a = OrganisationFactory(name="Matrix Care A")
    org_b = OrganisationFactory(name="Matrix Care B")
    region = RegionFactory(organisation=org_a, name="Matrix North")
    world = World(org_a=org_a, org_b=org_b, region=region, locations={
        OWN: LocationFactory(organisation=org_a, region=region, name="Matrix Own"),
        SIBLING: LocationFactory(organisation=org_a, name="Matrix Sibling"),
        FOREIGN: LocationFactory(organisation=org_b, name="Matrix Foreign"),
    })
    world.spare_users = {OWN: UserFactory(organisation=org_a, username="matrix-spare-a"),
                         FOREIGN: UserFactory(organisation=org_b, username="matrix-spare-b")}
    for principal in principals():
        if principal.anonymous:
            continue
        user = UserFactory(organisation=org_a)
        world.users[principal.key] = user
        world.tokens[principal.key] = Token.objects.create(user=user).key
        world.facts[principal.key] = []
        if principal.role is None:
            continue
        membership = Membership.objects.create(
            organisation=org_a, user=user, role=principal.role.value,
            scope=principal.scope.value if principal.scope else "",
            location=world.locations[OWN] if principal.scope == Scope.LOCATION else None,
            region=region if principal.scope == Scope.REGION else None)
        world.facts[principal.key] = [MembershipFact(membership.role, membership.scope,
                                                     membership.region_id,
                                                     membership.location_id)]
    return world
