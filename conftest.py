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

# Tests that must run on one pytest-xdist worker, by node id prefix: the demo tests share one
# build of the demo per session (src/sustain/demo/tests/conftest.py). Their `xdist_group` mark
# says so too, but xdist 3.8 groups by renaming node ids, which pytest 9 ignores, so its
# `--dist loadgroup` would send them out one by one (and build the demo on every worker).
XDIST_GROUPS = {"src/sustain/demo/tests/": "demo"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """`--dist loadgroup` (run.py test): tests one by one, except each XDIST_GROUPS group,
    which goes to one worker as a whole (the biggest first)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PrefixGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return PrefixGroupScheduling(config, log)


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
