"""Builders for meeting tests (through the services, so history is written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sustain.people import services as people
from sustain.themes import services as themes

SYSTEM = "meeting-tests"


def staff(org: Any, location: Any, name: str = "Sam Lee") -> Any:
    return people.staff_create(actor=SYSTEM, organisation=org, locations=[location],
                               full_name=name, job_role="Deputy manager",
                               start_date=dt.date(2022, 1, 1))


def theme(org: Any, location: Any, title: str = "Medicines governance") -> Any:
    return themes.theme_create(actor=SYSTEM, organisation=org, location=location, title=title,
                               origin="inspection", as_of=dt.date(2026, 6, 1))
