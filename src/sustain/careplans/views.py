"""Care-plan review and action tracker pages (quick entry, list with overdue filter, detail,
edit)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.careplans.selectors import action_overdue_q, review_overdue_q
from sustain.careplans.services import ACTION, REVIEW
from sustain.incidents.records_web import RecordPages
from sustain.incidents.views import record_archive_views, record_views


def _reviews_overdue(qs: QuerySet) -> QuerySet:
    return qs.filter(review_overdue_q(timezone.localdate()))


def _actions_overdue(qs: QuerySet) -> QuerySet:
    return qs.filter(action_overdue_q(timezone.localdate()))


def _review_note(obj: CarePlanReview) -> str:
    if obj.is_overdue():
        return "Review overdue"
    return "Mismatch found" if obj.mismatch_found else ""


def _action_note(obj: CarePlanAction) -> str:
    return "Overdue" if obj.is_overdue() else ""


REVIEW_PAGES = RecordPages(
    REVIEW, "careplans", "review", "care-plan reviews",
    quick_fields=("person", "key_worker", "due_date", "completed_on", "checked_daily_notes",
                  "checked_incidents", "checked_family_feedback", "checked_observed_practice",
                  "mismatch_found", "mismatch_detail", "changes_made"),
    edit_fields=("person", "key_worker", "due_date", "completed_on", "checked_daily_notes",
                 "checked_incidents", "checked_family_feedback", "checked_observed_practice",
                 "mismatch_found", "mismatch_detail", "changes_made", "themes", "external_ref"),
    columns=("person", "due_date", "completed_on", "key_worker", "mismatch_found"),
    date_field="due_date",
    flags={"overdue": ("Overdue reviews only", _reviews_overdue)},
    row_note=_review_note,
    intro="Does the care plan match what actually happens? Each review checks the plan "
          "against daily notes, incidents, family feedback and observed practice.")

ACTION_PAGES = RecordPages(
    ACTION, "careplans", "action", "care-plan actions",
    quick_fields=("person", "review", "what", "who", "due_date"),
    edit_fields=("person", "review", "what", "who", "due_date", "done_on", "themes",
                 "external_ref"),
    columns=("what", "person", "who", "due_date", "done_on"),
    date_field="due_date",
    flags={"overdue": ("Overdue actions only", _actions_overdue)},
    row_note=_action_note,
    intro="The care-plan action tracker: what will be done, by whom, by when.")

review_list, review_create, review_detail, review_edit = record_views(REVIEW_PAGES)
action_list, action_create, action_detail, action_edit = record_views(ACTION_PAGES)

review_archive, review_restore = record_archive_views(REVIEW_PAGES)
action_archive, action_restore = record_archive_views(ACTION_PAGES)
