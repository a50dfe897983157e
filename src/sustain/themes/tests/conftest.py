"""Fixtures for theme tests: the reference library, a manager, a theme with a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from sustain.people.tests.factories import StaffFactory
from sustain.reference.services import reference_load
from sustain.themes import services


@pytest.fixture
def library(db: Any) -> None:
    reference_load()


@pytest.fixture
def rm(org: Any, location: Any, make_user: Callable[..., Any]) -> Any:
    """The registered manager of `location` (theme and action change and verify there)."""
    return make_user(org, "registered_manager", location=location, first_name="Rhian",
                     last_name="Morgan")


@pytest.fixture
def owner(org: Any, location: Any, rm: Any) -> Any:
    """The staff record of the registered manager (owner of themes and actions)."""
    return StaffFactory(organisation=org, full_name="Rhian Morgan", locations=[location],
                        user=rm)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def plan(rm: Any, org: Any, location: Any, owner: Any) -> Any:
    """A theme opened 60 days ago with two actions: one done 35 days ago, one overdue (due
    5 days ago). Dates are relative to today so "overdue" means the same on any day."""
    theme = services.theme_create(actor=rm, organisation=org, location=location,
                                  title="Medicines governance", origin="inspection",
                                  owner=owner, as_of=days_ago(60))
    services.action_create(actor=rm, theme=theme, description="Retrain night staff on MAR",
                           raised_on=days_ago(60), due_date=days_ago(30), status="done",
                           completed_on=days_ago(35), owner=owner)
    services.action_create(actor=rm, theme=theme, description="Weekly MAR spot checks",
                           raised_on=days_ago(60), due_date=days_ago(5), owner=owner)
    theme.refresh_from_db()
    return theme


@pytest.fixture
def client_for() -> Callable[[Any], Any]:
    from django.test import Client

    def _client(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client
