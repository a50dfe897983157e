"""Incident, complaint and compliment pages, and the Records index (every record type the
user may see; other record apps add their entry to `RECORD_TYPES`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.engine.access import Perm
from sustain.incidents.models import Complaint
from sustain.incidents.records_web import (
    RecordPages,
    record_archive_page,
    record_detail,
    record_form,
    record_list,
)
from sustain.incidents.services import COMPLAINT, COMPLIMENT, INCIDENT
from sustain.tenancy.permissions import has_perm_anywhere
from sustain.web.views.base import require_perm_anywhere


def _duties_open(qs: QuerySet) -> QuerySet:
    return qs.filter(Q(duty_of_candour_applies=True, duty_of_candour_done_at__isnull=True)
                     | Q(cqc_notification_required=True, cqc_notified_at__isnull=True))


def _complaints_overdue(qs: QuerySet) -> QuerySet:
    return qs.filter(response_sent_on__isnull=True, response_due__lt=timezone.localdate())


def _incident_note(obj: Any) -> str:
    duties = obj.open_duties
    return f"To do: {', '.join(duties)}" if duties else ""


def _complaint_note(obj: Complaint) -> str:
    return "Response overdue" if obj.is_overdue() else ""


INCIDENT_PAGES = RecordPages(
    INCIDENT, "incidents", "incident", "incidents",
    quick_fields=("type", "ulcer_category", "severity", "occurred_at", "person", "description",
                  "immediate_action"),
    edit_fields=("type", "ulcer_category", "severity", "occurred_at", "person",
                 "staff_involved", "description", "immediate_action", "investigation",
                 "learning", "duty_of_candour_applies", "duty_of_candour_done_at",
                 "cqc_notification_required", "cqc_notified_at", "themes", "external_ref"),
    columns=("type", "occurred_at", "severity", "person"),
    filters=("type", "severity"), date_field="occurred_at",
    flags={"duties_open": ("Duty of candour or CQC notification still to do", _duties_open)},
    row_note=_incident_note,
    intro="Falls, pressure ulcers, medicines errors, near misses and more: recorded on the "
          "shift, then investigated and learned from.")

COMPLAINT_PAGES = RecordPages(
    COMPLAINT, "incidents", "complaint", "complaints",
    quick_fields=("received_on", "received_from", "category", "summary", "person"),
    edit_fields=("received_on", "received_from", "category", "summary", "person",
                 "response_due", "response_sent_on", "outcome", "upheld", "themes",
                 "external_ref"),
    columns=("category", "received_on", "received_from", "response_due", "upheld"),
    filters=("received_from", "upheld"), date_field="received_on",
    flags={"overdue": ("Response overdue", _complaints_overdue)},
    row_note=_complaint_note,
    intro="Complaints received and how they were answered. A response is due 28 days after "
          "receipt unless another date is agreed.")

COMPLIMENT_PAGES = RecordPages(
    COMPLIMENT, "incidents", "compliment", "compliments",
    quick_fields=("received_on", "received_from", "summary"),
    edit_fields=("received_on", "received_from", "summary", "themes", "external_ref"),
    columns=("summary", "received_on", "received_from"),
    filters=("received_from",), date_field="received_on",
    intro="Compliments received: evidence of what is going well.", )

# The Records index: (label, list URL name, create URL name, description, noun). Other record
# apps append their entry here (list URL names that do not resolve are left out).
RECORD_TYPES: list[tuple[str, str, str, str, str]] = [
    ("Incidents", "incidents:incident-list", "incidents:incident-create",
     "Falls, pressure ulcers, medicines errors, near misses and what was learned.",
     "an incident"),
    ("Complaints", "incidents:complaint-list", "incidents:complaint-create",
     "Complaints, their responses and whether they were upheld.", "a complaint"),
    ("Compliments", "incidents:compliment-list", "incidents:compliment-create",
     "Compliments received.", "a compliment"),
    ("Care-plan reviews", "careplans:review-list", "careplans:review-create",
     "Does each plan match what happens? Reviews due, done and overdue.",
     "a care-plan review"),
    ("Care-plan actions", "careplans:action-list", "careplans:action-create",
     "The care-plan action tracker: what, who, due, done.", "a care-plan action"),
    ("Feedback", "feedback:feedback-list", "feedback:feedback-create",
     "You said, we did: feedback and the response it led to; unanswered after 30 days "
     "is flagged.", "feedback"),
    ("Senior visits and observations", "feedback:visit-list", "feedback:visit-create",
     "Provider visits, spot checks, night visits and observations of practice.", "a visit"),
]


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.TRACKER_VIEW)
    can_record = has_perm_anywhere(request.user, Perm.TRACKER_RECORD)
    entries = []
    for label, list_name, create_name, description, noun in RECORD_TYPES:
        list_url = _reverse(list_name)
        if list_url is None:
            continue
        entries.append({"label": label, "list_url": list_url, "description": description,
                        "noun": noun,
                        "create_url": _reverse(create_name) if can_record else None})
    return render(request, "records/index.html", {"entries": entries})


def record_views(pages: RecordPages) -> tuple[Any, Any, Any, Any]:
    @login_required
    def list_view(request: HttpRequest) -> HttpResponse:
        return record_list(request, pages)

    @login_required
    def create_view(request: HttpRequest) -> HttpResponse:
        return record_form(request, pages)

    @login_required
    def detail_view(request: HttpRequest, uuid: Any) -> HttpResponse:
        return record_detail(request, pages, uuid)

    @login_required
    def edit_view(request: HttpRequest, uuid: Any) -> HttpResponse:
        return record_form(request, pages, uuid)

    return list_view, create_view, detail_view, edit_view


def record_archive_views(pages: RecordPages) -> tuple[Any, Any]:
    """The archive (GET: confirm, POST: archive) and restore views of a record type."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def archive_view(request: HttpRequest, uuid: Any) -> HttpResponse:
        return record_archive_page(request, pages, uuid, restore=False)

    @login_required
    @require_http_methods(["GET", "POST"])
    def restore_view(request: HttpRequest, uuid: Any) -> HttpResponse:
        return record_archive_page(request, pages, uuid, restore=True)

    return archive_view, restore_view


def record_urls(views: Any, names: tuple[tuple[str, str], ...]) -> list[Any]:
    """URL patterns `<prefix>-list|create|detail|edit|archive|restore` for each (prefix,
    path segment); the views are `<prefix>_list` etc. in the `views` module."""
    from django.urls import path

    patterns = []
    for prefix, plural in names:
        patterns += [
            path(f"{plural}/", getattr(views, f"{prefix}_list"), name=f"{prefix}-list"),
            path(f"{plural}/new/", getattr(views, f"{prefix}_create"), name=f"{prefix}-create"),
            path(f"{plural}/<uuid:uuid>/", getattr(views, f"{prefix}_detail"),
                 name=f"{prefix}-detail"),
            path(f"{plural}/<uuid:uuid>/edit/", getattr(views, f"{prefix}_edit"),
                 name=f"{prefix}-edit"),
            path(f"{plural}/<uuid:uuid>/archive/", getattr(views, f"{prefix}_archive"),
                 name=f"{prefix}-archive"),
            path(f"{plural}/<uuid:uuid>/restore/", getattr(views, f"{prefix}_restore"),
                 name=f"{prefix}-restore"),
        ]
    return patterns


incident_list, incident_create, incident_detail, incident_edit = record_views(INCIDENT_PAGES)
complaint_list, complaint_create, complaint_detail, complaint_edit = record_views(COMPLAINT_PAGES)
compliment_list, compliment_create, compliment_detail, compliment_edit = \
    record_views(COMPLIMENT_PAGES)

incident_archive, incident_restore = record_archive_views(INCIDENT_PAGES)
complaint_archive, complaint_restore = record_archive_views(COMPLAINT_PAGES)
compliment_archive, compliment_restore = record_archive_views(COMPLIMENT_PAGES)
