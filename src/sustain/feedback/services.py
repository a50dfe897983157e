"""Writes for feedback and visits. Anyone recording on a shift logs feedback; the response
("you said, we did") and visits need tracker review. Row-level creates for imports:
`feedback_create`, `visit_create`."""

from __future__ import annotations

from typing import Any

from sustain.engine.access import Perm
from sustain.feedback.models import Feedback, Visit
from sustain.incidents.records import RecordKind, record_archive, record_create, record_update

FEEDBACK = RecordKind(
    Feedback,
    ("source", "channel", "received_on", "rating", "text", "response", "responded_on",
     "response_by", "external_ref", "themes"),
    staff_org=("response_by",))
VISIT = RecordKind(
    Visit,
    ("visitor", "visitor_role", "date", "type", "staff_observed", "looked_at", "findings",
     "actions_raised", "external_ref", "themes"),
    create_perm=Perm.TRACKER_REVIEW, staff_org=("visitor", "staff_observed"))


def feedback_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Feedback:
    """Record feedback (optionally with the response already given)."""
    return record_create(FEEDBACK, actor=actor, organisation=organisation, location=location,
                         **fields)


def feedback_update(*, actor: Any, feedback: Feedback, changes: dict[str, Any],
                    expected_version: int | None) -> Feedback:
    """Record the response ("you said, we did"), its date and who gave it."""
    return record_update(FEEDBACK, actor=actor, obj=feedback, changes=changes,
                         expected_version=expected_version)


def feedback_archive(*, actor: Any, feedback: Feedback, reason: str = "",
                     restore: bool = False) -> Feedback:
    """Archive feedback recorded in error, or restore it."""
    return record_archive(FEEDBACK, actor=actor, obj=feedback, reason=reason, restore=restore)


def visit_create(*, actor: Any, organisation: Any, location: Any, **fields: Any) -> Visit:
    """Record a senior visit or observation of practice."""
    return record_create(VISIT, actor=actor, organisation=organisation, location=location,
                         **fields)


def visit_update(*, actor: Any, visit: Visit, changes: dict[str, Any],
                 expected_version: int | None) -> Visit:
    """Correct or complete a visit record."""
    return record_update(VISIT, actor=actor, obj=visit, changes=changes,
                         expected_version=expected_version)


def visit_archive(*, actor: Any, visit: Visit, reason: str = "",
                  restore: bool = False) -> Visit:
    """Archive a visit recorded in error, or restore it."""
    return record_archive(VISIT, actor=actor, obj=visit, reason=reason, restore=restore)
