"""Reactions to records other apps write (subscribed in `LessonsConfig.ready`, run in the
writer's transaction; see `core.events`). The hand-over is a consequence of a write the
actor was allowed to make, so it is recorded in their name without a further permission
check (the theme may be at a location where they may not change themes).

- `people.staffmember` updated with `leaving_date`: every theme the person owns needs a new
  owner and gets a hand-over note.
- `themes.theme` updated with `owner`: the open hand-over note is completed for the new owner
  (or, when one owner replaces another with no note open, a note is written for the change).
- `tenancy.location` created (or restored): lessons for all locations get an adoption row there.
"""

from __future__ import annotations

from typing import Any

from sustain.core.events import WriteEvent


def on_staff_written(event: WriteEvent) -> None:
    if event.action != "update" or "leaving_date" not in event.fields:
        return
    from sustain.lessons.services import handover_owner_leaving

    for staff in event.objs:
        if staff.leaving_date is not None:
            handover_owner_leaving(actor=event.actor, staff=staff, check_permission=False)


def _previous_owner(theme: Any) -> Any:
    """The owner before this write, from the history entry it just recorded: the theme's
    latest update entry, if it moved the owner to the current one and no note has been written
    for that move since (a write that changed nothing records no entry, so an older entry must
    not be taken for this one)."""
    from sustain.core.models import HistoryEntry
    from sustain.lessons.models import HandoverNote
    from sustain.people.models import StaffMember

    entry = HistoryEntry.objects.filter(object_type="themes.theme", object_uuid=theme.uuid,
                                        action="update").order_by("-seq").first()
    if entry is None or theme.owner_id is None:
        return None
    before = (entry.before or {}).get("owner")
    after = (entry.after or {}).get("owner")
    if not before or before == after or after != str(theme.owner.uuid):
        return None
    previous = StaffMember.objects.filter(uuid=before,
                                          organisation_id=theme.organisation_id).first()
    if previous is None or HandoverNote.objects.filter(
            theme=theme, from_owner=previous, to_owner_id=theme.owner_id,
            created_at__gte=entry.at).exists():
        return None
    return previous


def on_theme_written(event: WriteEvent) -> None:
    if event.action != "update" or "owner" not in event.fields:
        return
    from sustain.lessons.services import handover_owner_assigned

    for theme in event.objs:
        handover_owner_assigned(actor=event.actor, theme=theme,
                                previous_owner=_previous_owner(theme), check_permission=False)


def on_location_written(event: WriteEvent) -> None:
    if event.action not in ("create", "restore"):
        return
    from sustain.lessons.services import lessons_for_new_locations

    lessons_for_new_locations(actor=event.actor, locations=event.objs)

