"""A playbook as people read it: its schedule (what, who, how often) and its escalation rules
in plain English. Pure functions over a validated `engine.playbook_schema.Playbook`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sustain.engine import escalation_rules
from sustain.engine.access import ROLE_LABELS, Role
from sustain.engine.escalation_rules import ResponseSpec
from sustain.engine.playbook_schema import (
    FREQUENCY_LABELS,
    MEETING_TYPES,
    CompletesWithMeeting,
    CompletesWithTracker,
    Playbook,
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


def describe_trigger(pb: Playbook, trigger: Any) -> str:
    """An escalation rule's trigger in plain English (`engine.escalation_rules`), naming the
    playbook's audit templates and cadences by their titles."""
    names = {t.code: t.title for t in pb.audit_templates}
    names.update({g.code: g.title for g in pb.governance_cadences})
    names.update({i.code: i.name for i in pb.indicators})
    return escalation_rules.describe_trigger(trigger, names)


def describe_response(response: ResponseSpec) -> str:
    """A required response in plain English: the task, its owner, deadline and evidence."""
    return escalation_rules.describe_response(response)


__all__ = ["ScheduleRow", "describe_response", "describe_trigger", "playbook_schedule",
           "role_label"]
