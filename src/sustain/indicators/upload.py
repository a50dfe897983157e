"""Uploading an imported indicator's series at one location (agency hours %, staff turnover %,
occupancy, or a custom imported indicator): a CSV or XLSX file with the columns
`indicator_code`, `period` (any day in the period: its month, or its Monday-start week for a
weekly indicator), `numerator` and `denominator` (whole numbers, not negative).

Why not an import kind of `sustain.imports`: that framework's kinds create one record per row,
skip rows whose key column already exists on a record (re-importing creates nothing), and its
meta-tests hold every kind to that. An indicator value has no key column of its own — it is
keyed by indicator, location and period — and a corrected file must *update* the values
(`services.values_import` is an idempotent upsert). So the same rules run here, with the
imports app's reader and row parser: check every row (problems by row and column, as the
spreadsheet numbers rows), then write every row or none. The page is on the indicator's
detail page (`indicators:upload`); the API is `POST indicators/{id}/upload/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    DATE,
    INT,
    Column,
    ParsedRow,
    RowProblem,
    header_problems,
    parse_row,
)
from sustain.imports.reader import check_size, open_sheet
from sustain.tenancy.permissions import has_perm_at


@dataclass
class RowContext:
    """The indicator a file is for, its organisation, today and the periods seen so far."""

    indicator: Any
    today: dt.date
    cache: dict[str, Any] = field(default_factory=dict)


def _period_start(indicator: Any, day: dt.date) -> dt.date:
    if indicator.frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _period_end(indicator: Any, start: dt.date) -> dt.date:
    if indicator.frequency == "weekly":
        return start + dt.timedelta(weeks=1)
    return (start + dt.timedelta(days=32)).replace(day=1)


def _check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems: list[RowProblem] = []
    values = row.values
    code = values.get("indicator_code")
    indicator = ctx.indicator if code == ctx.indicator.code else None
    if code and indicator is None:
        problems.append(RowProblem(row.row, "indicator_code",
                                   f"This file is for {ctx.indicator.name}: the code must be "
                                   f"{ctx.indicator.code!r}, not {code!r}."))
    for name in ("numerator", "denominator"):
        if values.get(name) is not None and values[name] < 0:
            problems.append(RowProblem(row.row, name, "Must not be negative."))
    num, den = values.get("numerator"), values.get("denominator")
    if indicator is not None and indicator.kind == "proportion" and num is not None \
            and den is not None and num > den:
        problems.append(RowProblem(row.row, "numerator",
                                   f"A proportion's numerator ({num}) cannot exceed its "
                                   f"denominator ({den})."))
    day = values.get("period")
    if indicator is not None and day is not None:
        start = _period_start(indicator, day)
        if _period_end(indicator, start) > ctx.today:
            problems.append(RowProblem(row.row, "period",
                                       "This period is not over yet: import complete periods."))
        seen = ctx.cache.setdefault("seen", {})
        first = seen.setdefault((code, start), row.row)
        if first != row.row:
            problems.append(RowProblem(row.row, "period",
                                       f"Repeats row {first}'s period for {code!r}."))
    return problems


COLUMNS = (
    Column("indicator_code", required=True, max_length=80, example="agency-hours",
           help="The indicator's code (e.g. agency-hours, staff-turnover, occupancy)."),
    Column("period", DATE, required=True, example="2026-10-01",
           help="Any day in the period (its month, or its week for a weekly indicator); the "
                "period must be over."),
    Column("numerator", INT, required=True, example="312",
           help="A whole number, e.g. agency hours worked in the period."),
    Column("denominator", INT, required=True, example="4160",
           help="A whole number, e.g. all hours worked in the period."),
)
MAX_ROWS = 5000
PROBLEMS_SHOWN = 200


@dataclass(frozen=True)
class UploadRow:
    row: int
    period_start: dt.date
    numerator: int
    denominator: int
    value: float | None


@dataclass
class UploadResult:
    rows: list[UploadRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    written: bool = False
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_problems


def can_upload(actor: Any, indicator: Any, location: Any) -> bool:
    """`import.run` at the location, for an imported indicator of the actor's organisation."""
    return (indicator.source == "imported" and location.organisation_id ==
            indicator.organisation_id and has_perm_at(actor, Perm.IMPORT_RUN, location.pk))


def values_upload(*, actor: Any, indicator: Any, location: Any, fileobj: IO[bytes],
                  size: int | None, today: dt.date, write: bool) -> UploadResult:
    """Check every row of the file; with `write` and no problem at all, write every row
    through `services.values_import` (one transaction). Nothing is written when any row or
    the file has a problem, or without `write` (a preview)."""
    from sustain.indicators.models import value_of
    from sustain.indicators.services import ImportedValue, values_import

    if indicator.source != "imported":
        raise InvalidInput("Only an imported indicator takes uploaded values.",
                           {"indicator": ["This indicator is computed from records."]})
    if not can_upload(actor, indicator, location):
        raise PermissionDenied(f"Your role cannot import values at {location.name}.")
    result = UploadResult()
    check_size(size)
    sheet = open_sheet(fileobj, size=size)
    result.file_problems = header_problems(sheet.headers, COLUMNS)
    if result.file_problems:
        sheet.close()
        return result
    ctx = RowContext(indicator=indicator, today=today)
    for number, raw in sheet.rows():
        parsed = parse_row(number, raw, COLUMNS)
        parsed.problems.extend(_check(parsed, ctx))
        if parsed.problems:
            result.problems.extend(parsed.problems)
            continue
        v = parsed.values
        start = _period_start(indicator, v["period"])
        result.rows.append(UploadRow(number, start, v["numerator"], v["denominator"],
                                     value_of(v["numerator"], v["denominator"],
                                              indicator.multiplier)))
        if len(result.rows) + len(result.problems) > MAX_ROWS:
            result.file_problems.append(f"Use at most {MAX_ROWS:,} rows in one file.")
            break
    if not result.rows and not result.problems and not result.file_problems:
        result.file_problems.append("The file has no rows below its header.")
    if write and result.ok:
        done = values_import(actor=actor, indicator=indicator, values=[
            ImportedValue(location, r.period_start, r.numerator, r.denominator)
            for r in result.rows])
        result.written, result.created, result.updated = True, done.created, done.updated
    return result


def template_csv() -> str:
    """The header and an example row."""
    return ",".join(c.name for c in COLUMNS) + "\n" + ",".join(c.example for c in COLUMNS) + \
        "\n"
