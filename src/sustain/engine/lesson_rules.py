"""Lessons across services and theme hand-over: pure rules.

A lesson learnt at one location applies to others; each location's adoption is *not started*,
*in progress* or *adopted* (adopted only with evidence: a record at that location, or a written
note with its date). These functions summarise adoption per lesson or per location, say which
adoptions have stalled (not started N days after the lesson reached the location) and why, and
decide whether a theme owner's departure means the theme needs a new owner.

No Django, no clock: `as_of` is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

RULE_VERSION = "lessons-2026.11"
DEFAULT_STALLED_AFTER_DAYS = 28
DEFAULT_LEAVING_WITHIN_DAYS = 28


class AdoptionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ADOPTED = "adopted"


STATUS_LABELS: Mapping[AdoptionStatus, str] = {
    AdoptionStatus.NOT_STARTED: "Not started",
    AdoptionStatus.IN_PROGRESS: "In progress",
    AdoptionStatus.ADOPTED: "Adopted",
}


@dataclass(frozen=True)
class AdoptionFact:
    """One location's adoption of one lesson: its status and the day it took that status
    (for *not started*: the day the lesson reached the location)."""

    lesson_id: Hashable
    location_id: Hashable
    status: str
    since: dt.date


@dataclass(frozen=True)
class AdoptionState:
    fact: AdoptionFact
    days_in_status: int
    stalled: bool
    reason: str


@dataclass(frozen=True)
class AdoptionSummary:
    """Counts for one lesson (over its locations) or one location (over its lessons)."""

    total: int
    not_started: int
    in_progress: int
    adopted: int
    stalled: int
    percent_adopted: int | None  # None when nothing applies
    reasons: tuple[str, ...]
    rule_version: str = RULE_VERSION


def _days(since: dt.date, as_of: dt.date) -> int:
    return max(0, (as_of - since).days)


def classify(fact: AdoptionFact, as_of: dt.date,
             stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS) -> AdoptionState:
    """Is this adoption stalled? Only a *not started* adoption can stall: after
    `stalled_after_days` full days without a start."""
    if stalled_after_days < 0:
        raise ValueError("stalled_after_days cannot be negative")
    status = AdoptionStatus(fact.status)
    days = _days(fact.since, as_of)
    label = STATUS_LABELS[status].lower()
    if status is AdoptionStatus.NOT_STARTED:
        stalled = days > stalled_after_days
        if stalled:
            reason = (f"Not started {days} days after the lesson reached this location "
                      f"(stalled after {stalled_after_days}).")
        else:
            reason = (f"Not started for {days} days (stalls after {stalled_after_days}).")
        return AdoptionState(fact, days, stalled, reason)
    return AdoptionState(fact, days, False, f"{label.capitalize()} for {days} days.")


def summarise(facts: Iterable[AdoptionFact], as_of: dt.date,
              stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS) -> AdoptionSummary:
    """Counts, % adopted (rounded down, so 100% means every one) and the stalled ones,
    with a reason for each stalled adoption."""
    states = [classify(f, as_of, stalled_after_days) for f in facts]
    counts = dict.fromkeys(AdoptionStatus, 0)
    for state in states:
        counts[AdoptionStatus(state.fact.status)] += 1
    total = len(states)
    stalled = [s for s in states if s.stalled]
    percent = (counts[AdoptionStatus.ADOPTED] * 100) // total if total else None
    reasons = [f"{counts[AdoptionStatus.ADOPTED]} of {total} adopted."] if total else \
        ["Applies nowhere yet."]
    reasons += [s.reason for s in sorted(stalled, key=lambda s: -s.days_in_status)]
    return AdoptionSummary(total=total, not_started=counts[AdoptionStatus.NOT_STARTED],
                           in_progress=counts[AdoptionStatus.IN_PROGRESS],
                           adopted=counts[AdoptionStatus.ADOPTED], stalled=len(stalled),
                           percent_adopted=percent, reasons=tuple(reasons))


def _grouped(facts: Iterable[AdoptionFact], by_lesson: bool) -> dict[Hashable, list[AdoptionFact]]:
    groups: dict[Hashable, list[AdoptionFact]] = {}
    for fact in facts:
        groups.setdefault(fact.lesson_id if by_lesson else fact.location_id, []).append(fact)
    return groups


def summary_by_lesson(facts: Iterable[AdoptionFact], as_of: dt.date,
                      stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
                      ) -> dict[Hashable, AdoptionSummary]:
    return {key: summarise(group, as_of, stalled_after_days)
            for key, group in _grouped(facts, True).items()}


def summary_by_location(facts: Iterable[AdoptionFact], as_of: dt.date,
                        stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
                        ) -> dict[Hashable, AdoptionSummary]:
    return {key: summarise(group, as_of, stalled_after_days)
            for key, group in _grouped(facts, False).items()}


def most_stalled_first(summaries: Mapping[Hashable, AdoptionSummary]) -> list[Hashable]:
    """Keys ordered for attention: most stalled, then most not started, then least adopted.
    Ties keep the given order."""
    items = list(summaries.items())
    items.sort(key=lambda kv: (-kv[1].stalled, -kv[1].not_started,
                               kv[1].percent_adopted if kv[1].percent_adopted is not None
                               else 101))
    return [key for key, _ in items]


def adoption_problems(*, status: str, has_evidence_record: bool, evidence_note: str,
                      evidence_date: dt.date | None, as_of: dt.date) -> dict[str, list[str]]:
    """What is wrong with an adoption update, by field (empty when acceptable).

    *Adopted* needs evidence: a record at the location, or a written note and its date.
    An evidence date cannot be in the future.
    """
    errors: dict[str, list[str]] = {}
    try:
        value = AdoptionStatus(status)
    except ValueError:
        return {"status": [f"Unknown status {status!r}: choose not started, in progress or "
                           "adopted."]}
    note = evidence_note.strip()
    if evidence_date is not None and evidence_date > as_of:
        errors["evidence_date"] = ["The evidence date cannot be in the future."]
    if value is AdoptionStatus.ADOPTED and not has_evidence_record:
        if not note:
            errors["evidence"] = ["Adopted needs evidence: choose a record at this location, "
                                  "or write what shows it and give its date."]
        elif evidence_date is None:
            errors["evidence_date"] = ["Give the date of the evidence described."]
    return errors


# --- key people -----------------------------------------------------------------------------


class Departure(StrEnum):
    LEFT = "left"
    LEAVING = "leaving"


@dataclass(frozen=True)
class OwnerDeparture:
    status: Departure
    days: int  # days until leaving (LEAVING) or since leaving (LEFT)
    reason: str


def owner_departure(leaving_date: dt.date | None, as_of: dt.date,
                    within_days: int = DEFAULT_LEAVING_WITHIN_DAYS) -> OwnerDeparture | None:
    """Does the owner's leaving date mean the theme needs a new owner now? Yes when they have
    left (the leaving date has passed) or leave within `within_days` (today counts as
    leaving: they still work today)."""
    if leaving_date is None:
        return None
    if leaving_date < as_of:
        days = (as_of - leaving_date).days
        return OwnerDeparture(Departure.LEFT, days,
                              f"The owner left {days} day{'s' if days != 1 else ''} ago.")
    days = (leaving_date - as_of).days
    if days <= within_days:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return OwnerDeparture(Departure.LEAVING, days, f"The owner leaves {when}.")
    return None
