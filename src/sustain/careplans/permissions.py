"""Access to care-plan reviews and actions (default deny): tracker.view at the location."""

from __future__ import annotations

from sustain.incidents.records import filter_records_visible

filter_reviews_visible = filter_records_visible
filter_actions_visible = filter_records_visible

VISIBILITY_FILTERS = {
    "careplans.careplanreview": filter_reviews_visible,
    "careplans.careplanaction": filter_actions_visible,
}
