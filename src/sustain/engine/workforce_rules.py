"""Workforce rules a manager can ask "why?" about: when supervision is overdue, and how far a
theme's "what changed and why" briefing has reached the staff at a location.

Pure functions: the caller passes the facts and the date (`as_of`); every answer carries the
date it used so a page can explain it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

DEFAULT_INTERVAL_WEEKS = 8
DEFAULT_PROBATION_DAYS = 28
# Themes whose briefing coverage matters: work has started and until it is embedded (a
# relapsed theme is active again).
BRIEFED_STAGES = frozenset({"recovering", "actions_complete", "verified", "sustaining",
                            "embedded", "relapsed"})


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def is_current(start_date: dt.date, leaving_date: dt.date | None, as_of: dt.date) -> bool:
    """On the staff on `as_of`: started on or before it and not yet left."""
    return start_date <= as_of and (leaving_date is None or leaving_date >= as_of)


def next_due(on: dt.date, interval_weeks: int = DEFAULT_INTERVAL_WEEKS) -> dt.date:
    """When the next supervision is due after one held on `on`."""
    if interval_weeks < 1:
        raise ValueError("The supervision interval must be at least one week.")
    return on + dt.timedelta(weeks=interval_weeks)


@dataclass(frozen=True)
class StaffFacts:
    """One staff member and their latest supervision (None when they have had none)."""

    staff_id: int
    start_date: dt.date
    leaving_date: dt.date | None = None
    latest_supervision_on: dt.date | None = None
    latest_next_due: dt.date | None = None


@dataclass(frozen=True)
class SupervisionStatus:
    staff_id: int
    due_on: dt.date
    basis: str  # "next_due" (from the latest supervision) or "probation" (none yet)
    overdue: bool
    days_overdue: int
    explanation: str


def supervision_status(facts: StaffFacts, as_of: dt.date,
                       probation_days: int = DEFAULT_PROBATION_DAYS,
                       ) -> SupervisionStatus | None:
    """Is this staff member's supervision overdue on `as_of`? None for someone not on the
    staff that day. Overdue means the due date has passed (due today is not overdue)."""
    if not is_current(facts.start_date, facts.leaving_date, as_of):
        return None
    if facts.latest_next_due is not None:
        due, basis = facts.latest_next_due, "next_due"
        held = (f"latest supervision on {_fmt(facts.latest_supervision_on)}"
                if facts.latest_supervision_on else "latest supervision")
        because = f"next due {_fmt(due)} ({held})"
    else:
        due, basis = facts.start_date + dt.timedelta(days=probation_days), "probation"
        because = (f"no supervision yet; first due {_fmt(due)}, {probation_days} days after "
                   f"starting on {_fmt(facts.start_date)}")
    days = (as_of - due).days
    overdue = days > 0
    verdict = f"Overdue by {days} day{'s' if days != 1 else ''}: " if overdue else "Not overdue: "
    return SupervisionStatus(staff_id=facts.staff_id, due_on=due, basis=basis, overdue=overdue,
                             days_overdue=max(days, 0),
                             explanation=f"{verdict}{because}; checked on {_fmt(as_of)}.")


def overdue_supervisions(staff: Iterable[StaffFacts], as_of: dt.date,
                         probation_days: int = DEFAULT_PROBATION_DAYS,
                         ) -> list[SupervisionStatus]:
    """The current staff whose supervision is overdue, longest overdue first."""
    found = [s for s in (supervision_status(f, as_of, probation_days) for f in staff)
             if s is not None and s.overdue]
    return sorted(found, key=lambda s: (-s.days_overdue, s.staff_id))


# --- briefing coverage ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMemberFact:
    staff_id: int
    start_date: dt.date
    leaving_date: dt.date | None = None


@dataclass(frozen=True)
class Coverage:
    attested: tuple[int, ...]
    not_attested: tuple[int, ...]
    total: int
    percent: float | None  # None when the location has no current staff
    as_of: dt.date

    @property
    def explanation(self) -> str:
        if self.total == 0:
            return f"No current staff on {_fmt(self.as_of)}."
        return (f"{len(self.attested)} of {self.total} current staff on {_fmt(self.as_of)} "
                f"have attested they can explain what changed and why.")


def coverage(staff: Iterable[StaffMemberFact], attested_ids: Collection[int],
             as_of: dt.date) -> Coverage:
    """Current staff who attested to any briefing of the theme / current staff."""
    current = sorted(s.staff_id for s in staff
                     if is_current(s.start_date, s.leaving_date, as_of))
    done = tuple(i for i in current if i in attested_ids)
    missing = tuple(i for i in current if i not in attested_ids)
    percent = round(100 * len(done) / len(current), 1) if current else None
    return Coverage(attested=done, not_attested=missing, total=len(current), percent=percent,
                    as_of=as_of)


def new_starters_not_briefed(staff: Iterable[StaffMemberFact], attested_ids: Collection[int],
                             latest_briefing_on: dt.date | None, stage: str,
                             as_of: dt.date) -> tuple[int, ...]:
    """Current staff who started after the theme's latest briefing (everyone current when it
    has had none) and have not attested, for a theme in a briefed stage; else empty."""
    if stage not in BRIEFED_STAGES:
        return ()
    return tuple(sorted(
        s.staff_id for s in staff
        if is_current(s.start_date, s.leaving_date, as_of) and s.staff_id not in attested_ids
        and (latest_briefing_on is None or s.start_date > latest_briefing_on)))
