"""Fixtures for the web interface tests: a small world with records in the user's location,
in a sibling location of the same organisation, and in another organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from sustain.people.tests.factories import PersonFactory, StaffFactory

# The scope each role is given in the access tests (close to how providers use them).
ROLE_SCOPE = {
    "administrator": "organisation",
    "nominated_individual": "organisation",
    "board_member": "organisation",
    "quality_lead": "region",
    "registered_manager": "location",
    "deputy_manager": "location",
    "key_worker": "location",
    "senior_carer": "location",
    "care_staff": "location",
    "commissioner": "location",
}


@dataclass
class World:
    org: Any
    other_org: Any
    region: Any
    location: Any
    sibling_location: Any
    foreign_location: Any
    person: Any
    sibling_person: Any
    foreign_person: Any
    staff: Any
    sibling_staff: Any
    foreign_staff: Any


@pytest.fixture
def world(org: Any, other_org: Any, region: Any, location: Any, sibling_location: Any,
          foreign_location: Any) -> World:
    return World(
        org=org, other_org=other_org, region=region, location=location,
        sibling_location=sibling_location, foreign_location=foreign_location,
        person=PersonFactory(location=location, reference="OAK-001", initials="AB"),
        sibling_person=PersonFactory(location=sibling_location, reference="ELM-001"),
        foreign_person=PersonFactory(location=foreign_location, reference="FOR-001"),
        staff=StaffFactory(organisation=org, full_name="Alice Oak", locations=[location]),
        sibling_staff=StaffFactory(organisation=org, full_name="Bob Elm",
                                   locations=[sibling_location]),
        foreign_staff=StaffFactory(organisation=other_org, full_name="Carol Foreign",
                                   locations=[foreign_location]),
    )


@pytest.fixture
def role_user(world: World, make_user: Callable[..., Any]) -> Callable[[str], Any]:
    """role_user(role): a user in `world.org` with that role over the role's usual scope."""

    def _make(role: str) -> Any:
        return make_user(world.org, role, scope=ROLE_SCOPE[role], location=world.location,
                         region=world.region)

    return _make


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def _client(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client
