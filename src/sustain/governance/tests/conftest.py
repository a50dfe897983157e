"""Fixtures for the governance calendar: a registered manager, a medicines cadence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sustain.governance import services
from sustain.people import services as people_services

TODAY = timezone.localdate()


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location)


@pytest.fixture
def checker(org: Any, location: Any) -> Any:
    return people_services.staff_create(
        actor="test", organisation=org, locations=[location], full_name="Sam Checker",
        job_role="Senior carer", start_date=dt.date(2023, 1, 1))


@pytest.fixture
def weekly_checks(manager: Any, org: Any, location: Any) -> Any:
    """A weekly (Sunday) cadence completed by a medicines check, grace 2 days, with
    occurrences from four weeks ago."""
    cadence = services.cadence_create(
        actor=manager, organisation=org, location=location, title="Weekly MAR check",
        owner_role="registered_manager", frequency="weekly", weekday=6,
        completes_with="tracker_entry", completes_params={"tracker": "medicines_checks"},
        grace_days=2)
    services.occurrences_generate(cadences=[cadence],
                                  start=timezone.now() - dt.timedelta(weeks=4))
    return cadence
