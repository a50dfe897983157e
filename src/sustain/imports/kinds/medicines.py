"""Import kind for end-of-shift medicines checks (`medicines-checks`): the bulk path (rows
checked against the same rules as `medicines_check_create`, written in chunks, one
import-level history entry), for files of up to millions of rows. Discrepancies are
recorded on the check's page, not imported here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATE,
    INT,
    STAFF,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

MAX_CHARTS = 500  # as sustain.medicines.services.MAX_CHARTS
TEXT_LIMIT = 5000


def _check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = []
    if p := future_problem(row.row, "check_date", row.values.get("check_date"), ctx.now):
        problems.append(p)
    charts = row.values.get("charts_checked")
    if charts is not None and not 0 <= charts <= MAX_CHARTS:
        problems.append(RowProblem(row.row, "charts_checked",
                                   f"Enter a number from 0 to {MAX_CHARTS}."))
    return problems


def _fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"check_date": values["check_date"], "shift": values["shift"],
            "checked_by": values["checked_by"], "charts_checked": values["charts_checked"],
            "notes": values.get("notes") or "", "external_ref": values.get("external_ref") or ""}


def _row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.check_date, obj.shift, obj.checked_by.staff_reference,
            obj.charts_checked, obj.notes]


MEDICINES_CHECKS = ImportKind(
    name="medicines-checks", label="medicines checks", model="medicines.medicinescheck",
    columns=(
        Column("external_ref", max_length=100, example="MAR-2026-11-27-N",
               help="Your own reference for the row (e.g. from the old spreadsheet). "
                    "Re-importing a file skips rows whose reference was imported before."),
        Column("check_date", DATE, required=True, example="2026-11-20",
               help="The date of the check (YYYY-MM-DD or DD/MM/YYYY); not in the future."),
        Column("shift", CHOICE, required=True, choices=("day", "night"), example="night"),
        Column("checked_by", STAFF, required=True, example="S-0107",
               help="The staff reference of who did the check; they must work at the "
                    "location."),
        Column("charts_checked", INT, required=True, example="24",
               help=f"How many people's MAR charts were checked (0–{MAX_CHARTS})."),
        Column("notes", max_length=TEXT_LIMIT, example="All signed; one late dose noted.",
               help="Optional free text."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_fields,
    permission=Perm.TRACKER_RECORD, bulk=True, check=_check, needs_staff=True,
    export_columns=("external_ref", "check_date", "shift", "checked_by", "charts_checked",
                    "notes"),
    export_row=_row,
    export_queryset=lambda qs, location: qs.select_related("checked_by"),
)

KINDS = [MEDICINES_CHECKS]
