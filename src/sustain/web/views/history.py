"""A record's history: who changed what, when, field by field (before → after).

Shown only when the reader may see the record *and* holds history.view where the record
lives: at its location; for staff, at one of their locations; for records that belong to no
location (regions, users, organisation-wide roles), over the whole organisation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sustain.accounts.models import User
from sustain.audits.models import Audit
from sustain.audits.permissions import filter_audits_visible
from sustain.core.selectors import history_for_object
from sustain.engine.access import Perm
from sustain.governance.models import Cadence, Occurrence
from sustain.governance.permissions import filter_cadences_visible, filter_occurrences_visible
from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.lessons.permissions import (
    filter_adoptions_visible,
    filter_handover_notes_visible,
    filter_lessons_visible,
)
from sustain.meetings.models import AgendaItem, Meeting, MinuteEntry
from sustain.meetings.permissions import filter_meeting_parts_visible, filter_meetings_visible
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible, filter_staff_visible
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import filter_playbooks_visible
from sustain.reference.api import filter_reference_visible
from sustain.reference.models import QualityStatement, Regulation
from sustain.tenancy.models import Location, Membership, Organisation, Region
from sustain.tenancy.permissions import (
    actor_organisation_id,
    can_manage_users,
    filter_locations_visible,
    filter_memberships_visible,
    has_perm_at,
    location_scope,
)
from sustain.themes.models import Action, Theme
from sustain.themes.permissions import filter_actions_visible, filter_themes_visible
from sustain.web.history_display import describe
from sustain.web.views.base import get_visible_or_404, paginate, require


def filter_regions_visible(qs: QuerySet, actor: Any) -> QuerySet:
    return qs.filter(organisation_id=actor_organisation_id(actor))


def filter_users_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """User accounts are administered (and their history read) by administrators only."""
    if not can_manage_users(actor):
        return qs.none()
    return qs.filter(organisation_id=actor_organisation_id(actor))


def filter_user_names_visible(qs: QuerySet, actor: Any) -> QuerySet:
    """Names of colleagues in the same organisation (to say who a role was given to)."""
    return qs.filter(organisation_id=actor_organisation_id(actor))


def filter_own_organisation(qs: QuerySet, actor: Any) -> QuerySet:
    return qs.filter(pk=actor_organisation_id(actor))


# The records whose history can be opened, and how to tell whether the reader may see one.
HISTORY_MODELS: dict[str, tuple[type[Model], Any]] = {
    "tenancy.location": (Location, filter_locations_visible),
    "tenancy.region": (Region, filter_regions_visible),
    "tenancy.membership": (Membership, filter_memberships_visible),
    "people.personsupported": (PersonSupported, filter_people_visible),
    "people.staffmember": (StaffMember, filter_staff_visible),
    "accounts.user": (User, filter_users_visible),
    "themes.theme": (Theme, filter_themes_visible),
    "themes.action": (Action, filter_actions_visible),
    "audits.audit": (Audit, filter_audits_visible),
    "meetings.meeting": (Meeting, filter_meetings_visible),
    "meetings.minuteentry": (MinuteEntry, filter_meeting_parts_visible),
    "meetings.agendaitem": (AgendaItem, filter_meeting_parts_visible),
    "governance.cadence": (Cadence, filter_cadences_visible),
    "governance.occurrence": (Occurrence, filter_occurrences_visible),
    "lessons.lesson": (Lesson, filter_lessons_visible),
    "lessons.lessonadoption": (LessonAdoption, filter_adoptions_visible),
    "lessons.handovernote": (HandoverNote, filter_handover_notes_visible),
}

# How related records named in snapshots are resolved to names (scoped, see history_display).
RESOLVERS: dict[type[Model], Any] = {
    Location: filter_locations_visible,
    Region: filter_regions_visible,
    StaffMember: filter_staff_visible,
    PersonSupported: filter_people_visible,
    User: filter_user_names_visible,
    Organisation: filter_own_organisation,
    QualityStatement: filter_reference_visible,
    Regulation: filter_reference_visible,
    Playbook: filter_playbooks_visible,
}


def can_view_history(actor: Any, obj: Model) -> bool:
    """Does the reader hold history.view where this (already visible) record lives?"""
    scope = location_scope(actor, Perm.HISTORY_VIEW)
    if scope.is_empty:
        return False
    if scope.whole_organisation:
        return True
    if isinstance(obj, StaffMember):
        return any(scope.covers(pk) for pk in obj.locations.values_list("pk", flat=True))
    location_id = obj.location_id_for_scope()  # type: ignore[attr-defined]
    return location_id is not None and has_perm_at(actor, Perm.HISTORY_VIEW, location_id)


def history_url_label(obj: Model) -> str:
    return obj._meta.label_lower


@login_required
def history(request: HttpRequest, label: str, uuid: Any) -> HttpResponse:
    entry = HISTORY_MODELS.get(label)
    if entry is None:
        raise Http404("No such kind of record.")
    model, visible = entry
    obj = get_visible_or_404(model._default_manager.all(), visible, request.user, uuid)
    require(can_view_history(request.user, obj))
    page = paginate(request, history_for_object(actor=request.user, obj=obj), per_page=50)
    return render(request, "web/history.html", {
        "object": obj,
        "kind": str(model._meta.verbose_name),
        "page": page,
        "entries": describe(model, list(page), request.user, RESOLVERS),
        "back_url": back_url(obj),
    })


def back_url(obj: Model) -> str | None:
    from django.urls import reverse

    names = {Location: "web:location-detail", PersonSupported: "web:person-detail",
             StaffMember: "web:staff-detail", User: "web:org-user-detail"}
    names[Theme] = "themes:detail"
    names[Audit] = "audits:detail"
    names.update({Meeting: "meetings:detail", Lesson: "lessons:detail",
                  LessonAdoption: "lessons:adoption", HandoverNote: "lessons:handover-detail"})
    if isinstance(obj, Action):
        return reverse("themes:detail", kwargs={"uuid": obj.theme.uuid})
    if isinstance(obj, MinuteEntry | AgendaItem):
        return reverse("meetings:detail", kwargs={"uuid": obj.meeting.uuid})
    if isinstance(obj, Cadence | Occurrence):  # the calendar shows both (at their location)
        place = obj.location.uuid if obj.location_id else "organisation"
        return f"{reverse('governance:calendar')}?location={place}"
    name = names.get(type(obj))
    if name is None:
        return reverse("web:org-admin") if isinstance(obj, Region | Membership) else None
    return reverse(name, kwargs={"uuid": obj.uuid})  # type: ignore[attr-defined]
