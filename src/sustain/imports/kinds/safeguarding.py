"""Import kind for safeguarding concerns (`safeguarding-concerns`), written one row at a time
through `safeguarding.services.safeguarding_concern_create` (its own checks and a history
entry per concern)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATETIME,
    PERSON,
    STAFF,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

CATEGORIES = ("physical", "domestic", "sexual", "psychological", "financial",
              "modern_slavery", "discriminatory", "organisational", "neglect", "self_neglect")


def _aware(value: Any) -> Any:
    return timezone.make_aware(value) if value else None


def _check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = []
    for column in ("raised_at", "shift_lead_notified_at"):
        problem = future_problem(row.row, column, row.values.get(column), ctx.now)
        if problem:
            problems.append(problem)
    return problems


def _fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "",
            "raised_at": _aware(values["raised_at"]),
            "raised_by": values["raised_by"], "person": values["person"],
            "category": values["category"], "description": values.get("description") or "",
            "shift_lead_notified_at": _aware(values.get("shift_lead_notified_at"))}


def _create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.safeguarding.services import safeguarding_concern_create

    return safeguarding_concern_create(actor=actor, organisation=organisation,
                                       location=location, **fields)


def _local(value: Any) -> Any:
    return timezone.localtime(value) if value else ""


def _row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, _local(obj.raised_at), obj.raised_by.staff_reference,
            obj.person.reference, obj.category, obj.description,
            _local(obj.shift_lead_notified_at)]


SAFEGUARDING_CONCERNS = ImportKind(
    name="safeguarding-concerns", label="safeguarding concerns",
    model="safeguarding.safeguardingconcern",
    columns=(
        Column("external_ref", max_length=100, example="SG-2026-0012",
               help="Your own reference; re-importing a file skips rows imported before."),
        Column("raised_at", DATETIME, required=True, example="2026-11-20 09:15",
               help="When the concern was raised (UK time); not in the future."),
        Column("raised_by", STAFF, required=True, example="S-0107",
               help="The staff reference of who raised it; they must work at the location."),
        Column("person", PERSON, required=True, example="RH-0042",
               help="The reference of the person supported at the location."),
        Column("category", CHOICE, required=True, choices=CATEGORIES, example="neglect",
               help="The Care Act 2014 type of abuse or neglect."),
        Column("description", required=True, max_length=5000,
               example="Bruise on left forearm noticed at personal care."),
        Column("shift_lead_notified_at", DATETIME, example="2026-11-20 09:40",
               help="Optional: when the shift lead was told (UK time); not before raised_at."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_fields,
    permission=Perm.TRACKER_RECORD, create=_create, check=_check, needs_people=True,
    needs_staff=True,
    export_columns=("external_ref", "raised_at", "raised_by", "person", "category",
                    "description", "shift_lead_notified_at"),
    export_row=_row,
    export_queryset=lambda qs, location: qs.select_related("person", "raised_by"),
)

KINDS = [SAFEGUARDING_CONCERNS]
