"""Medicines check pages: the phone quick entry (date and shift default to now; "add a
discrepancy" rows work without JavaScript), the filtered list, a check's detail, and the
manager's weekly review (the week's checks and discrepancies by staff member)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.core.errors import ApplicationError
from sustain.engine.access import Perm
from sustain.engine.timeliness import shift_name
from sustain.medicines import selectors, services
from sustain.medicines.forms import CheckFilterForm, CheckForm, DiscrepancyForm, ReviewForm
from sustain.medicines.models import MedicinesCheck, WeeklyReview
from sustain.medicines.permissions import (
    can_record,
    can_review,
    filter_checks_visible,
    filter_reviews_visible,
    filter_staff_choosable,
)
from sustain.people.models import PersonSupported, StaffMember
from sustain.people.permissions import filter_people_visible
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
)

MAX_ROWS = 20


def _locations(user: Any, perm: Perm) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def _staff(user: Any) -> QuerySet:
    return filter_staff_choosable(StaffMember.objects.filter(archived_at__isnull=True),
                                  user).order_by("full_name")


@login_required
def check_list_page(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    form = CheckFilterForm(request.GET or None, locations=_locations(user, Perm.TRACKER_VIEW))
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    qs = selectors.check_list(actor=user)
    if not filters.get("archived"):
        qs = qs.filter(archived_at__isnull=True)
    if filters.get("location"):
        qs = qs.filter(location=filters["location"])
    if filters.get("date_from"):
        qs = qs.filter(check_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(check_date__lte=filters["date_to"])
    if filters.get("has_discrepancies") == "yes":
        qs = qs.filter(discrepancy_count__gt=0)
    elif filters.get("has_discrepancies") == "no":
        qs = qs.filter(discrepancy_count=0)
    page = paginate(request, qs.order_by("-check_date", "-created_at", "-pk"))
    return render_list(request, "medicines/list.html", "medicines/_results.html", {
        "form": form, "page": page, "rows": list(page),
        "can_record": has_perm_anywhere(user, Perm.TRACKER_RECORD),
        "can_review": has_perm_anywhere(user, Perm.TRACKER_REVIEW)})


def _row_count(request: HttpRequest) -> int:
    try:
        count = int(request.POST.get("rows", request.GET.get("rows", 0)))
    except ValueError:
        count = 0
    if "add_row" in request.POST:
        count += 1
    return max(0, min(count, MAX_ROWS))


@login_required
def check_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(has_perm_anywhere(user, Perm.TRACKER_RECORD))
    locations = _locations(user, Perm.TRACKER_RECORD)
    staff = _staff(user)
    people = filter_people_visible(PersonSupported.objects.filter(
        archived_at__isnull=True, location__in=locations), user).order_by("reference")
    location = preselected(locations, request.GET.get("location"))
    if location is None and locations.count() == 1:
        location = locations.first()
    now = timezone.now()
    initial: dict[str, Any] = {"check_date": timezone.localdate(), "location": location}
    if location is not None:
        initial["shift"] = shift_name(now, location.day_shift_start, location.night_shift_start)
    mine = staff.filter(user=user).first()
    if mine is not None:
        initial["checked_by"] = mine
    rows = _row_count(request)
    data = request.POST if request.method == "POST" else None
    form = CheckForm(data, initial=initial, locations=locations, staff=staff)
    row_forms = [DiscrepancyForm(data, prefix=f"d{i}", people=people, staff=staff)
                 for i in range(rows)]
    if data is not None and "add_row" not in data:
        rows_valid = [f.is_valid() for f in row_forms]  # every row, so each shows its errors
        if form.is_valid() and all(rows_valid):
            cleaned = form.cleaned_data
            try:
                check = services.medicines_check_create(
                    actor=user, organisation=user.organisation, location=cleaned["location"],
                    check_date=cleaned["check_date"], shift=cleaned["shift"],
                    checked_by=cleaned["checked_by"], charts_checked=cleaned["charts_checked"],
                    notes=cleaned["notes"],
                    discrepancies=[f.cleaned_data for f in row_forms])
            except ApplicationError as error:
                for key, problems in error.errors.items():
                    parts = key.split(".")
                    if len(parts) == 3 and parts[0] == "discrepancies":
                        target = row_forms[int(parts[1])]
                        for problem in problems:
                            target.add_error(parts[2] if parts[2] in target.fields else None,
                                             problem)
                apply_errors(form, error)
            else:
                found = len(row_forms)
                messages.success(request, f"Medicines check recorded with {found} "
                                          f"discrepanc{'y' if found == 1 else 'ies'}.")
                return redirect("medicines:detail", uuid=check.uuid)
    return render(request, "medicines/new.html", {
        "form": form, "row_forms": row_forms, "rows": rows, "max_rows": MAX_ROWS})


@login_required
def check_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    check = get_visible_or_404(MedicinesCheck.objects.select_related(
        "location", "checked_by").prefetch_related("themes"), filter_checks_visible,
        request.user, uuid)
    return render(request, "medicines/detail.html", {
        "check": check, "discrepancies": check.current_discrepancies,
        "week": services.week_start(check.check_date),
        "can_record": can_record(request.user, check.location_id),
        "archive": archive_actions(
            check, allowed=can_record(request.user, check.location_id),
            noun="medicines check", label=_check_title(check),
            archive_url=reverse("medicines:archive", kwargs={"uuid": check.uuid}),
            restore_url=reverse("medicines:restore", kwargs={"uuid": check.uuid}))})


def _check_title(check: MedicinesCheck) -> str:
    return (f"{check.check_date:%-d %b %Y}, {check.get_shift_display().lower()} shift, "
            f"{check.location.name}")


@login_required
@require_http_methods(["GET", "POST"])
def check_archive(request: HttpRequest, uuid: Any, restore: bool = False) -> HttpResponse:
    """Confirm and archive (or restore) a check recorded in error."""
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    check = get_visible_or_404(MedicinesCheck.objects.select_related("location"),
                               filter_checks_visible, user, uuid)
    return archive_page(request, ArchiveTarget(
        obj=check, noun="medicines check", title=_check_title(check),
        back_url=reverse("medicines:detail", kwargs={"uuid": check.uuid}),
        allowed=can_record(user, check.location_id),
        service=lambda reason, back: services.medicines_check_archive(
            actor=user, check=check, reason=reason, restore=back)), restore=restore)


@login_required
def week_review(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    locations = _locations(user, Perm.TRACKER_VIEW)
    location = preselected(locations, request.GET.get("location")) or locations.first()
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate() - dt.timedelta(days=7)
    week = services.week_start(day)
    checks = list(selectors.week_checks(actor=user, location=location, week_starting=week)) \
        if location is not None else []
    review = WeeklyReview.objects.filter(location=location, week_starting=week,
                                         archived_at__isnull=True).first()
    reviewer = location is not None and can_review(user, location.pk)
    allowed = reviewer and review is None
    archived_reviews = list(WeeklyReview.objects.filter(
        location=location, week_starting=week, archived_at__isnull=False)
        .order_by("-archived_at")) if location is not None and reviewer else []
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(allowed)
        if form.is_valid():
            try:
                services.weekly_review_create(
                    actor=user, organisation=user.organisation, location=location,
                    week_starting=week, pattern_noted=form.cleaned_data["pattern_noted"])
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Weekly review recorded.")
                return redirect(f"{request.path}?location={location.uuid}&week={week}")
    return render(request, "medicines/week.html", {
        "locations": locations, "location": location, "week": week,
        "week_end": week + dt.timedelta(days=6), "checks": checks,
        "totals": selectors.week_totals(checks), "review": review, "form": form,
        "can_review": allowed, "reviewer": reviewer, "archived_reviews": archived_reviews,
        "previous": week - dt.timedelta(days=7),
        "next": week + dt.timedelta(days=7)})


@login_required
@require_http_methods(["GET", "POST"])
def review_archive(request: HttpRequest, uuid: Any, restore: bool = False) -> HttpResponse:
    """Confirm and archive (or restore) a weekly review recorded in error (reviewers)."""
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    user = request.user
    review = get_visible_or_404(WeeklyReview.objects.select_related("location"),
                                filter_reviews_visible, user, uuid)
    week_url = (reverse("medicines:week") + f"?location={review.location.uuid}"
                f"&week={review.week_starting:%Y-%m-%d}")
    return archive_page(request, ArchiveTarget(
        obj=review, noun="weekly review",
        title=f"Week of {review.week_starting:%-d %b %Y}, {review.location.name}",
        back_url=week_url, allowed=can_review(user, review.location_id),
        service=lambda reason, back: services.weekly_review_archive(
            actor=user, review=review, reason=reason, restore=back)), restore=restore)
