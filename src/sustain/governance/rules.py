"""What completes a cadence's occurrence: for each kind of completion, the records (by model
label) that count, whether a record is finished, the moment it belongs to (which occurrence's
window it falls in), the moment it was done (on time or late), and whether it matches the
cadence's details (the audit template, the meeting type, …).

- audit: `audits.audit` of the template (and kind, if given), once completed; belongs to its
  audit date, done when completed.
- meeting: `meetings.meeting` of the type (when that app is installed); its date.
- supervision: `workforce.supervision`; its date.
- competency: `workforce.competencyassessment` of the type; its date.
- tracker entry: `medicines.medicinescheck` (tracker `medicines_checks`); inside its shift.
- tracker review: `medicines.weeklyreview` (`medicines_checks`; belongs to the week reviewed,
  done when reviewed), or a `safeguarding.safeguardingconcern` once a manager has reviewed it
  (`safeguarding_concerns`).
- visit: `feedback.visit` (senior visit: provider, spot-check or night visit; or observation).

Dated records (no time) count as made at the end of their local day. Other trackers (incidents
and so on) have no review record yet: their occurrences are completed by hand with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sustain.engine.cadence_rules import LONDON, CadenceRule, local_moment, record_moment
from sustain.engine.meeting_rules import meeting_type_satisfies

MEETING_LABEL = "meetings.meeting"
MEETING_DATE_FIELDS = ("date", "held_on", "meeting_date", "held_at", "starts_at", "start")


def rule_of(cadence: Any) -> CadenceRule:
    """The engine rule of a cadence (shift end times parsed from "HH:MM")."""
    ends: list[dt.time] = []
    for text in cadence.shift_ends or ():
        ends.append(dt.time.fromisoformat(str(text)))
    return CadenceRule(frequency=cadence.frequency, weekday=cadence.weekday,
                       day_of_month=cadence.day_of_month, month=cadence.month,
                       shift_ends=tuple(ends))


def _norm(text: Any) -> str:
    return str(text or "").strip().lower().replace("_", " ").replace("-", " ")


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return record_moment(value)
    return None


@dataclass(frozen=True)
class RecordKind:
    """One kind of record that can complete occurrences of cadences `completes_with` = kind."""

    kind: str
    label: str
    text: str
    belongs_at: Callable[[Any], dt.datetime | None]
    done_at: Callable[[Any], dt.datetime | None]
    matches: Callable[[Mapping[str, Any], Any], bool]

    def finished(self, obj: Any) -> bool:
        return getattr(obj, "archived_at", None) is None and self.done_at(obj) is not None


# --- audits ---

def _audit_done(obj: Any) -> dt.datetime | None:
    if obj.status != "completed":
        return None
    return obj.completed_at or record_moment(obj.audit_date)


def _audit_matches(params: Mapping[str, Any], obj: Any) -> bool:
    template = params.get("template")
    if template and obj.template.code != template:
        return False
    kind = params.get("audit_kind")
    return not kind or obj.kind == kind


# --- meetings (the `meetings` app, when installed) ---

def meeting_moment(obj: Any) -> dt.datetime | None:
    for name in MEETING_DATE_FIELDS:
        if hasattr(obj, name):
            return _moment(getattr(obj, name))
    return None


def _meeting_matches(params: Mapping[str, Any], obj: Any) -> bool:
    """A cadence asking for a type is completed by a meeting of that type or of one that covers
    it (a weekly or daily safeguarding review satisfies `safeguarding_review`): the rule is
    `engine.meeting_rules.meeting_type_satisfies`."""
    wanted = params.get("meeting_type")
    if not wanted:
        return True
    held = getattr(obj, "meeting_type", None)
    return bool(held) and meeting_type_satisfies(str(wanted), str(held))


# --- workforce ---

def _competency_matches(params: Mapping[str, Any], obj: Any) -> bool:
    wanted = _norm(params.get("competency"))
    if not wanted:
        return True
    return wanted in {_norm(obj.assessment_type), _norm(obj.get_assessment_type_display()),
                      _norm(obj.other_type)}


# --- trackers ---

def _check_moment(obj: Any) -> dt.datetime:
    """A medicines check belongs inside its shift: midday for a day shift, 23:00 for a night
    shift (dated the evening it began)."""
    return local_moment(obj.check_date, dt.time(12) if obj.shift == "day" else dt.time(23))


def _review_week_end(obj: Any) -> dt.datetime:
    return record_moment(obj.week_starting + dt.timedelta(days=6))


def _tracker(name: str) -> Callable[[Mapping[str, Any], Any], bool]:
    def matches(params: Mapping[str, Any], obj: Any) -> bool:
        return params.get("tracker", name) == name
    return matches


def _concern_review(obj: Any) -> dt.datetime | None:
    return obj.manager_reviewed_at


# --- visits ---

SENIOR_VISIT_TYPES = ("provider", "spot_check", "night")


def _visit_matches(params: Mapping[str, Any], obj: Any) -> bool:
    wanted = params.get("visit_type") or "senior_visit"
    if wanted == "observation":
        return obj.type == "observation"
    return obj.type in SENIOR_VISIT_TYPES


def _dated(name: str) -> Callable[[Any], dt.datetime | None]:
    def moment(obj: Any) -> dt.datetime | None:
        return _moment(getattr(obj, name, None))
    return moment


def _always(params: Mapping[str, Any], obj: Any) -> bool:
    return True


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("audit", "audits.audit", "a completed audit of the template",
               lambda o: record_moment(o.audit_date), _audit_done, _audit_matches),
    RecordKind("meeting", MEETING_LABEL, "a meeting of the type", meeting_moment,
               meeting_moment, _meeting_matches),
    RecordKind("supervision", "workforce.supervision", "a supervision", _dated("date"),
               _dated("date"), _always),
    RecordKind("competency", "workforce.competencyassessment",
               "a competency assessment of the type", _dated("date"), _dated("date"),
               _competency_matches),
    RecordKind("tracker_entry", "medicines.medicinescheck", "a medicines check",
               _check_moment, _check_moment, _tracker("medicines_checks")),
    RecordKind("tracker_review", "medicines.weeklyreview",
               "a weekly review of medicines checks", _review_week_end,
               lambda o: o.reviewed_at, _tracker("medicines_checks")),
    RecordKind("tracker_review", "safeguarding.safeguardingconcern",
               "a safeguarding concern reviewed by a manager", _concern_review,
               _concern_review, _tracker("safeguarding_concerns")),
    RecordKind("visit", "feedback.visit", "a senior visit (or observation) report",
               _dated("date"), _dated("date"), _visit_matches),
)


def kinds_for_label(label: str) -> list[RecordKind]:
    return [k for k in RECORD_KINDS if k.label == label.lower()]


def kinds_for_cadence(cadence: Any) -> list[RecordKind]:
    """The record kinds that can complete this cadence's occurrences (none for a note)."""
    params = cadence.completes_params or {}
    found = []
    for kind in RECORD_KINDS:
        if kind.kind != cadence.completes_with:
            continue
        tracker = params.get("tracker")
        if kind.kind.startswith("tracker_") and tracker and not kind.matches(params, _Probe()):
            continue
        found.append(kind)
    return found


class _Probe:
    """Stands in for a record when asking a tracker kind which tracker it is for."""


def local_day(moment: dt.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y}"
