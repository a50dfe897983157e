"""Use cases for safeguarding concerns: raise (care staff, from a phone), correct, review (the
Registered Manager records the decision, referral and CQC notification), close, archive.

Raising and correcting need `tracker.record` at the location; the review fields (reviewed,
decision, referral, CQC notification, outcome, closed) need `tracker.review`. Refused, with
the field named and nothing written: times in the future, any step dated before the concern
was raised, a decision without a review, a referral time without a referral decision, staff
or people not at the location. Every write is in history.

`safeguarding_concern_create(*, actor, organisation, location, **fields)` is also the
row-level writer for imports (system actors may give the review fields too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.safeguarding import permissions as perms
from sustain.safeguarding.models import SafeguardingConcern

TEXT_LIMIT = 10000
# A phone's clock may run a little ahead of the server's.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)

RECORD_FIELDS = ("raised_at", "raised_by", "person", "category", "description",
                 "shift_lead_notified_at", "external_ref")
REVIEW_FIELDS = ("manager_reviewed_at", "decision", "la_referral_at", "la_reference",
                 "cqc_notified_at", "outcome", "closed_at")
TIME_FIELDS = ("raised_at", "shift_lead_notified_at", "manager_reviewed_at", "la_referral_at",
               "cqc_notified_at", "closed_at")
LABELS = {"raised_at": "the time raised", "shift_lead_notified_at": "the shift lead notified",
          "manager_reviewed_at": "the manager's review", "la_referral_at": "the referral",
          "cqc_notified_at": "the CQC notification", "closed_at": "closing"}


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _refuse(errors: Mapping[str, list[str]]) -> None:
    if errors:
        names = ", ".join(k.replace("_", " ") for k in errors)
        raise InvalidInput(f"Please correct: {names}.", dict(errors))


def _validate(values: Mapping[str, Any], organisation: Any, location: Any,
              now: dt.datetime) -> dict[str, list[str]]:
    """Every rule over the concern's values as they would be saved."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    raised = values.get("raised_at")
    if not isinstance(raised, dt.datetime):
        add("raised_at", "Enter the date and time the concern was raised.")
        raised = None
    for field in TIME_FIELDS:
        value = values.get(field)
        if value is None or not isinstance(value, dt.datetime):
            continue
        if timezone.is_naive(value):
            add(field, "Give the time with its time zone.")
            continue
        if value > now + CLOCK_TOLERANCE:
            add(field, f"The time of {LABELS[field]} cannot be in the future.")
        elif raised is not None and field != "raised_at" and value < raised:
            add(field, f"The time of {LABELS[field]} cannot be before the concern was raised "
                       f"({timezone.localtime(raised):%d %b %Y %H:%M}).")
    staff = values.get("raised_by")
    if staff is None:
        add("raised_by", "Choose who raised the concern.")
    elif staff.organisation_id != organisation.pk:
        add("raised_by", "Not found in this organisation.")
    elif not staff.locations.filter(pk=location.pk).exists():
        add("raised_by", f"{staff.full_name} does not work at {location.name}.")
    person = values.get("person")
    if person is None:
        add("person", "Choose the person the concern is about.")
    elif person.organisation_id != organisation.pk:
        add("person", "Not found in this organisation.")
    elif person.location_id != location.pk:
        add("person", f"This person is not supported at {location.name}.")
    if values.get("category") not in SafeguardingConcern.Category.values:
        add("category", "Choose the category of abuse or neglect.")
    description = str(values.get("description") or "").strip()
    if not description:
        add("description", "Describe what happened or what was seen.")
    for field in ("description", "outcome"):
        if len(str(values.get(field) or "")) > TEXT_LIMIT:
            add(field, f"At most {TEXT_LIMIT} characters.")
    decision = values.get("decision") or ""
    if decision and decision not in SafeguardingConcern.Decision.values:
        add("decision", "Choose no further action, internal action or referral.")
    if decision and values.get("manager_reviewed_at") is None:
        add("manager_reviewed_at", "A decision is recorded with the manager's review: enter "
                                   "the time of the review.")
    referral = SafeguardingConcern.Decision.REFERRAL
    if (values.get("la_referral_at") or values.get("la_reference")) and decision != referral:
        add("decision", "A local authority referral needs the decision 'referral'.")
    if values.get("closed_at") is not None:
        if not decision:
            add("closed_at", "Record the manager's review and decision before closing.")
        if not str(values.get("outcome") or "").strip():
            add("outcome", "Record the outcome before closing.")
        if decision == referral and values.get("la_referral_at") is None:
            add("la_referral_at", "The decision was a referral: record when it was made "
                                  "before closing.")
    return errors


def _clean_themes(themes: Iterable[Any], organisation: Any, location: Any,
                  errors: dict[str, list[str]]) -> list[Any]:
    chosen = list(themes or ())
    for theme in chosen:
        if theme.organisation_id != organisation.pk or theme.location_id != location.pk:
            errors.setdefault("themes", []).append(
                f"{theme.title} is not a theme at {location.name}.")
    return chosen


def _external_ref_error(organisation: Any, ref: str, errors: dict[str, list[str]],
                        exclude_pk: int | None = None) -> None:
    if not ref:
        return
    qs = SafeguardingConcern.objects.filter(organisation=organisation, external_ref=ref)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        errors["external_ref"] = ["Another record in this organisation has this external "
                                  "reference."]


def _check_perms(actor: Any, location_id: int, fields: Iterable[str]) -> None:
    if _system(actor):
        return
    fields = set(fields)
    if fields & set(RECORD_FIELDS) and not perms.can_record(actor, location_id):
        raise PermissionDenied("Your role cannot record safeguarding concerns at this location.")
    if fields & set(REVIEW_FIELDS) and not perms.can_review(actor, location_id):
        raise PermissionDenied("Only a manager can record the review, decision, referral or "
                               "closure of a safeguarding concern at this location.")


def safeguarding_concern_create(*, actor: Any, organisation: Any, location: Any,
                                raised_at: dt.datetime, raised_by: Any, person: Any,
                                category: str, description: str,
                                shift_lead_notified_at: dt.datetime | None = None,
                                external_ref: str = "", themes: Iterable[Any] = (),
                                **review: Any) -> SafeguardingConcern:
    """Raise a concern. `review` may carry the review fields (manager_reviewed_at, decision,
    la_referral_at, la_reference, cqc_notified_at, outcome, closed_at) — for imports of past
    records, and only with `tracker.review`."""
    if location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["Not found in this organisation."]})
    unknown = set(review) - set(REVIEW_FIELDS)
    if unknown:
        raise InvalidInput("Unknown fields.", {f: ["Unknown field."] for f in sorted(unknown)})
    given = {f for f, v in review.items() if v not in (None, "")}
    _check_perms(actor, location.pk, {"raised_at", *given})
    values = {"raised_at": raised_at, "raised_by": raised_by, "person": person,
              "category": category, "description": description,
              "shift_lead_notified_at": shift_lead_notified_at,
              "external_ref": (external_ref or "").strip()}
    values.update({f: review.get(f) for f in REVIEW_FIELDS})
    for text in ("la_reference", "outcome"):
        values[text] = str(values.get(text) or "").strip()
    values["decision"] = values.get("decision") or ""
    errors = _validate(values, organisation, location, timezone.now())
    _external_ref_error(organisation, values["external_ref"], errors)
    chosen = _clean_themes(themes, organisation, location, errors)
    _refuse(errors)
    values["description"] = str(description).strip()
    reviewer = None if _system(actor) or values["manager_reviewed_at"] is None else actor
    return tracked_create(actor=actor, obj=SafeguardingConcern(
        organisation=organisation, location=location, reviewed_by=reviewer, **values),
        m2m={"themes": chosen})


def safeguarding_concern_update(*, actor: Any, concern: SafeguardingConcern,
                                expected_version: int | None,
                                changes: Mapping[str, Any]) -> SafeguardingConcern:
    """Change a concern: the raised details (`tracker.record`) and/or the review fields
    (`tracker.review`). Every rule is checked on the values as they would be saved."""
    if concern.archived_at is not None:
        raise InvalidInput("This concern is archived: restore it to change it.",
                           {"archived_at": ["Archived."]})
    current = SafeguardingConcern.objects.get(pk=concern.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"This concern was changed by someone else (version {current.version}, you edited "
            f"version {expected_version}). Reload it and apply your change again.",
            {"version": [f"expected {expected_version}, current {current.version}"]})
    allowed = set(RECORD_FIELDS) | set(REVIEW_FIELDS) | {"themes"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput("These fields cannot be changed here.",
                           {f: ["Cannot be changed."] for f in sorted(unknown)})
    changed = {f for f in changes if f != "themes" and changes[f] != getattr(concern, f)}
    _check_perms(actor, concern.location_id, changed or {"raised_at"})
    organisation, location = concern.organisation, concern.location
    values = {f: getattr(concern, f) for f in (*RECORD_FIELDS, *REVIEW_FIELDS)}
    values.update({k: v for k, v in changes.items() if k != "themes"})
    for text in ("la_reference", "outcome", "external_ref", "decision"):
        values[text] = str(values.get(text) or "").strip()
    errors = _validate(values, organisation, location, timezone.now())
    _external_ref_error(organisation, values["external_ref"], errors, exclude_pk=concern.pk)
    m2m = {}
    if "themes" in changes:
        m2m["themes"] = _clean_themes(changes["themes"], organisation, location, errors)
    _refuse(errors)
    if (not _system(actor) and "manager_reviewed_at" in changed
            and values["manager_reviewed_at"] is not None):
        values["reviewed_by"] = actor
    return tracked_update(actor=actor, obj=concern, expected_version=expected_version,
                          changes=values, m2m=m2m)


def safeguarding_concern_review(*, actor: Any, concern: SafeguardingConcern,
                                expected_version: int | None, decision: str,
                                reviewed_at: dt.datetime | None = None,
                                la_referral_at: dt.datetime | None = None,
                                la_reference: str = "",
                                cqc_notified_at: dt.datetime | None = None,
                                outcome: str = "") -> SafeguardingConcern:
    """The Registered Manager's review: the decision and, for a referral, when it was made
    and the local authority's reference; the CQC notification if one was sent."""
    changes: dict[str, Any] = {"manager_reviewed_at": reviewed_at or concern.manager_reviewed_at
                               or timezone.now(), "decision": decision,
                               "la_referral_at": la_referral_at,
                               "la_reference": la_reference, "cqc_notified_at": cqc_notified_at}
    if outcome:
        changes["outcome"] = outcome
    return safeguarding_concern_update(actor=actor, concern=concern,
                                       expected_version=expected_version, changes=changes)


def safeguarding_concern_close(*, actor: Any, concern: SafeguardingConcern,
                               expected_version: int | None, outcome: str,
                               closed_at: dt.datetime | None = None) -> SafeguardingConcern:
    """Close a reviewed concern with its outcome."""
    return safeguarding_concern_update(
        actor=actor, concern=concern, expected_version=expected_version,
        changes={"outcome": outcome, "closed_at": closed_at or timezone.now()})


def safeguarding_concern_archive(*, actor: Any, concern: SafeguardingConcern,
                                 reason: str = "", restore: bool = False) -> SafeguardingConcern:
    """Archive (or restore) a concern recorded in error; it stays in history."""
    if not _system(actor) and not perms.can_review(actor, concern.location_id):
        raise PermissionDenied("Only a manager can archive a safeguarding concern.")
    with transaction.atomic():
        return tracked_archive(actor=actor, obj=concern, reason=reason, restore=restore)
