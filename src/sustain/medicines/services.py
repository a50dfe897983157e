"""Use cases for medicines checks: record a check with its discrepancies (all or nothing),
correct it (with the version the user saw), archive or restore it, and record the manager's
weekly review.

Recording needs `tracker.record` at the location, the weekly review `tracker.review`. Every
write goes through the tracked writes, so it is in history. Refusals name the field
(discrepancy rows as `discrepancies.<index>.<field>`, counting from 0) and write nothing.

`medicines_check_create(*, actor, organisation, location, **fields)` is also the row-level
writer for bulk imports (system actors: `actor=None` or a job name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.timeliness import shift_name
from sustain.medicines import permissions as perms
from sustain.medicines.models import Discrepancy, MedicinesCheck, Shift, WeeklyReview

MAX_CHARTS = 500
MAX_DISCREPANCIES = 100
TEXT_LIMIT = 5000
DISCREPANCY_FIELDS = ("type", "person", "staff_responsible", "action_taken")


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _check_perm(allowed: bool, doing: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Your role cannot {doing} at this location.")


def _refuse(errors: Mapping[str, list[str]]) -> None:
    if errors:
        names = ", ".join(k.replace("_", " ") for k in errors)
        raise InvalidInput(f"Please correct: {names}.", dict(errors))


def _staff_problem(staff: Any, organisation: Any, location: Any) -> str | None:
    if staff.organisation_id != organisation.pk:
        return "Not found in this organisation."
    if staff.archived_at is not None:
        return "This staff member's record is archived."
    if not staff.locations.filter(pk=location.pk).exists():
        return f"{staff.full_name} does not work at {location.name}."
    return None


def _person_problem(person: Any, organisation: Any, location: Any) -> str | None:
    if person.organisation_id != organisation.pk:
        return "Not found in this organisation."
    if person.location_id != location.pk:
        return f"This person is not supported at {location.name}."
    return None


def _clean_themes(themes: Iterable[Any], organisation: Any, location: Any,
                  errors: dict[str, list[str]]) -> list[Any]:
    chosen = list(themes or ())
    for theme in chosen:
        if theme.organisation_id != organisation.pk or theme.location_id != location.pk:
            errors.setdefault("themes", []).append(
                f"{theme.title} is not a theme at {location.name}.")
    return chosen


def _clean_discrepancies(rows: Sequence[Mapping[str, Any]], organisation: Any, location: Any,
                         errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if isinstance(rows, (str, bytes, Mapping)):
        errors["discrepancies"] = ["Give the discrepancies as a list."]
        return []
    rows = list(rows or ())
    if len(rows) > MAX_DISCREPANCIES:
        errors["discrepancies"] = [f"At most {MAX_DISCREPANCIES} discrepancies per check."]
        return []
    cleaned = []
    for i, row in enumerate(rows):
        key = f"discrepancies.{i}"
        unknown = set(row) - set(DISCREPANCY_FIELDS)
        if unknown:
            errors[key] = [f"Unknown field(s): {', '.join(sorted(unknown))}."]
        kind = row.get("type") or ""
        if kind not in Discrepancy.Type.values:
            errors[f"{key}.type"] = ["Choose the type of discrepancy: " + ", ".join(
                str(label).lower() for label in Discrepancy.Type.labels) + "."]
        person = row.get("person")
        if person is not None and (problem := _person_problem(person, organisation, location)):
            errors[f"{key}.person"] = [problem]
        staff = row.get("staff_responsible")
        if staff is not None and (problem := _staff_problem(staff, organisation, location)):
            errors[f"{key}.staff_responsible"] = [problem]
        action = str(row.get("action_taken") or "")
        if len(action) > TEXT_LIMIT:
            errors[f"{key}.action_taken"] = [f"At most {TEXT_LIMIT} characters."]
        cleaned.append({"type": kind, "person": person, "staff_responsible": staff,
                        "action_taken": action.strip()})
    return cleaned


def _validate_header(*, organisation: Any, location: Any, check_date: Any, shift: str | None,
                     checked_by: Any, charts_checked: Any, notes: str,
                     errors: dict[str, list[str]]) -> str:
    today = timezone.localdate()
    if not isinstance(check_date, dt.date):
        errors["check_date"] = ["Enter the date of the check."]
    elif check_date > today:
        errors["check_date"] = ["The date of the check cannot be in the future."]
    if not shift:
        if check_date == today:
            shift = shift_name(timezone.now(), location.day_shift_start,
                               location.night_shift_start)
        else:
            errors["shift"] = ["Choose the shift (day or night)."]
    elif shift not in Shift.values:
        errors["shift"] = ["Choose the shift: day or night."]
    if checked_by is None:
        errors["checked_by"] = ["Choose who did the check."]
    elif problem := _staff_problem(checked_by, organisation, location):
        errors["checked_by"] = [problem]
    if isinstance(charts_checked, bool) or not isinstance(charts_checked, int):
        errors["charts_checked"] = ["Enter the number of MAR charts checked (a whole number)."]
    elif charts_checked < 0:
        errors["charts_checked"] = ["The number of charts checked cannot be negative."]
    elif charts_checked > MAX_CHARTS:
        errors["charts_checked"] = [f"At most {MAX_CHARTS} charts in one check."]
    if len(notes or "") > TEXT_LIMIT:
        errors["notes"] = [f"At most {TEXT_LIMIT} characters."]
    return shift or ""


def _external_ref_problem(model: Any, organisation: Any, external_ref: str,
                          exclude_pk: int | None = None) -> str | None:
    if not external_ref:
        return None
    qs = model.objects.filter(organisation=organisation, external_ref=external_ref)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        return "Another record in this organisation has this external reference."
    return None


def _write_discrepancies(actor: Any, check: MedicinesCheck,
                         rows: list[dict[str, Any]]) -> None:
    for row in rows:
        tracked_create(actor=actor, obj=Discrepancy(
            organisation_id=check.organisation_id, location_id=check.location_id,
            check_record=check, **row))


def medicines_check_create(*, actor: Any, organisation: Any, location: Any,
                           check_date: dt.date, checked_by: Any, charts_checked: int,
                           shift: str | None = None, notes: str = "", external_ref: str = "",
                           themes: Iterable[Any] = (),
                           discrepancies: Sequence[Mapping[str, Any]] = ()) -> MedicinesCheck:
    """Record an end-of-shift MAR check with its discrepancies, all or nothing.

    `shift` defaults to the shift running now when the check is dated today (from the
    location's shift start times). Each discrepancy is a mapping with `type` (required),
    `person`, `staff_responsible` (optional, same organisation and location) and
    `action_taken`.
    """
    if location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["Not found in this organisation."]})
    if not _system(actor):
        _check_perm(perms.can_record(actor, location.pk), "record medicines checks")
    errors: dict[str, list[str]] = {}
    shift = _validate_header(organisation=organisation, location=location,
                             check_date=check_date, shift=shift, checked_by=checked_by,
                             charts_checked=charts_checked, notes=notes, errors=errors)
    external_ref = (external_ref or "").strip()
    if problem := _external_ref_problem(MedicinesCheck, organisation, external_ref):
        errors["external_ref"] = [problem]
    chosen_themes = _clean_themes(themes, organisation, location, errors)
    rows = _clean_discrepancies(discrepancies, organisation, location, errors)
    _refuse(errors)
    with transaction.atomic():
        check = tracked_create(actor=actor, obj=MedicinesCheck(
            organisation=organisation, location=location, check_date=check_date, shift=shift,
            checked_by=checked_by, charts_checked=charts_checked, notes=(notes or "").strip(),
            external_ref=external_ref), m2m={"themes": chosen_themes})
        _write_discrepancies(actor, check, rows)
    return check


UPDATABLE = {"check_date", "shift", "checked_by", "charts_checked", "notes", "external_ref"}


def medicines_check_update(*, actor: Any, check: MedicinesCheck, expected_version: int | None,
                           changes: Mapping[str, Any]) -> MedicinesCheck:
    """Correct a check. `changes` may hold the check's fields, `themes`, and `discrepancies`
    (the full new list: rows no longer listed are archived, the new list is recorded)."""
    if not _system(actor):
        _check_perm(perms.can_record(actor, check.location_id), "correct medicines checks")
    if check.archived_at is not None:
        raise InvalidInput("This check is archived: restore it to correct it.",
                           {"archived_at": ["Archived."]})
    unknown = set(changes) - UPDATABLE - {"themes", "discrepancies"}
    if unknown:
        raise InvalidInput("These fields cannot be changed here.",
                           {name: ["Cannot be changed."] for name in sorted(unknown)})
    organisation, location = check.organisation, check.location
    merged = {f: getattr(check, f) for f in UPDATABLE} | {
        k: v for k, v in changes.items() if k in UPDATABLE}
    errors: dict[str, list[str]] = {}
    merged["shift"] = _validate_header(
        organisation=organisation, location=location, check_date=merged["check_date"],
        shift=merged["shift"], checked_by=merged["checked_by"],
        charts_checked=merged["charts_checked"], notes=merged["notes"], errors=errors)
    merged["external_ref"] = (merged["external_ref"] or "").strip()
    if problem := _external_ref_problem(MedicinesCheck, organisation, merged["external_ref"],
                                        exclude_pk=check.pk):
        errors["external_ref"] = [problem]
    m2m = {}
    if "themes" in changes:
        m2m["themes"] = _clean_themes(changes["themes"], organisation, location, errors)
    rows = None
    if "discrepancies" in changes:
        rows = _clean_discrepancies(changes["discrepancies"], organisation, location, errors)
    _refuse(errors)
    with transaction.atomic():
        updated = tracked_update(actor=actor, obj=check, expected_version=expected_version,
                                 changes={k: merged[k] for k in UPDATABLE}, m2m=m2m)
        if rows is not None:
            for old in check.discrepancies.filter(archived_at__isnull=True):
                tracked_archive(actor=actor, obj=old, reason="Replaced by a correction.")
            _write_discrepancies(actor, updated, rows)
    return updated


def medicines_check_archive(*, actor: Any, check: MedicinesCheck, reason: str = "",
                            restore: bool = False) -> MedicinesCheck:
    """Archive (or restore) a check recorded in error; it stays in history."""
    if not _system(actor):
        _check_perm(perms.can_record(actor, check.location_id), "archive medicines checks")
    return tracked_archive(actor=actor, obj=check, reason=reason, restore=restore)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


def weekly_review_create(*, actor: Any, organisation: Any, location: Any,
                         week_starting: dt.date, pattern_noted: str = "",
                         reviewed_at: dt.datetime | None = None, external_ref: str = "",
                         themes: Iterable[Any] = ()) -> WeeklyReview:
    """Record the manager's review of a week's medicines checks at a location. The review
    covers every current check dated in that week (Monday to Sunday)."""
    if location.organisation_id != organisation.pk:
        raise InvalidInput("The location belongs to another organisation.",
                           {"location": ["Not found in this organisation."]})
    if not _system(actor):
        _check_perm(perms.can_review(actor, location.pk), "review medicines checks")
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    reviewed_at = reviewed_at or now
    if not isinstance(week_starting, dt.date):
        errors["week_starting"] = ["Enter the Monday the week starts on."]
    elif week_starting.weekday() != 0:
        errors["week_starting"] = ["A week starts on a Monday: "
                                   f"{week_start(week_starting):%d %b %Y}?"]
    elif week_starting > timezone.localdate():
        errors["week_starting"] = ["The week cannot be in the future."]
    if reviewed_at > now:
        errors["reviewed_at"] = ["The review time cannot be in the future."]
    elif "week_starting" not in errors and reviewed_at.date() < week_starting:
        errors["reviewed_at"] = ["The review cannot be before the week starts."]
    if len(pattern_noted or "") > TEXT_LIMIT:
        errors["pattern_noted"] = [f"At most {TEXT_LIMIT} characters."]
    if "week_starting" not in errors and WeeklyReview.objects.filter(
            location=location, week_starting=week_starting, archived_at__isnull=True).exists():
        errors["week_starting"] = ["This week already has a review at this location."]
    external_ref = (external_ref or "").strip()
    if problem := _external_ref_problem(WeeklyReview, organisation, external_ref):
        errors["external_ref"] = [problem]
    chosen_themes = _clean_themes(themes, organisation, location, errors)
    _refuse(errors)
    covered = list(MedicinesCheck.objects.filter(
        location=location, archived_at__isnull=True, check_date__gte=week_starting,
        check_date__lt=week_starting + dt.timedelta(days=7)))
    return tracked_create(actor=actor, obj=WeeklyReview(
        organisation=organisation, location=location, week_starting=week_starting,
        reviewed_by=None if _system(actor) else actor, reviewed_at=reviewed_at,
        pattern_noted=(pattern_noted or "").strip(), external_ref=external_ref),
        m2m={"checks_covered": covered, "themes": chosen_themes})


def weekly_review_archive(*, actor: Any, review: WeeklyReview, reason: str = "",
                          restore: bool = False) -> WeeklyReview:
    """Archive (or restore) a weekly review recorded in error."""
    if not _system(actor):
        _check_perm(perms.can_review(actor, review.location_id), "archive medicines reviews")
    if restore and WeeklyReview.objects.filter(
            location_id=review.location_id, week_starting=review.week_starting,
            archived_at__isnull=True).exclude(pk=review.pk).exists():
        raise InvalidInput("This week already has a current review at this location.",
                           {"week_starting": ["Already reviewed."]})
    return tracked_archive(actor=actor, obj=review, reason=reason, restore=restore)
