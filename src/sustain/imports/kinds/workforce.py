"""Import kinds for supervisions (`supervisions`), competency assessments
(`competency-assessments`), training records (`training-records`), "what changed and why"
briefings (`briefings`) and staff attestations to them (`attestations`), written one row at a
time through the `workforce.services` `<thing>_create` functions (their own checks and a
history entry per record)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from sustain.engine.access import Perm
from sustain.engine.import_rows import (
    CHOICE,
    DATE,
    DATETIME,
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


# --- briefings ------------------------------------------------------------------------------

DELIVERED_VIA = ("team_meeting", "handover", "induction", "other")


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _themes(ctx: RowContext) -> dict[str, list[Any]]:
    """The location's themes by lower-case title and by id (loaded once per import)."""
    if "themes" not in ctx.cache:
        from sustain.themes.models import Theme

        found: dict[str, list[Any]] = {}
        for theme in Theme.objects.filter(organisation=ctx.organisation, location=ctx.location,
                                          archived_at__isnull=True):
            found.setdefault(theme.title.strip().lower(), []).append(theme)
            found.setdefault(str(theme.uuid), []).append(theme)
        ctx.cache["themes"] = found
    themes: dict[str, list[Any]] = ctx.cache["themes"]
    return themes


def _theme_for(ctx: RowContext, value: str) -> tuple[Any, str]:
    """(theme, "") or (None, the problem)."""
    as_id = _as_uuid(value)
    matches = _themes(ctx).get(str(as_id) if as_id else value.strip().lower(), [])
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, (f"{len(matches)} themes at {ctx.location.name} are called {value!r}; "
                      "give the theme's id instead.")
    return None, f"No theme at {ctx.location.name} is called {value!r}."


def _briefing_check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = _not_future("delivered_at")(row, ctx)
    if row.values.get("theme"):
        theme, problem = _theme_for(ctx, row.values["theme"])
        if theme is None:
            problems.append(RowProblem(row.row, "theme", problem))
    return problems


def _briefing_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    theme, _ = _theme_for(ctx, values["theme"])
    title = values.get("title") or f"What changed: {theme.title}"[:200]
    return {"theme": theme, "title": title, "what_changed": values["what_changed"],
            "why": values["why"], "what_good_looks_like": values["what_good_looks_like"],
            "delivered_at": timezone.make_aware(values["delivered_at"]),
            "delivered_via": values["delivered_via"],
            "delivered_by": values.get("delivered_by") or None,
            "external_ref": values.get("external_ref") or ""}


def _briefing_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.theme.title, obj.title, obj.what_changed, obj.why,
            obj.what_good_looks_like, timezone.localtime(obj.delivered_at), obj.delivered_via,
            obj.delivered_by.staff_reference if obj.delivered_by_id else ""]


BRIEFINGS = ImportKind(
    name="briefings", label="briefings", model="workforce.briefing",
    columns=(
        Column("external_ref", max_length=100, example="BRF-2026-0031", help=KEY_HELP),
        Column("theme", required=True, max_length=200, example="Medicines recording",
               help="The title of the theme at the location, as shown on its page (or the "
                    "theme's id when two themes share a title)."),
        Column("title", max_length=200, example="Night MAR checks",
               help="Optional: a short title; left blank, “What changed: ” and the theme."),
        Column("what_changed", required=True, max_length=5000,
               example="Night staff check every MAR chart before handover."),
        Column("why", required=True, max_length=5000,
               example="Missed signatures were found a day late by the day team."),
        Column("what_good_looks_like", required=True, max_length=5000,
               example="No gaps at handover; any gap reported to the shift lead at once."),
        Column("delivered_at", DATETIME, required=True, example="2026-11-18 07:45",
               help="When it was delivered (UK time; a date alone means midnight); not in "
                    "the future."),
        Column("delivered_via", CHOICE, required=True, choices=DELIVERED_VIA,
               example="handover", help="How it was delivered."),
        Column("delivered_by", STAFF, example="S-0107",
               help="Optional: the staff reference of who delivered it."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_briefing_fields,
    permission=Perm.WORKFORCE_CHANGE, create=_service("briefing_create"),
    check=_briefing_check, needs_staff=True,
    export_columns=("external_ref", "theme", "title", "what_changed", "why",
                    "what_good_looks_like", "delivered_at", "delivered_via", "delivered_by"),
    export_row=_briefing_row,
    export_queryset=lambda qs, location: qs.select_related("theme", "delivered_by"),
)


# --- attestations ---------------------------------------------------------------------------


def _briefing_for(ctx: RowContext, value: str) -> Any:
    """The briefing at the location with this external_ref (or id), or None."""
    from sustain.workforce.models import Briefing

    briefings: dict[str, Any] = ctx.cache.setdefault("briefings", {})
    key = value.strip().lower()
    if key not in briefings:
        qs = Briefing.objects.filter(organisation=ctx.organisation, location=ctx.location,
                                     archived_at__isnull=True)
        as_id = _as_uuid(value)
        briefings[key] = (qs.filter(uuid=as_id) if as_id else
                          qs.filter(external_ref__iexact=value.strip())).first()
    return briefings[key]


def _attestation_check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems = _not_future("attested_at")(row, ctx)
    ref = row.values.get("briefing")
    if not ref:
        return problems
    briefing = _briefing_for(ctx, ref)
    if briefing is None:
        problems.append(RowProblem(
            row.row, "briefing",
            f"No briefing at {ctx.location.name} has the reference {ref!r} (import the "
            "briefings first)."))
        return problems
    attested = row.values.get("attested_at")
    delivered = timezone.localtime(briefing.delivered_at).replace(tzinfo=None)
    if attested is not None and attested < delivered:
        problems.append(RowProblem(
            row.row, "attested_at",
            f"This is before the briefing was delivered ({delivered:%d %b %Y %H:%M})."))
    return problems


def _attestation_fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"briefing": _briefing_for(ctx, values["briefing"]), "staff": values["staff"],
            "attested_at": timezone.make_aware(values["attested_at"]),
            "statement_confirmed": True, "short_answer": values.get("short_answer") or "",
            "external_ref": values.get("external_ref") or ""}


def _attestation_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Any:
    from sustain.workforce.services import attestation_create

    return attestation_create(actor=actor, organisation=organisation, location=location,
                              **fields)


def _attestation_row(obj: Any) -> Sequence[Any]:
    return [obj.external_ref, obj.briefing.external_ref or str(obj.briefing.uuid),
            obj.staff.staff_reference, timezone.localtime(obj.attested_at), obj.short_answer]


ATTESTATIONS = ImportKind(
    name="attestations", label="briefing attestations", model="workforce.attestation",
    columns=(
        Column("external_ref", max_length=100, example="ATT-2026-0412", help=KEY_HELP),
        Column("briefing", required=True, max_length=100, example="BRF-2026-0031",
               help="The external_ref of the briefing at the location (imported or recorded "
                    "before), or its id."),
        Column("staff", STAFF, required=True, example="S-0212",
               help="The staff reference of who attested; they must work at the location. "
                    "Each row records that they confirmed “I can explain what changed and "
                    "why”; one attestation per person per briefing."),
        Column("attested_at", DATETIME, required=True, example="2026-11-18 08:10",
               help="When they attested (UK time); not in the future, not before the "
                    "briefing was delivered."),
        Column("short_answer", max_length=2000,
               example="We check every chart before handover so gaps are fixed the same day.",
               help="Optional: their answer in their own words."),
    ),
    key_column="external_ref", key_field="external_ref", to_fields=_attestation_fields,
    permission=Perm.WORKFORCE_CHANGE, create=_attestation_create, check=_attestation_check,
    needs_staff=True, field_columns={"statement_confirmed": "staff"},
    export_columns=("external_ref", "briefing", "staff", "attested_at", "short_answer"),
    export_row=_attestation_row,
    export_queryset=lambda qs, location: qs.select_related("briefing", "staff"),
)

KINDS = [SUPERVISIONS, COMPETENCY_ASSESSMENTS, TRAINING_RECORDS, BRIEFINGS, ATTESTATIONS]
