"""Import row parsing: messages name the column; formula injection is neutralised."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine import import_rows as ir

COLUMNS = [
    ir.Column("reference", required=True, max_length=30),
    ir.Column("count", ir.INT, required=True),
    ir.Column("when", ir.DATE),
    ir.Column("at", ir.DATETIME),
    ir.Column("shift", ir.CHOICE, choices=("day", "night")),
    ir.Column("ok", ir.BOOL),
]


def test_good_row_parses() -> None:
    row = ir.parse_row(2, {"reference": " R-1 ", "count": "3", "when": "27/11/2026",
                           "at": "2026-11-27 14:30", "shift": "Night", "ok": "Yes"}, COLUMNS)
    assert row.ok
    assert row.values == {"reference": "R-1", "count": 3, "when": dt.date(2026, 11, 27),
                          "at": dt.datetime(2026, 11, 27, 14, 30), "shift": "night", "ok": True}


def test_every_problem_is_reported_with_row_and_column() -> None:
    row = ir.parse_row(7, {"count": "three", "when": "31/02/2026", "shift": "evening",
                           "ok": "maybe"}, COLUMNS)
    assert {(p.row, p.column) for p in row.problems} == {
        (7, "reference"), (7, "count"), (7, "when"), (7, "shift"), (7, "ok")}
    messages = {p.column: p.message for p in row.problems}
    assert messages["reference"] == "This column is required."
    assert "'three'" in messages["count"]
    assert "day, night" in messages["shift"]


def test_spreadsheet_native_values() -> None:
    assert ir.parse_cell(COLUMNS[1], 4.0) == (4, None)
    assert ir.parse_cell(COLUMNS[2], dt.datetime(2026, 1, 2, 3, 4)) == (dt.date(2026, 1, 2), None)


def test_header_problems_name_missing_columns() -> None:
    assert ir.header_problems(["Reference", "when"], COLUMNS) == [
        "Missing required column: count."]
    assert ir.header_problems(["reference", "count", "Count"], COLUMNS) == [
        "Duplicated column: count."]
    assert ir.header_problems([" REFERENCE ", "count"], COLUMNS) == []


def test_max_length() -> None:
    _, message = ir.parse_cell(COLUMNS[0], "x" * 31)
    assert message is not None and "30" in message


def test_future() -> None:
    now = dt.datetime(2026, 11, 27, 12, 0)
    assert ir.future_problem(3, "when", dt.date(2026, 11, 28), now) is not None
    assert ir.future_problem(3, "when", dt.date(2026, 11, 27), now) is None
    assert ir.future_problem(3, "at", dt.datetime(2026, 11, 27, 12, 1), now) is not None


@pytest.mark.parametrize("bad", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_injection_is_neutralised(bad: str) -> None:
    assert ir.neutralise(bad) == "'" + bad
    assert ir.cell_text(bad) == "'" + bad


def test_safe_values_unchanged() -> None:
    assert ir.neutralise("Mrs A") == "Mrs A"
    assert ir.cell_text(-3) == "-3"
    assert ir.cell_text(True) == "yes"
    assert ir.cell_text(None) == ""
    assert ir.cell_text(dt.date(2026, 1, 2)) == "2026-01-02"


def test_bad_column_spec_refused() -> None:
    with pytest.raises(ValueError, match="choices"):
        ir.Column("x", ir.CHOICE)
    with pytest.raises(ValueError, match="Unknown"):
        ir.Column("x", "float")


@given(st.dictionaries(st.sampled_from([c.name for c in COLUMNS] + ["other"]),
                       st.one_of(st.none(), st.text(max_size=40), st.integers(),
                                 st.floats(allow_nan=True), st.dates())))
def test_any_row_parses_or_reports(raw: dict[str, object]) -> None:
    row = ir.parse_row(5, raw, COLUMNS)
    assert set(row.values) | {p.column for p in row.problems} == {c.name for c in COLUMNS}
    assert all(p.row == 5 and p.message for p in row.problems)
