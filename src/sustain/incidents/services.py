"""Writes for incidents, complaints and compliments. Each `<thing>_create(*, actor,
organisation, location, **fields)` validates and writes one record with history (also used
row by row by imports); updates take the version the user saw; archiving needs a reason."""

from __future__ import annotations

from typing import Any

from sustain.engine.access import Perm
from sustain.incidents.models import Complaint, Compliment, Incident
from sustain.incidents.records import RecordKind, record_archive, record_create, record_update

INCIDENT = RecordKind(
    Incident,
    ("type", "ulcer_category", "severity", "occurred_at", "person", "staff_involved",
     "description", "immediate_action", "investigation", "learning",
     "duty_of_candour_applies", "duty_of_candour_done_at", "cqc_notification_required",
     "cqc_notified_at", "external_ref", "themes"),
    people=("person",), staff_many=("staff_involved",), m2m=("themes", "staff_involved"))
COMPLAINT = RecordKind(
    Complaint,
    ("received_on", "received_from", "category", "summary", "person", "response_due",
     "response_sent_on", "outcome", "upheld", "external_ref", "themes"),
    people=("person",))
COMPLIMENT = RecordKind(
    Compliment, ("received_on", "received_from", "summary", "external_ref", "themes"),
    update_perm=Perm.TRACKER_RECORD)


def incident_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Incident:
    """Record an incident (type, severity, when; optionally who and what was done)."""
    return record_create(INCIDENT, actor=actor, organisation=organisation, location=location,
                         **fields)


def incident_update(*, actor: Any, incident: Incident, changes: dict[str, Any],
                    expected_version: int | None) -> Incident:
    """Add the investigation and learning, record duty of candour and CQC notification."""
    return record_update(INCIDENT, actor=actor, obj=incident, changes=changes,
                         expected_version=expected_version)


def incident_archive(*, actor: Any, incident: Incident, reason: str = "",
                     restore: bool = False) -> Incident:
    """Archive an incident recorded in error (history keeps it), or restore it."""
    return record_archive(INCIDENT, actor=actor, obj=incident, reason=reason, restore=restore)


def complaint_create(*, actor: Any, organisation: Any, location: Any,
                     **fields: Any) -> Complaint:
    """Record a complaint; the response is due 28 days after receipt unless a date is given."""
    return record_create(COMPLAINT, actor=actor, organisation=organisation, location=location,
                         **fields)


def complaint_update(*, actor: Any, complaint: Complaint, changes: dict[str, Any],
                     expected_version: int | None) -> Complaint:
    """Record the response, its outcome and whether the complaint was upheld."""
    return record_update(COMPLAINT, actor=actor, obj=complaint, changes=changes,
                         expected_version=expected_version)


def complaint_archive(*, actor: Any, complaint: Complaint, reason: str = "",
                      restore: bool = False) -> Complaint:
    """Archive a complaint recorded in error, or restore it."""
    return record_archive(COMPLAINT, actor=actor, obj=complaint, reason=reason,
                          restore=restore)


def compliment_create(*, actor: Any, organisation: Any, location: Any,
                      **fields: Any) -> Compliment:
    """Record a compliment."""
    return record_create(COMPLIMENT, actor=actor, organisation=organisation, location=location,
                         **fields)


def compliment_update(*, actor: Any, compliment: Compliment, changes: dict[str, Any],
                      expected_version: int | None) -> Compliment:
    """Correct a compliment or tag it to themes."""
    return record_update(COMPLIMENT, actor=actor, obj=compliment, changes=changes,
                         expected_version=expected_version)


def compliment_archive(*, actor: Any, compliment: Compliment, reason: str = "",
                       restore: bool = False) -> Compliment:
    """Archive a compliment recorded in error, or restore it."""
    return record_archive(COMPLIMENT, actor=actor, obj=compliment, reason=reason,
                          restore=restore)
