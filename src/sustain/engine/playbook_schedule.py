"""A playbook as people read it: its schedule (what, who, how often) and its escalation rules
in plain English. Pure functions over a validated `engine.playbook_schema.Playbook`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sustain.engine.access import ROLE_LABELS, Role
from sustain.engine.playbook_schema import (
    FREQUENCY_LABELS,
    MEETING_TYPES,
    RECORD_LABELS,
    SUBJECT_LABELS,
    CompletesWithMeeting,
    CompletesWithTracker,
    Playbook,
    ResponseSpec,
    TriggerAuditBelow,
    TriggerMismatch,
    TriggerMissedOccurrence,
    TriggerOverdueAction,
    TriggerRepeated,
    TriggerTimeliness,
)

_FREQUENCY_ORDER = {f: i for i, f in enumerate(FREQUENCY_LABELS)}


@dataclass(frozen=True)
class ScheduleRow:
    """One recurring obligation: what, who (role and label), how often."""

    what: str
    role: str
    who: str
    frequency: str  # a FREQUENCY_LABELS key, or "" when it follows events
    how_often: str
    kind: str  # "audit", "cadence" or "tracker"


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _how_often(frequency: str, done: Any = None) -> str:
    if frequency == "each_meeting" and isinstance(done, CompletesWithMeeting):
        return f"At every {MEETING_TYPES[done.meeting_type]}"
    return FREQUENCY_LABELS.get(frequency, frequency)


def playbook_schedule(pb: Playbook) -> tuple[ScheduleRow, ...]:
    """What the playbook asks of whom and how often: each audit template's own cadence, each
    governance cadence, and each tracker whose recording no cadence already schedules (its
    `when` says how often). Most frequent first."""
    rows: list[ScheduleRow] = []
    for t in pb.audit_templates:
        what = f"{t.title}" + (f" ({t.sample_size} {t.sample_plural})" if t.sample_size else "")
        rows.append(ScheduleRow(what, t.cadence.owner_role, role_label(t.cadence.owner_role),
                                t.cadence.frequency, _how_often(t.cadence.frequency), "audit"))
    scheduled_trackers: set[str] = set()
    for g in pb.governance_cadences:
        if isinstance(g.completes_with, CompletesWithTracker) and \
                g.completes_with.kind == "tracker_entry":
            scheduled_trackers.add(g.completes_with.tracker)
        rows.append(ScheduleRow(g.title, g.owner_role, role_label(g.owner_role), g.frequency,
                                _how_often(g.frequency, g.completes_with), "cadence"))
    for tr in pb.trackers:
        if tr.type not in scheduled_trackers:
            rows.append(ScheduleRow(f"Record on the {tr.title.lower()}", tr.recorded_by,
                                    role_label(tr.recorded_by), "", tr.when, "tracker"))
    order = {"audit": 0, "cadence": 1, "tracker": 2}
    return tuple(sorted(rows, key=lambda r: (_FREQUENCY_ORDER.get(r.frequency, 99),
                                             order[r.kind])))


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def describe_trigger(pb: Playbook, trigger: Any) -> str:
    """An escalation rule's trigger in plain English."""
    def tracker_title(code: str) -> str:
        tr = pb.tracker(code)
        return tr.title.lower() if tr else code

    def template_title(code: str) -> str:
        t = pb.template(code)
        return t.title if t else code

    if isinstance(trigger, TriggerRepeated):
        return (f"{trigger.count} or more {trigger.event} on the "
                f"{tracker_title(trigger.tracker)} about {SUBJECT_LABELS[trigger.same]} within "
                f"{trigger.within_days} days")
    if isinstance(trigger, TriggerTimeliness):
        limit = "before the end of the shift" if trigger.deadline else \
            f"within {trigger.within_hours} hours"
        return (f"an entry on the {tracker_title(trigger.tracker)} that does not move from "
                f"“{trigger.from_step.replace('_', ' ')}” to “"
                f"{trigger.to_step.replace('_', ' ')}” {limit}")
    if isinstance(trigger, TriggerAuditBelow):
        mark = f"{trigger.below:g} %" if trigger.below is not None else "its pass mark"
        what = f"question {trigger.question} of the " if trigger.question else "the "
        tail = "" if trigger.consecutive == 1 else f" {_times(trigger.consecutive)} in a row"
        return f"{what}{template_title(trigger.template)} scores below {mark}{tail}"
    if isinstance(trigger, TriggerMismatch):
        return (f"record and practice do not match (question {trigger.question} of the "
                f"{template_title(trigger.template)} fails) for {SUBJECT_LABELS[trigger.same]} "
                f"{_times(trigger.count)} within {trigger.within_days} days")
    if isinstance(trigger, TriggerMissedOccurrence):
        cadence = next((g.title for g in pb.governance_cadences if g.code == trigger.cadence),
                       trigger.cadence)
        if trigger.count == 1:
            return f"“{cadence}” is missed"
        return f"“{cadence}” is missed {_times(trigger.count)} in a row"
    if isinstance(trigger, TriggerOverdueAction):
        days = "" if trigger.days_overdue == 0 else f"more than {trigger.days_overdue} days "
        return f"an action of the theme is {days}overdue"
    return str(trigger)


def describe_response(response: ResponseSpec) -> str:
    """A required response in plain English: the task, its owner, deadline and evidence."""
    if response.due_within_hours is not None:
        due = f"within {response.due_within_hours} hours"
    else:
        days = response.due_within_days
        due = "within 1 day" if days == 1 else f"within {days} days"
    return (f"{response.subject} — {role_label(response.owner_role)}, {due}; done when "
            f"{RECORD_LABELS[response.fulfilled_by]} is recorded")


__all__ = ["ScheduleRow", "describe_response", "describe_trigger", "playbook_schedule",
           "role_label"]
