"""Reads for the playbook library pages: scoped lists, and a playbook spelled out in plain
English (a fixed number of queries per page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from sustain.engine.access import Perm
from sustain.engine.embedding import CHANNELS
from sustain.engine.playbook_schedule import (
    ScheduleRow,
    describe_response,
    describe_trigger,
    playbook_schedule,
    role_label,
)
from sustain.engine.playbook_schema import (
    FREQUENCY_LABELS,
    AuditTemplateSpec,
    EscalationRule,
    QuestionSpec,
)
from sustain.engine.playbook_schema import (
    Playbook as PlaybookSpec,
)
from sustain.playbooks.models import Playbook
from sustain.playbooks.permissions import filter_playbooks_visible
from sustain.playbooks.services import playbook_spec
from sustain.tenancy.permissions import filter_by_location

DIRECTIONS = {"higher_is_better": "Higher is better", "lower_is_better": "Lower is better",
              "neutral": "Neither: read with other evidence"}
ANSWERS = {"yes_no": "Yes / No / Not applicable", "number": "A number", "text": "Free text"}


def playbook_list(*, actor: Any, include_archived: bool = False) -> QuerySet:
    """Playbooks the actor may see (shipped and their organisation's), with template counts."""
    qs = filter_playbooks_visible(Playbook.objects.all(), actor)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(template_count=Count("audit_templates")).order_by("title", "-version",
                                                                         "pk")


def themes_actor_may_change(actor: Any) -> QuerySet:
    from sustain.themes.models import Theme

    return filter_by_location(Theme.objects.filter(archived_at__isnull=True), actor,
                              Perm.THEME_CHANGE).select_related("location") \
        .order_by("location__name", "title", "pk")


@dataclass
class QuestionRow:
    question: QuestionSpec
    answer: str
    notes: list[str]


@dataclass
class TemplateView:
    spec: AuditTemplateSpec
    cadence: str
    is_reaudit: bool
    sections: list[tuple[str, list[QuestionRow]]]


@dataclass
class RuleView:
    rule: EscalationRule
    when: str
    responses: list[str]
    escalate_to: str


@dataclass
class PlaybookView:
    """Everything the playbook page shows, already in words."""

    spec: PlaybookSpec
    statements: list[tuple[str, Any]]   # (code, QualityStatement or None)
    regulations: list[tuple[str, Any]]  # (code, Regulation or None)
    key_questions: list[str]
    templates: list[TemplateView]
    reaudit_title: str
    schedule: tuple[ScheduleRow, ...]
    rules: list[RuleView]
    channels: list[str]
    trackers: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[dict[str, str]] = field(default_factory=list)


def _question_row(t: AuditTemplateSpec, q: QuestionSpec) -> QuestionRow:
    notes: list[str] = []
    if q.critical:
        notes.append("Critical: fails the audit on its own")
    if q.per_sample:
        notes.append(f"Asked for each {t.sample_label}")
    if not q.required:
        notes.append("Optional")
    if q.at_least is not None:
        notes.append(f"Target: at least {q.at_least:g}")
    if q.at_most is not None:
        notes.append(f"Target: at most {q.at_most:g}")
    scored = q.as_question().scored
    if scored and q.weight != 1:
        notes.append(f"Counts {q.weight:g} times")
    if not scored:
        notes.append("Recorded, not scored")
    answer = f"A score from 0 to {q.scale_max}" if q.answer_type == "scale" else \
        ANSWERS[q.answer_type]
    return QuestionRow(q, answer, notes)


def _cadence(t: AuditTemplateSpec) -> str:
    who = role_label(t.cadence.owner_role).lower()
    return f"{FREQUENCY_LABELS[t.cadence.frequency]}, by the {who}"


def _rule_view(spec: PlaybookSpec, rule: EscalationRule) -> RuleView:
    return RuleView(rule, describe_trigger(spec, rule.trigger),
                    [describe_response(r) for r in rule.responses],
                    role_label(rule.escalate_missed_to) if rule.escalate_missed_to else "")


def playbook_view(playbook: Playbook) -> PlaybookView:
    """The playbook in plain English: reference titles, templates, schedule, rules."""
    from sustain.reference.models import EvidenceCategory, KeyQuestion, Regulation
    from sustain.reference.selectors import framework_version_in_force, statements_in_force

    spec = playbook_spec(playbook)
    version = framework_version_in_force()
    statements = {s.code: s for s in statements_in_force(version).filter(
        code__in=spec.theme.quality_statements)}
    regulations = {r.code: r for r in Regulation.objects.filter(
        code__in=spec.theme.regulations, archived_at__isnull=True)}
    kqs = dict(KeyQuestion.objects.filter(code__in=spec.theme.key_questions)
               .values_list("code", "name"))
    categories = dict(EvidenceCategory.objects.filter(framework_version=version)
                      .values_list("code", "name"))
    reaudit = spec.template(spec.verification.reaudit_template)
    templates = [TemplateView(
        t, _cadence(t),
        t.code == spec.verification.reaudit_template,
        [(s.title, [_question_row(t, q) for q in s.questions]) for s in t.sections])
        for t in spec.audit_templates]
    return PlaybookView(
        spec=spec,
        statements=[(c, statements.get(c)) for c in spec.theme.quality_statements],
        regulations=[(c, regulations.get(c)) for c in spec.theme.regulations],
        key_questions=[kqs.get(c, c) for c in spec.theme.key_questions],
        templates=templates,
        reaudit_title=reaudit.title if reaudit else spec.verification.reaudit_template,
        schedule=playbook_schedule(spec),
        rules=[_rule_view(spec, r) for r in spec.escalation_rules],
        channels=[CHANNELS.get(c, c) for c in spec.embedding_channels],
        trackers=[{"title": t.title, "purpose": t.purpose, "who": role_label(t.recorded_by),
                   "when": t.when, "steps": [s.replace("_", " ") for s in t.steps]}
                  for t in spec.trackers],
        evidence=[(e.what, categories.get(e.category or "", "")) for e in spec.evidence],
        indicators=[{"name": i.name, "unit": i.unit, "direction": DIRECTIONS[i.direction],
                     "description": i.description} for i in spec.indicators],
    )
