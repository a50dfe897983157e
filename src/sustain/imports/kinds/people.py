"""Import kinds for people supported (`people`) and staff (`staff`), written one row at a
time through the people services (full validation and a history entry per row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import DATE, Column, ParsedRow, RowProblem, future_problem
from sustain.imports.registry import ImportKind, RowContext


def _location_problem(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    named = str(row.values.get("location") or "").strip().lower()
    if named and named not in (ctx.location.cqc_location_id.lower(), ctx.location.name.lower()):
        return [RowProblem(row.row, "location",
                           f"This file is being imported into {ctx.location.name} "
                           f"({ctx.location.cqc_location_id}), not {named!r}.")]
    return []


def _person_check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = _location_problem(row, ctx)
    if p := future_problem(row.row, "admission_date", row.values.get("admission_date"),
                           ctx.now):
        problems.append(p)
    return problems


def _person_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"reference": values["reference"], "initials": values["initials"],
            "admission_date": values["admission_date"],
            "discharge_date": values.get("discharge_date")}


def _person_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.people.services import person_create

    return person_create(actor=actor, organisation=organisation, location=location, **fields)


def _person_row(obj: Any) -> Sequence[Any]:
    return [obj.reference, obj.initials, obj.location.cqc_location_id, obj.admission_date,
            obj.discharge_date]


PEOPLE = ImportKind(
    name="people", label="people supported", model="people.personsupported",
    columns=(
        Column("reference", required=True, max_length=30, example="RH-0042",
               help="The person's pseudonymous reference (2–30 letters, digits or hyphens; "
                    "never a name). Re-importing a reference that exists skips the row."),
        Column("initials", required=True, max_length=4, example="JS",
               help="1 to 4 capital letters."),
        Column("location", example="1-000000001",
               help="Optional: the location's CQC id or name; must be the location you "
                    "import into."),
        Column("admission_date", DATE, required=True, example="2025-03-14",
               help="Admission or start date (YYYY-MM-DD or DD/MM/YYYY); not in the future."),
        Column("discharge_date", DATE, example="",
               help="Optional discharge or end date; not before the admission date."),
    ),
    key_column="reference", key_field="reference", to_fields=_person_fields,
    permission=Perm.PERSON_CHANGE, create=_person_create, check=_person_check,
    export_columns=("reference", "initials", "location", "admission_date", "discharge_date"),
    export_row=_person_row,
    export_queryset=lambda qs, location: qs.select_related("location"),
)


def _staff_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {k: values.get(k) for k in ("staff_reference", "full_name", "job_role",
                                       "start_date", "leaving_date")}


def _staff_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.people.services import staff_create

    return staff_create(actor=actor, organisation=organisation, locations=[location], **fields)


def _staff_row(obj: Any) -> Sequence[Any]:
    return [obj.staff_reference, obj.full_name, obj.job_role, obj.start_date, obj.leaving_date]


STAFF = ImportKind(
    name="staff", label="staff members", model="people.staffmember",
    columns=(
        Column("staff_reference", required=True, max_length=40, example="S-0107",
               help="Your payroll or HR reference; re-importing one that exists skips the row."),
        Column("full_name", required=True, max_length=200, example="Sam Patel"),
        Column("job_role", required=True, max_length=100, example="Senior carer"),
        Column("start_date", DATE, required=True, example="2024-06-01",
               help="YYYY-MM-DD or DD/MM/YYYY."),
        Column("leaving_date", DATE, help="Optional; not before the start date."),
    ),
    key_column="staff_reference", key_field="staff_reference", to_fields=_staff_fields,
    permission=Perm.STAFF_CHANGE, create=_staff_create,
    export_columns=("staff_reference", "full_name", "job_role", "start_date", "leaving_date"),
    export_row=_staff_row,
    export_queryset=lambda qs, location: qs.filter(locations=location) if location else qs,
)

KINDS = [PEOPLE, STAFF]
