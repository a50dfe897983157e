"""Fixtures for signals: indicators, stored series with a step, and the people involved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.utils import timezone

from sustain.core.services import tracked_create
from sustain.indicators.models import Indicator, IndicatorValue, value_of

UNTIL = dt.date(2026, 6, 10)  # the last complete month is May 2026
FIRST = dt.date(2023, 2, 1)   # 40 months: Feb 2023 … May 2026


def month(k: int) -> dt.date:
    """The k-th month from FIRST."""
    index = FIRST.year * 12 + FIRST.month - 1 + k
    return dt.date(index // 12, index % 12 + 1, 1)


def indicator(org: Any, code: str = "falls-rate", *, name: str = "Falls per 1,000 occupied "
              "bed days", kind: str = "rate", direction: str = "higher_is_worse",
              multiplier: float = 1000.0) -> Indicator:
    return tracked_create(actor="test", obj=Indicator(
        organisation=org, code=code, name=name, unit="per 1,000 occupied bed days",
        numerator="falls", denominator="occupied_bed_days", multiplier=multiplier,
        direction=direction, kind=kind))


def write_series(ind: Indicator, location: Any, numerators: Sequence[int],
                 denominator: int = 900) -> None:
    """Store one value per month from FIRST (existing ones are replaced in place)."""
    now = timezone.now()
    for k, num in enumerate(numerators):
        start, end = month(k), month(k + 1)
        IndicatorValue.objects.update_or_create(
            indicator=ind, location=location, period_start=start, defaults={
                "organisation": ind.organisation, "period_end": end, "numerator": num,
                "denominator": denominator, "value": value_of(num, denominator, ind.multiplier),
                "computed_at": now})


def step(before: int, after: int, at: int, n: int = 40) -> list[int]:
    return [before] * at + [after] * (n - at)


@pytest.fixture
def falls(org: Any) -> Indicator:
    return indicator(org)


@pytest.fixture
def series() -> Callable[..., None]:
    return write_series


@pytest.fixture
def manager(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "registered_manager", location=location, first_name="Rita",
                     last_name="Manager")


@pytest.fixture
def quality_lead(make_user: Any, org: Any) -> Any:
    return make_user(org, "quality_lead", scope="organisation", first_name="Quinn",
                     last_name="Lead")


@pytest.fixture
def carer(make_user: Any, org: Any, location: Any) -> Any:
    return make_user(org, "care_staff", location=location)
