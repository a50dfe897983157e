"""Safeguarding pages: raise a concern from a phone (under a minute), the Registered
Manager's daily review list (unreviewed first, overdue reviews highlighted), and a concern's
detail with the timeline of each step, its timeliness, and the review and close forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.engine.timeliness import DEFAULT_REVIEW_LIMIT
from sustain.medicines.permissions import filter_staff_choosable
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible
from sustain.safeguarding import selectors, services
from sustain.safeguarding.forms import (
    CloseForm,
    ConcernEditForm,
    ConcernFilterForm,
    ConcernForm,
    ReviewForm,
)
from sustain.safeguarding.models import SafeguardingConcern
from sustain.safeguarding.permissions import can_record, can_review, filter_concerns_visible
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location, has_perm_anywhere
from sustain.web.views.archive import ArchiveTarget, archive_actions, archive_page
from sustain.web.views.base import (
    apply_errors,
    get_visible_or_404,
    paginate,
    preselected,
    render_list,
    require,
    require_perm_anywhere,
    run_service,
)


def _locations(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


@login_required
def concern_list_page(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    form = ConcernFilterForm(request.GET or None, locations=_locations(user, Perm.TRACKER_VIEW))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = selectors.review_queue(actor=user)
    if filters.get("archived"):  # the same order, archived concerns included
        qs = selectors.concern_list(actor=user).annotate(unreviewed=Case(
            When(manager_reviewed_at__isnull=True, then=Value(0)), default=Value(1),
            output_field=IntegerField())).order_by("unreviewed", "closed_at", "-raised_at")
    if filters.get("location"):
        qs = qs.filter(location=filters["location"])
    status = filters.get("status") or ""
    now = timezone.now()
    if status == "":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "unreviewed":
        qs = qs.filter(manager_reviewed_at__isnull=True)
    elif status == "overdue":
        qs = qs.filter(manager_reviewed_at__isnull=True,
                       raised_at__lt=now - DEFAULT_REVIEW_LIMIT)
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    page = paginate(request, qs)
    rows = [{"concern": c, "timeliness": selectors.timeliness(c, now)} for c in page]
    return render_list(request, "safeguarding/list.html", "safeguarding/_results.html", {
        "form": form, "page": page, "rows": rows,
        "can_record": has_perm_anywhere(user, Perm.TRACKER_RECORD)})


@login_required
def concern_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.TRACKER_RECORD))
    locations = _locations(user, Perm.TRACKER_RECORD)
    staff = filter_staff_choosable(StaffMember.objects.filter(archived_at__isnull=True),
                                   user).order_by("full_name")
    people = filter_people_visible(PersonSupported.objects.filter(
        archived_at__isnull=True, location__in=locations), user).order_by("reference")
    location = preselected(locations, request.GET.get("location"))
    if location is None and locations.count() == 1:
        location = locations.first()
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"location": location, "raised_at": now,
               "raised_by": staff.filter(user=user).first()}
    form = ConcernForm(request.POST or None, initial=initial, locations=locations,
                       people=people, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.safeguarding_concern_create(
                actor=user, organisation=user.organisation, **data)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Safeguarding concern recorded. Tell the shift lead "
                                      "before the end of your shift if you have not yet.")
            return redirect("safeguarding:detail", uuid=concern.uuid)
    return render(request, "safeguarding/new.html", {"form": form})


def _timeline(concern: SafeguardingConcern) -> list[tuple[str, Any, str]]:
    steps = [("Raised", concern.raised_at, concern.raised_by.full_name),
             ("Shift lead notified", concern.shift_lead_notified_at, ""),
             ("Manager reviewed", concern.manager_reviewed_at,
              concern.get_decision_display() if concern.decision else ""),
             ("Local authority referral", concern.la_referral_at, concern.la_reference),
             ("CQC notified", concern.cqc_notified_at, ""),
             ("Closed", concern.closed_at, "")]
    return steps


@login_required
def concern_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    concern = get_visible_or_404(SafeguardingConcern.objects.select_related(
        "location", "person", "raised_by", "reviewed_by"), filter_concerns_visible, user, uuid)
    reviewer = can_review(user, concern.location_id) and concern.archived_at is None
    review_form = ReviewForm(initial={
        "version": concern.version, "decision": concern.decision or None,
        "reviewed_at": concern.manager_reviewed_at, "la_referral_at": concern.la_referral_at,
        "la_reference": concern.la_reference, "cqc_notified_at": concern.cqc_notified_at},
        prefix="review")
    close_form = CloseForm(initial={"version": concern.version, "outcome": concern.outcome},
                           prefix="close")
    if request.method == "POST":
        require(reviewer)
        step = request.POST.get("step")
        try:
            if step == "review":
                review_form = ReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    data = review_form.cleaned_data
                    services.safeguarding_concern_review(
                        actor=user, concern=concern, expected_version=data.pop("version"),
                        **data)
                    messages.success(request, "Review recorded.")
                    return redirect("safeguarding:detail", uuid=concern.uuid)
            elif step == "close":
                close_form = CloseForm(request.POST, prefix="close")
                if close_form.is_valid():
                    services.safeguarding_concern_close(
                        actor=user, concern=concern,
                        expected_version=close_form.cleaned_data["version"],
                        outcome=close_form.cleaned_data["outcome"])
                    messages.success(request, "Concern closed.")
                    return redirect("safeguarding:detail", uuid=concern.uuid)
        except ApplicationError as error:
            apply_errors(review_form if step == "review" else close_form, error)
    return render(request, "safeguarding/detail.html", {
        "concern": concern, "timeline": _timeline(concern),
        "timeliness": selectors.timeliness(concern, timezone.now()), "can_review": reviewer,
        "review_form": review_form, "close_form": close_form,
        "can_edit": can_record(user, concern.location_id) and concern.archived_at is None,
        "archive": archive_actions(
            concern, allowed=can_review(user, concern.location_id), noun="concern",
            label=_title(concern),
            archive_url=reverse("safeguarding:archive", kwargs={"uuid": concern.uuid}),
            restore_url=reverse("safeguarding:restore", kwargs={"uuid": concern.uuid}))})


def _title(concern: SafeguardingConcern) -> str:
    return (f"{concern.get_category_display()}: {concern.person.reference}, raised "
            f"{timezone.localtime(concern.raised_at):%-d %b %Y %H:%M}")


@login_required
def concern_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Correct the raised details (raised at and by, person, category, description, when
    the shift lead was told). The version the form was loaded with guards against
    overwriting someone else's change."""
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    concern = get_visible_or_404(SafeguardingConcern.objects.select_related(
        "location", "person", "raised_by"), filter_concerns_visible, user, uuid)
    require(can_record(user, concern.location_id) and concern.archived_at is None)
    location = concern.location
    staff = filter_staff_choosable(StaffMember.objects.filter(locations=location).filter(
        Q(archived_at__isnull=True) | Q(pk=concern.raised_by_id)), user).order_by("full_name")
    people = filter_people_visible(PersonSupported.objects.filter(location=location), user) \
        .filter(Q(archived_at__isnull=True) | Q(pk=concern.person_id)).order_by("reference")
    initial = {name: getattr(concern, name) for name in EDIT_FIELDS}
    initial["version"] = concern.version
    for name in ("raised_at", "shift_lead_notified_at"):
        if initial[name] is not None:
            initial[name] = timezone.localtime(initial[name])
    form = ConcernEditForm(request.POST or None, initial=initial, people=people,
                           staff=staff)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(form, lambda: services.safeguarding_concern_update(
            actor=user, concern=concern, expected_version=version, changes=data))
        if saved is not None:
            messages.success(request, "The concern's details have been saved.")
            return redirect("safeguarding:detail", uuid=concern.uuid)
    return render(request, "safeguarding/edit.html", {"form": form, "concern": concern,
                                                      "title": _title(concern)})


EDIT_FIELDS = ("raised_at", "raised_by", "person", "category", "description",
               "shift_lead_notified_at")


@login_required
@require_http_methods(["GET", "POST"])
def concern_archive(request: HttpRequest, uuid: Any, restore: bool = False) -> HttpResponse:
    """Confirm and archive (or restore) a concern recorded in error (managers)."""
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    concern = get_visible_or_404(SafeguardingConcern.objects.select_related(
        "location", "person"), filter_concerns_visible, user, uuid)
    return archive_page(request, ArchiveTarget(
        obj=concern, noun="concern", title=_title(concern),
        back_url=reverse("safeguarding:detail", kwargs={"uuid": concern.uuid}),
        allowed=can_review(user, concern.location_id),
        service=lambda reason, back: services.safeguarding_concern_archive(
            actor=user, concern=concern, reason=reason, restore=back)), restore=restore)
