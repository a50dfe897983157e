"""Writes for care-plan reviews and the care-plan action tracker (key workers record and
complete them; archiving needs tracker review). Row-level creates for imports:
`care_plan_review_create`, `care_plan_action_create`."""

from __future__ import annotations

from typing import Any

from sustain.careplans.models import CarePlanAction, CarePlanReview
from sustain.engine.access import Perm
from sustain.incidents.records import RecordKind, record_archive, record_create, record_update

REVIEW = RecordKind(
    CarePlanReview,
    ("person", "key_worker", "due_date", "completed_on", "checked_daily_notes",
     "checked_incidents", "checked_family_feedback", "checked_observed_practice",
     "mismatch_found", "mismatch_detail", "changes_made", "external_ref", "themes"),
    update_perm=Perm.TRACKER_RECORD, people=("person",), staff=("key_worker",))
ACTION = RecordKind(
    CarePlanAction, ("person", "review", "what", "who", "due_date", "done_on", "external_ref",
                     "themes"),
    update_perm=Perm.TRACKER_RECORD, people=("person",), staff=("who",),
    same_location=("review",))


def care_plan_review_create(*, actor: Any, organisation: Any, location: Any,
                            **fields: Any) -> CarePlanReview:
    """Schedule or record a care-plan review."""
    return record_create(REVIEW, actor=actor, organisation=organisation, location=location,
                         **fields)


def care_plan_review_update(*, actor: Any, review: CarePlanReview, changes: dict[str, Any],
                            expected_version: int | None) -> CarePlanReview:
    """Complete a review: the checks made, any mismatch (with what) and the changes made."""
    return record_update(REVIEW, actor=actor, obj=review, changes=changes,
                         expected_version=expected_version)


def care_plan_review_archive(*, actor: Any, review: CarePlanReview, reason: str = "",
                             restore: bool = False) -> CarePlanReview:
    """Archive a review recorded in error, or restore it."""
    return record_archive(REVIEW, actor=actor, obj=review, reason=reason, restore=restore)


def care_plan_action_create(*, actor: Any, organisation: Any, location: Any,
                            **fields: Any) -> CarePlanAction:
    """Add an item to the care-plan action tracker."""
    return record_create(ACTION, actor=actor, organisation=organisation, location=location,
                         **fields)


def care_plan_action_update(*, actor: Any, action: CarePlanAction, changes: dict[str, Any],
                            expected_version: int | None) -> CarePlanAction:
    """Change an action or record it done."""
    return record_update(ACTION, actor=actor, obj=action, changes=changes,
                         expected_version=expected_version)


def care_plan_action_archive(*, actor: Any, action: CarePlanAction, reason: str = "",
                             restore: bool = False) -> CarePlanAction:
    """Archive an action recorded in error, or restore it."""
    return record_archive(ACTION, actor=actor, obj=action, reason=reason, restore=restore)
