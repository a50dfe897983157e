"""Use cases for lessons and their adoption. Every write is tracked (history), checks
permission, names the field it refuses, and changes nothing when it refuses.

Demo builders call these with a system actor (a string), which skips the permission checks.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.core.visibility import visibility_filters
from sustain.engine.lesson_rules import STATUS_LABELS, AdoptionStatus, adoption_problems
from sustain.lessons import permissions as perms
from sustain.lessons.models import Lesson, LessonAdoption

LESSON_FIELDS = ("title", "what_happened", "in_practice", "origin_theme", "origin_location",
                 "applies_to", "applies_to_all", "owner")
ADOPTION_FIELDS = ("status", "evidence_type", "evidence_id", "evidence_note", "evidence_date",
                   "notes")
# Records that cannot evidence an adoption (places, people and the lesson records themselves).
NOT_EVIDENCE = frozenset({"tenancy.location", "tenancy.region", "tenancy.membership",
                          "people.personsupported", "people.staffmember", "lessons.lesson",
                          "lessons.lessonadoption", "lessons.handovernote"})


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _user(actor: Any) -> Any:
    return None if _system(actor) else actor


def _same_org(organisation_id: int, field: str, obj: Any) -> None:
    if obj is not None and obj.organisation_id != organisation_id:
        raise InvalidInput(f"The {field.replace('_', ' ')} belongs to another organisation.",
                           {field: ["Not found in this organisation."]})


def _unknown(fields: Iterable[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


def _locations_of_org(organisation_id: int, locations: Iterable[Any]) -> list[Any]:
    found = list(locations)
    for loc in found:
        if loc.organisation_id != organisation_id:
            raise InvalidInput("A location it applies to belongs to another organisation.",
                               {"applies_to": [f"{loc.name} is not in this organisation."]})
    return found


def _check_where(organisation_id: int, applies_to: list[Any], applies_to_all: bool) -> None:
    if not applies_to_all and not applies_to:
        raise InvalidInput("Say where the lesson applies.",
                           {"applies_to": ["Choose the locations it applies to, or all "
                                           "locations."]})


def _org_locations(organisation_id: int) -> list[Any]:
    from sustain.tenancy.models import Location

    return list(Location.objects.filter(organisation_id=organisation_id,
                                        archived_at__isnull=True).order_by("pk"))


def _target_locations(lesson: Lesson) -> list[Any]:
    if lesson.applies_to_all:
        return _org_locations(lesson.organisation_id)
    return list(lesson.applies_to.filter(archived_at__isnull=True).order_by("pk"))


def sync_adoptions(*, actor: Any, lesson: Lesson, as_of: dt.date | None = None) -> int:
    """Make the lesson's adoption rows match where it applies: a row (not started, from
    `as_of`) for each location that has none, restore archived ones that apply again, archive
    the ones that no longer apply. Idempotent. Returns the number of rows written."""
    as_of = as_of or timezone.localdate()
    targets = {loc.pk: loc for loc in _target_locations(lesson)} \
        if lesson.archived_at is None else {}
    existing = {a.location_id: a for a in LessonAdoption.objects.filter(lesson=lesson)}
    written = 0
    for pk, loc in targets.items():
        row = existing.get(pk)
        if row is None:
            tracked_create(actor=actor, obj=LessonAdoption(
                organisation_id=lesson.organisation_id, lesson=lesson, location=loc,
                status=AdoptionStatus.NOT_STARTED.value, status_since=as_of))
            written += 1
        elif row.archived_at is not None:
            tracked_archive(actor=actor, obj=row, restore=True,
                            reason="The lesson applies to this location again.")
            written += 1
    for pk, row in existing.items():
        if pk not in targets and row.archived_at is None:
            tracked_archive(actor=actor, obj=row,
                            reason="The lesson no longer applies to this location.")
            written += 1
    return written


def lesson_create(*, actor: Any, organisation: Any, title: str, what_happened: str,
                  in_practice: str, origin_theme: Any = None, origin_location: Any = None,
                  applies_to: Iterable[Any] = (), applies_to_all: bool = False,
                  owner: Any = None, as_of: dt.date | None = None) -> Lesson:
    """Record a lesson (from a theme, or free-standing) and where it applies; every location it
    applies to gets an adoption row, not started."""
    _same_org(organisation.pk, "origin_theme", origin_theme)
    _same_org(organisation.pk, "origin_location", origin_location)
    _same_org(organisation.pk, "owner", owner)
    if origin_theme is not None and origin_location is None:
        origin_location = origin_theme.location
    locations = [] if applies_to_all else _locations_of_org(organisation.pk, applies_to)
    _check_where(organisation.pk, locations, applies_to_all)
    if not _system(actor) and not perms.can_manage_lesson(
            actor, location_ids=[getattr(origin_location, "pk", None),
                                 *(x.pk for x in locations)],
            applies_to_all=applies_to_all):
        raise PermissionDenied("Your role cannot write lessons for these locations."
                               + (" A lesson for all locations needs organisation-wide scope."
                                  if applies_to_all else ""))
    with transaction.atomic():
        lesson = tracked_create(actor=actor, obj=Lesson(
            organisation=organisation, title=title, what_happened=what_happened,
            in_practice=in_practice, origin_theme=origin_theme, origin_location=origin_location,
            applies_to_all=applies_to_all, owner=owner,
            source=Lesson.Source.THEME if origin_theme is not None
            else Lesson.Source.FREE_STANDING), m2m={"applies_to": locations})
        sync_adoptions(actor=actor, lesson=lesson, as_of=as_of)
    return lesson


def _lesson_location_ids(lesson: Lesson) -> list[int | None]:
    return [lesson.origin_location_id, *lesson.applies_to.values_list("pk", flat=True)]


def lesson_update(*, actor: Any, lesson: Lesson, changes: dict[str, Any],
                  expected_version: int | None, as_of: dt.date | None = None) -> Lesson:
    changes = dict(changes)
    _unknown(changes, LESSON_FIELDS)
    org_id = lesson.organisation_id
    for name in ("origin_theme", "origin_location", "owner"):
        _same_org(org_id, name, changes.get(name))
    m2m: dict[str, Any] = {}
    applies_to_all = changes.get("applies_to_all", lesson.applies_to_all)
    if "applies_to" in changes:
        m2m["applies_to"] = _locations_of_org(org_id, changes.pop("applies_to"))
    if applies_to_all:
        m2m["applies_to"] = []
    new_locations = m2m.get("applies_to", list(lesson.applies_to.all()))
    _check_where(org_id, new_locations, applies_to_all)
    if "origin_theme" in changes:
        theme = changes["origin_theme"]
        changes["source"] = Lesson.Source.THEME if theme is not None \
            else Lesson.Source.FREE_STANDING
        if theme is not None and "origin_location" not in changes:
            changes["origin_location"] = theme.location
    if not _system(actor):
        before_ok = perms.can_manage_lesson(actor, location_ids=_lesson_location_ids(lesson),
                                            applies_to_all=lesson.applies_to_all)
        origin = changes.get("origin_location", lesson.origin_location)
        after_ok = perms.can_manage_lesson(
            actor, location_ids=[getattr(origin, "pk", None), *(x.pk for x in new_locations)],
            applies_to_all=applies_to_all)
        if not (before_ok and after_ok):
            raise PermissionDenied("Your role cannot change this lesson.")
    with transaction.atomic():
        lesson = tracked_update(actor=actor, obj=lesson, changes=changes,
                                expected_version=expected_version, m2m=m2m or None)
        sync_adoptions(actor=actor, lesson=lesson, as_of=as_of)
    return lesson


def lesson_archive(*, actor: Any, lesson: Lesson, reason: str = "",
                   restore: bool = False) -> Lesson:
    """Archive a lesson recorded in error (its adoptions are archived with it), or restore."""
    if not _system(actor) and not perms.can_manage_lesson(
            actor, location_ids=_lesson_location_ids(lesson),
            applies_to_all=lesson.applies_to_all):
        raise PermissionDenied("Your role cannot archive this lesson.")
    with transaction.atomic():
        lesson = tracked_archive(actor=actor, obj=lesson, reason=reason, restore=restore)
        sync_adoptions(actor=actor, lesson=lesson)
    return lesson


def lessons_for_new_location(*, actor: Any, location: Any,
                             as_of: dt.date | None = None) -> int:
    """A location added later gets an adoption row for every lesson that applies to all."""
    return lessons_for_new_locations(actor=actor, locations=[location], as_of=as_of)


def lessons_for_new_locations(*, actor: Any, locations: Any,
                              as_of: dt.date | None = None) -> int:
    """Locations added later (perhaps many at once) get an adoption row for every lesson that
    applies to all: one query when there is none, one sync per lesson otherwise."""
    written = 0
    orgs = {location.organisation_id for location in locations}
    for lesson in Lesson.objects.filter(organisation_id__in=orgs, applies_to_all=True,
                                        archived_at__isnull=True):
        written += sync_adoptions(actor=actor, lesson=lesson, as_of=as_of)
    return written


# --- adoption ---------------------------------------------------------------------------


def evidence_record(*, actor: Any, adoption: LessonAdoption, evidence_type: str,
                    evidence_id: Any) -> Any:
    """The record named as evidence, if it exists, the actor may see it, and it is at the
    adoption's location; otherwise a refusal naming `evidence`."""
    label = (evidence_type or "").strip().lower()
    try:
        key = uuid_module.UUID(str(evidence_id))
    except ValueError:
        raise InvalidInput("The evidence record id is not valid.",
                           {"evidence": ["Give the record's id (a UUID)."]}) from None
    visible = visibility_filters().get(label)
    if visible is None or label in NOT_EVIDENCE:
        raise InvalidInput(f"{evidence_type!r} cannot be used as evidence.",
                           {"evidence": ["Choose a record such as an audit, a briefing, a "
                                         "meeting or a supervision."]})
    model = apps.get_model(label)
    qs = model._default_manager.filter(uuid=key, organisation_id=adoption.organisation_id)
    if not _system(actor):
        qs = visible(qs, actor)
    record = qs.first()
    if record is None:
        raise InvalidInput("No such evidence record that you may see.",
                           {"evidence": ["Not found (or not visible to you)."]})
    if record.location_id_for_scope() != adoption.location_id:
        raise InvalidInput("The evidence record is at another location.",
                           {"evidence": [f"Choose a record at {adoption.location.name}."]})
    return record


def lesson_adoption_update(*, actor: Any, adoption: LessonAdoption, changes: dict[str, Any],
                           expected_version: int | None,
                           as_of: dt.date | None = None) -> LessonAdoption:
    """Record progress on a lesson at a location. Adopted needs evidence: a record at this
    location (`evidence_type` = its model label, `evidence_id` = its id), or a note and its
    date. `evidence_type=""` clears the record."""
    changes = dict(changes)
    _unknown(changes, ADOPTION_FIELDS)
    as_of = as_of or timezone.localdate()
    if not _system(actor) and not perms.can_adopt_at(actor, adoption.location_id):
        raise PermissionDenied("Your role cannot record adoption at this location.")
    if adoption.archived_at is not None or adoption.lesson.archived_at is not None:
        raise InvalidInput("This lesson no longer applies here (archived).",
                           {"status": ["Archived: nothing to update."]})
    if "evidence_type" in changes or "evidence_id" in changes:
        kind = changes.pop("evidence_type", adoption.evidence_type) or ""
        ref = changes.pop("evidence_id", None)
        if not kind and not ref:
            changes.update(evidence_type="", evidence_uuid=None, evidence_label="")
        elif not kind or not ref:
            raise InvalidInput("Give both the evidence record's type and its id.",
                               {"evidence": ["Both the type and the id are needed."]})
        else:
            record = evidence_record(actor=actor, adoption=adoption, evidence_type=kind,
                                     evidence_id=ref)
            changes.update(evidence_type=record._meta.label_lower, evidence_uuid=record.uuid,
                           evidence_label=str(record)[:200])
    status = str(changes.get("status", adoption.status))
    note = changes.get("evidence_note", adoption.evidence_note) or ""
    day = changes.get("evidence_date", adoption.evidence_date)
    has_record = bool(changes.get("evidence_uuid", adoption.evidence_uuid))
    problems = adoption_problems(status=status, has_evidence_record=has_record,
                                 evidence_note=note, evidence_date=day, as_of=as_of)
    if problems:
        first = next(iter(problems.values()))[0]
        raise InvalidInput(first, problems)
    if status != adoption.status:
        changes["status_since"] = as_of
        changes["status_updated_at"] = timezone.now()
    changes["updated_by"] = _user(actor)
    label = STATUS_LABELS[AdoptionStatus(status)]
    return tracked_update(actor=actor, obj=adoption, changes=changes,
                          expected_version=expected_version,
                          message=f"Adoption: {label.lower()}." if status != adoption.status
                          else "")


def lesson_adoption_archive(*, actor: Any, adoption: LessonAdoption, reason: str = "",
                            restore: bool = False) -> LessonAdoption:
    """Withdraw the lesson from one location (or bring it back): for those who write
    lessons."""
    if not _system(actor) and not perms.can_manage_lesson(
            actor, location_ids=[adoption.location_id], applies_to_all=False):
        raise PermissionDenied("Your role cannot withdraw this lesson from this location.")
    return tracked_archive(actor=actor, obj=adoption, reason=reason, restore=restore)


# --- hand-over --------------------------------------------------------------------------


def _open_note(theme: Any) -> Any:
    from sustain.lessons.models import HandoverNote

    return HandoverNote.objects.filter(theme=theme, acknowledged_at__isnull=True,
                                       archived_at__isnull=True) \
        .order_by("-generated_at", "-pk").first()


def handover_generate(*, actor: Any, theme: Any, reason: str, from_owner: Any = None,
                      to_owner: Any = None, as_of: dt.date | None = None,
                      check_permission: bool = True) -> Any:
    """Write (or refresh) the theme's open hand-over note: its history, what changed and why,
    open items and key records, as data and as text. A theme has at most one open
    (unacknowledged) note: generating again updates it, so repeating an event changes
    nothing. Called by the people and themes write events (as a consequence of a write the
    actor was allowed to make: `check_permission=False`); a demo builder can call it directly
    with a system actor."""
    from sustain.lessons.models import HandoverNote
    from sustain.lessons.selectors import handover_content, render_handover_text

    if reason not in HandoverNote.Reason.values:
        raise InvalidInput("Unknown hand-over reason.", {"reason": ["Unknown reason."]})
    _same_org(theme.organisation_id, "from_owner", from_owner)
    _same_org(theme.organisation_id, "to_owner", to_owner)
    if check_permission and not _system(actor) and \
            not perms.can_write_handover(actor, theme.location_id):
        raise PermissionDenied("Your role cannot write hand-over notes for this theme.")
    as_of = as_of or timezone.localdate()
    leaving = from_owner.leaving_date if from_owner is not None else None
    content = handover_content(theme, from_owner=from_owner, to_owner=to_owner, as_of=as_of,
                               leaving_date=leaving)
    fields = {"reason": reason, "from_owner": from_owner, "to_owner": to_owner,
              "leaving_date": leaving, "content": content,
              "text": render_handover_text(content)}
    with transaction.atomic():
        note = _open_note(theme)
        if note is None:
            return tracked_create(actor=actor, obj=HandoverNote(
                organisation_id=theme.organisation_id, theme=theme, location_id=theme.location_id,
                generated_at=timezone.now(), **fields))
        changes = {k: v for k, v in fields.items()
                   if getattr(note, k) != v and k != "content"}
        if {k: v for k, v in note.content.items() if k != "as_of"} != \
                {k: v for k, v in content.items() if k != "as_of"}:
            changes.update(content=content, text=fields["text"], generated_at=timezone.now())
        if not changes:
            return note
        return tracked_update(actor=actor, obj=note, changes=changes, expected_version=None)


def handover_owner_leaving(*, actor: Any, staff: Any, as_of: dt.date | None = None,
                           check_permission: bool = True) -> list[Any]:
    """The staff member's leaving date is set: every current theme they own needs a new owner
    and gets a hand-over note."""
    from sustain.themes.models import Theme

    if staff.leaving_date is None:
        return []
    notes = []
    for theme in Theme.objects.filter(owner=staff, archived_at__isnull=True) \
            .select_related("location", "finding", "playbook").order_by("pk"):
        notes.append(handover_generate(actor=actor, theme=theme,
                                       reason="owner_leaving", from_owner=staff,
                                       to_owner=None, as_of=as_of,
                                       check_permission=check_permission))
    return notes


def handover_owner_assigned(*, actor: Any, theme: Any, previous_owner: Any = None,
                            as_of: dt.date | None = None, check_permission: bool = True) -> Any:
    """A theme has a new owner: the open note (if the old owner is leaving) is completed for
    them; otherwise a change from one owner to another gets a note of its own. Assigning a
    first owner needs no hand-over."""
    note = _open_note(theme)
    new_owner = theme.owner
    if note is not None:
        if new_owner is not None and note.from_owner_id == new_owner.pk:
            return note  # given back to the leaving owner: still needs someone else
        return handover_generate(actor=actor, theme=theme, reason=note.reason,
                                 from_owner=note.from_owner, to_owner=new_owner, as_of=as_of,
                                 check_permission=check_permission)
    if previous_owner is None or new_owner is None or previous_owner.pk == new_owner.pk:
        return None
    return handover_generate(actor=actor, theme=theme, reason="owner_changed",
                             from_owner=previous_owner, to_owner=new_owner, as_of=as_of,
                             check_permission=check_permission)


def handover_acknowledge(*, actor: Any, note: Any, expected_version: int | None = None) -> Any:
    """The new owner confirms they have read the note (or a theme lead does for them)."""
    if _system(actor):
        raise PermissionDenied("A hand-over is acknowledged by a person.")
    if not perms.can_acknowledge(actor, note):
        raise PermissionDenied("Only the new owner, or someone who may change the theme, can "
                               "acknowledge this hand-over.")
    if note.acknowledged_at is not None:
        raise InvalidInput("This hand-over is already acknowledged.",
                           {"acknowledged_at": ["Already acknowledged."]})
    if note.to_owner_id is None:
        raise InvalidInput("Assign the theme's new owner before acknowledging the hand-over.",
                           {"to_owner": ["No new owner yet."]})
    return tracked_update(actor=actor, obj=note, expected_version=expected_version,
                          changes={"acknowledged_by": actor,
                                   "acknowledged_at": timezone.now()},
                          message="Hand-over acknowledged.")
