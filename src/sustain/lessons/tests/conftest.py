"""Fixtures for lesson and hand-over tests: a quality lead over the organisation, registered
managers at two locations, a theme with an owner, and a briefing to use as evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from sustain.people.tests.factories import StaffFactory
from sustain.themes import services as theme_services
from sustain.workforce import services as workforce_services


@pytest.fixture
def ql(org: Any, make_user: Callable[..., Any]) -> Any:
    return make_user(org, "quality_lead", scope="organisation", first_name="Quinn",
                     last_name="Lead")


@pytest.fixture
def rm(org: Any, location: Any, make_user: Callable[..., Any]) -> Any:
    return make_user(org, "registered_manager", location=location, first_name="Rhian",
                     last_name="Morgan")


@pytest.fixture
def rm_sibling(org: Any, sibling_location: Any, make_user: Callable[..., Any]) -> Any:
    return make_user(org, "registered_manager", location=sibling_location)


@pytest.fixture
def owner(org: Any, location: Any) -> Any:
    return StaffFactory(organisation=org, full_name="Olive Owner", job_role="Deputy manager",
                        locations=[location])


@pytest.fixture
def successor(org: Any, location: Any, rm: Any) -> Any:
    """The registered manager's own staff record (the new owner)."""
    return StaffFactory(organisation=org, full_name="Rhian Morgan",
                        job_role="Registered manager", locations=[location], user=rm)


@pytest.fixture
def theme(org: Any, location: Any, owner: Any) -> Any:
    return theme_services.theme_create(
        actor="test", organisation=org, location=location, title="Medicines governance",
        origin="inspection", owner=owner, description="MAR gaps found at inspection.",
        as_of=timezone.localdate() - dt.timedelta(days=60))


@pytest.fixture
def briefing_at(org: Any) -> Callable[[Any, Any], Any]:
    def make(theme: Any, title: str = "PRN protocols briefing") -> Any:
        return workforce_services.briefing_create(
            actor="test", organisation=org, location=theme.location, theme=theme, title=title,
            what_changed="PRN protocols are checked at every handover.",
            why="Two PRN doses were given without a protocol.",
            what_good_looks_like="Every PRN dose has a protocol and an outcome.",
            delivered_via="team_meeting")

    return make


@pytest.fixture
def client_for() -> Callable[[Any], Any]:
    from django.test import Client

    def _client(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client
