"""Feedback and visit pages (quick entry, list with filters, detail, edit). Feedback with no
response after 30 days is flagged and filterable."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from sustain.engine.feedback_rules import ResponseStatus
from sustain.feedback.models import Feedback
from sustain.feedback.selectors import unanswered_q
from sustain.feedback.services import FEEDBACK, VISIT
from sustain.incidents.records_web import RecordPages
from sustain.incidents.views import record_archive_views, record_views


def _unanswered(qs: QuerySet) -> QuerySet:
    return qs.filter(unanswered_q(timezone.localdate()))


def _feedback_note(obj: Feedback) -> str:
    status = obj.response_status()
    return obj.response_label if status == ResponseStatus.UNANSWERED else ""


FEEDBACK_PAGES = RecordPages(
    FEEDBACK, "feedback", "feedback", "feedback",
    quick_fields=("source", "channel", "received_on", "rating", "text"),
    edit_fields=("source", "channel", "received_on", "rating", "text", "response",
                 "responded_on", "response_by", "themes", "external_ref"),
    columns=("text", "received_on", "source", "channel", "rating", "responded_on"),
    filters=("source", "channel"), date_field="received_on",
    flags={"unanswered": ("No response after 30 days", _unanswered)},
    row_note=_feedback_note,
    intro="What people told us and what we did about it (“you said, we did”). Feedback with "
          "no response 30 days after it was received is shown as such.")

VISIT_PAGES = RecordPages(
    VISIT, "feedback", "visit", "visits",
    quick_fields=("type", "date", "visitor", "visitor_role", "staff_observed", "looked_at",
                  "findings", "actions_raised"),
    edit_fields=("type", "date", "visitor", "visitor_role", "staff_observed", "looked_at",
                 "findings", "actions_raised", "themes", "external_ref"),
    columns=("type", "date", "visitor", "looked_at"),
    filters=("type",), date_field="date",
    intro="Senior visits, spot checks, night visits and observations of practice.")

feedback_list, feedback_create, feedback_detail, feedback_edit = record_views(FEEDBACK_PAGES)
visit_list, visit_create, visit_detail, visit_edit = record_views(VISIT_PAGES)
feedback_archive, feedback_restore = record_archive_views(FEEDBACK_PAGES)
visit_archive, visit_restore = record_archive_views(VISIT_PAGES)
