"""Meeting pages: a location's meetings with the challenge-ratio trend per meeting type,
record a meeting (phone-friendly), and the meeting page where minutes are added one after
another (update, challenge, decision, action) and grouped by agenda item."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sustain.careplans.models import CarePlanReview
from sustain.careplans.permissions import filter_reviews_visible
from sustain.engine.access import Perm
from sustain.engine.meeting_rules import ENTRY_KIND_LABELS, EntryKind, percent
from sustain.meetings import selectors, services
from sustain.meetings.api import filter_staff_for_meetings
from sustain.meetings.forms import (
    ORGANISATION,
    AgendaItemForm,
    ArchiveEntryForm,
    EntryForm,
    MeetingEditForm,
    MeetingForm,
)
from sustain.meetings.models import Meeting, MinuteEntry
from sustain.meetings.permissions import (
    can_record_meeting,
    filter_meeting_parts_visible,
    filter_meetings_visible,
)
from sustain.people.models import StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_at
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.web.views.base import (
    get_visible_or_404,
    is_visible,
    paginate,
    preselected,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.web.views.history import can_view_history


def _places(user: Any, perm: str) -> list[tuple[str, str]]:
    """(value, name) of the places the user may use for `perm`: locations, then the whole
    organisation when their scope covers it."""
    locations = filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                                   perm, field="pk").order_by("name")
    places = [(str(loc.uuid), loc.name) for loc in locations]
    if has_perm_at(user, perm, None):
        places.append((ORGANISATION, "Whole organisation (board, provider review)"))
    return places


def _place(user: Any, raw: str | None, perm: str = Perm.MEETING_VIEW) -> tuple[Any, str]:
    """The chosen location (None: organisation level) and its name; 403 if none is allowed."""
    places = _places(user, perm)
    require(bool(places))
    values = dict(places)
    value = raw if raw in values else places[0][0]
    if value == ORGANISATION:
        return None, values[value]
    location = Location.objects.filter(uuid=value).first()
    return location, values[value]


def _staff(user: Any) -> QuerySet:
    return filter_staff_for_meetings(StaffMember.objects.filter(archived_at__isnull=True),
                                     user).order_by("full_name")


def _themes(user: Any, meeting: Meeting) -> QuerySet:
    qs = Theme.objects.filter(organisation=meeting.organisation, archived_at__isnull=True)
    if meeting.location_id is not None:
        qs = qs.filter(location_id=meeting.location_id)
    return filter_themes_visible(qs, user).order_by("title")


def _reviews(user: Any, meeting: Meeting) -> QuerySet:
    if meeting.location_id is None:
        return CarePlanReview.objects.none()
    return filter_reviews_visible(CarePlanReview.objects.filter(
        location_id=meeting.location_id, archived_at__isnull=True), user) \
        .select_related("person").order_by("-due_date")[:50]


def _bar(value: float | None) -> int:
    return 0 if value is None else round(value * 100)


@login_required
def meeting_index(request: HttpRequest) -> HttpResponse:
    """A location's meetings: the challenge trend per meeting type and the latest meetings."""
    require_perm_anywhere(request, Perm.MEETING_VIEW)
    location, place_name = _place(request.user, request.GET.get("location"))
    visible = filter_meetings_visible(Meeting.objects.all(), request.user)
    today = timezone.localdate()
    organisation = request.user.organisation
    trends = selectors.trends_by_type(organisation=organisation, location=location,
                                      as_of=today, meetings=visible)
    rows = [{"label": t.label, "code": t.meeting_type, "trend": t.trend,
             "cycles": [{"c": c, "percent": percent(c.mean_ratio), "bar": _bar(c.mean_ratio)}
                        for c in t.trend.cycles]} for t in trends]
    listed = visible.filter(archived_at__isnull=True)
    listed = listed.filter(location=location) if location is not None else \
        listed.filter(location__isnull=True)
    page = paginate(request, listed.select_related("chair").order_by("-held_on", "-pk"))
    ratios = selectors.ratios_for(list(page.object_list))
    meetings = [{"m": m, "ratio": ratios[m.pk]} for m in page.object_list]
    place_value = str(location.uuid) if location is not None else ORGANISATION
    return render(request, "meetings/index.html", {
        "place_name": place_name, "place_value": place_value, "location": location,
        "places": _places(request.user, Perm.MEETING_VIEW), "rows": rows,
        "periods": rows[0]["trend"].cycles if rows else (), "page": page,
        "meetings": meetings,
        "can_record": can_record_meeting(request.user,
                                         location.pk if location is not None else None)})


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.MEETING_RECORD)
    places = _places(request.user, Perm.MEETING_RECORD)
    require(bool(places))
    initial = {"held_on": timezone.localdate(),
               "location": request.GET.get("location") or places[0][0],
               "meeting_type": request.GET.get("meeting_type", "")}
    form = MeetingForm(request.POST or None, initial=initial, places=places,
                       staff=_staff(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        value = data.pop("location")
        location = None if value == ORGANISATION else Location.objects.get(uuid=value)
        meeting = run_service(form, lambda: services.meeting_create(
            actor=request.user, organisation=request.user.organisation, location=location,
            **data), is_visible(filter_meetings_visible, request.user))
        if meeting is not None:
            messages.success(request, f"{meeting.type_label} on {meeting.held_on:%-d %b %Y} "
                                      "has been recorded. Add the minutes below.")
            return redirect("meetings:detail", uuid=meeting.uuid)
    return render(request, "meetings/form.html", {"form": form, "title": "Record a meeting"})


def _entry_form(request: HttpRequest, meeting: Meeting, data: Any = None,
                kind: str = EntryKind.UPDATE.value) -> EntryForm:
    agenda = meeting.agenda_items.filter(archived_at__isnull=True).order_by("order", "pk")
    return EntryForm(data, initial={"kind": kind}, agenda=agenda, staff=_staff(request.user),
                     themes=_themes(request.user, meeting),
                     reviews=_reviews(request.user, meeting))


def _detail(request: HttpRequest, meeting: Meeting, entry_form: EntryForm | None = None,
            agenda_form: AgendaItemForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_record = can_record_meeting(user, meeting.location_id) and not meeting.is_archived
    kind = request.GET.get("kind", EntryKind.UPDATE.value)
    if kind not in {k.value for k in EntryKind}:
        kind = EntryKind.UPDATE.value
    entries = list(filter_meeting_parts_visible(meeting.entries.filter(
        archived_at__isnull=True), user).select_related(
        "agenda_item", "theme", "asked_by", "action", "action__owner", "care_plan_review",
        "care_plan_review__person").order_by("created_at", "pk"))
    agenda = list(meeting.agenda_items.filter(archived_at__isnull=True)
                  .select_related("theme").order_by("order", "pk"))
    groups = [{"item": item, "entries": [e for e in entries if e.agenda_item_id == item.pk]}
              for item in agenda]
    loose = [e for e in entries if e.agenda_item_id is None]
    if loose or not groups:
        groups.append({"item": None, "entries": loose})
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "ratio": selectors.meeting_ratio(meeting), "groups": groups,
        "attendees": list(meeting.attendees.order_by("full_name")),
        "can_record": can_record,
        "can_history": can_view_history(user, meeting),
        "held": meeting.held_on <= timezone.localdate(),
        "entry_form": entry_form or (_entry_form(request, meeting, kind=kind)
                                     if can_record else None),
        "agenda_form": agenda_form or (AgendaItemForm(themes=_themes(user, meeting))
                                       if can_record else None),
        "kind_labels": ENTRY_KIND_LABELS, "field_kinds": EntryForm.KINDS,
    }, status=status)


def _meeting(request: HttpRequest, uuid: Any) -> Meeting:
    return get_visible_or_404(
        Meeting.objects.select_related("location", "chair", "organisation"),
        filter_meetings_visible, request.user, uuid)


@login_required
def meeting_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _detail(request, _meeting(request, uuid))


@login_required
@require_POST
def entry_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Add one minute, then come back to the same form (same kind) for the next one."""
    meeting = _meeting(request, uuid)
    require(can_record_meeting(request.user, meeting.location_id))
    form = _entry_form(request, meeting, request.POST)
    if form.is_valid():
        entry = run_service(form, lambda: services.minute_entry_create(
            actor=request.user, meeting=meeting, **form.service_kwargs()),
            is_visible(filter_meeting_parts_visible, request.user))
        if entry is not None:
            label = ENTRY_KIND_LABELS[EntryKind(entry.kind)]
            note = " and tracked on the theme's action plan" if entry.action_id else ""
            messages.success(request, f"{label} added{note}.")
            url = reverse("meetings:detail", kwargs={"uuid": meeting.uuid})
            return redirect(f"{url}?kind={entry.kind}#add-entry")
    return _detail(request, meeting, entry_form=form, status=400)


@login_required
@require_POST
def agenda_create(request: HttpRequest, uuid: Any) -> HttpResponse:
    meeting = _meeting(request, uuid)
    require(can_record_meeting(request.user, meeting.location_id))
    form = AgendaItemForm(request.POST, themes=_themes(request.user, meeting))
    if form.is_valid():
        item = run_service(form, lambda: services.agenda_item_create(
            actor=request.user, meeting=meeting, **form.cleaned_data))
        if item is not None:
            messages.success(request, f"Agenda item “{item.title}” added.")
            return redirect(reverse("meetings:detail", kwargs={"uuid": meeting.uuid})
                            + "#agenda")
    return _detail(request, meeting, agenda_form=form, status=400)


@login_required
def meeting_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Change the meeting's details; a concurrent change is refused, not overwritten."""
    meeting = _meeting(request, uuid)
    require(can_record_meeting(request.user, meeting.location_id) and not meeting.is_archived)
    initial = {"meeting_type": meeting.meeting_type, "held_on": meeting.held_on,
               "starts_at": meeting.starts_at, "title": meeting.title,
               "chair": meeting.chair.uuid if meeting.chair else None,
               "attendees": [a.uuid for a in meeting.attendees.all()],
               "notes": meeting.notes, "version": meeting.version}
    form = MeetingEditForm(request.POST or None, initial=initial, staff=_staff(request.user))
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.meeting_update(
            actor=request.user, meeting=meeting, changes=form.changes(),
            expected_version=form.cleaned_data["version"]))
        if saved is not None:
            messages.success(request, "The meeting has been updated.")
            return redirect("meetings:detail", uuid=meeting.uuid)
    return render(request, "meetings/form.html", {
        "form": form, "title": "Change the meeting", "meeting": meeting},
        status=400 if form.errors else 200)


@login_required
@require_POST
def entry_archive(request: HttpRequest, uuid: Any, entry_uuid: Any) -> HttpResponse:
    """Remove a minute recorded in error (archived: history keeps it; it leaves the ratio)."""
    meeting = _meeting(request, uuid)
    require(can_record_meeting(request.user, meeting.location_id))
    entry = get_visible_or_404(MinuteEntry.objects.filter(meeting=meeting),
                               filter_meeting_parts_visible, request.user, entry_uuid)
    form = ArchiveEntryForm(request.POST)
    done = form.is_valid() and run_service(form, lambda: services.minute_entry_archive(
        actor=request.user, entry=entry, reason=form.cleaned_data["reason"]))
    if not done:
        messages.error(request, "The minute was not removed: " + "; ".join(
            str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, "The minute has been removed (it stays in the history).")
    return redirect(reverse("meetings:detail", kwargs={"uuid": meeting.uuid}) + "#minutes")


__all__ = ["preselected"]
