"""Import kinds for feedback (`feedback`) and senior visits (`visits`), written one row at a
time through `feedback.services.feedback_create` / `visit_create` (their own checks and a
history entry per record)."""

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

SOURCES = ("person", "family", "staff", "commissioner", "professional")
CHANNELS = ("survey", "meeting", "conversation", "review_site", "other")
VISIT_TYPES = ("provider", "spot_check", "night", "observation")
KEY_HELP = "Your own reference; re-importing a file skips rows imported before."


def _not_future(*columns: str) -> Any:
    def check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
        found = (future_problem(row.row, c, row.values.get(c), ctx.now) for c in columns)
        return [p for p in found if p]
    return check


def _staff_ref(staff: Any) -> str:
    return staff.staff_reference if staff else ""


def _feedback_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "", "source": values["source"],
            "channel": values["channel"], "received_on": values["received_on"],
            "rating": values.get("rating"), "text": values["text"],
            "response": values.get("response") or "",
            "responded_on": values.get("responded_on") or None,
            "response_by": values.get("response_by") or None}


def _feedback_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.feedback.services import feedback_create

    return feedback_create(actor=actor, organisation=organisation, location=location, **fields)


def _feedback_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.source, obj.channel, obj.received_on,
            "" if obj.rating is None else obj.rating, obj.text, obj.response,
            obj.responded_on or "", _staff_ref(obj.response_by)]


FEEDBACK = ImportKind(
    name="feedback", label="feedback", model="feedback.feedback",
    columns=(
        Column("external_ref", max_length=100, example="FB-2026-0101", help=KEY_HELP),
        Column("source", CHOICE, required=True, choices=SOURCES, example="family"),
        Column("channel", CHOICE, required=True, choices=CHANNELS, example="survey"),
        Column("received_on", DATE, required=True, example="2026-11-03",
               help="The date it was received (YYYY-MM-DD or DD/MM/YYYY); not in the future."),
        Column("rating", INT, example="4", help="Optional: a rating from 1 to 5."),
        Column("text", required=True, max_length=5000,
               example="Mum enjoys the new activities but tea is often cold."),
        Column("response", max_length=5000, example="Tea trolley now goes round twice.",
               help="Optional: what we did (you said, we did)."),
        Column("responded_on", DATE, example="2026-11-10",
               help="Optional: when we responded; not in the future."),
        Column("response_by", STAFF, example="S-0107",
               help="Optional: the staff reference of who responded."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_feedback_fields,
    permission=Perm.TRACKER_RECORD, create=_feedback_create,
    check=_not_future("received_on", "responded_on"), needs_staff=True,
    export_columns=("external_ref", "source", "channel", "received_on", "rating", "text",
                    "response", "responded_on", "response_by"),
    export_row=_feedback_row,
    export_queryset=lambda qs, location: qs.select_related("response_by"),
)


def _visit_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "", "visitor": values["visitor"],
            "visitor_role": values.get("visitor_role") or "", "date": values["date"],
            "type": values["type"], "staff_observed": values.get("staff_observed"),
            "looked_at": values["looked_at"],
            "findings": values.get("findings") or "",
            "actions_raised": values.get("actions_raised") or ""}


def _visit_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.feedback.services import visit_create

    return visit_create(actor=actor, organisation=organisation, location=location, **fields)


def _visit_row(obj: Any) -> Sequence[Any]:
    observed = _staff_ref(obj.staff_observed) if obj.staff_observed else ""
    return [obj.external_ref, _staff_ref(obj.visitor), obj.visitor_role, obj.date, obj.type,
            observed, obj.looked_at, obj.findings, obj.actions_raised]


VISITS = ImportKind(
    name="visits", label="visits", model="feedback.visit",
    columns=(
        Column("external_ref", max_length=100, example="VIS-2026-0044", help=KEY_HELP),
        Column("visitor", STAFF, required=True, example="S-0107",
               help="The staff reference of who visited; they must work at the location."),
        Column("visitor_role", max_length=100, example="Nominated individual"),
        Column("date", DATE, required=True, example="2026-11-12",
               help="The date of the visit; not in the future."),
        Column("type", CHOICE, required=True, choices=VISIT_TYPES, example="night"),
        Column("staff_observed", STAFF, example="S-0107",
               help="For an observation of practice: the staff reference of who was "
                    "observed; they must work at the location."),
        Column("looked_at", required=True, max_length=5000,
               example="Night checks, MAR charts, call bell response."),
        Column("findings", max_length=5000, example="Two checks not recorded."),
        Column("actions_raised", max_length=5000, example="Remind night team at handover."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_visit_fields,
    permission=Perm.TRACKER_REVIEW, create=_visit_create, check=_not_future("date"),
    needs_staff=True,
    export_columns=("external_ref", "visitor", "visitor_role", "date", "type",
                    "staff_observed", "looked_at", "findings", "actions_raised"),
    export_row=_visit_row,
    export_queryset=lambda qs, location: qs.select_related("visitor", "staff_observed"),
)

KINDS = [FEEDBACK, VISITS]
