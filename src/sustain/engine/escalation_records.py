"""The records escalation rules read, as the engine sees them (ADR 0014 §2).

Django adapters (`escalations/records.py`) turn model rows into `Rec`s; this catalogue is the
contract between them and the rules: every record type, its time field (the `Rec.at` it is
placed at) and its fields with a kind. Rules are validated against it at load
(`engine.escalation_rules`), so a rule can only name fields that adapters supply.

Field kinds: `staff` (a staff member id), `person` (a person supported id), `theme` (a theme
id), `choice` (a model choice value), `code` (a library code: audit template, cadence,
course, indicator), `bool`, `number`, `date`, `datetime`, `text`.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

FieldKind = Literal["staff", "person", "theme", "choice", "bool", "number", "date",
                    "datetime", "text", "code"]

# Kinds whose values are ids of things a task can be about (a rule's subject).
SUBJECT_KINDS: Mapping[str, str] = {"staff": "staff_member", "person": "person",
                                    "theme": "theme"}


@dataclass(frozen=True)
class Rec:
    """One record, as an escalation rule reads it."""

    type: str                 # "medicines_discrepancy", "supervision", …
    id: str                   # the record's primary key as text
    location_id: str
    at: datetime              # aware; the record's event time (its type's time field)
    fields: Mapping[str, object] = field(default_factory=dict)
    # ids as str, choices as str, bool, float, date, datetime, None
    label: str = ""           # how a person names it ("MAR discrepancy on 3 Mar, night shift")


@dataclass(frozen=True)
class RecordType:
    """A record type: what it is called, where its time comes from, its fields."""

    code: str
    label: str                 # singular, lower case: "medicines discrepancy"
    plural: str                # "medicines discrepancies"
    time_field: str            # the field `Rec.at` is taken from
    fields: Mapping[str, FieldKind]
    trigger: bool = False      # a rule's trigger may read it
    fulfilment: bool = False   # a response may be fulfilled by it

    def kind(self, name: str) -> FieldKind | None:
        return self.fields.get(name)

    def fields_of_kind(self, *kinds: str) -> tuple[str, ...]:
        return tuple(n for n, k in self.fields.items() if k in kinds)


def _rt(code: str, label: str, plural: str, time_field: str, fields: Mapping[str, FieldKind],
        *, trigger: bool = False, fulfilment: bool = False) -> RecordType:
    return RecordType(code, label, plural, time_field, fields, trigger, fulfilment)


RECORD_TYPES: Mapping[str, RecordType] = {rt.code: rt for rt in (
    # --- trigger records ------------------------------------------------------------------
    _rt("medicines_discrepancy", "medicines discrepancy", "medicines discrepancies",
        "occurred_at",
        {"type": "choice", "person": "person", "staff_member": "staff", "shift": "choice",
         "occurred_at": "datetime"}, trigger=True),
    _rt("safeguarding_concern", "safeguarding concern", "safeguarding concerns", "raised_at",
        {"raised_at": "datetime", "staff_member": "staff", "person": "person",
         "category": "choice", "shift_lead_notified_at": "datetime",
         "manager_reviewed_at": "datetime", "decision": "choice", "la_referral_at": "datetime",
         "cqc_notified_at": "datetime", "shift_end": "datetime"}, trigger=True),
    _rt("care_plan_review", "care plan review", "care plan reviews", "completed_on",
        {"person": "person", "key_worker": "staff", "mismatch_found": "bool",
         "due_date": "date", "completed_on": "date"}, trigger=True, fulfilment=True),
    _rt("incident", "incident", "incidents", "occurred_at",
        {"type": "choice", "severity": "choice", "person": "person",
         "occurred_at": "datetime"}, trigger=True),
    _rt("complaint", "complaint", "complaints", "received_on",
        {"person": "person", "category": "choice", "received_on": "date",
         "response_due": "date", "response_sent_on": "date"}, trigger=True),
    _rt("audit", "audit", "audits", "completed_at",
        {"template": "code", "score": "number", "pass_mark": "number", "passed": "bool",
         "is_reaudit": "bool", "kind": "choice", "theme": "theme",
         "completed_at": "datetime"}, trigger=True, fulfilment=True),
    _rt("occurrence", "governance occurrence", "governance occurrences", "due_at",
        {"cadence": "code", "status": "choice", "due_at": "datetime",
         "completed_at": "datetime", "theme": "theme"}, trigger=True),
    _rt("action", "action", "actions", "due_date",
        {"theme": "theme", "status": "choice", "due_date": "date", "completed_on": "date",
         "owner": "staff"}, trigger=True),
    _rt("indicator_signal", "indicator signal", "indicator signals", "signalled_at",
        {"indicator": "code", "signal": "choice", "theme": "theme",
         "signalled_at": "datetime"}, trigger=True),
    # --- fulfilment records ---------------------------------------------------------------
    _rt("supervision", "supervision", "supervisions", "date",
        {"staff_member": "staff", "date": "date", "topic": "text"}, fulfilment=True),
    _rt("competency_assessment", "competency assessment", "competency assessments", "date",
        {"staff_member": "staff", "assessment_type": "choice", "date": "date",
         "outcome": "choice"}, fulfilment=True),
    _rt("training", "training record", "training records", "completed_on",
        {"staff_member": "staff", "course": "code", "completed_on": "date"}, fulfilment=True),
    _rt("visit", "visit", "visits", "visited_at",
        {"type": "choice", "staff_member": "staff", "person": "person",
         "visited_at": "datetime"}, fulfilment=True),
    _rt("observation", "observation of practice", "observations of practice", "visited_at",
        {"type": "choice", "staff_member": "staff", "person": "person",
         "visited_at": "datetime"}, fulfilment=True),
    _rt("meeting", "meeting", "meetings", "held_on",
        {"meeting_type": "choice", "held_on": "date"}, fulfilment=True),
    _rt("note", "written note", "written notes", "written_at",
        {"text": "text", "written_at": "datetime", "staff_member": "staff",
         "person": "person", "theme": "theme"}, fulfilment=True),
)}

TRIGGER_TYPES: tuple[str, ...] = tuple(c for c, rt in RECORD_TYPES.items() if rt.trigger)
FULFILMENT_TYPES: tuple[str, ...] = tuple(c for c, rt in RECORD_TYPES.items() if rt.fulfilment)

# The responses a rule can require (UK English labels, lower case).
TASK_TYPES: Mapping[str, str] = {
    "supervision": "supervision",
    "competency_reassessment": "competency reassessment",
    "spot_checks": "additional spot checks",
    "management_review": "management review",
    "debrief": "staff debrief",
    "training": "refresher training",
    "plan_review": "care plan review",
    "observation": "follow-up observation",
    "provider_review": "provider-level review",
    "risk_review": "risk assessment review",
    "other": "other response",
}

# What a task can be about; "location" is always derivable (every record has one).
SUBJECTS: Mapping[str, str] = {"staff_member": "staff member", "person": "person",
                               "location": "service", "theme": "theme"}


def subject_fields(record_type: str) -> Mapping[str, str]:
    """For a record type: subject name -> the field that holds it (first field of that kind;
    `staff_member` / `person` / `theme` preferred when the record has a field of that name)."""
    rt = RECORD_TYPES[record_type]
    out: dict[str, str] = {}
    for name, kind in rt.fields.items():
        subject = SUBJECT_KINDS.get(kind)
        if subject is None:
            continue
        if subject not in out or name == subject:
            out[subject] = name
    return out


__all__ = ["FULFILMENT_TYPES", "RECORD_TYPES", "SUBJECTS", "SUBJECT_KINDS", "TASK_TYPES",
           "TRIGGER_TYPES", "FieldKind", "Rec", "RecordType", "subject_fields"]
