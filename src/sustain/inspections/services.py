"""Use cases for CQC inspections: record one whole (header, ratings, breaches, enforcement and
findings) or not at all, correct it row by row (a correction is a new version, never a delete),
archive one recorded in error, and turn a finding into an improvement theme.

Error keys name the row and the field: `inspection_date`, `ratings.safe`,
`breaches.1.regulation`, `enforcement.0.deadline`, `findings.2.quality_statements`. Row
numbers count from 0, as in the JSON payload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.inspections import permissions as perms
from sustain.inspections.models import (
    EnforcementAction,
    EnforcementStatus,
    Finding,
    Inspection,
    InspectionType,
    KeyQuestionRating,
    Rating,
    RegulationBreach,
)
from sustain.reference.models import EnforcementType, KeyQuestion, QualityStatement, Regulation
from sustain.reference.selectors import statements_in_force

Errors = dict[str, list[str]]

HEADER_FIELDS = ("inspection_date", "publication_date", "inspection_type", "overall_rating",
                 "report_url", "summary")
BREACH_FIELDS = ("regulation", "summary")
ENFORCEMENT_FIELDS = ("enforcement_type", "issued_on", "deadline", "status", "notes")
ENFORCEMENT_UPDATE_FIELDS = ("status", "deadline", "notes")
FINDING_FIELDS = ("text", "key_question", "quality_statements")
RATING_LIST = ", ".join(Rating.values)


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _check_change(actor: Any, location_id: int, what: str) -> None:
    if not _system(actor) and not perms.can_change_inspection(actor, location_id):
        raise PermissionDenied(f"Your role cannot {what} at this location.")


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _model_errors(obj: Model, prefix: str, errors: Errors, exclude: Sequence[str] = ()) -> None:
    """Run the model's own validation; file each message under `prefix` + field."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = f"{prefix}{field}" if field != "__all__" else (prefix.rstrip(".")
                                                                  or "non_field_errors")
            if key in errors:  # a plainer message about this field is already there
                continue
            for message in messages:
                _add(errors, key, message)


def _refuse(errors: Errors, what: str = "Nothing was saved") -> None:
    if errors:
        raise InvalidInput(f"{what}. Please correct: " + ", ".join(errors) + ".", errors)


def _as_date(value: Any, key: str, errors: Errors) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _add(errors, key, "Enter a real date, for example 2026-11-27.")
        return None


def _unknown_keys(row: Any, allowed: Sequence[str], prefix: str, errors: Errors) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        _add(errors, prefix.rstrip("."), "Each row must be an object with named fields.")
        return {}
    for key in sorted(set(row) - set(allowed)):
        _add(errors, f"{prefix}{key}", "Unknown field.")
    return dict(row)


class _Library:
    """The reference rows an inspection may name, read once per call."""

    def __init__(self) -> None:
        self.key_questions = {k.code: k for k in KeyQuestion.objects.filter(
            archived_at__isnull=True).order_by("position")}
        self._regulations: dict[str, Regulation] | None = None
        self._types: dict[str, EnforcementType] | None = None
        self._statements: dict[str, QualityStatement] | None = None

    def _pick(self, value: Any, model: type[Model], table: dict[str, Any], key: str,
              errors: Errors, noun: str) -> Any:
        if value in (None, ""):
            _add(errors, key, f"Choose the {noun}.")
            return None
        if isinstance(value, model):
            if getattr(value, "archived_at", None) is not None:
                _add(errors, key, f"This {noun} is no longer in the reference library.")
                return None
            return value
        found = table.get(str(value))
        if found is None:
            _add(errors, key, f"Unknown {noun} “{value}”.")
        return found

    def key_question(self, value: Any, key: str, errors: Errors) -> KeyQuestion | None:
        return self._pick(value, KeyQuestion, self.key_questions, key, errors, "key question")

    def regulation(self, value: Any, key: str, errors: Errors) -> Regulation | None:
        if self._regulations is None:
            self._regulations = {r.code: r for r in Regulation.objects.filter(
                archived_at__isnull=True)}
        return self._pick(value, Regulation, self._regulations, key, errors, "regulation")

    def enforcement_type(self, value: Any, key: str, errors: Errors) -> EnforcementType | None:
        if self._types is None:
            self._types = {t.code: t for t in EnforcementType.objects.filter(
                archived_at__isnull=True)}
        return self._pick(value, EnforcementType, self._types, key, errors, "enforcement type")

    def statements(self, values: Any, key: str, errors: Errors) -> list[QualityStatement]:
        if values in (None, ""):
            return []
        if isinstance(values, str | QualityStatement) or not isinstance(values, Iterable):
            values = [values]
        if self._statements is None:
            self._statements = {s.code: s for s in statements_in_force()}
        chosen: list[QualityStatement] = []
        for value in values:
            found = value if isinstance(value, QualityStatement) else \
                self._statements.get(str(value))
            if found is None:
                _add(errors, key, f"Unknown quality statement “{value}”.")
            elif found not in chosen:
                chosen.append(found)
        return chosen


# --- recording an inspection ------------------------------------------------------------


def _header_errors(inspection: Inspection, errors: Errors, *, today: dt.date,
                   exclude_pk: int | None = None) -> None:
    if inspection.inspection_date is None and "inspection_date" not in errors:
        _add(errors, "inspection_date", "Enter the date of the inspection.")
    if not inspection.inspection_type:
        _add(errors, "inspection_type", "Choose the type of inspection.")
    elif inspection.inspection_type not in InspectionType.values:
        _add(errors, "inspection_type", "Choose one of: "
             + ", ".join(InspectionType.values) + ".")
    if not inspection.overall_rating:
        _add(errors, "overall_rating", "Choose the overall rating.")
    elif inspection.overall_rating not in Rating.values:
        _add(errors, "overall_rating", f"Choose one of: {RATING_LIST}.")
    _model_errors(inspection, "", errors, exclude=("organisation",))
    if inspection.inspection_date and inspection.inspection_date > today:
        _add(errors, "inspection_date", "The inspection date cannot be in the future.")
    if inspection.inspection_date and inspection.location_id:
        twins = Inspection.objects.filter(location_id=inspection.location_id,
                                          inspection_date=inspection.inspection_date,
                                          archived_at__isnull=True)
        if exclude_pk is not None:
            twins = twins.exclude(pk=exclude_pk)
        if twins.exists():
            _add(errors, "inspection_date",
                 "An inspection of this location on this date is already recorded.")


def _rating_rows(ratings: Any, library: _Library, errors: Errors) -> list[tuple[Any, str]]:
    if not isinstance(ratings, Mapping):
        _add(errors, "ratings", "Give a rating for each key question.")
        return []
    given = {(k.code if isinstance(k, KeyQuestion) else str(k)): v for k, v in ratings.items()}
    if not library.key_questions:
        _add(errors, "ratings", "The reference library is not loaded: run `sustain "
                                "load-reference`.")
    for code in sorted(set(given) - set(library.key_questions)):
        _add(errors, f"ratings.{code}", f"Unknown key question “{code}”.")
    rows = []
    for code, key_question in library.key_questions.items():
        value = given.get(code)
        if value in (None, ""):
            _add(errors, f"ratings.{code}", f"Choose the rating for {key_question.name} "
                                            "(“Not rated” if it was not looked at).")
        elif str(value) not in Rating.values:
            _add(errors, f"ratings.{code}", f"Choose one of: {RATING_LIST}.")
        else:
            rows.append((key_question, str(value)))
    return rows


def _breach_rows(rows: Any, base: Inspection, library: _Library,
                 errors: Errors) -> list[RegulationBreach]:
    built: list[RegulationBreach] = []
    seen: dict[int, int] = {}
    for i, raw in enumerate(rows or []):
        prefix = f"breaches.{i}."
        row = _unknown_keys(raw, BREACH_FIELDS, prefix, errors)
        regulation = library.regulation(row.get("regulation"), prefix + "regulation", errors)
        if regulation is not None:
            if regulation.pk in seen:
                _add(errors, prefix + "regulation",
                     f"This regulation is already listed in breach {seen[regulation.pk] + 1}.")
            seen.setdefault(regulation.pk, i)
        summary = str(row.get("summary") or "").strip()
        breach = RegulationBreach(organisation_id=base.organisation_id, location=base.location,
                                  regulation=regulation, summary=summary)
        if not summary:
            _add(errors, prefix + "summary", "Summarise the breach.")
        _model_errors(breach, prefix, errors,
                      exclude=("inspection", "regulation", "summary", "organisation"))
        built.append(breach)
    return built


def _enforcement_rows(rows: Any, base: Inspection, library: _Library, errors: Errors, *,
                      today: dt.date) -> list[EnforcementAction]:
    built: list[EnforcementAction] = []
    for i, raw in enumerate(rows or []):
        prefix = f"enforcement.{i}."
        row = _unknown_keys(raw, ENFORCEMENT_FIELDS, prefix, errors)
        kind = library.enforcement_type(row.get("enforcement_type"), prefix + "enforcement_type",
                                        errors)
        issued_on = _as_date(row.get("issued_on"), prefix + "issued_on", errors)
        deadline = _as_date(row.get("deadline"), prefix + "deadline", errors)
        if issued_on is None and prefix + "issued_on" not in errors:
            _add(errors, prefix + "issued_on", "Enter the date the enforcement was issued.")
        elif issued_on is not None:
            if issued_on > today:
                _add(errors, prefix + "issued_on", "The issue date cannot be in the future.")
            if base.inspection_date and issued_on < base.inspection_date:
                _add(errors, prefix + "issued_on",
                     "Enforcement cannot be issued before the inspection.")
        action = EnforcementAction(
            organisation_id=base.organisation_id, location=base.location, enforcement_type=kind,
            issued_on=issued_on, deadline=deadline,
            status=row.get("status") or EnforcementStatus.OPEN,
            notes=str(row.get("notes") or "").strip())
        _model_errors(action, prefix, errors,
                      exclude=("inspection", "enforcement_type", "issued_on", "organisation"))
        built.append(action)
    return built


def _finding_rows(rows: Any, base: Inspection, library: _Library,
                  errors: Errors) -> list[tuple[Finding, list[QualityStatement]]]:
    built: list[tuple[Finding, list[QualityStatement]]] = []
    for i, raw in enumerate(rows or []):
        prefix = f"findings.{i}."
        row = _unknown_keys(raw, FINDING_FIELDS, prefix, errors)
        text = str(row.get("text") or "").strip()
        if not text:
            _add(errors, prefix + "text", "Enter what the inspectors found.")
        key_question = library.key_question(row.get("key_question"), prefix + "key_question",
                                            errors)
        statements = library.statements(row.get("quality_statements"),
                                        prefix + "quality_statements", errors)
        finding = Finding(organisation_id=base.organisation_id, location=base.location,
                          text=text, key_question=key_question)
        _model_errors(finding, prefix, errors,
                      exclude=("inspection", "text", "key_question", "organisation"))
        built.append((finding, statements))
    return built


def _prepare(*, actor: Any, organisation: Any, location: Any, inspection_date: Any,
             inspection_type: str, overall_rating: str, publication_date: Any = None,
             report_url: str = "", summary: str = "", ratings: Mapping[Any, str] | None = None,
             breaches: Sequence[Mapping[str, Any]] = (),
             enforcement: Sequence[Mapping[str, Any]] = (),
             findings: Sequence[Mapping[str, Any]] = (),
             today: dt.date | None = None) -> tuple[Any, ...]:
    """Check permission and validate everything; the unsaved rows, or InvalidInput naming
    every problem."""
    if location is None or location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["Not found in this organisation."]})
    _check_change(actor, location.pk, "record inspections")
    today = today or timezone.localdate()
    errors: Errors = {}
    inspection = Inspection(
        organisation=organisation, location=location,
        inspection_date=_as_date(inspection_date, "inspection_date", errors),
        publication_date=_as_date(publication_date, "publication_date", errors),
        inspection_type=inspection_type or "", overall_rating=overall_rating or "",
        report_url=(report_url or "").strip(), summary=(summary or "").strip())
    _header_errors(inspection, errors, today=today)
    library = _Library()
    rating_rows = _rating_rows(ratings if ratings is not None else {}, library, errors)
    breach_rows = _breach_rows(breaches, inspection, library, errors)
    enforcement_rows = _enforcement_rows(enforcement, inspection, library, errors, today=today)
    finding_rows = _finding_rows(findings, inspection, library, errors)
    _refuse(errors, "The inspection was not recorded")
    return inspection, rating_rows, breach_rows, enforcement_rows, finding_rows


def inspection_check(**kwargs: Any) -> None:
    """Validate an inspection exactly as `inspection_record` would, writing nothing (raises
    InvalidInput or PermissionDenied). Forms use it to report every problem in one pass."""
    _prepare(**kwargs)


def inspection_record(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Inspection:
    """Record a CQC inspection of a location with all its parts, or nothing at all.

    Fields: `inspection_date`, `inspection_type`, `overall_rating`, `publication_date`,
    `report_url`, `summary`, `ratings` ({key question code: rating}), `breaches`
    ([{regulation, summary}]), `enforcement` ([{enforcement_type, issued_on, deadline,
    status, notes}]), `findings` ([{text, key_question, quality_statements}]); references by
    code or by object. Everything is validated first — the header, a rating for each of the
    five key questions, and every row — and every problem is reported at once, keyed by row
    and field. Then every row is written in one transaction through `tracked_create`, so each
    has its own history entry.
    """
    inspection, rating_rows, breach_rows, enforcement_rows, finding_rows = _prepare(
        actor=actor, organisation=organisation, location=location, **fields)
    with transaction.atomic():
        tracked_create(actor=actor, obj=inspection)
        for key_question, rating in rating_rows:
            tracked_create(actor=actor, obj=KeyQuestionRating(
                organisation=organisation, location=location, inspection=inspection,
                key_question=key_question, rating=rating))
        for row in [*breach_rows, *enforcement_rows]:
            row.inspection = inspection
            tracked_create(actor=actor, obj=row)
        for finding, statements in finding_rows:
            finding.inspection = inspection
            tracked_create(actor=actor, obj=finding, m2m={"quality_statements": statements})
    return inspection


# --- corrections: each a new version of the row ------------------------------------------


def _unknown_changes(changes: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput("These fields cannot be changed here: " + ", ".join(unknown) + ".",
                           {f: ["Unknown field."] for f in unknown})


def inspection_update(*, actor: Any, inspection: Inspection, changes: Mapping[str, Any],
                      expected_version: int | None, today: dt.date | None = None) -> Inspection:
    """Correct the header (dates, type, overall rating, report link, summary): a new version."""
    _unknown_changes(changes, HEADER_FIELDS)
    _check_change(actor, inspection.location_id, "correct inspections")
    errors: Errors = {}
    values = dict(changes)
    for name in ("inspection_date", "publication_date"):
        if name in values:
            values[name] = _as_date(values[name], name, errors)
    for name in ("report_url", "summary"):
        if name in values:
            values[name] = (values[name] or "").strip()
    draft = Inspection.objects.select_related("location").get(pk=inspection.pk)
    for name, value in values.items():
        setattr(draft, name, value)
    _header_errors(draft, errors, today=today or timezone.localdate(), exclude_pk=draft.pk)
    _refuse(errors)
    return tracked_update(actor=actor, obj=inspection, changes=values,
                          expected_version=expected_version)


def inspection_archive(*, actor: Any, inspection: Inspection, reason: str,
                       restore: bool = False) -> Inspection:
    """Archive an inspection recorded in error (it stays in history; rows are kept with it),
    or bring it back."""
    _check_change(actor, inspection.location_id, "archive inspections")
    if not restore and len((reason or "").strip()) < 5:
        raise InvalidInput("Say why the inspection is archived, for example “recorded in "
                           "error”.", {"reason": ["Give a reason."]})
    if restore:
        twins = Inspection.objects.filter(location_id=inspection.location_id,
                                          inspection_date=inspection.inspection_date,
                                          archived_at__isnull=True).exclude(pk=inspection.pk)
        if twins.exists():
            raise InvalidInput("Another inspection of this location on this date is recorded.",
                               {"inspection_date": ["Archive the other one first."]})
    return tracked_archive(actor=actor, obj=inspection, reason=(reason or "").strip(),
                           restore=restore)


def _live_inspection(inspection: Inspection) -> None:
    if inspection.archived_at is not None:
        raise InvalidInput("This inspection is archived; restore it before changing it.",
                           {"inspection": ["Archived."]})


def rating_update(*, actor: Any, rating: KeyQuestionRating, value: str,
                  expected_version: int | None) -> KeyQuestionRating:
    """Correct the rating of one key question."""
    _check_change(actor, rating.location_id, "correct inspections")
    _live_inspection(rating.inspection)
    if value not in Rating.values:
        raise InvalidInput("Choose a rating from the list.",
                           {"rating": [f"Choose one of: {RATING_LIST}."]})
    return tracked_update(actor=actor, obj=rating, changes={"rating": value},
                          expected_version=expected_version)


def breach_add(*, actor: Any, inspection: Inspection, regulation: Any,
               summary: str) -> RegulationBreach:
    """Add a regulation breach left out when the inspection was recorded."""
    _check_change(actor, inspection.location_id, "correct inspections")
    _live_inspection(inspection)
    errors: Errors = {}
    rows = _breach_rows([{"regulation": regulation, "summary": summary}], inspection,
                        _Library(), errors)
    errors = {k.removeprefix("breaches.0."): v for k, v in errors.items()}
    if rows and rows[0].regulation_id and inspection.regulationbreachs.filter(
            regulation_id=rows[0].regulation_id, archived_at__isnull=True).exists():
        _add(errors, "regulation", "This regulation is already listed as breached.")
    _refuse(errors)
    rows[0].inspection = inspection
    return tracked_create(actor=actor, obj=rows[0])


def breach_update(*, actor: Any, breach: RegulationBreach, changes: Mapping[str, Any],
                  expected_version: int | None) -> RegulationBreach:
    """Correct a breach's regulation or summary."""
    _unknown_changes(changes, BREACH_FIELDS)
    _check_change(actor, breach.location_id, "correct inspections")
    _live_inspection(breach.inspection)
    errors: Errors = {}
    values = dict(changes)
    if "regulation" in values:
        values["regulation"] = _Library().regulation(values["regulation"], "regulation", errors)
    if "summary" in values:
        values["summary"] = str(values["summary"] or "").strip()
        if not values["summary"]:
            _add(errors, "summary", "Summarise the breach.")
    _refuse(errors)
    return tracked_update(actor=actor, obj=breach, changes=values,
                          expected_version=expected_version)


def enforcement_add(*, actor: Any, inspection: Inspection, today: dt.date | None = None,
                    **row: Any) -> EnforcementAction:
    """Add enforcement that followed the inspection (e.g. a warning notice issued later)."""
    _check_change(actor, inspection.location_id, "record enforcement")
    _live_inspection(inspection)
    errors: Errors = {}
    rows = _enforcement_rows([row], inspection, _Library(), errors,
                             today=today or timezone.localdate())
    _refuse({k.removeprefix("enforcement.0."): v for k, v in errors.items()})
    rows[0].inspection = inspection
    return tracked_create(actor=actor, obj=rows[0])


def enforcement_update(*, actor: Any, enforcement: EnforcementAction,
                       changes: Mapping[str, Any],
                       expected_version: int | None) -> EnforcementAction:
    """Move enforcement on: its status (open, met, withdrawn, escalated), deadline or notes."""
    _unknown_changes(changes, ENFORCEMENT_UPDATE_FIELDS)
    _check_change(actor, enforcement.location_id, "update enforcement")
    errors: Errors = {}
    values = dict(changes)
    if "deadline" in values:
        values["deadline"] = _as_date(values["deadline"], "deadline", errors)
    if "notes" in values:
        values["notes"] = str(values["notes"] or "").strip()
    if "status" in values and values["status"] not in EnforcementStatus.values:
        _add(errors, "status", "Choose one of: " + ", ".join(EnforcementStatus.values) + ".")
    _refuse(errors)
    return tracked_update(actor=actor, obj=enforcement, changes=values,
                          expected_version=expected_version)


def finding_add(*, actor: Any, inspection: Inspection, text: str, key_question: Any,
                quality_statements: Sequence[Any] = ()) -> Finding:
    """Add a finding from the report to a recorded inspection."""
    _check_change(actor, inspection.location_id, "record findings")
    _live_inspection(inspection)
    errors: Errors = {}
    rows = _finding_rows([{"text": text, "key_question": key_question,
                           "quality_statements": list(quality_statements)}],
                         inspection, _Library(), errors)
    _refuse({k.removeprefix("findings.0."): v for k, v in errors.items()})
    finding, statements = rows[0]
    finding.inspection = inspection
    return tracked_create(actor=actor, obj=finding, m2m={"quality_statements": statements})


def finding_update(*, actor: Any, finding: Finding, changes: Mapping[str, Any],
                   expected_version: int | None) -> Finding:
    """Correct a finding's text, key question or quality statements."""
    _unknown_changes(changes, FINDING_FIELDS)
    _check_change(actor, finding.location_id, "correct findings")
    _live_inspection(finding.inspection)
    errors: Errors = {}
    library = _Library()
    values = dict(changes)
    m2m = None
    if "quality_statements" in values:
        m2m = {"quality_statements": library.statements(
            values.pop("quality_statements"), "quality_statements", errors)}
    if "key_question" in values:
        values["key_question"] = library.key_question(values["key_question"], "key_question",
                                                      errors)
    if "text" in values:
        values["text"] = str(values["text"] or "").strip()
        if not values["text"]:
            _add(errors, "text", "Enter what the inspectors found.")
    _refuse(errors)
    return tracked_update(actor=actor, obj=finding, changes=values,
                          expected_version=expected_version, m2m=m2m)


# --- from a finding to a theme (kept in services_theme.py) -------------------------------

from sustain.inspections.services_theme import (  # noqa: E402
    finding_create_theme,
    finding_regulations,
)

__all__ = ["breach_add", "breach_update", "enforcement_add", "enforcement_update",
           "finding_add", "finding_create_theme", "finding_regulations", "finding_update",
           "inspection_archive", "inspection_check", "inspection_record", "inspection_update",
           "rating_update"]
