"""Import kinds for supervisions (`supervisions`), competency assessments
(`competency-assessments`) and training records (`training-records`), written one row at a
time through the `workforce.services` `<thing>_create` functions (their own checks and a
history entry per record)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATE,
    STAFF,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

KEY_HELP = "Your own reference; re-importing a file skips rows imported before."
ASSESSMENT_TYPES = ("medicines_administration", "moving_and_handling", "other")
OUTCOMES = ("competent", "needs_support", "not_yet_competent")


def _not_future(*columns: str) -> Any:
    def check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
        found = (future_problem(row.row, c, row.values.get(c), ctx.now) for c in columns)
        return [p for p in found if p]
    return check


def _text(values: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: values.get(name) or "" for name in names}


def _service(name: str) -> Any:
    def create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
        from sustain.workforce import services

        if fields.get("next_due") is None:
            fields.pop("next_due", None)  # the service works out the default
        return getattr(services, name)(actor=actor, organisation=organisation,
                                       location=location, **fields)
    return create


def _supervision_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"date": values["date"], "supervisor": values["supervisor"],
            "supervisee": values["supervisee"], "next_due": values.get("next_due") or None,
            **_text(values, "external_ref", "topics", "notes", "agreed_actions")}


SUPERVISIONS = ImportKind(
    name="supervisions", label="supervisions", model="workforce.supervision",
    columns=(
        Column("external_ref", max_length=100, example="SUP-2026-0150", help=KEY_HELP),
        Column("date", DATE, required=True, example="2026-11-05",
               help="The date of the supervision (YYYY-MM-DD or DD/MM/YYYY); not in the "
                    "future."),
        Column("supervisor", STAFF, required=True, example="S-0107",
               help="The staff reference of the supervisor; they must work at the location."),
        Column("supervisee", STAFF, required=True, example="S-0212",
               help="The staff reference of who was supervised; not the supervisor."),
        Column("topics", max_length=5000, example="Night checks; safeguarding refresher."),
        Column("notes", max_length=5000, example="Confident with new recording."),
        Column("agreed_actions", max_length=5000, example="Shadow a night shift lead."),
        Column("next_due", DATE, example="",
               help="Optional: left blank, the date plus the supervision interval."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_supervision_fields,
    permission=Perm.WORKFORCE_CHANGE, create=_service("supervision_create"),
    check=_not_future("date"), needs_staff=True,
    export_columns=("external_ref", "date", "supervisor", "supervisee", "topics", "notes",
                    "agreed_actions", "next_due"),
    export_row=lambda obj: [obj.external_ref, obj.date, obj.supervisor.staff_reference,
                            obj.supervisee.staff_reference, obj.topics, obj.notes,
                            obj.agreed_actions, obj.next_due],
    export_queryset=lambda qs, location: qs.select_related("supervisor", "supervisee"),
)


def _competency_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"assessment_type": values["assessment_type"], "assessor": values["assessor"],
            "staff": values["staff"], "date": values["date"], "outcome": values["outcome"],
            "next_due": values.get("next_due") or None,
            **_text(values, "external_ref", "other_type", "notes")}


def _competency_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.assessment_type, obj.other_type,
            obj.assessor.staff_reference, obj.staff.staff_reference, obj.date, obj.outcome,
            obj.next_due or "", obj.notes]


COMPETENCY_ASSESSMENTS = ImportKind(
    name="competency-assessments", label="competency assessments",
    model="workforce.competencyassessment",
    columns=(
        Column("external_ref", max_length=100, example="CA-2026-0077", help=KEY_HELP),
        Column("assessment_type", CHOICE, required=True, choices=ASSESSMENT_TYPES,
               example="medicines_administration"),
        Column("other_type", max_length=120, example="",
               help="Say what was assessed when assessment_type is other."),
        Column("assessor", STAFF, required=True, example="S-0107",
               help="The staff reference of the assessor; they must work at the location."),
        Column("staff", STAFF, required=True, example="S-0212",
               help="The staff reference of who was assessed."),
        Column("date", DATE, required=True, example="2026-11-06",
               help="The date of the assessment; not in the future."),
        Column("outcome", CHOICE, required=True, choices=OUTCOMES, example="competent"),
        Column("next_due", DATE, example="2027-11-06",
               help="Optional: when it is next due; after the date."),
        Column("notes", max_length=5000, example="Observed lunchtime round; no concerns."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_competency_fields,
    permission=Perm.WORKFORCE_CHANGE, create=_service("competency_assessment_create"),
    check=_not_future("date"), needs_staff=True,
    export_columns=("external_ref", "assessment_type", "other_type", "assessor", "staff",
                    "date", "outcome", "next_due", "notes"),
    export_row=_competency_row,
    export_queryset=lambda qs, location: qs.select_related("assessor", "staff"),
)


def _training_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"staff": values["staff"], "course": values["course"],
            "completed_on": values["completed_on"],
            "expires_on": values.get("expires_on") or None,
            "external_ref": values.get("external_ref") or ""}


TRAINING_RECORDS = ImportKind(
    name="training-records", label="training records", model="workforce.trainingrecord",
    columns=(
        Column("external_ref", max_length=100, example="TR-2026-1204", help=KEY_HELP),
        Column("staff", STAFF, required=True, example="S-0212",
               help="The staff reference of who completed the course; they must work at "
                    "the location."),
        Column("course", required=True, max_length=200, example="Safeguarding adults level 2"),
        Column("completed_on", DATE, required=True, example="2026-10-14",
               help="When it was completed; not in the future."),
        Column("expires_on", DATE, example="2027-10-14",
               help="Optional: when it expires; not before it was completed."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_training_fields,
    permission=Perm.WORKFORCE_CHANGE, create=_service("training_record_create"),
    check=_not_future("completed_on"), needs_staff=True,
    export_columns=("external_ref", "staff", "course", "completed_on", "expires_on"),
    export_row=lambda obj: [obj.external_ref, obj.staff.staff_reference, obj.course,
                            obj.completed_on, obj.expires_on or ""],
    export_queryset=lambda qs, location: qs.select_related("staff"),
)

KINDS = [SUPERVISIONS, COMPETENCY_ASSESSMENTS, TRAINING_RECORDS]
