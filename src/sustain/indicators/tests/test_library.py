"""The indicator library: the shipped file is valid; bad definitions are refused with the
file, line and field."""

from __future__ import annotations

import pytest

from sustain.engine.indicator_schema import LibraryError, parse_indicators
from sustain.indicators.compute import COMPUTATIONS
from sustain.indicators.library import LIBRARY_PATH, load_library, parse_library

GOOD = """\
schema_version: indicator-schema-1
indicators:
  - code: falls-rate
    name: Falls per 1,000 occupied bed days
    unit: per 1,000 occupied bed days
    numerator: falls
    denominator: occupied_bed_days
    multiplier: 1000
    direction: higher_is_worse
    kind: rate
"""


def test_shipped_library_is_valid_and_complete() -> None:
    library = load_library()
    codes = {d.code for d in library.indicators}
    assert {"falls-rate", "falls-with-harm", "medicines-errors", "mar-discrepancy-rate",
            "pressure-ulcers", "complaints", "safeguarding-concerns", "compliments",
            "overdue-supervisions", "training-compliance", "audits-on-time", "audit-score",
            "overdue-care-plan-reviews", "feedback-unanswered-30d", "agency-hours",
            "staff-turnover", "occupancy"} <= codes
    assert {d.frequency for d in library.indicators} == {"monthly", "weekly"}
    assert library.get("falls-rate") is not None
    assert library.get("falls-rate").improvement == "decrease"  # type: ignore[union-attr]


def test_good_minimal_file() -> None:
    lib = parse_library(GOOD, "x.yaml")
    d = lib.indicators[0]
    assert (d.multiplier, d.frequency, d.minimum_points, d.source, d.target) == (
        1000.0, "monthly", 12, "computed", None)


@pytest.mark.parametrize("old,new,line,field", [
    ("    direction: higher_is_worse\n", "    direction: up\n", 9,
     "indicators[0] (falls-rate).direction"),
    ("    kind: rate\n", "    kind: rate\n    colour: blue\n", 11,
     "indicators[0] (falls-rate).colour"),
    ("    unit: per 1,000 occupied bed days\n", "", 3, "indicators[0] (falls-rate).unit"),
    ("    numerator: falls\n", "    numerator: tumbles\n", 6,
     "indicators[0] (falls-rate).numerator"),
    ("    multiplier: 1000\n", "    multiplier: 0\n", 8,
     "indicators[0] (falls-rate).multiplier"),
    ("    kind: rate\n", "    kind: rate\n    frequency: daily\n", 11,
     "indicators[0] (falls-rate).frequency"),
])
def test_bad_definitions_name_file_line_and_field(old: str, new: str, line: int,
                                                  field: str) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(LibraryError) as err:
        parse_indicators(text, "lib.yaml", COMPUTATIONS.keys())
    assert (err.value.filename, err.value.line, err.value.field) == ("lib.yaml", line, field)


def test_duplicate_code_and_duplicate_key() -> None:
    body = GOOD.split("indicators:\n")[1]
    with pytest.raises(LibraryError) as err:
        parse_indicators(GOOD + body, "lib.yaml")
    assert (err.value.line, err.value.field) == (11, "indicators[1] (falls-rate).code")
    assert "duplicate indicator code" in str(err.value)
    with pytest.raises(LibraryError) as err:
        parse_indicators(GOOD + "    kind: proportion\n", "lib.yaml")
    assert err.value.line == 11 and "duplicate key" in str(err.value)


def test_imported_series_need_no_known_computation() -> None:
    text = GOOD.replace("    numerator: falls\n", "    source: imported\n    numerator: agency\n")
    assert parse_indicators(text, "lib.yaml", COMPUTATIONS.keys()).indicators[0].source == \
        "imported"


def test_library_path_exists() -> None:
    assert LIBRARY_PATH.name == "indicators.yaml" and LIBRARY_PATH.is_file()
