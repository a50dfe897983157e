"""Import kinds for care-plan reviews (`care-plan-reviews`) and the care-plan action tracker
(`care-plan-actions`), written one row at a time through
`careplans.services.care_plan_review_create` / `care_plan_action_create` (their own checks and
a history entry per record)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    BOOL,
    DATE,
    PERSON,
    STAFF,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

KEY_HELP = "Your own reference; re-importing a file skips rows imported before."
CHECKS = ("checked_daily_notes", "checked_incidents", "checked_family_feedback",
          "checked_observed_practice", "mismatch_found")


def _not_future(*columns: str) -> Any:
    def check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
        found = (future_problem(row.row, c, row.values.get(c), ctx.now) for c in columns)
        return [p for p in found if p]
    return check


def _ref(obj: Any, attr: str) -> str:
    return getattr(obj, attr) if obj else ""


def _review_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    fields = {"external_ref": values.get("external_ref") or "", "person": values["person"],
              "key_worker": values.get("key_worker") or None, "due_date": values["due_date"],
              "completed_on": values.get("completed_on") or None,
              "mismatch_detail": values.get("mismatch_detail") or "",
              "changes_made": values.get("changes_made") or ""}
    fields.update({name: bool(values.get(name)) for name in CHECKS})
    return fields


def _review_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.careplans.services import care_plan_review_create

    return care_plan_review_create(actor=actor, organisation=organisation, location=location,
                                   **fields)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _review_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.person.reference, _ref(obj.key_worker, "staff_reference"),
            obj.due_date, obj.completed_on or "", *(_yes(getattr(obj, n)) for n in CHECKS),
            obj.mismatch_detail, obj.changes_made]


REVIEWS = ImportKind(
    name="care-plan-reviews", label="care-plan reviews", model="careplans.careplanreview",
    columns=(
        Column("external_ref", max_length=100, example="CPR-2026-0210", help=KEY_HELP),
        Column("person", PERSON, required=True, example="RH-0042",
               help="The reference of the person supported at the location."),
        Column("key_worker", STAFF, example="S-0107",
               help="Optional: the staff reference of the key worker."),
        Column("due_date", DATE, required=True, example="2026-11-15",
               help="When the review is due (YYYY-MM-DD or DD/MM/YYYY)."),
        Column("completed_on", DATE, example="2026-11-14",
               help="Optional: when it was done; not in the future; needs at least one check."),
        Column("checked_daily_notes", BOOL, example="yes", help="yes or no."),
        Column("checked_incidents", BOOL, example="yes", help="yes or no."),
        Column("checked_family_feedback", BOOL, example="no", help="yes or no."),
        Column("checked_observed_practice", BOOL, example="no", help="yes or no."),
        Column("mismatch_found", BOOL, example="yes",
               help="yes or no; if yes, say what did not match."),
        Column("mismatch_detail", max_length=5000,
               example="Plan says two carers; notes show one at night."),
        Column("changes_made", max_length=5000, example="Night support updated to two carers."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_review_fields,
    permission=Perm.TRACKER_RECORD, create=_review_create, check=_not_future("completed_on"),
    needs_people=True, needs_staff=True,
    export_columns=("external_ref", "person", "key_worker", "due_date", "completed_on",
                    *CHECKS, "mismatch_detail", "changes_made"),
    export_row=_review_row,
    export_queryset=lambda qs, location: qs.select_related("person", "key_worker"),
)


def _find_review(ctx: RowContext, ref: str) -> Any:
    from sustain.careplans.models import CarePlanReview

    return CarePlanReview.objects.filter(organisation=ctx.organisation, location=ctx.location,
                                         external_ref=ref).first()


def _action_check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = _not_future("done_on")(row, ctx)
    ref = row.values.get("review_ref")
    if ref and _find_review(ctx, ref) is None:
        problems.append(RowProblem(row.row, "review_ref",
                                   "No care-plan review at this location has this reference."))
    return problems


def _action_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    ref = values.get("review_ref")
    return {"external_ref": values.get("external_ref") or "", "person": values["person"],
            "review": _find_review(ctx, ref) if ref else None, "what": values["what"],
            "who": values.get("who") or None, "due_date": values["due_date"],
            "done_on": values.get("done_on") or None}


def _action_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.careplans.services import care_plan_action_create

    return care_plan_action_create(actor=actor, organisation=organisation, location=location,
                                   **fields)


def _action_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.person.reference, _ref(obj.review, "external_ref"), obj.what,
            _ref(obj.who, "staff_reference"), obj.due_date, obj.done_on or ""]


ACTIONS = ImportKind(
    name="care-plan-actions", label="care-plan actions", model="careplans.careplanaction",
    columns=(
        Column("external_ref", max_length=100, example="CPA-2026-0388", help=KEY_HELP),
        Column("person", PERSON, required=True, example="RH-0042",
               help="The reference of the person supported at the location."),
        Column("review_ref", max_length=100, example="",
               help="Optional: the external_ref of the care-plan review it came from "
                    "(imported earlier, same person)."),
        Column("what", required=True, max_length=5000,
               example="Update moving and handling plan for two carers at night."),
        Column("who", STAFF, example="S-0107",
               help="Optional: the staff reference of who will do it."),
        Column("due_date", DATE, required=True, example="2026-11-21"),
        Column("done_on", DATE, example="", help="Optional: when it was done; not in the future."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_action_fields,
    permission=Perm.TRACKER_RECORD, create=_action_create, check=_action_check,
    needs_people=True, needs_staff=True, field_columns={"review": "review_ref"},
    export_columns=("external_ref", "person", "review_ref", "what", "who", "due_date",
                    "done_on"),
    export_row=_action_row,
    export_queryset=lambda qs, location: qs.select_related("person", "review", "who"),
)

KINDS = [REVIEWS, ACTIONS]
