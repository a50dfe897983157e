"""Writes for workforce records and briefings. Every write checks permission, validates (the
field is named on refusal, nothing is written) and records history.

Row-level creates for the import framework (one record each, keyword arguments as the import
columns; see docs/guide/workforce.md): `supervision_create`, `competency_assessment_create`,
`training_record_create`, `briefing_create`, `attestation_create`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.workforce_rules import DEFAULT_INTERVAL_WEEKS, next_due
from sustain.workforce import permissions as perms
from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)

SUPERVISION_FIELDS = ("date", "supervisor", "supervisee", "topics", "notes", "agreed_actions",
                      "next_due", "external_ref")
COMPETENCY_FIELDS = ("assessment_type", "other_type", "assessor", "staff", "date", "outcome",
                     "next_due", "notes", "external_ref")
TRAINING_FIELDS = ("staff", "course", "completed_on", "expires_on", "external_ref")
BRIEFING_FIELDS = ("theme", "title", "what_changed", "why", "what_good_looks_like",
                   "delivered_at", "delivered_via", "delivered_by", "external_ref")
MIN_REASON = 10


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _unknown(fields: Iterable[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(fields) - set(allowed) - {"themes"})
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


def _same_org(organisation_id: int, field: str, obj: Any) -> None:
    if obj is not None and obj.organisation_id != organisation_id:
        raise InvalidInput(f"The {field.replace('_', ' ')} belongs to another organisation.",
                           {field: ["Not found in this organisation."]})


def _themes(organisation_id: int, location: Any, themes: Any) -> list[Any]:
    themes = list(themes or [])
    for theme in themes:
        _same_org(organisation_id, "themes", theme)
        if theme.location_id != location.pk:
            raise InvalidInput("A tagged theme is at another location.",
                               {"themes": [f"“{theme.title}” is at another location."]})
    return themes


def _require_change(actor: Any, location_id: int, what: str) -> None:
    if not _system(actor) and not perms.can_change_workforce(actor, location_id):
        raise PermissionDenied(f"Your role cannot record {what} at this location.")


def supervision_interval_weeks(organisation: Any) -> int:
    """The organisation's supervision interval in weeks (`Organisation.supervision_interval_weeks`,
    set by its administrators; `SUSTAIN_SUPERVISION_INTERVAL_WEEKS`, default 8, without one)."""
    configured = getattr(organisation, "supervision_interval_weeks", None) or getattr(
        settings, "SUSTAIN_SUPERVISION_INTERVAL_WEEKS", None)
    return int(configured or DEFAULT_INTERVAL_WEEKS)


def _create(actor: Any, organisation: Any, location: Any, model: type, allowed: Sequence[str],
            what: str, fields: dict[str, Any], staff_fields: Sequence[str]) -> Any:
    _unknown(fields, allowed)
    _same_org(organisation.pk, "location", location)
    for name in staff_fields:
        _same_org(organisation.pk, name, fields.get(name))
    _require_change(actor, location.pk, what)
    themes = _themes(organisation.pk, location, fields.pop("themes", None))
    return tracked_create(actor=actor, obj=model(organisation=organisation, location=location,
                                                 **fields), m2m={"themes": themes})


def _update(actor: Any, obj: Any, changes: dict[str, Any], allowed: Sequence[str], what: str,
            expected_version: int | None, staff_fields: Sequence[str]) -> Any:
    changes = dict(changes)
    m2m = None
    if "themes" in changes:
        m2m = {"themes": _themes(obj.organisation_id, obj.location, changes.pop("themes"))}
    _unknown(changes, allowed)
    if "location" in changes and changes["location"] != obj.location:
        raise InvalidInput("A record stays at its location.", {"location": ["This cannot "
                                                                            "change."]})
    changes.pop("location", None)
    for name in staff_fields:
        _same_org(obj.organisation_id, name, changes.get(name))
    _require_change(actor, obj.location_id, what)
    return tracked_update(actor=actor, obj=obj, changes=changes,
                          expected_version=expected_version, m2m=m2m)


def _archive(actor: Any, obj: Any, reason: str, restore: bool, what: str) -> Any:
    _require_change(actor, obj.location_id, what)
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the record is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    return tracked_archive(actor=actor, obj=obj, reason=reason.strip(), restore=restore)


# --- supervision ------------------------------------------------------------------------


def supervision_create(*, actor: Any, organisation: Any, location: Any,
                       **fields: Any) -> Supervision:
    """Record a supervision. `next_due` defaults to the date plus the organisation's interval
    (8 weeks unless configured)."""
    if isinstance(fields.get("date"), dt.date) and not fields.get("next_due"):
        fields["next_due"] = next_due(fields["date"], supervision_interval_weeks(organisation))
    return _create(actor, organisation, location, Supervision, SUPERVISION_FIELDS,
                   "supervision", fields, ("supervisor", "supervisee"))


def supervision_update(*, actor: Any, supervision: Supervision, changes: dict[str, Any],
                       expected_version: int | None) -> Supervision:
    return _update(actor, supervision, changes, SUPERVISION_FIELDS, "supervision",
                   expected_version, ("supervisor", "supervisee"))


def supervision_archive(*, actor: Any, supervision: Supervision, reason: str = "",
                        restore: bool = False) -> Supervision:
    return _archive(actor, supervision, reason, restore, "supervision")


# --- competency assessments -------------------------------------------------------------


def competency_assessment_create(*, actor: Any, organisation: Any, location: Any,
                                 **fields: Any) -> CompetencyAssessment:
    """Record a competency assessment of a member of staff."""
    return _create(actor, organisation, location, CompetencyAssessment, COMPETENCY_FIELDS,
                   "competency assessments", fields, ("assessor", "staff"))


def competency_assessment_update(*, actor: Any, assessment: CompetencyAssessment,
                                 changes: dict[str, Any],
                                 expected_version: int | None) -> CompetencyAssessment:
    return _update(actor, assessment, changes, COMPETENCY_FIELDS, "competency assessments",
                   expected_version, ("assessor", "staff"))


def competency_assessment_archive(*, actor: Any, assessment: CompetencyAssessment,
                                  reason: str = "", restore: bool = False,
                                  ) -> CompetencyAssessment:
    return _archive(actor, assessment, reason, restore, "competency assessments")


# --- training ---------------------------------------------------------------------------


def training_record_create(*, actor: Any, organisation: Any, location: Any,
                           **fields: Any) -> TrainingRecord:
    """Record a course a member of staff completed."""
    return _create(actor, organisation, location, TrainingRecord, TRAINING_FIELDS, "training",
                   fields, ("staff",))


def training_record_update(*, actor: Any, record: TrainingRecord, changes: dict[str, Any],
                           expected_version: int | None) -> TrainingRecord:
    return _update(actor, record, changes, TRAINING_FIELDS, "training", expected_version,
                   ("staff",))


def training_record_archive(*, actor: Any, record: TrainingRecord, reason: str = "",
                            restore: bool = False) -> TrainingRecord:
    return _archive(actor, record, reason, restore, "training")


# --- briefings --------------------------------------------------------------------------


def briefing_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Briefing:
    """Record a "what changed and why" briefing on a theme at its location."""
    _unknown(fields, BRIEFING_FIELDS)
    _same_org(organisation.pk, "location", location)
    _same_org(organisation.pk, "theme", fields.get("theme"))
    _same_org(organisation.pk, "delivered_by", fields.get("delivered_by"))
    _require_change(actor, location.pk, "briefings")
    fields.setdefault("delivered_at", timezone.now())
    return tracked_create(actor=actor, obj=Briefing(organisation=organisation, location=location,
                                                    **fields))


def briefing_update(*, actor: Any, briefing: Briefing, changes: dict[str, Any],
                    expected_version: int | None) -> Briefing:
    changes = dict(changes)
    for fixed in ("location", "theme"):
        if fixed in changes and changes.pop(fixed) != getattr(briefing, fixed):
            raise InvalidInput("A briefing stays on its theme and location.",
                               {fixed: ["This cannot change."]})
    _unknown(changes, BRIEFING_FIELDS)
    _same_org(briefing.organisation_id, "delivered_by", changes.get("delivered_by"))
    _require_change(actor, briefing.location_id, "briefings")
    return tracked_update(actor=actor, obj=briefing, changes=changes,
                          expected_version=expected_version)


def briefing_archive(*, actor: Any, briefing: Briefing, reason: str = "",
                     restore: bool = False) -> Briefing:
    return _archive(actor, briefing, reason, restore, "briefings")


def attestation_create(*, actor: Any, organisation: Any, location: Any | None = None,
                       briefing: Briefing, staff: Any, statement_confirmed: bool,
                       short_answer: str = "", attested_at: dt.datetime | None = None,
                       external_ref: str = "") -> Attestation:
    """A member of staff attests they can explain what changed and why. They may attest for
    themselves (a user linked to that staff member, with `briefing.attest` at the location);
    a manager (`workforce.change`) may record it for them."""
    _same_org(organisation.pk, "briefing", briefing)
    _same_org(organisation.pk, "staff", staff)
    if location is not None and location != briefing.location:
        raise InvalidInput("The attestation is at the briefing's location.",
                           {"location": ["Not the briefing's location."]})
    own = (not _system(actor) and staff is not None
           and getattr(getattr(actor, "staff_member", None), "pk", None) == staff.pk)
    manager = _system(actor) or perms.can_change_workforce(actor, briefing.location_id)
    if not manager and not (own and perms.can_attest(actor, briefing.location_id)):
        raise PermissionDenied("You can attest only for yourself; a manager can record "
                               "attestations for others.")
    return tracked_create(actor=actor, obj=Attestation(
        organisation=organisation, location=briefing.location, briefing=briefing, staff=staff,
        statement_confirmed=bool(statement_confirmed), short_answer=short_answer.strip(),
        attested_at=attested_at or timezone.now(), recorded_by_manager=not own,
        external_ref=external_ref))


def attestation_archive(*, actor: Any, attestation: Attestation, reason: str = "",
                        restore: bool = False) -> Attestation:
    return _archive(actor, attestation, reason, restore, "attestations")

