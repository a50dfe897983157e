"""Lesson and hand-over pages: the provider's adoption grid (locations × lessons, most stalled
first, filterable by region), a lesson's page, the phone-friendly adoption update, the
"share as lesson" form (prefilled from `?theme=`), themes whose owner is leaving, and a
hand-over note with its "acknowledge" action. Views read through selectors and write through
services only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.engine.lesson_rules import DEFAULT_STALLED_AFTER_DAYS, classify
from sustain.lessons import permissions as perms
from sustain.lessons import selectors, services
from sustain.lessons.forms import AdoptionForm, GridFilterForm, LessonEditForm, LessonForm
from sustain.lessons.models import HandoverNote, Lesson, LessonAdoption
from sustain.people.models import StaffMember
from sustain.people.permissions import filter_staff_visible
from sustain.tenancy.models import Location, Region
from sustain.tenancy.permissions import filter_by_location, filter_regions_visible
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.web.views.archive import ArchiveTarget, archive_actions, archive_page
from sustain.web.views.base import (
    get_visible_or_404,
    is_visible,
    preselected,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.web.views.history import can_view_history


@login_required
def adoption_grid(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    regions = filter_regions_visible(Region.objects.filter(archived_at__isnull=True),
                                     user).order_by("name")
    form = GridFilterForm(request.GET or None, regions=regions)
    region = form.cleaned_data.get("region") if form.is_valid() else None
    grid = selectors.adoption_grid(actor=user, region=region)
    return render(request, "lessons/grid.html", {
        "grid": grid, "form": form, "region": region,
        "can_create": perms.can_manage_lessons_anywhere(user),
        "needing_owner": selectors.themes_needing_owner(actor=user)[:5],
    })


def _staff_choices(user: Any) -> Any:
    today = timezone.localdate()
    return filter_staff_visible(StaffMember.objects.filter(archived_at__isnull=True)
                                .exclude(leaving_date__lt=today), user).order_by("full_name")


@login_required
def lesson_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(perms.can_manage_lessons_anywhere(user))
    locations = filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                                   Perm.LESSON_MANAGE, field="pk").order_by("name")
    themes = filter_themes_visible(Theme.objects.filter(archived_at__isnull=True), user)
    theme = preselected(themes.select_related("location"),
                        request.POST.get("origin_theme") or request.GET.get("theme"))
    initial: dict[str, Any] = {}
    if theme is not None:
        initial = {"title": f"Lesson from {theme.title}",
                   "what_happened": theme.description,
                   "origin_location": theme.location if locations.filter(
                       pk=theme.location_id).exists() else None}
    form = LessonForm(request.POST or None, initial=initial, locations=locations,
                      staff=_staff_choices(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lesson = run_service(form, lambda: services.lesson_create(
            actor=user, organisation=user.organisation, origin_theme=theme,
            origin_location=data["origin_location"] or (theme.location if theme else None),
            applies_to=list(data["applies_to"] or []), applies_to_all=data["applies_to_all"],
            title=data["title"], what_happened=data["what_happened"],
            in_practice=data["in_practice"], owner=data["owner"]),
            check_visible=is_visible(perms.filter_lessons_visible, user))
        if lesson is not None:
            count = lesson.adoptions.filter(archived_at__isnull=True).count()
            messages.success(request, f"Lesson recorded: {count} location"
                                      f"{'s' if count != 1 else ''} to adopt it.")
            return redirect("lessons:detail", uuid=lesson.uuid)
    return render(request, "lessons/lesson_form.html", {"form": form, "theme": theme})


@login_required
def lesson_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    lesson = get_visible_or_404(
        Lesson.objects.select_related("origin_theme", "origin_location", "owner"),
        perms.filter_lessons_visible, user, uuid)
    adoptions = list(selectors.visible_adoptions(actor=user, lesson=lesson)
                     .order_by("location__name", "pk"))
    today = timezone.localdate()
    rows = [(a, classify(selectors.adoption_fact(a), today, DEFAULT_STALLED_AFTER_DAYS),
             selectors.evidence_url(a), perms.can_adopt_at(user, a.location_id))
            for a in adoptions]
    can_manage = _can_manage(user, lesson)
    origin_theme = None
    if lesson.origin_theme_id and filter_themes_visible(
            Theme.objects.filter(pk=lesson.origin_theme_id), user).exists():
        origin_theme = lesson.origin_theme
    return render(request, "lessons/detail.html", {
        "lesson": lesson, "rows": rows, "summary": selectors.lesson_summary(lesson, adoptions),
        "applies_to": lesson.applies_to.order_by("name"), "origin_theme": origin_theme,
        "can_history": can_view_history(user, lesson),
        "can_edit": can_manage and not lesson.is_archived,
        "archive": archive_actions(
            lesson, allowed=can_manage, noun="lesson", label=lesson.title,
            archive_url=reverse("lessons:archive", kwargs={"uuid": lesson.uuid}),
            restore_url=reverse("lessons:restore", kwargs={"uuid": lesson.uuid})),
    })


def _can_manage(user: Any, lesson: Lesson) -> bool:
    """The service's own check: lesson.manage over every location the lesson names."""
    return perms.can_manage_lesson(
        user, location_ids=[lesson.origin_location_id,
                            *lesson.applies_to.values_list("pk", flat=True)],
        applies_to_all=lesson.applies_to_all)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Change a lesson (text, where it applies, owner): roles with lesson.manage over all the
    places it names; a change made meanwhile by someone else is refused, not overwritten."""
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    lesson = get_visible_or_404(Lesson.objects.select_related("owner"),
                                perms.filter_lessons_visible, user, uuid)
    require(_can_manage(user, lesson) and not lesson.is_archived)
    locations = filter_by_location(Location.objects.filter(archived_at__isnull=True), user,
                                   Perm.LESSON_MANAGE, field="pk").order_by("name")
    staff = _staff_choices(user)
    if lesson.owner_id is not None:  # a current owner who has since left stays choosable
        staff = (staff | StaffMember.objects.filter(pk=lesson.owner_id)).distinct()
    form = LessonEditForm(request.POST or None, locations=locations, staff=staff, initial={
        "version": lesson.version, "title": lesson.title,
        "what_happened": lesson.what_happened, "in_practice": lesson.in_practice,
        "applies_to_all": lesson.applies_to_all,
        "applies_to": list(lesson.applies_to.all()), "owner": lesson.owner})
    if request.method == "POST" and form.is_valid():
        changes = form.changes_from(lesson)
        saved = run_service(form, lambda: services.lesson_update(
            actor=user, lesson=lesson, changes=changes,
            expected_version=form.cleaned_data["version"]),
            check_visible=is_visible(perms.filter_lessons_visible, user))
        if saved is not None:
            messages.success(request, "The lesson has been saved.")
            return redirect("lessons:detail", uuid=lesson.uuid)
    return render(request, "lessons/lesson_edit.html", {"form": form, "lesson": lesson},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_archive(request: HttpRequest, uuid: Any, restore: bool = False) -> HttpResponse:
    """Confirm and archive (or restore) a lesson recorded in error; its adoption records go
    (and come back) with it."""
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    lesson = get_visible_or_404(Lesson.objects.all(), perms.filter_lessons_visible, user, uuid)
    return archive_page(request, ArchiveTarget(
        obj=lesson, noun="lesson", title=lesson.title,
        back_url=reverse("lessons:detail", kwargs={"uuid": lesson.uuid}),
        allowed=_can_manage(user, lesson),
        service=lambda reason, back: services.lesson_archive(
            actor=user, lesson=lesson, reason=reason, restore=back)), restore=restore)


@login_required
def adoption_update(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = request.user
    require_perm_anywhere(request, Perm.THEME_VIEW)
    adoption = get_visible_or_404(
        LessonAdoption.objects.select_related("lesson", "location"),
        perms.filter_adoptions_visible, user, uuid)
    require(perms.can_adopt_at(user, adoption.location_id))
    choices = selectors.evidence_choices(actor=user, location=adoption.location)
    current = f"{adoption.evidence_type}:{adoption.evidence_uuid}" \
        if adoption.evidence_uuid else ""
    if current and not any(current == v for _, group in choices for v, _ in group):
        choices.insert(0, ("Current", [(current, adoption.evidence_label)]))
    form = AdoptionForm(request.POST or None, evidence_choices=choices, initial={
        "version": adoption.version, "status": adoption.status, "evidence": current,
        "evidence_note": adoption.evidence_note, "evidence_date": adoption.evidence_date,
        "notes": adoption.notes})
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved = run_service(form, lambda: services.lesson_adoption_update(
            actor=user, adoption=adoption, changes=changes,
            expected_version=form.cleaned_data["version"]))
        if saved is not None:
            messages.success(request, f"{adoption.location.name}: "
                                      f"{saved.get_status_display().lower()} saved.")
            return redirect("lessons:detail", uuid=adoption.lesson.uuid)
    return render(request, "lessons/adoption_form.html", {
        "form": form, "adoption": adoption, "can_history": can_view_history(user, adoption)})


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    return render(request, "lessons/handover_list.html", {
        "needing_owner": selectors.themes_needing_owner(actor=user),
        "notes": selectors.handover_notes(actor=user).order_by("acknowledged_at",
                                                               "-generated_at")[:100],
    })


@login_required
def handover_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    note = get_visible_or_404(
        HandoverNote.objects.select_related("theme", "location", "from_owner", "to_owner",
                                            "acknowledged_by"),
        perms.filter_handover_notes_visible, user, uuid)
    return render(request, "lessons/handover_detail.html", {
        "note": note, "content": note.content,
        "can_acknowledge": note.acknowledged_at is None and note.to_owner_id is not None
        and perms.can_acknowledge(user, note),
        "ack_form": forms.Form(),
        "can_history": can_view_history(user, note),
    })


@login_required
@require_POST
def handover_acknowledge(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.THEME_VIEW)
    user = request.user
    note = get_visible_or_404(HandoverNote.objects.all(), perms.filter_handover_notes_visible,
                              user, uuid)
    require(perms.can_acknowledge(user, note))
    try:
        services.handover_acknowledge(actor=user, note=note)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Hand-over acknowledged.")
    return redirect("lessons:handover-detail", uuid=note.uuid)
