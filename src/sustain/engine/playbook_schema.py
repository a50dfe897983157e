"""Schema of playbooks, a pure parser that names file, line and field, and the schedule.

A playbook is a reusable recipe for an improvement theme, written as YAML (see
`sustain/playbooks/data/` and docs/guide/playbooks.md): the theme it addresses, its audit
templates (with the exact question fields of `engine.audit_scoring.Question`), the verification
rule, sustain cycles, embedding channels, and — declared now, used by later work — governance
cadences, trackers, escalation rules and indicators.

`parse_playbook` validates a file's text strictly (unknown fields, missing fields, wrong types,
duplicate YAML keys, duplicate codes) and resolves every reference — inside the file (templates,
questions, trackers, cadences) and to the reference library (quality statements, regulations,
key questions), the embedding channels and the roles — raising `LibraryError` with the file,
line and field of every problem. `playbook_schedule` turns a playbook into what/who/how-often
rows for display; `describe_trigger` / `describe_response` say escalation rules in plain English.

No Django here: used by the loader, the upload service, the tests and offline tools alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sustain.engine.access import Role
from sustain.engine.audit_scoring import AnswerType, Question
from sustain.engine.embedding import CHANNELS
from sustain.engine.escalation_rules import (
    Rule,
    TriggerAuditBelow,
    TriggerMissedOccurrence,
    rule_problems,
)
from sustain.engine.reference_schema import (
    KeyQuestionsLibrary,
    ParsedLibrary,
    QualityStatementsLibrary,
    RegulationsLibrary,
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

SCHEMA_VERSION = "playbook-schema-1"

# --- vocabularies -------------------------------------------------------------------------

FREQUENCY_LABELS: Mapping[str, str] = {
    "per_shift": "At the end of every shift", "daily": "Daily", "weekly": "Weekly",
    "fortnightly": "Every two weeks", "monthly": "Monthly", "quarterly": "Quarterly",
    "six_monthly": "Every six months", "annually": "Every year",
    "each_meeting": "At every meeting",
}
Frequency = Literal["per_shift", "daily", "weekly", "fortnightly", "monthly", "quarterly",
                    "six_monthly", "annually", "each_meeting"]
AuditFrequency = Literal["daily", "weekly", "monthly", "quarterly"]

# The meeting types of the governance rhythm (issue 5), also the `meetings` app's choices.
# "governance_meeting" is the monthly quality meeting and "provider_review" the quarterly
# provider review; "safeguarding_review" (any safeguarding review meeting) is kept for
# playbooks that do not say daily or weekly (see engine.meeting_rules.meeting_type_satisfies).
MEETING_TYPES: Mapping[str, str] = {
    "governance_meeting": "governance (quality) meeting", "team_meeting": "team meeting",
    "safeguarding_review": "safeguarding review meeting",
    "provider_review": "provider-level review", "board": "board meeting",
    "daily_safeguarding_review": "daily safeguarding review",
    "weekly_safeguarding_review": "weekly safeguarding review meeting",
    "care_plan_clinic": "care-plan clinic",
}
MeetingType = Literal["governance_meeting", "team_meeting", "safeguarding_review",
                      "provider_review", "board", "daily_safeguarding_review",
                      "weekly_safeguarding_review", "care_plan_clinic"]

# The operational logs the seed names (DESIGN.md, "Trackers").
TRACKER_TYPES: Mapping[str, str] = {
    "medicines_checks": "Medicines checks (MAR discrepancies per shift)",
    "safeguarding_concerns": "Safeguarding concerns",
    "care_plan_actions": "Care-plan reviews and actions",
    "incidents": "Incidents (falls, pressure care, medicines errors, near misses)",
    "complaints": "Complaints and compliments",
    "feedback": "Feedback (people, families, staff, commissioners, professionals)",
    "visits": "Senior visits and observations of practice",
}

# Escalation rules (issue 6, ADR 0014) use the schema of `engine.escalation_rules`: a
# playbook's `escalation_rules:` is a list of `Rule`s, checked with the same `rule_problems`.

# --- building blocks ----------------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
QuestionCode = Annotated[str, Field(min_length=1, max_length=40,
                                    pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]
Percent = Annotated[float, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(_Strict):
    """Which paragraph of which text the playbook implements, quoted."""

    document: Text
    section: Text
    quotes: Annotated[list[Text], Field(min_length=1)]


class ThemeSpec(_Strict):
    title: Text
    description: Text
    key_questions: list[str] = Field(default_factory=list)
    quality_statements: Annotated[list[str], Field(min_length=1)]
    regulations: Annotated[list[str], Field(min_length=1)]


class EvidenceItem(_Strict):
    what: Text
    category: str | None = None  # an evidence category code of the reference library


class QuestionSpec(_Strict):
    """One audit question: exactly the fields of `engine.audit_scoring.Question`, plus help."""

    code: QuestionCode
    text: Text
    answer_type: Literal["yes_no", "scale", "number", "text"]
    weight: float = Field(default=1.0, ge=0)
    critical: bool = False
    per_sample: bool = False
    required: bool = True
    scale_max: int = Field(default=4, ge=1, le=10)
    at_least: float | None = None
    at_most: float | None = None
    help: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> QuestionSpec:
        if self.answer_type != "number" and (self.at_least is not None
                                             or self.at_most is not None):
            raise ValueError("at_least / at_most apply to number questions only")
        if self.at_least is not None and self.at_most is not None and \
                self.at_least > self.at_most:
            raise ValueError("at_least is above at_most")
        if self.critical and not self.as_question().scored:
            raise ValueError("a critical question must be scored (yes/no, scale, or a number "
                             "with a target, with a weight above 0)")
        return self

    def as_question(self) -> Question:
        return Question(code=self.code, text=self.text, answer_type=AnswerType(self.answer_type),
                        weight=self.weight, critical=self.critical, per_sample=self.per_sample,
                        required=self.required, scale_max=self.scale_max,
                        at_least=self.at_least, at_most=self.at_most)


class Section(_Strict):
    title: Text
    questions: Annotated[list[QuestionSpec], Field(min_length=1)]


class AuditCadence(_Strict):
    frequency: AuditFrequency
    owner_role: str


class AuditTemplateSpec(_Strict):
    code: Code
    title: Text
    purpose: Text
    pass_mark: Percent
    sample_size: int = Field(default=0, ge=0, le=200)
    sample_label: str = ""  # singular: "MAR chart"
    sample_label_plural: str = ""  # when adding "s" is wrong: "people"
    cadence: AuditCadence
    min_analysis_length: int = Field(default=120, ge=0, le=5000)
    sections: Annotated[list[Section], Field(min_length=1)]

    @model_validator(mode="after")
    def _sample(self) -> AuditTemplateSpec:
        if any(q.per_sample for q in self.questions()) and (
                self.sample_size < 1 or not self.sample_label.strip()):
            raise ValueError("per-sample questions need a sample_size of at least 1 and a "
                             "sample_label (what is sampled, e.g. 'MAR chart')")
        return self

    @property
    def sample_plural(self) -> str:
        return self.sample_label_plural or f"{self.sample_label}s"

    def questions(self) -> list[QuestionSpec]:
        return [q for section in self.sections for q in section.questions]

    def scoring_questions(self) -> list[Question]:
        """The questions as the audit scorer takes them."""
        return [q.as_question() for q in self.questions()]


class Verification(_Strict):
    reaudit_template: Code
    pass_mark: Percent
    consecutive_passes: int = Field(default=1, ge=1, le=12)


class CompletesWithAudit(_Strict):
    kind: Literal["audit"]
    template: Code
    audit_kind: Literal["self", "independent"] = "self"


class CompletesWithMeeting(_Strict):
    kind: Literal["meeting"]
    meeting_type: MeetingType


class CompletesWithSupervision(_Strict):
    kind: Literal["supervision"]
    topic: str = ""


class CompletesWithCompetency(_Strict):
    kind: Literal["competency"]
    competency: Text


class CompletesWithTracker(_Strict):
    kind: Literal["tracker_review", "tracker_entry"]
    tracker: str


class CompletesWithVisit(_Strict):
    kind: Literal["visit"]
    visit_type: Literal["senior_visit", "observation"] = "senior_visit"


Completion = Annotated[CompletesWithAudit | CompletesWithMeeting | CompletesWithSupervision
                       | CompletesWithCompetency | CompletesWithTracker | CompletesWithVisit,
                       Field(discriminator="kind")]


class GovernanceCadence(_Strict):
    code: Code
    title: Text
    owner_role: str
    frequency: Frequency
    completes_with: Completion
    grace_days: int = Field(default=0, ge=0, le=90)
    source: str = ""

    @model_validator(mode="after")
    def _each_meeting(self) -> GovernanceCadence:
        if self.frequency == "each_meeting" and self.completes_with.kind != "meeting":
            raise ValueError("frequency each_meeting needs completes_with kind meeting")
        return self


class TrackerSpec(_Strict):
    type: str
    title: Text
    purpose: str = ""
    recorded_by: str
    when: Text
    steps: list[Code] = Field(default_factory=list)


EscalationRule = Rule  # the name earlier callers import


class Indicator(_Strict):
    code: Code
    name: Text
    unit: Text
    direction: Literal["higher_is_better", "lower_is_better", "neutral"]
    description: str = ""
    audit_template: Code | None = None


class Playbook(_Strict):
    """A validated playbook (one version)."""

    code: Code
    version: int = Field(ge=1)
    title: Text
    summary: Text
    source: Source
    theme: ThemeSpec
    evidence: list[EvidenceItem] = Field(default_factory=list)
    audit_templates: Annotated[list[AuditTemplateSpec], Field(min_length=1)]
    verification: Verification
    sustain_cycles: int = Field(default=2, ge=2, le=12)
    embedding_channels: list[str] = Field(default_factory=list)
    governance_cadences: list[GovernanceCadence] = Field(default_factory=list)
    trackers: list[TrackerSpec] = Field(default_factory=list)
    escalation_rules: list[Rule] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)

    def template(self, code: str) -> AuditTemplateSpec | None:
        return next((t for t in self.audit_templates if t.code == code), None)

    def tracker(self, type_: str) -> TrackerSpec | None:
        return next((t for t in self.trackers if t.type == type_), None)


def playbook_checksum(text: str) -> str:
    """SHA-256 (hex) of a playbook file's text as UTF-8: the identity of its content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def playbook_from_content(content: Mapping[str, Any]) -> Playbook:
    """The typed playbook from its stored JSON (`Playbook.model_dump(mode="json")`).

    Versions stored before ADR 0014 carry escalation rules in an earlier shape that nothing
    ran; they are read without those rules (the file's later version has them)."""
    data = dict(content)
    try:
        return Playbook.model_validate(data)
    except ValidationError:
        if not data.get("escalation_rules"):
            raise
        try:
            return Playbook.model_validate({**data, "escalation_rules": []})
        except ValidationError:
            pass
        raise


# --- known codes --------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownReferences:
    """Codes of the reference library a playbook may name. `evidence_categories` None: not
    checked."""

    quality_statements: frozenset[str]
    regulations: frozenset[str]
    key_questions: frozenset[str]
    evidence_categories: frozenset[str] | None = None


def references_from_libraries(libraries: Iterable[ParsedLibrary]) -> KnownReferences:
    """Known codes from parsed reference library files (no database needed)."""
    qs: set[str] = set()
    regs: set[str] = set()
    kqs: set[str] = set()
    cats: set[str] = set()
    for parsed in libraries:
        lib = parsed.library
        if isinstance(lib, QualityStatementsLibrary):
            qs |= {s.code for s in lib.quality_statements}
            cats |= {c.code for c in lib.evidence_categories}
        elif isinstance(lib, RegulationsLibrary):
            regs |= {r.code for r in lib.regulations}
        elif isinstance(lib, KeyQuestionsLibrary):
            kqs |= {k.code for k in lib.key_questions}
    return KnownReferences(frozenset(qs), frozenset(regs), frozenset(kqs), frozenset(cats))


# --- parsing ------------------------------------------------------------------------------


def _clean_loc(data: Any, loc: Sequence[PathPart]) -> list[PathPart]:
    """Drop the union tags pydantic puts in error locations (`completes_with.audit.template`
    is `completes_with.template` in the file)."""
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


class _Checker:
    """Collects issues about a validated playbook, each with its line and field."""

    def __init__(self, filename: str, node: Any, data: Any) -> None:
        self.filename, self.node, self.data = filename, node, data
        self.issues: list[LibraryIssue] = []

    def add(self, path: Sequence[PathPart], message: str, *, key: bool = False) -> None:
        self.issues.append(LibraryIssue(self.filename, line_of(self.node, path, key=key),
                                        field_name(self.data, path), message))

    def unique(self, values: Sequence[str], path: Sequence[PathPart], what: str,
               ident: str | None) -> None:
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            where = [*path, i] + ([ident] if ident else [])
            if value in first:
                self.add(where, f"duplicate {what} {value!r} (first used in item {first[value]})")
            else:
                first[value] = i

    def member(self, value: str | None, allowed: Iterable[str], path: Sequence[PathPart],
               what: str, *, hint: bool = True) -> None:
        allowed = list(allowed)
        if value is not None and value not in allowed:
            tail = f"; expected one of: {', '.join(allowed)}" if hint else ""
            self.add(path, f"unknown {what} {value!r}{tail}")


def _check(pb: Playbook, c: _Checker, known: KnownReferences | None) -> None:
    roles = [r.value for r in Role]
    th = ["theme"]
    c.unique(pb.theme.quality_statements, [*th, "quality_statements"], "quality statement", None)
    c.unique(pb.theme.regulations, [*th, "regulations"], "regulation", None)
    if known is not None:
        for field, codes, what in (
                ("quality_statements", known.quality_statements, "quality statement"),
                ("regulations", known.regulations, "regulation"),
                ("key_questions", known.key_questions, "key question")):
            for i, code in enumerate(getattr(pb.theme, field)):
                c.member(code, sorted(codes), [*th, field, i], what, hint=False)
        if known.evidence_categories is not None:
            for i, ev in enumerate(pb.evidence):
                c.member(ev.category, sorted(known.evidence_categories),
                         ["evidence", i, "category"], "evidence category")

    templates = {t.code: t for t in pb.audit_templates}
    c.unique([t.code for t in pb.audit_templates], ["audit_templates"], "audit template", "code")
    for i, t in enumerate(pb.audit_templates):
        c.member(t.cadence.owner_role, roles, ["audit_templates", i, "cadence", "owner_role"],
                 "role")
        seen: dict[str, tuple[int, int]] = {}
        for s, section in enumerate(t.sections):
            for q, question in enumerate(section.questions):
                qpath: list[PathPart] = ["audit_templates", i, "sections", s, "questions", q,
                                         "code"]
                if question.code in seen:
                    c.add(qpath, f"duplicate question code {question.code!r} in audit template "
                                f"{t.code!r}")
                seen.setdefault(question.code, (s, q))

    def template_ref(code: str, path: list[PathPart], question: str | None = None) -> None:
        template = templates.get(code)
        if template is None:
            c.member(code, templates, path + ["template"], "audit template")
        elif question is not None and question not in {q.code for q in template.questions()}:
            c.add(path + ["question"], f"unknown question {question!r} in audit template "
                                       f"{code!r}")

    c.member(pb.verification.reaudit_template, templates, ["verification", "reaudit_template"],
             "audit template")
    c.unique(pb.embedding_channels, ["embedding_channels"], "embedding channel", None)
    for i, channel in enumerate(pb.embedding_channels):
        c.member(channel, CHANNELS, ["embedding_channels", i], "embedding channel")

    trackers = {t.type: t for t in pb.trackers}
    c.unique([t.type for t in pb.trackers], ["trackers"], "tracker", "type")
    for i, tr in enumerate(pb.trackers):
        c.member(tr.type, TRACKER_TYPES, ["trackers", i, "type"], "tracker type")
        c.member(tr.recorded_by, roles, ["trackers", i, "recorded_by"], "role")
        c.unique(tr.steps, ["trackers", i, "steps"], "step", None)

    path: list[PathPart]
    cadences = {g.code for g in pb.governance_cadences}
    c.unique([g.code for g in pb.governance_cadences], ["governance_cadences"], "cadence", "code")
    for i, g in enumerate(pb.governance_cadences):
        path = ["governance_cadences", i]
        c.member(g.owner_role, roles, [*path, "owner_role"], "role")
        done = g.completes_with
        if isinstance(done, CompletesWithAudit):
            template_ref(done.template, [*path, "completes_with"])
        elif isinstance(done, CompletesWithTracker):
            c.member(done.tracker, trackers, [*path, "completes_with", "tracker"],
                     "tracker (declare it under trackers)")

    c.unique([r.id for r in pb.escalation_rules], ["escalation_rules"], "escalation rule", "id")
    for i, rule in enumerate(pb.escalation_rules):
        path = ["escalation_rules", i]
        for rel, message in rule_problems(rule):
            c.add([*path, *rel], message)
        trig = rule.trigger
        tpath: list[PathPart] = [*path, "trigger"]
        if isinstance(trig, TriggerAuditBelow) and trig.template is not None:
            template_ref(trig.template, tpath)
        elif isinstance(trig, TriggerMissedOccurrence) and trig.cadence is not None:
            c.member(trig.cadence, cadences, [*tpath, "cadence"], "governance cadence")
        for j, resp in enumerate(rule.responses):
            where = resp.fulfilled_by.where
            if resp.fulfilled_by.record == "audit" and isinstance(where.get("template"), str):
                template_ref(str(where["template"]),
                             [*path, "responses", j, "fulfilled_by", "where"])

    c.unique([x.code for x in pb.indicators], ["indicators"], "indicator", "code")
    for i, ind in enumerate(pb.indicators):
        if ind.audit_template is not None:
            c.member(ind.audit_template, templates, ["indicators", i, "audit_template"],
                     "audit template")


def parse_playbook(text: str, filename: str, known: KnownReferences | None) -> Playbook:
    """Parse and validate one playbook file. Raises `LibraryError` naming file, line and field.

    `known` holds the reference library's codes; with None those references are not checked
    (everything else still is). Pure: no I/O, no database.
    """
    node, data = compose(text, filename)
    issues = duplicate_keys(node, filename)
    if not isinstance(data, dict):
        issues.append(LibraryIssue(filename, line_of(node, []), "",
                                   "a playbook file must be a mapping (code, version, title…)"))
        raise LibraryError(issues)
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            path = _clean_loc(data, list(err["loc"]))
            on_key = err["type"] == "extra_forbidden"
            if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                path.append("kind")
            message = FRIENDLY.get(err["type"], err["msg"])
            issues.append(LibraryIssue(filename, line_of(node, path, key=on_key),
                                       field_name(data, path),
                                       message.removeprefix("Value error, ")))
        raise LibraryError(sorted(issues, key=lambda i: i.line)) from exc
    checker = _Checker(filename, node, data)
    _check(playbook, checker, known)
    issues += checker.issues
    if issues:
        raise LibraryError(sorted(issues, key=lambda i: i.line))
    return playbook


__all__ = ["SCHEMA_VERSION", "KnownReferences", "LibraryError", "LibraryIssue", "Playbook",
           "parse_playbook", "playbook_checksum", "playbook_from_content",
           "references_from_libraries"]
