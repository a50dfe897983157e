"""Fixtures for inspection tests: the reference library, a manager and a valid payload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sustain.reference.services import reference_load

KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well-led")
INSPECTED_ON = dt.date(2026, 3, 10)


@pytest.fixture
def library(db: Any) -> None:
    reference_load()


@pytest.fixture
def manager(org: Any, location: Any, make_user: Callable[..., Any], library: None) -> Any:
    """A registered manager of `location` (inspection.change there, nowhere else)."""
    return make_user(org, "registered_manager", location=location)


def payload(**overrides: Any) -> dict[str, Any]:
    """A whole inspection: five ratings, two breaches, one enforcement, two findings."""
    data: dict[str, Any] = {
        "inspection_date": INSPECTED_ON,
        "publication_date": dt.date(2026, 4, 20),
        "inspection_type": "comprehensive",
        "overall_rating": "requires-improvement",
        "report_url": "https://www.cqc.org.uk/location/1-000000001/reports",
        "summary": "Medicines and safeguarding not safe.",
        "ratings": {"safe": "inadequate", "effective": "requires-improvement",
                    "caring": "good", "responsive": "good",
                    "well-led": "requires-improvement"},
        "breaches": [
            {"regulation": "RA2014-12", "summary": "MAR charts not accurate."},
            {"regulation": "RA2014-13", "summary": "Concerns not escalated."},
        ],
        "enforcement": [
            {"enforcement_type": "warning-notice", "issued_on": dt.date(2026, 4, 25),
             "deadline": dt.date(2026, 6, 30), "status": "open", "notes": "Reg 12"},
        ],
        "findings": [
            {"text": "Medicines were not managed safely.", "key_question": "safe",
             "quality_statements": ["S8"]},
            {"text": "Safeguarding concerns were not always escalated.",
             "key_question": "safe", "quality_statements": ["S3"]},
        ],
    }
    data.update(overrides)
    return data
