"""Import kind for incidents (`incidents`), written one row at a time through
`incidents.services.incident_create` (its own checks and a history entry per incident)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATETIME,
    PERSON,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

TYPES = ("fall", "fall_with_harm", "pressure_ulcer", "medicines_error", "near_miss",
         "behaviour", "missing_person", "injury", "other")
SEVERITIES = ("no_harm", "low", "moderate", "severe", "death")


def _check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problem = future_problem(row.row, "occurred_at", row.values.get("occurred_at"), ctx.now)
    return [problem] if problem else []


def _fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "", "type": values["type"],
            "severity": values["severity"],
            "occurred_at": timezone.make_aware(values["occurred_at"]),
            "person": values.get("person") or None,
            "description": values.get("description") or "",
            "immediate_action": values.get("immediate_action") or ""}


def _create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.incidents.services import incident_create

    return incident_create(actor=actor, organisation=organisation, location=location, **fields)


def _row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.type, obj.severity, timezone.localtime(obj.occurred_at),
            obj.person.reference if obj.person_id else "", obj.description,
            obj.immediate_action]


INCIDENTS = ImportKind(
    name="incidents", label="incidents", model="incidents.incident",
    columns=(
        Column("external_ref", max_length=100, example="INC-2026-0193",
               help="Your own reference; re-importing a file skips rows imported before."),
        Column("type", CHOICE, required=True, choices=TYPES, example="fall"),
        Column("severity", CHOICE, required=True, choices=SEVERITIES, example="no_harm"),
        Column("occurred_at", DATETIME, required=True, example="2026-11-20 14:30",
               help="When it happened (UK time); not in the future."),
        Column("person", PERSON, example="RH-0042",
               help="Optional: the reference of the person supported at the location."),
        Column("description", max_length=5000, example="Found on the floor by the bed."),
        Column("immediate_action", max_length=5000, example="Checked for injury; GP informed."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_fields,
    permission=Perm.TRACKER_RECORD, create=_create, check=_check, needs_people=True,
    export_columns=("external_ref", "type", "severity", "occurred_at", "person", "description",
                    "immediate_action"),
    export_row=_row,
    export_queryset=lambda qs, location: qs.select_related("person"),
)

KINDS = [INCIDENTS]
