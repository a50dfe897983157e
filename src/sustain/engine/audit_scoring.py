"""Audit scoring: weights, critical questions, per-sample questions and "not applicable".

- yes/no: yes scores 1, no 0; "n/a" is left out of both numerator and denominator.
- scale 0–n: value / n.
- number: scored only when the question sets a target (`at_least` or `at_most`); else recorded.
- text: recorded, never scored.
- A per-sample question is answered once per sampled item (e.g. 5 care plans); its score is the
  mean over the items answered (n/a items left out).
- Score = Σ weight × item score / Σ weight of the scored questions, as a percentage.
- A critical question that does not score in full (on any sample item) fails the audit on its own.
- Passed = no critical failure and score ≥ pass mark.

The written analysis is required before completion: at least `min_length` characters overall,
and a note on every failed item (the seed: "audits completed … without analysis" is drift).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

SCORING_VERSION = "audit-scoring-1"
NA = "na"


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"
    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    answer_type: AnswerType
    weight: float = 1.0
    critical: bool = False
    per_sample: bool = False
    required: bool = True
    scale_max: int = 4
    at_least: float | None = None
    at_most: float | None = None

    @property
    def scored(self) -> bool:
        if self.answer_type in (AnswerType.YES_NO, AnswerType.SCALE):
            return self.weight > 0
        if self.answer_type == AnswerType.NUMBER:
            return self.weight > 0 and (self.at_least is not None or self.at_most is not None)
        return False


# An answer: "yes" | "no" | "na" | an int/float | text. Per-sample answers are keyed by sample.
Answer = str | int | float | None


@dataclass(frozen=True)
class QuestionResult:
    code: str
    score: float | None  # 0–1, None when not scored or all n/a
    failed: bool
    critical_failure: bool
    failed_samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditScore:
    score: float | None  # percentage, None when nothing scorable was answered
    passed: bool
    critical_failures: tuple[str, ...]
    failed_items: tuple[str, ...]  # question codes (with sample ids as "Q3@CP-2")
    unanswered: tuple[str, ...]
    results: tuple[QuestionResult, ...]
    version: str = SCORING_VERSION


class AnswerError(ValueError):
    """An answer that does not fit its question (names the question and sample)."""


def _item_score(question: Question, answer: Answer, where: str) -> float | None:
    """0–1 for one answer; None for n/a or unscored."""
    if answer is None or answer == "":
        return None
    if answer == NA:
        return None
    kind = question.answer_type
    if kind == AnswerType.YES_NO:
        if answer not in ("yes", "no"):
            raise AnswerError(f"{where}: answer yes, no or n/a.")
        return 1.0 if answer == "yes" else 0.0
    if kind == AnswerType.SCALE:
        try:
            value = float(answer)
        except (TypeError, ValueError) as exc:
            raise AnswerError(f"{where}: answer a number from 0 to {question.scale_max}.") from exc
        if not 0 <= value <= question.scale_max or value != int(value):
            raise AnswerError(f"{where}: answer a whole number from 0 to {question.scale_max}.")
        return value / question.scale_max
    if kind == AnswerType.NUMBER:
        try:
            value = float(answer)
        except (TypeError, ValueError) as exc:
            raise AnswerError(f"{where}: answer a number.") from exc
        if question.at_least is not None and value < question.at_least:
            return 0.0
        if question.at_most is not None and value > question.at_most:
            return 0.0
        return 1.0 if question.scored else None
    return None


def _is_blank(answer: Answer) -> bool:
    return answer is None or (isinstance(answer, str) and answer.strip() == "")


def score_audit(questions: Sequence[Question], answers: Mapping[str, Answer],
                sample_answers: Mapping[str, Mapping[str, Answer]], samples: Sequence[str],
                pass_mark: float) -> AuditScore:
    """Score one audit. `answers[code]` for ordinary questions; `sample_answers[code][sample]`
    for per-sample questions over the sampled `samples`."""
    results: list[QuestionResult] = []
    unanswered: list[str] = []
    failed_items: list[str] = []
    critical: list[str] = []
    num = den = 0.0
    for q in questions:
        if q.per_sample:
            per = sample_answers.get(q.code, {})
            scores: list[float] = []
            failed_samples: list[str] = []
            for sample in samples:
                value = per.get(sample)
                if _is_blank(value):
                    if q.required:
                        unanswered.append(f"{q.code}@{sample}")
                    continue
                s = _item_score(q, value, f"{q.code} for {sample}")
                if s is not None:
                    scores.append(s)
                    if s < 1.0:
                        failed_samples.append(sample)
            score = sum(scores) / len(scores) if scores else None
            failed = bool(failed_samples)
            crit = q.critical and failed
            failed_items.extend(f"{q.code}@{s}" for s in failed_samples)
            results.append(QuestionResult(q.code, score, failed, crit, tuple(failed_samples)))
        else:
            value = answers.get(q.code)
            if _is_blank(value):
                if q.required:
                    unanswered.append(q.code)
                results.append(QuestionResult(q.code, None, False, False))
                continue
            score = _item_score(q, value, q.code)
            failed = score is not None and score < 1.0
            crit = q.critical and failed
            if failed:
                failed_items.append(q.code)
            results.append(QuestionResult(q.code, score, failed, crit))
        if crit:
            critical.append(q.code)
        if q.scored and score is not None:
            num += q.weight * score
            den += q.weight
    percentage = round(100.0 * num / den, 2) if den > 0 else None
    passed = not critical and percentage is not None and percentage >= pass_mark
    return AuditScore(percentage, passed, tuple(critical), tuple(failed_items),
                      tuple(unanswered), tuple(results))


def analysis_problems(summary: str, item_notes: Mapping[str, str], failed_items: Sequence[str],
                      min_length: int = 120) -> tuple[str, ...]:
    """What the written analysis still lacks (empty: it is enough to complete the audit).

    Failed items are noted per question (a note on "Q3" covers "Q3@CP-1" and "Q3@CP-2").
    """
    problems: list[str] = []
    text = summary.strip()
    if len(text) < min_length:
        problems.append(f"Write an analysis of at least {min_length} characters: what the "
                        f"findings mean and what will change ({len(text)} so far).")
    questions = sorted({item.split("@", 1)[0] for item in failed_items})
    for code in questions:
        note = item_notes.get(code, "").strip()
        if len(note) < 10:
            problems.append(f"Add a note on failed item {code}: why it failed and what is "
                            "being done.")
    return tuple(problems)


@dataclass(frozen=True)
class QuestionChange:
    code: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare(earlier: AuditScore, later: AuditScore) -> tuple[QuestionChange, ...]:
    """Question-by-question change from an earlier audit to its re-audit."""
    before = {r.code: r.score for r in earlier.results}
    after = {r.code: r.score for r in later.results}
    codes = list(dict.fromkeys([*before, *after]))
    return tuple(QuestionChange(c, before.get(c), after.get(c)) for c in codes)
