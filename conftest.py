"""Shared fixtures: two organisations, locations, and a user maker for any role and scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sustain.accounts.tests.factories import UserFactory
from sustain.tenancy.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    RegionFactory,
)


@pytest.fixture
def org(db: Any) -> Any:
    return OrganisationFactory(name="Acme Care", slug="acme")


@pytest.fixture
def other_org(db: Any) -> Any:
    return OrganisationFactory(name="Other Care", slug="other")


@pytest.fixture
def region(org: Any) -> Any:
    return RegionFactory(organisation=org, name="North")


@pytest.fixture
def location(org: Any, region: Any) -> Any:
    return LocationFactory(organisation=org, region=region, name="Oak House")


@pytest.fixture
def sibling_location(org: Any) -> Any:
    """Another location in the same organisation, outside `region`."""
    return LocationFactory(organisation=org, name="Elm Court")


@pytest.fixture
def foreign_location(other_org: Any) -> Any:
    return LocationFactory(organisation=other_org, name="Foreign Home")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """make_user(org, role, scope="location", location=None, region=None)."""

    def _make(organisation: Any, role: str, scope: str = "location", location: Any = None,
              region: Any = None, **kwargs: Any) -> Any:
        user = UserFactory(organisation=organisation, **kwargs)
        MembershipFactory(user=user, organisation=organisation, role=role, scope=scope,
                          location=location if scope == "location" else None,
                          region=region if scope == "region" else None)
        return user

    return _make


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client() -> Callable[[Any], APIClient]:
    def _client(user: Any) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _client
