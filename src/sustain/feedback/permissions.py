"""Access to feedback and visits (default deny): tracker.view at the record's location."""

from __future__ import annotations

from sustain.incidents.records import filter_records_visible

filter_feedback_visible = filter_records_visible
filter_visits_visible = filter_records_visible

VISIBILITY_FILTERS = {
    "feedback.feedback": filter_feedback_visible,
    "feedback.visit": filter_visits_visible,
}
