from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sustain.people.tests.factories import StaffFactory
from sustain.themes.tests.factories import ThemeFactory


@pytest.fixture
def staff(location: Any) -> Any:
    def _make(name: str = "", start: dt.date = dt.date(2023, 6, 1), **kwargs: Any) -> Any:
        extra = {"full_name": name} if name else {}
        return StaffFactory(organisation=location.organisation, locations=[location],
                            start_date=start, **extra, **kwargs)
    return _make


@pytest.fixture
def theme(location: Any) -> Any:
    return ThemeFactory(location=location, organisation=location.organisation,
                        stage="recovering", title="Medicines: end-of-shift MAR checks")
