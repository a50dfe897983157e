"""Import kinds for complaints (`complaints`) and compliments (`compliments`), written one row
at a time through `incidents.services.complaint_create` / `compliment_create` (their own
checks and a history entry per record)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATE,
    PERSON,
    Column,
    ParsedRow,
    RowProblem,
    future_problem,
)
from sustain.imports.registry import ImportKind, RowContext

FROM = ("person", "family", "professional", "other")
UPHELD = ("yes", "no", "partly")
KEY_HELP = "Your own reference; re-importing a file skips rows imported before."


def _not_future(*columns: str) -> Any:
    def check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
        found = (future_problem(row.row, c, row.values.get(c), ctx.now) for c in columns)
        return [p for p in found if p]
    return check


def _complaint_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "",
            "received_on": values["received_on"], "received_from": values["received_from"],
            "category": values["category"], "summary": values["summary"],
            "person": values.get("person") or None,
            "response_due": values.get("response_due") or None,
            "response_sent_on": values.get("response_sent_on") or None,
            "outcome": values.get("outcome") or "", "upheld": values.get("upheld") or ""}


def _complaint_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.incidents.services import complaint_create

    if fields.get("response_due") is None:
        fields.pop("response_due", None)  # the service works out 28 days after receipt
    return complaint_create(actor=actor, organisation=organisation, location=location,
                            **fields)


def _complaint_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.received_on, obj.received_from, obj.category, obj.summary,
            obj.person.reference if obj.person_id else "", obj.response_due or "",
            obj.response_sent_on or "", obj.outcome, obj.upheld]


COMPLAINTS = ImportKind(
    name="complaints", label="complaints", model="incidents.complaint",
    columns=(
        Column("external_ref", max_length=100, example="CMP-2026-0007", help=KEY_HELP),
        Column("received_on", DATE, required=True, example="2026-11-02",
               help="The date it was received (YYYY-MM-DD or DD/MM/YYYY); not in the future."),
        Column("received_from", CHOICE, required=True, choices=FROM, example="family"),
        Column("category", required=True, max_length=100, example="Care and support"),
        Column("summary", required=True, max_length=5000,
               example="Daughter unhappy that a call was 50 minutes late."),
        Column("person", PERSON, example="RH-0042",
               help="Optional: the reference of the person supported at the location."),
        Column("response_due", DATE, example="2026-11-30",
               help="Optional: left blank, 28 days after receipt."),
        Column("response_sent_on", DATE, example="2026-11-16",
               help="Optional: when the response was sent; not before receipt."),
        Column("outcome", max_length=5000, example="Apology; rota changed."),
        Column("upheld", CHOICE, choices=UPHELD, example="partly"),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_complaint_fields,
    permission=Perm.TRACKER_RECORD, create=_complaint_create,
    check=_not_future("received_on", "response_sent_on"), needs_people=True,
    export_columns=("external_ref", "received_on", "received_from", "category", "summary",
                    "person", "response_due", "response_sent_on", "outcome", "upheld"),
    export_row=_complaint_row,
    export_queryset=lambda qs, location: qs.select_related("person"),
)


def _compliment_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"external_ref": values.get("external_ref") or "",
            "received_on": values["received_on"], "received_from": values["received_from"],
            "summary": values["summary"]}


def _compliment_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.incidents.services import compliment_create

    return compliment_create(actor=actor, organisation=organisation, location=location,
                             **fields)


COMPLIMENTS = ImportKind(
    name="compliments", label="compliments", model="incidents.compliment",
    columns=(
        Column("external_ref", max_length=100, example="CPL-2026-0031", help=KEY_HELP),
        Column("received_on", DATE, required=True, example="2026-11-10",
               help="The date it was received; not in the future."),
        Column("received_from", CHOICE, required=True, choices=FROM, example="family"),
        Column("summary", required=True, max_length=5000,
               example="Thank-you card for the care of their father."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_compliment_fields,
    permission=Perm.TRACKER_RECORD, create=_compliment_create,
    check=_not_future("received_on"),
    export_columns=("external_ref", "received_on", "received_from", "summary"),
    export_row=lambda obj: [obj.external_ref, obj.received_on, obj.received_from, obj.summary],
)

KINDS = [COMPLAINTS, COMPLIMENTS]
