"""Access to lessons, their adoptions and hand-over notes (default deny).

A lesson is visible to anyone who may see themes at its origin location or at a location it
applies to (a lesson for all locations: anyone who may see themes anywhere in the
organisation). Adoptions and hand-over notes belong to one location each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from sustain.engine.access import Perm
from sustain.tenancy.permissions import (
    actor_organisation_id,
    filter_by_location,
    has_perm_at,
    location_scope,
)


def filter_lessons_visible(qs: QuerySet, actor: Any) -> QuerySet:
    org_id = actor_organisation_id(actor)
    scope = location_scope(actor, Perm.THEME_VIEW)
    if org_id is None or scope.is_empty:
        return qs.none()
    qs = qs.filter(organisation_id=org_id)
    if scope.whole_organisation:
        return qs
    from sustain.lessons.models import Lesson

    ids = sorted(scope.location_ids)
    through = Lesson.applies_to.through
    applies = through.objects.filter(lesson_id=OuterRef("pk"), location_id__in=ids)
    return qs.filter(Q(applies_to_all=True) | Q(origin_location_id__in=ids) | Exists(applies))


def filter_adoptions_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def filter_handover_notes_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return filter_by_location(qs, actor, Perm.THEME_VIEW)


def can_manage_lessons_anywhere(actor: Any) -> bool:
    return not location_scope(actor, Perm.LESSON_MANAGE).is_empty


def can_manage_lesson(actor: Any, *, location_ids: Iterable[int | None],
                      applies_to_all: bool) -> bool:
    """Lessons are written over the writer's scope: every location named (origin and where it
    applies) must be in it; a lesson for all locations needs the whole organisation."""
    scope = location_scope(actor, Perm.LESSON_MANAGE)
    if scope.is_empty:
        return False
    if applies_to_all and not scope.whole_organisation:
        return False
    return all(scope.covers(pk) for pk in location_ids if pk is not None)


def can_adopt_at(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.LESSON_ADOPT, location_id)


def can_write_handover(actor: Any, location_id: int) -> bool:
    return has_perm_at(actor, Perm.THEME_CHANGE, location_id)


def can_acknowledge(actor: Any, note: Any) -> bool:
    """The new owner (their own account) or someone who may change the theme."""
    staff = getattr(actor, "staff_member", None) if getattr(actor, "is_authenticated",
                                                            False) else None
    if staff is not None and note.to_owner_id and staff.pk == note.to_owner_id \
            and actor_organisation_id(actor) == note.organisation_id:
        return True
    return has_perm_at(actor, Perm.THEME_CHANGE, note.location_id)


VISIBILITY_FILTERS = {
    "lessons.lesson": filter_lessons_visible,
    "lessons.lessonadoption": filter_adoptions_visible,
    "lessons.handovernote": filter_handover_notes_visible,
}
