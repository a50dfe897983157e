"""Writes for meetings, their agenda and minutes, and governance cycles.

Every write checks `meeting.record` at the meeting's location (organisation-level meetings
need it over the whole organisation), checks that every staff member, theme, agenda item and
care-plan review named belongs to the same organisation (and location), and writes through the
tracked services so history is kept. An *action* minute creates a tracked theme action through
`themes.services.action_create` (owner and due date required) and links it.

System writers (the demo builder, imports) pass a string actor, e.g.
`meeting_create(actor="demo", organisation=org, location=home, meeting_type="team_meeting",
held_on=day)` then `minute_entry_create(actor="demo", meeting=m, kind="challenge",
question=…, asked_by=…, answer=…, satisfied=True)`; `governance_cycles_ensure(organisation=org,
up_to=today, since=a_year_ago)` records the cycles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from sustain.core.errors import InvalidInput, PermissionDenied
from sustain.core.services import (
    full_clean_or_raise,
    tracked_archive,
    tracked_create,
    tracked_update,
)
from sustain.engine.governance_cycles import CycleKind
from sustain.engine.meeting_rules import EntryKind, plan_cycles
from sustain.meetings.models import AgendaItem, GovernanceCycle, Meeting, MinuteEntry
from sustain.meetings.permissions import can_record_meeting

MEETING_FIELDS = ("meeting_type", "title", "held_on", "starts_at", "chair", "attendees",
                  "notes", "external_ref")
AGENDA_FIELDS = ("title", "theme", "order")
ENTRY_FIELDS = ("agenda_item", "theme", "text", "question", "asked_by", "answer", "satisfied",
                "decision", "care_plan_review")
MIN_REASON = 10
CYCLES_ACTOR = "governance-cycles"


def _system(actor: Any) -> bool:
    return actor is None or isinstance(actor, str)


def _unknown(fields: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown fields: " + ", ".join(unknown),
                           {f: ["Unknown field."] for f in unknown})


def _day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def _check_perm(actor: Any, meeting_or_location_id: int | None, what: str) -> None:
    if not _system(actor) and not can_record_meeting(actor, meeting_or_location_id):
        raise PermissionDenied(f"Your role cannot {what}.")


def _check_staff(organisation_id: int, values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("chair", "asked_by"):
        member = values.get(name)
        if member is not None and member.organisation_id != organisation_id:
            errors[name] = ["No such staff member in this organisation."]
    for member in values.get("attendees") or ():
        if member.organisation_id != organisation_id:
            errors["attendees"] = ["No such staff member in this organisation."]
    if errors:
        raise InvalidInput("Some of the staff named are not in this organisation.", errors)


def _check_theme(meeting: Meeting, theme: Any, field: str = "theme") -> None:
    if theme is None:
        return
    if theme.organisation_id != meeting.organisation_id:
        raise InvalidInput("The theme belongs to another organisation.",
                           {field: ["No such theme in this organisation."]})
    if meeting.location_id is not None and theme.location_id != meeting.location_id:
        raise InvalidInput("The theme belongs to another location.",
                           {field: [f"The theme “{theme.title}” is not a theme of "
                                    f"{meeting.location.name}."]})
    if theme.archived_at is not None:
        raise InvalidInput("The theme is archived.", {field: ["Choose an open theme."]})


def _not_archived(meeting: Meeting) -> None:
    if meeting.archived_at is not None:
        raise InvalidInput("This meeting is archived: restore it first.",
                           {"meeting": ["The meeting is archived."]})


# --- meetings -----------------------------------------------------------------------------

def meeting_create(*, actor: Any, organisation: Any, meeting_type: str, held_on: dt.date,
                   location: Any = None, **fields: Any) -> Meeting:
    """Record a meeting at `location` (None: an organisation-level meeting such as the board)."""
    _unknown(fields, MEETING_FIELDS)
    if location is not None:
        if location.organisation_id != organisation.pk:
            raise InvalidInput("The location belongs to another organisation.",
                               {"location": ["No such location in this organisation."]})
        if location.archived_at is not None:
            raise InvalidInput("The location is archived.",
                               {"location": ["Meetings cannot be added to an archived "
                                             "location."]})
    where = location.name if location is not None else "organisation level"
    _check_perm(actor, location.pk if location is not None else None,
                f"record a meeting at {where}")
    values = dict(fields)
    _check_staff(organisation.pk, values)
    attendees = list(values.pop("attendees", None) or ())
    with transaction.atomic():
        return tracked_create(actor=actor, obj=Meeting(
            organisation=organisation, location=location, meeting_type=meeting_type,
            held_on=held_on, **values), m2m={"attendees": attendees})


def meeting_update(*, actor: Any, meeting: Meeting, changes: dict[str, Any],
                   expected_version: int | None, today: dt.date | None = None) -> Meeting:
    """Change a meeting's details; it stays at its location. A meeting with minutes cannot
    move into the future."""
    changes = dict(changes)
    if "location" in changes:
        location = changes.pop("location")
        if (location.pk if location is not None else None) != meeting.location_id:
            raise InvalidInput("A meeting stays where it was held.",
                               {"location": ["Record it again at the other location instead."]})
    _unknown(changes, MEETING_FIELDS)
    _check_perm(actor, meeting.location_id, "change this meeting")
    _not_archived(meeting)
    _check_staff(meeting.organisation_id, changes)
    today = today or timezone.localdate()
    held_on = changes.get("held_on")
    if held_on is not None and held_on > today and \
            meeting.entries.filter(archived_at__isnull=True).exists():
        raise InvalidInput("A meeting with minutes has been held: it cannot be in the future.",
                           {"held_on": [f"Minutes are recorded, so the date cannot be after "
                                        f"today ({_day(today)})."]})
    m2m = {"attendees": list(changes.pop("attendees"))} if "attendees" in changes else None
    with transaction.atomic():
        return tracked_update(actor=actor, obj=meeting, changes=changes,
                              expected_version=expected_version, m2m=m2m)


def meeting_archive(*, actor: Any, meeting: Meeting, reason: str = "",
                    restore: bool = False) -> Meeting:
    """Archive a meeting recorded in error (its minutes leave the ratios; history keeps it),
    or bring it back."""
    _check_perm(actor, meeting.location_id, "archive this meeting")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the meeting is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    return tracked_archive(actor=actor, obj=meeting, reason=reason.strip(), restore=restore)


# --- agenda -------------------------------------------------------------------------------

def agenda_item_create(*, actor: Any, meeting: Meeting, title: str, theme: Any = None,
                       order: int | None = None) -> AgendaItem:
    """Add an item to a meeting's agenda (last unless `order` is given)."""
    _check_perm(actor, meeting.location_id, "change this meeting's agenda")
    _not_archived(meeting)
    _check_theme(meeting, theme)
    if order is None:
        order = (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1
    with transaction.atomic():
        return tracked_create(actor=actor, obj=AgendaItem(
            organisation=meeting.organisation, meeting=meeting, title=title, theme=theme,
            order=order))


def agenda_item_update(*, actor: Any, item: AgendaItem, changes: dict[str, Any],
                       expected_version: int | None) -> AgendaItem:
    changes = dict(changes)
    if "meeting" in changes and changes.pop("meeting").pk != item.meeting_id:
        raise InvalidInput("An agenda item stays on its meeting.",
                           {"meeting": ["Add the item to the other meeting instead."]})
    _unknown(changes, AGENDA_FIELDS)
    _check_perm(actor, item.meeting.location_id, "change this meeting's agenda")
    _not_archived(item.meeting)
    _check_theme(item.meeting, changes.get("theme"))
    with transaction.atomic():
        return tracked_update(actor=actor, obj=item, changes=changes,
                              expected_version=expected_version)


def agenda_item_archive(*, actor: Any, item: AgendaItem, reason: str = "",
                        restore: bool = False) -> AgendaItem:
    _check_perm(actor, item.meeting.location_id, "change this meeting's agenda")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the agenda item is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    return tracked_archive(actor=actor, obj=item, reason=reason.strip(), restore=restore)


# --- minutes ------------------------------------------------------------------------------

def _check_entry_refs(meeting: Meeting, values: dict[str, Any]) -> None:
    _check_staff(meeting.organisation_id, values)
    item = values.get("agenda_item")
    if item is not None and (item.meeting_id != meeting.pk or item.archived_at is not None):
        raise InvalidInput("The agenda item is not on this meeting's agenda.",
                           {"agenda_item": ["Choose an item of this meeting's agenda."]})
    _check_theme(meeting, values.get("theme"))
    review = values.get("care_plan_review")
    if review is not None and (review.organisation_id != meeting.organisation_id or (
            meeting.location_id is not None and review.location_id != meeting.location_id)):
        raise InvalidInput("The care-plan review is not one of this location's.",
                           {"care_plan_review": ["Choose a care-plan review at "
                                                 "this meeting's location."]})


def _held(meeting: Meeting, today: dt.date) -> None:
    if meeting.held_on > today:
        raise InvalidInput(
            f"The meeting is on {_day(meeting.held_on)}: record minutes once it has been held.",
            {"meeting": [f"This meeting is in the future ({_day(meeting.held_on)})."]})


def _create_action(actor: Any, meeting: Meeting, entry: MinuteEntry, owner: Any,
                   due_date: dt.date | None) -> Any:
    from sustain.themes.services import action_create

    errors: dict[str, list[str]] = {}
    if entry.theme is None:
        errors["theme"] = ["An action is tracked on a theme: choose the theme."]
    if owner is None:
        errors["action_owner"] = ["Name who will do it."]
    elif owner.organisation_id != meeting.organisation_id:
        errors["action_owner"] = ["No such staff member in this organisation."]
    if due_date is None:
        errors["action_due_date"] = ["Give the date it is due."]
    elif due_date < meeting.held_on:
        errors["action_due_date"] = ["The due date cannot be before the meeting."]
    if errors:
        raise InvalidInput("An action needs a theme, an owner and a due date.", errors)
    return action_create(actor=actor, theme=entry.theme, description=entry.text.strip(),
                         due_date=due_date, owner=owner, raised_on=meeting.held_on)


def minute_entry_create(*, actor: Any, meeting: Meeting, kind: str, text: str = "",
                        agenda_item: Any = None, theme: Any = None, question: str = "",
                        asked_by: Any = None, answer: str = "", satisfied: bool | None = None,
                        decision: str = "", care_plan_review: Any = None,
                        action_owner: Any = None, action_due_date: dt.date | None = None,
                        today: dt.date | None = None) -> MinuteEntry:
    """Minute one entry of a held meeting. A challenge needs the question; a decision the
    decision; an action creates a tracked theme action (theme, owner and due date)."""
    if kind not in {k.value for k in EntryKind}:
        raise InvalidInput("Choose the kind of entry.",
                           {"kind": ["Choose update, challenge, decision or action."]})
    _check_perm(actor, meeting.location_id, "minute this meeting")
    _not_archived(meeting)
    _held(meeting, today or timezone.localdate())
    if theme is None and agenda_item is not None:
        theme = agenda_item.theme
    values = {"agenda_item": agenda_item, "theme": theme, "asked_by": asked_by,
              "care_plan_review": care_plan_review}
    _check_entry_refs(meeting, values)
    if kind != EntryKind.ACTION and (action_owner is not None or action_due_date is not None):
        field = "action_owner" if action_owner is not None else "action_due_date"
        raise InvalidInput("Only an action has an owner and a due date.",
                           {field: ["Choose the kind “action” to track this."]})
    entry = MinuteEntry(organisation=meeting.organisation, meeting=meeting, kind=kind,
                        text=text, question=question, answer=answer, satisfied=satisfied,
                        decision=decision, **values)
    full_clean_or_raise(entry)
    with transaction.atomic():
        if kind == EntryKind.ACTION:
            entry.action = _create_action(actor, meeting, entry, action_owner, action_due_date)
        return tracked_create(actor=actor, obj=entry)


def minute_entry_update(*, actor: Any, entry: MinuteEntry, changes: dict[str, Any],
                        expected_version: int | None) -> MinuteEntry:
    """Correct a minute. The kind stays; an action's owner, due date and progress are changed
    on the action itself."""
    changes = dict(changes)
    if "meeting" in changes and changes.pop("meeting").pk != entry.meeting_id:
        raise InvalidInput("A minute stays in its meeting.",
                           {"meeting": ["Minute it in the other meeting instead."]})
    if "kind" in changes and changes.pop("kind") != entry.kind:
        raise InvalidInput("The kind of a minute cannot change: archive it and add another.",
                           {"kind": ["Archive this entry and add one of the other kind."]})
    for field in ("action_owner", "action_due_date"):
        if field in changes:
            raise InvalidInput("Change the action itself (its owner and due date).",
                               {field: ["Change it on the theme's action."]})
    _unknown(changes, ENTRY_FIELDS)
    meeting = entry.meeting
    _check_perm(actor, meeting.location_id, "change this meeting's minutes")
    _not_archived(meeting)
    if entry.kind == EntryKind.ACTION and "theme" in changes and \
            getattr(changes["theme"], "pk", None) != entry.theme_id:
        raise InvalidInput("The action is tracked on its theme.",
                           {"theme": ["An action minute stays on its theme."]})
    _check_entry_refs(meeting, changes)
    with transaction.atomic():
        return tracked_update(actor=actor, obj=entry, changes=changes,
                              expected_version=expected_version)


def minute_entry_archive(*, actor: Any, entry: MinuteEntry, reason: str = "",
                         restore: bool = False) -> MinuteEntry:
    """Archive a minute recorded in error (it leaves the ratio; an action it created stays on
    the theme's plan until cancelled there), or bring it back."""
    _check_perm(actor, entry.meeting.location_id, "change this meeting's minutes")
    if not restore and len(reason.strip()) < MIN_REASON:
        raise InvalidInput("Say why the minute is archived.",
                           {"reason": [f"At least {MIN_REASON} characters."]})
    return tracked_archive(actor=actor, obj=entry, reason=reason.strip(), restore=restore)


# --- governance cycles --------------------------------------------------------------------

def governance_cycles_ensure(*, organisation: Any, up_to: dt.date,
                             since: dt.date | None = None) -> list[GovernanceCycle]:
    """Record every governance cycle of the organisation up to the one containing `up_to`.

    The first cycle (number 1) is the calendar cycle containing `since` (default: the day the
    organisation was added); later cycles follow without gaps, of the organisation's current
    kind. Idempotent, and safe to run concurrently: the organisation row is locked while the
    missing cycles are planned and written.
    """
    from sustain.tenancy.models import Organisation

    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        last = GovernanceCycle.objects.filter(organisation=org).order_by("-start").first()
        first_day = since or timezone.localtime(org.created_at).date()
        plans = plan_cycles(kind=CycleKind(org.governance_cycle), up_to=up_to,
                            last_number=last.number if last else None,
                            last_end=last.end if last else None, first_day=first_day)
        return [tracked_create(actor=CYCLES_ACTOR, obj=GovernanceCycle(
            organisation=org, number=p.number, kind=p.kind.value, ordinal=p.ordinal,
            start=p.start, end=p.end, label=p.label)) for p in plans]


def governance_cycles_ensure_all(*, up_to: dt.date | None = None) -> dict[str, int]:
    """The periodic job: every active organisation's cycles up to today. Returns counts."""
    from sustain.tenancy.models import Organisation

    up_to = up_to or timezone.localdate()
    created = 0
    organisations = 0
    for org in Organisation.objects.filter(archived_at__isnull=True).order_by("pk"):
        created += len(governance_cycles_ensure(organisation=org, up_to=up_to))
        organisations += 1
    return {"organisations": organisations, "created": created}
