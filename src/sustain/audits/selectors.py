"""Reads for audits: scoped lists, the question-by-question comparison of a re-audit with its
earlier audit, and what the completion page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sustain.audits.models import Audit, AuditAttachment, AuditTemplate
from sustain.audits.permissions import (
    filter_attachments_visible,
    filter_audits_visible,
    filter_templates_visible,
)
from sustain.audits.questions import template_questions
from sustain.audits.services import score_of
from sustain.engine.audit_scoring import compare


def audit_list(*, actor: Any) -> QuerySet:
    """Audits the actor may see, with what list pages show joined in."""
    return filter_audits_visible(Audit.objects.all(), actor).select_related(
        "location", "template", "theme", "auditor", "earlier_audit")


def template_list(*, actor: Any) -> QuerySet:
    """Current templates the actor may use: shipped ones and the organisation's own."""
    return filter_templates_visible(
        AuditTemplate.objects.filter(archived_at__isnull=True), actor).select_related(
        "playbook")


def attachments_of(audit: Audit, actor: Any) -> QuerySet:
    return filter_attachments_visible(
        AuditAttachment.objects.filter(audit=audit), actor).select_related("uploaded_by") \
        .order_by("created_at", "pk")


def timeliness(audit: Audit, today: dt.date | None = None) -> str:
    """"overdue" (a draft past its due date), "late" (completed after it), or ""."""
    if audit.due_date is None:
        return ""
    if audit.status == Audit.Status.COMPLETED:
        done = timezone.localtime(audit.completed_at).date() if audit.completed_at else None
        return "late" if done is not None and done > audit.due_date else ""
    today = today or timezone.localdate()
    return "overdue" if audit.due_date < today else ""


@dataclass(frozen=True)
class QuestionChangeRow:
    code: str
    text: str
    before: float | None  # percentage of the question's marks
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return "not comparable"
        if delta > 0:
            return "better"
        if delta < 0:
            return "worse"
        return "same"


@dataclass(frozen=True)
class AuditComparison:
    earlier: Audit
    earlier_score: float | None
    score: float | None  # this audit's score (stored once completed, previewed for a draft)
    rows: tuple[QuestionChangeRow, ...]

    @property
    def change(self) -> float | None:
        if self.earlier_score is None or self.score is None:
            return None
        return round(self.score - self.earlier_score, 2)

    @property
    def change_size(self) -> float | None:
        return None if self.change is None else abs(self.change)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def audit_comparison(audit: Audit) -> AuditComparison | None:
    """The change from the earlier audit, question by question (None without one)."""
    earlier = audit.earlier_audit
    if earlier is None:
        return None
    before = score_of(earlier)
    after = score_of(audit)
    texts = {q.code: q.text for q in template_questions(earlier.template)}
    texts.update({q.code: q.text for q in template_questions(audit.template)})
    rows = tuple(QuestionChangeRow(c.code, texts.get(c.code, c.code), _pct(c.before),
                                   _pct(c.after)) for c in compare(before, after))
    earlier_score = float(earlier.score) if earlier.score is not None else before.score
    score = float(audit.score) if audit.score is not None else after.score
    return AuditComparison(earlier, earlier_score, score, rows)
