"""scope_for: default deny, roles never exceed their table, and scopes combine as a union."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.access import (
    NO_SCOPE,
    ORGANISATION_ONLY,
    ROLE_PERMISSIONS,
    LocationFact,
    LocationScope,
    MembershipFact,
    Perm,
    Role,
    Scope,
    role_grants,
    scope_for,
)

REGIONS = [1, 2, 3]
# Ten locations: ids 1..10, some in regions 1..3, some in none.
LOCATIONS = [LocationFact(location_id=i, region_id=(REGIONS[i % 4 - 1] if i % 4 else None))
             for i in range(1, 11)]
LOCATION_IDS = [loc.location_id for loc in LOCATIONS]

roles = st.sampled_from(list(Role))
perms = st.sampled_from(list(Perm))


@st.composite
def memberships(draw: st.DrawFn) -> MembershipFact:
    role = draw(roles)
    scope = draw(st.sampled_from(list(Scope)))
    if scope == Scope.REGION:
        return MembershipFact(role, scope, region_id=draw(st.sampled_from(REGIONS)))
    if scope == Scope.LOCATION:
        return MembershipFact(role, scope, location_id=draw(st.sampled_from(LOCATION_IDS)))
    return MembershipFact(role, scope)


membership_lists = st.lists(memberships(), max_size=5)


def covered(scope: LocationScope) -> set[int]:
    return {i for i in LOCATION_IDS if scope.covers(i)}


@given(perms)
def test_no_memberships_means_no_access(perm: Perm) -> None:
    result = scope_for([], LOCATIONS, perm)
    assert result == NO_SCOPE
    assert result.is_empty
    assert not any(result.covers(i) for i in LOCATION_IDS)
    assert not result.covers(None)


@given(membership_lists, perms)
def test_a_role_never_gets_a_permission_outside_its_table(ms: list[MembershipFact],
                                                          perm: Perm) -> None:
    result = scope_for(ms, LOCATIONS, perm)
    if not any(perm in ROLE_PERMISSIONS[Role(m.role)] for m in ms):
        assert result.is_empty


@given(roles, perms)
def test_organisation_scope_covers_every_location(role: Role, perm: Perm) -> None:
    result = scope_for([MembershipFact(role, Scope.ORGANISATION)], LOCATIONS, perm)
    if perm in ROLE_PERMISSIONS[role]:
        assert result.whole_organisation
        assert covered(result) == set(LOCATION_IDS)
        assert result.covers(None)  # organisation-level records too
        assert result.covers(999)  # and locations created later
    else:
        assert result.is_empty


@given(roles, perms, st.sampled_from(REGIONS))
def test_region_scope_covers_exactly_that_regions_locations(role: Role, perm: Perm,
                                                            region: int) -> None:
    result = scope_for([MembershipFact(role, Scope.REGION, region_id=region)], LOCATIONS, perm)
    in_region = {loc.location_id for loc in LOCATIONS if loc.region_id == region}
    assert in_region  # the fixture has locations in every region
    if perm in ROLE_PERMISSIONS[role] and perm not in ORGANISATION_ONLY:
        assert covered(result) == in_region
        assert not result.whole_organisation
        assert not result.covers(None)
    else:
        assert result.is_empty


@given(roles, perms, st.sampled_from(LOCATION_IDS))
def test_location_scope_covers_only_that_location(role: Role, perm: Perm, loc: int) -> None:
    result = scope_for([MembershipFact(role, Scope.LOCATION, location_id=loc)], LOCATIONS, perm)
    if perm in ROLE_PERMISSIONS[role] and perm not in ORGANISATION_ONLY:
        assert covered(result) == {loc}
    else:
        assert result.is_empty


@given(membership_lists, perms)
def test_scope_is_the_union_of_each_memberships_scope(ms: list[MembershipFact],
                                                      perm: Perm) -> None:
    combined = scope_for(ms, LOCATIONS, perm)
    parts = [scope_for([m], LOCATIONS, perm) for m in ms]
    assert combined.whole_organisation == any(p.whole_organisation for p in parts)
    expected: set[int] = set().union(*(covered(p) for p in parts)) if parts else set()
    assert covered(combined) == expected


@given(membership_lists, membership_lists, perms)
def test_more_memberships_never_take_access_away(a: list[MembershipFact],
                                                 b: list[MembershipFact], perm: Perm) -> None:
    assert covered(scope_for(a, LOCATIONS, perm)) <= covered(scope_for(a + b, LOCATIONS, perm))


@given(membership_lists)
def test_organisation_only_permissions_need_organisation_scope(
        ms: list[MembershipFact]) -> None:
    for perm in ORGANISATION_ONLY:
        result = scope_for(ms, LOCATIONS, perm)
        org_grant = any(m.scope == Scope.ORGANISATION and role_grants(m.role, perm) for m in ms)
        assert result.whole_organisation == org_grant
        assert not result.location_ids


def test_unknown_roles_and_permissions_grant_nothing() -> None:
    assert not role_grants("janitor", Perm.LOCATION_VIEW)
    assert not role_grants(Role.ADMINISTRATOR, "location.destroy")
    assert scope_for([MembershipFact("janitor", Scope.ORGANISATION)], LOCATIONS,
                     Perm.LOCATION_VIEW).is_empty


def test_board_members_and_commissioners_never_see_people_or_staff() -> None:
    for role in (Role.BOARD_MEMBER, Role.COMMISSIONER):
        for perm in (Perm.PERSON_VIEW, Perm.STAFF_VIEW, Perm.HISTORY_VIEW):
            assert scope_for([MembershipFact(role, Scope.ORGANISATION)], LOCATIONS,
                             perm).is_empty
