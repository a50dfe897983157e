"""Access to incidents, complaints and compliments (default deny): tracker.view at the
record's location."""

from __future__ import annotations

from sustain.incidents.records import filter_records_visible

filter_incidents_visible = filter_records_visible
filter_complaints_visible = filter_records_visible
filter_compliments_visible = filter_records_visible

VISIBILITY_FILTERS = {
    "incidents.incident": filter_incidents_visible,
    "incidents.complaint": filter_complaints_visible,
    "incidents.compliment": filter_compliments_visible,
}
