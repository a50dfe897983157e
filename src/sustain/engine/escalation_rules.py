"""Escalation rules as data: the schema of one rule, its checks and its plain-English form.

A rule (ADR 0014 §1) says: when this happens (`trigger`), these responses are required
(`responses`, each a task with an owner role, a deadline and the record that fulfils it), and
a missed response climbs the `ladder`. Rules live in a playbook's `escalation_rules:` list or,
for an organisation, as their own YAML text.

`parse_rule` validates one rule's YAML text; `rule_problems` holds the checks against the
record catalogue (`engine.escalation_records.RECORD_TYPES`) so the playbook parser runs the
very same checks on its list with the right lines. Every problem names file, line and field
(`LibraryError` / `LibraryIssue` from `engine.yaml_source`).

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sustain.engine.access import ROLE_LABELS, Role
from sustain.engine.escalation_records import (
    FULFILMENT_TYPES,
    RECORD_TYPES,
    SUBJECT_KINDS,
    SUBJECTS,
    TASK_TYPES,
    TRIGGER_TYPES,
    subject_fields,
)
from sustain.engine.yaml_source import (
    FRIENDLY,
    LibraryError,
    LibraryIssue,
    PathPart,
    compose,
    duplicate_keys,
    field_name,
    line_of,
)

DEFAULT_LADDER: tuple[str, ...] = ("quality_lead", "nominated_individual", "board")
BOARD = "board"  # the last step: the board report feed

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]
Percent = Annotated[float, Field(ge=0, le=100)]
Scalar = str | bool | int | float
Where = dict[str, Scalar | list[Scalar] | None]

ZERO_WINDOW = ("a window of zero days can never hold two records: give within_days of 1 or "
               "more")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _window(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise ValueError(ZERO_WINDOW if value == 0 else "within_days must be 1 or more")
    if value is not None and value > 3660:
        raise ValueError("within_days must be at most 3660 (ten years)")
    return value


class TriggerRepeated(_Strict):
    """`count` or more matching records of one group within `within_days`."""

    kind: Literal["repeated"]
    record: str
    where: Where = Field(default_factory=dict)
    group_by: str
    count: int = Field(default=2, ge=2, le=100)
    within_days: int

    _check_window = field_validator("within_days")(_window)


class TriggerTimeliness(_Strict):
    """A record whose `to_field` is missing after, or later than, `from_field` + the limit."""

    kind: Literal["timeliness"]
    record: str
    where: Where = Field(default_factory=dict)
    from_field: str
    to_field: str
    within_hours: int | None = Field(default=None, ge=1, le=24 * 366)
    deadline: Literal["end_of_shift"] | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> TriggerTimeliness:
        if (self.within_hours is None) == (self.deadline is None):
            raise ValueError("give exactly one of within_hours or deadline: end_of_shift")
        return self


class TriggerAuditBelow(_Strict):
    """K audits in a row (of one template at a location, or of a theme) below a mark."""

    kind: Literal["audit_below"]
    template: Code | None = None  # None: any template (grouped per template)
    below: Percent | None = None  # None: each audit's own pass mark
    consecutive: int = Field(default=1, ge=1, le=24)
    reaudit_only: bool = False
    group_by: Literal["location", "theme"] = "location"


class TriggerMissedOccurrence(_Strict):
    """A governance occurrence missed (`count` within `within_days` when count > 1)."""

    kind: Literal["missed_occurrence"]
    cadence: Code | None = None
    count: int = Field(default=1, ge=1, le=100)
    within_days: int | None = None

    _check_window = field_validator("within_days")(_window)

    @model_validator(mode="after")
    def _window_for_count(self) -> TriggerMissedOccurrence:
        if self.count > 1 and self.within_days is None:
            raise ValueError("a count above 1 needs within_days (the window it is counted in)")
        return self


class TriggerOverdueAction(_Strict):
    """An action not done more than `days_overdue` days after its due date."""

    kind: Literal["overdue_action"]
    days_overdue: int = Field(default=0, ge=0, le=3660)


class TriggerIndicatorSignal(_Strict):
    """A signal on an indicator (issue 7): a concern, an improvement, or a concern signal
    still not interpreted in writing after its deadline ("uninterpreted")."""

    kind: Literal["indicator_signal"]
    indicator: Code | None = None
    signal: Literal["concern", "improvement", "uninterpreted"] = "concern"


Trigger = Annotated[TriggerRepeated | TriggerTimeliness | TriggerAuditBelow
                    | TriggerMissedOccurrence | TriggerOverdueAction | TriggerIndicatorSignal,
                    Field(discriminator="kind")]
AnyTrigger = (TriggerRepeated | TriggerTimeliness | TriggerAuditBelow | TriggerMissedOccurrence
              | TriggerOverdueAction | TriggerIndicatorSignal)


class FulfilledBy(_Strict):
    record: str
    where: Where = Field(default_factory=dict)


class ResponseSpec(_Strict):
    task: str
    title: Text
    subject: Literal["staff_member", "person", "location", "theme"]
    owner_role: str
    due_within_hours: int | None = Field(default=None, ge=1, le=24 * 366)
    due_within_days: int | None = Field(default=None, ge=1, le=366)
    count: int = Field(default=1, ge=1, le=100)
    fulfilled_by: FulfilledBy

    @model_validator(mode="after")
    def _one_due(self) -> ResponseSpec:
        if (self.due_within_hours is None) == (self.due_within_days is None):
            raise ValueError("give exactly one of due_within_hours or due_within_days")
        return self

    @property
    def due_within(self) -> timedelta:
        if self.due_within_hours is not None:
            return timedelta(hours=self.due_within_hours)
        return timedelta(days=self.due_within_days or 0)


class Rule(_Strict):
    """One escalation rule (validated shape; `rule_problems` checks the references)."""

    id: Code
    title: Text
    source: Text
    trigger: Trigger
    responses: Annotated[list[ResponseSpec], Field(min_length=1, max_length=20)]
    ladder: Annotated[list[str], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: list(DEFAULT_LADDER))
    escalate_after_days: int = Field(default=3, ge=1, le=90)

    @property
    def escalate_missed_to(self) -> str:
        """The first step of the ladder (kept for callers of the earlier schema)."""
        return self.ladder[0]


# --- checks against the catalogue ---------------------------------------------------------

Problem = tuple[tuple[PathPart, ...], str]


def trigger_record(trigger: AnyTrigger) -> str:
    """The record type a trigger reads."""
    if isinstance(trigger, TriggerRepeated | TriggerTimeliness):
        return trigger.record
    return {"audit_below": "audit", "missed_occurrence": "occurrence",
            "overdue_action": "action", "indicator_signal": "indicator_signal"}[trigger.kind]


def derivable_subjects(trigger: AnyTrigger) -> frozenset[str]:
    """What a firing of this trigger can be about: always the location, and each of staff
    member / person / theme the trigger's record holds a field of."""
    code = trigger_record(trigger)
    if code not in RECORD_TYPES:
        return frozenset({"location"})
    return frozenset({"location", *subject_fields(code)})


def _where_problems(record: str, where: Mapping[str, Any], path: tuple[PathPart, ...]
                    ) -> list[Problem]:
    rt = RECORD_TYPES[record]
    out: list[Problem] = []
    for name, value in where.items():
        kind = rt.kind(name)
        if kind is None:
            out.append(((*path, name), f"unknown field {name!r} of {_a(rt.label)}; expected one "
                                       f"of: {', '.join(rt.fields)}"))
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None:
                continue
            if kind == "bool" and not isinstance(v, bool):
                out.append(((*path, name), f"{name} is true or false, not {v!r}"))
            elif kind == "number" and (isinstance(v, bool) or not isinstance(v, int | float)):
                out.append(((*path, name), f"{name} is a number, not {v!r}"))
            elif kind in ("date", "datetime"):
                out.append(((*path, name), f"{name} is {_a(kind)}; where compares values for "
                                           f"equality and cannot filter on it"))
            elif kind not in ("bool", "number") and not isinstance(v, str):
                out.append(((*path, name), f"{name} is {_a(kind)} given as text, not {v!r}"))
    return out


def rule_problems(rule: Rule) -> list[Problem]:
    """Everything wrong with a shape-valid rule: unknown record types and fields, wrong field
    kinds, roles that are not roles, subjects the trigger cannot name. Paths are relative to
    the rule."""
    roles = [r.value for r in Role]
    out: list[Problem] = []
    trig = rule.trigger
    tp: tuple[PathPart, ...] = ("trigger",)
    record = trigger_record(trig)
    if isinstance(trig, TriggerRepeated | TriggerTimeliness):
        if trig.record not in TRIGGER_TYPES:
            out.append(((*tp, "record"), f"unknown record type {trig.record!r}; expected one "
                                         f"of: {', '.join(TRIGGER_TYPES)}"))
            return out
        rt = RECORD_TYPES[trig.record]
        out += _where_problems(trig.record, trig.where, (*tp, "where"))
        if isinstance(trig, TriggerRepeated):
            if trig.group_by != "location":
                kind = rt.kind(trig.group_by)
                if kind is None:
                    out.append(((*tp, "group_by"),
                                f"unknown field {trig.group_by!r} of {_a(rt.label)}; expected "
                                f"location or one of: {', '.join(rt.fields)}"))
                elif kind in ("date", "datetime", "number", "text"):
                    out.append(((*tp, "group_by"),
                                f"cannot group by {trig.group_by!r} (a {kind}); group by "
                                f"location, a staff member, a person, a theme or a choice"))
        else:
            for attr in ("from_field", "to_field"):
                name = getattr(trig, attr)
                kind = rt.kind(name)
                if kind is None:
                    out.append(((*tp, attr), f"unknown field {name!r} of {_a(rt.label)}; "
                                             f"expected one of: {', '.join(rt.fields)}"))
                elif kind != "datetime":
                    out.append(((*tp, attr), f"{name} is {_a(kind)}, not a date and time"))
            if trig.from_field == trig.to_field:
                out.append(((*tp, "to_field"), "to_field is the same field as from_field"))
            if trig.deadline == "end_of_shift" and rt.kind("shift_end") != "datetime":
                out.append(((*tp, "deadline"), f"{_a(rt.label)} has no shift end; use "
                                               f"within_hours"))
    subjects = derivable_subjects(trig)
    if isinstance(trig, TriggerRepeated) and record in RECORD_TYPES:
        kind = RECORD_TYPES[record].kind(trig.group_by)
        if kind is not None and kind in SUBJECT_KINDS:
            subjects = subjects | {SUBJECT_KINDS[kind]}
    for j, resp in enumerate(rule.responses):
        rp: tuple[PathPart, ...] = ("responses", j)
        if resp.task not in TASK_TYPES:
            out.append(((*rp, "task"), f"unknown task type {resp.task!r}; expected one of: "
                                       f"{', '.join(TASK_TYPES)}"))
        if resp.owner_role not in roles:
            out.append(((*rp, "owner_role"), f"unknown role {resp.owner_role!r}; expected one "
                                             f"of: {', '.join(roles)}"))
        if resp.subject not in subjects:
            out.append(((*rp, "subject"),
                        f"the trigger cannot say which {SUBJECTS[resp.subject]} this is about "
                        f"({_a(RECORD_TYPES[record].label) if record in RECORD_TYPES else record}"
                        f" names: {', '.join(sorted(subjects))})"))
        fb = resp.fulfilled_by
        if fb.record not in FULFILMENT_TYPES:
            out.append(((*rp, "fulfilled_by", "record"),
                        f"unknown record type {fb.record!r}; expected one of: "
                        f"{', '.join(FULFILMENT_TYPES)}"))
        else:
            out += _where_problems(fb.record, fb.where, (*rp, "fulfilled_by", "where"))
    seen: set[str] = set()
    for k, step in enumerate(rule.ladder):
        if step == BOARD:
            if k != len(rule.ladder) - 1:
                out.append((("ladder", k), "board (the board report) can only be the last step"))
        elif step not in roles:
            out.append((("ladder", k), f"unknown role {step!r}; expected board or one of: "
                                       f"{', '.join(roles)}"))
        if step in seen:
            out.append((("ladder", k), f"{step} is on the ladder twice"))
        seen.add(step)
    return out


# --- parsing ------------------------------------------------------------------------------


def clean_loc(data: Any, loc: Sequence[PathPart]) -> list[PathPart]:
    """Drop the union tags pydantic puts in error locations (`trigger.repeated.record` is
    `trigger.record` in the file)."""
    out: list[PathPart] = []
    cur = data
    for part in loc:
        if isinstance(part, str) and isinstance(cur, dict) and part not in cur and \
                cur.get("kind") == part:
            continue
        out.append(part)
        if isinstance(part, int):
            cur = cur[part] if isinstance(cur, list) and 0 <= part < len(cur) else None
        else:
            cur = cur.get(part) if isinstance(cur, dict) else None
    return out


def validation_issues(exc: ValidationError, data: Any, node: Any, filename: str,
                      prefix: Sequence[PathPart] = ()) -> list[LibraryIssue]:
    """A pydantic error as issues with file, line and field (`prefix` is where `data` sits
    inside `node`)."""
    issues: list[LibraryIssue] = []
    for err in exc.errors():
        path = clean_loc(data, list(err["loc"]))
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path.append("kind")
        full = [*prefix, *path]
        message = FRIENDLY.get(err["type"], err["msg"])
        issues.append(LibraryIssue(filename, line_of(node, full,
                                                     key=err["type"] == "extra_forbidden"),
                                   field_name(data, path), message.removeprefix("Value error, ")))
    return issues


def problem_issues(rule: Rule, data: Any, node: Any, filename: str,
                   prefix: Sequence[PathPart] = (), field_data: Any = None,
                   ) -> list[LibraryIssue]:
    """`rule_problems` as issues. `data` is the rule's mapping, `prefix` where it sits in
    `node`; `field_data` (default `data`) with `prefix` names the field from the file root."""
    root = data if field_data is None else field_data
    fprefix = list(prefix) if field_data is not None else []
    return [LibraryIssue(filename, line_of(node, [*prefix, *path]),
                         field_name(root, [*fprefix, *path]), message)
            for path, message in rule_problems(rule)]


def validate_rule_data(data: Any, node: Any, filename: str,
                       path_prefix: Sequence[PathPart] = ()) -> Rule:
    """Validate one rule's mapping (already read from YAML; `node` is the document's node and
    `path_prefix` where the rule sits in it). Raises `LibraryError` with every problem."""
    if not isinstance(data, dict):
        raise LibraryError([LibraryIssue(filename, line_of(node, list(path_prefix)), "",
                                         "a rule must be a mapping (id, title, source, "
                                         "trigger, responses…)")])
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        raise LibraryError(sorted(validation_issues(exc, data, node, filename, path_prefix),
                                  key=lambda i: i.line)) from exc
    issues = problem_issues(rule, data, node, filename, path_prefix)
    if issues:
        raise LibraryError(sorted(issues, key=lambda i: i.line))
    return rule


def parse_rule(text: str, filename: str) -> Rule:
    """Parse and validate one rule given as a YAML mapping. Raises `LibraryError` naming
    file, line and field of every problem."""
    node, data = compose(text, filename)
    issues = duplicate_keys(node, filename)
    if issues:
        raise LibraryError(issues)
    return validate_rule_data(data, node, filename)


def rule_from_content(content: Mapping[str, Any]) -> Rule:
    """The typed rule from its stored JSON (`Rule.model_dump(mode="json")`)."""
    return Rule.model_validate(dict(content))


def rule_checksum(rule: Rule | str) -> str:
    """SHA-256 (hex) of a rule: of its text when given text, else of its canonical JSON."""
    if isinstance(rule, str):
        payload = rule
    else:
        payload = json.dumps(rule.model_dump(mode="json"), sort_keys=True,
                             separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- what the evaluator needs -------------------------------------------------------------


def records_needed(rule: Rule) -> set[str]:
    """The record types a rule's trigger reads (evaluate it when one of these is written)."""
    return {trigger_record(rule.trigger)}


def fulfilment_records(rule: Rule) -> set[str]:
    """The record types that can fulfil one of a rule's responses."""
    return {r.fulfilled_by.record for r in rule.responses}


def lookback(rule: Rule) -> timedelta:
    """How far back (before `now`) the evaluator needs records of `records_needed(rule)`.

    Callers pass every record whose time is at or after `now - lookback(rule)`, plus every
    record (not archived) a prior firing names, and as `prior` every firing not withdrawn that
    was triggered at or after `now - lookback(rule)`.
    """
    trig = rule.trigger
    if isinstance(trig, TriggerRepeated):
        return timedelta(days=2 * trig.within_days)
    if isinstance(trig, TriggerTimeliness):
        return timedelta(hours=trig.within_hours or 24) + timedelta(days=14)
    if isinstance(trig, TriggerAuditBelow):
        return timedelta(days=400 * trig.consecutive)
    if isinstance(trig, TriggerMissedOccurrence):
        return timedelta(days=2 * trig.within_days if trig.within_days else 90)
    if isinstance(trig, TriggerOverdueAction):
        return timedelta(days=trig.days_overdue + 366)
    return timedelta(days=90)


# --- plain English ------------------------------------------------------------------------


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _human(name: str) -> str:
    return name.replace("_", " ")


def _value(v: Any) -> str:
    if isinstance(v, list):
        return " or ".join(_value(x) for x in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return _human(str(v)) if isinstance(v, str) else str(v)


def describe_where(record: str, where: Mapping[str, Any]) -> str:
    """A filter in words: `mismatch found`, `type fall`, `not passed`."""
    rt = RECORD_TYPES.get(record)
    parts: list[str] = []
    for name, v in where.items():
        if rt is not None and rt.kind(name) == "bool" and isinstance(v, bool):
            parts.append(_human(name) if v else f"not {_human(name)}")
        else:
            parts.append(f"{_human(name)} {_value(v)}")
    return ", ".join(parts)


def _plural(record: str, where: Mapping[str, Any] | None = None) -> str:
    rt = RECORD_TYPES.get(record)
    name = rt.plural if rt else _human(record)
    cond = describe_where(record, where or {})
    return f"{name} ({cond})" if cond else name


def _singular(record: str, where: Mapping[str, Any] | None = None) -> str:
    rt = RECORD_TYPES.get(record)
    name = rt.label if rt else _human(record)
    cond = describe_where(record, where or {})
    return f"{name} ({cond})" if cond else name


def group_phrase(record: str, group_by: str) -> str:
    """`the same staff member`, `the same key worker`, `the same person`, `the service`."""
    if group_by == "location":
        return "the service"
    return f"the same {_human(group_by)}"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def describe_trigger(trigger: AnyTrigger, names: Mapping[str, str] | None = None) -> str:
    """A trigger in plain English. `names` maps codes (audit templates, cadences) to titles."""
    names = names or {}
    if isinstance(trigger, TriggerRepeated):
        what = _plural(trigger.record, trigger.where)
        if trigger.group_by == "location":
            return (f"the service has {trigger.count} or more {what} within "
                    f"{trigger.within_days} days")
        return (f"{group_phrase(trigger.record, trigger.group_by)} has {trigger.count} or more "
                f"{what} within {trigger.within_days} days")
    if isinstance(trigger, TriggerTimeliness):
        start = _human(trigger.from_field.removesuffix("_at"))
        limit = "before the end of the shift" if trigger.deadline else \
            f"within {trigger.within_hours} hours of “{start}”"
        to = _human(trigger.to_field.removesuffix("_at"))
        what = _a(_singular(trigger.record, trigger.where))
        return f"{what} where “{to}” is not recorded {limit}"
    if isinstance(trigger, TriggerAuditBelow):
        audit = "re-audit" if trigger.reaudit_only else "audit"
        scope = "for the same theme" if trigger.group_by == "theme" else "at the service"
        if trigger.template:
            of = f" of the {names.get(trigger.template, trigger.template)}"
        else:
            of = "" if trigger.group_by == "theme" else " of the same template"
        if trigger.consecutive == 1:
            mark = f"{trigger.below:g} %" if trigger.below is not None else "its pass mark"
            of = of.replace(" the same template", " any template")
            return f"{_a(audit)}{of} {scope} scores below {mark}"
        mark = f"{trigger.below:g} %" if trigger.below is not None else "their pass mark"
        return f"{trigger.consecutive} {audit}s{of} in a row {scope} score below {mark}"
    if isinstance(trigger, TriggerMissedOccurrence):
        cadence = f"“{names.get(trigger.cadence, trigger.cadence)}”" if trigger.cadence else \
            "a governance activity"
        if trigger.count == 1:
            return f"{cadence} is missed"
        return f"{cadence} is missed {_times(trigger.count)} within {trigger.within_days} days"
    if isinstance(trigger, TriggerOverdueAction):
        days = "" if trigger.days_overdue == 0 else f"more than {trigger.days_overdue} days "
        return f"an action is {days}overdue"
    what = f"indicator {names.get(trigger.indicator, trigger.indicator)}" \
        if trigger.indicator else "an indicator"
    if trigger.signal == "uninterpreted":
        return f"a concern signal on {what} is not interpreted by its deadline"
    return f"{what} signals a {trigger.signal}"


def role_phrase(role: str) -> str:
    """`the registered manager`, `the board report`."""
    if role == BOARD:
        return "the board report"
    try:
        return f"the {ROLE_LABELS[Role(role)].lower()}"
    except ValueError:
        return _human(role)


_THAT = {"staff_member": "of that staff member", "person": "for that person",
         "theme": "for that theme", "location": "at the service"}


def describe_response(response: ResponseSpec) -> str:
    """A required response: `immediate supervision … by the registered manager within 24
    hours, fulfilled by a supervision of that staff member after the trigger`."""
    if response.due_within_hours is not None:
        h = response.due_within_hours
        due = "within 1 hour" if h == 1 else f"within {h} hours"
    else:
        d = response.due_within_days
        due = "within 1 day" if d == 1 else f"within {d} days"
    title = response.title[:1].lower() + response.title[1:]
    fb = response.fulfilled_by
    if response.count == 1:
        record = _a(_singular(fb.record, fb.where))
    else:
        record = f"{response.count} {_plural(fb.record, fb.where)}"
    about = _THAT[response.subject] if fb.record not in RECORD_TYPES or \
        response.subject in subject_fields(fb.record) else "at the service"
    return (f"{title} by {role_phrase(response.owner_role)} {due}, fulfilled by {record} "
            f"{about} after the trigger")


def describe_ladder(rule: Rule) -> str:
    steps = ", then ".join(role_phrase(s) for s in rule.ladder)
    return (f"a response not done in time goes to {steps}, with {rule.escalate_after_days} "
            f"more day{'s' if rule.escalate_after_days != 1 else ''} at each step")


def describe_rule(rule: Rule, names: Mapping[str, str] | None = None) -> str:
    """The whole rule in one paragraph of plain English."""
    when = describe_trigger(rule.trigger, names)
    responses = "; ".join(describe_response(r) for r in rule.responses)
    return f"When {when}: {responses}. If {describe_ladder(rule)}."


__all__ = ["BOARD", "DEFAULT_LADDER", "AnyTrigger", "FulfilledBy", "LibraryError",
           "LibraryIssue", "ResponseSpec", "Rule",
           "Trigger", "TriggerAuditBelow", "TriggerIndicatorSignal", "TriggerMissedOccurrence",
           "TriggerOverdueAction", "TriggerRepeated", "TriggerTimeliness", "ZERO_WINDOW",
           "derivable_subjects", "describe_ladder", "describe_response", "describe_rule",
           "describe_trigger", "describe_where", "fulfilment_records", "lookback",
           "parse_rule", "problem_issues", "records_needed", "role_phrase", "rule_checksum",
           "rule_from_content", "rule_problems", "trigger_record", "validate_rule_data",
           "validation_issues"]
