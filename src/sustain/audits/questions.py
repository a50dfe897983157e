"""Read a template's sections into the engine's questions, and check one answer against its
question. Templates are data (from the playbook library or a provider), so missing optional
keys take the engine's defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sustain.engine.audit_scoring import NA, AnswerType, Question

TEXT_LIMIT = 2000
ANSWER_LABELS = {"yes": "Yes", "no": "No", NA: "Not applicable"}


@dataclass(frozen=True)
class TemplateQuestion:
    """A question as shown on the completion page: the engine's question plus its help text
    and section."""

    question: Question
    help: str
    section: str
    number: int  # position in the template, from 1

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def text(self) -> str:
        return self.question.text

    @property
    def answer_type(self) -> str:
        return self.question.answer_type.value

    @property
    def per_sample(self) -> bool:
        return self.question.per_sample

    @property
    def critical(self) -> bool:
        return self.question.critical

    @property
    def required(self) -> bool:
        return self.question.required

    @property
    def scale_max(self) -> int:
        return self.question.scale_max

    @property
    def weight(self) -> float:
        return self.question.weight

    @property
    def scored(self) -> bool:
        return self.question.scored

    @property
    def target(self) -> str:
        """A number question's target in words ("at least 95", "at most 2")."""
        q = self.question
        parts = []
        if q.at_least is not None:
            parts.append(f"at least {q.at_least:g}")
        if q.at_most is not None:
            parts.append(f"at most {q.at_most:g}")
        return " and ".join(parts)


def _float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _question(raw: dict[str, Any]) -> Question:
    return Question(
        code=str(raw["code"]), text=str(raw.get("text", raw["code"])),
        answer_type=AnswerType(raw.get("answer_type", AnswerType.YES_NO.value)),
        weight=float(raw.get("weight", 1.0)), critical=bool(raw.get("critical", False)),
        per_sample=bool(raw.get("per_sample", False)), required=bool(raw.get("required", True)),
        scale_max=int(raw.get("scale_max") or 4), at_least=_float(raw.get("at_least")),
        at_most=_float(raw.get("at_most")))


def template_sections(template: Any) -> list[dict[str, Any]]:
    """[{"title", "questions": [TemplateQuestion]}] in the template's order."""
    sections: list[dict[str, Any]] = []
    number = 0
    for section in template.sections or []:
        title = str(section.get("title", ""))
        items = []
        for raw in section.get("questions", []):
            number += 1
            items.append(TemplateQuestion(_question(raw), str(raw.get("help", "") or ""),
                                          title, number))
        sections.append({"title": title, "questions": items})
    return sections


def template_questions(template: Any) -> list[TemplateQuestion]:
    return [q for s in template_sections(template) for q in s["questions"]]


def engine_questions(template: Any) -> list[Question]:
    return [q.question for q in template_questions(template)]


_IRREGULAR = {"person": "people", "child": "children"}


def sample_noun(template: Any, count: int) -> str:
    """What is sampled, in words for `count` of them ("1 care plan", "5 care plans")."""
    label = (template.sample_label or "item").strip()
    if count == 1:
        return label
    head, _, last = label.rpartition(" ")
    if last.lower() in _IRREGULAR:
        plural = _IRREGULAR[last.lower()]
    elif last.endswith(("s", "x", "ch", "sh")):
        plural = last if last.endswith("s") and not last.endswith("ss") else last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}".strip()


def has_per_sample(template: Any) -> bool:
    return any(q.per_sample for q in template_questions(template))


class AnswerProblem(ValueError):
    """An answer that does not fit its question; the message names the question."""


def normalise_answer(question: Question, value: Any, where: str) -> str | int | float | None:
    """The stored form of one answer (None: unanswered), or AnswerProblem naming `where`.

    yes/no: "yes", "no" or "na"; scale: a whole number 0–scale_max or "na"; number: any
    finite number or "na"; text: up to 2,000 characters.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool | list | dict):
        raise AnswerProblem(f"{where}: {_expected(question)}")
    kind = question.answer_type
    if isinstance(value, str):
        value = value.strip()
        if kind != AnswerType.TEXT and value.lower() in (NA, "n/a", "not applicable"):
            return NA
    if kind == AnswerType.YES_NO:
        text = str(value).lower()
        if text not in ("yes", "no"):
            raise AnswerProblem(f"{where}: {_expected(question)}")
        return text
    if kind == AnswerType.TEXT:
        text = str(value)
        if len(text) > TEXT_LIMIT:
            raise AnswerProblem(f"{where}: write at most {TEXT_LIMIT} characters.")
        return text
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise AnswerProblem(f"{where}: {_expected(question)}") from exc
    if not math.isfinite(number):
        raise AnswerProblem(f"{where}: {_expected(question)}")
    if kind == AnswerType.SCALE:
        if number != int(number) or not 0 <= number <= question.scale_max:
            raise AnswerProblem(f"{where}: {_expected(question)}")
        return int(number)
    return int(number) if number == int(number) and abs(number) < 1e15 else number


def _expected(question: Question) -> str:
    kind = question.answer_type
    if kind == AnswerType.YES_NO:
        return "answer yes, no or not applicable."
    if kind == AnswerType.SCALE:
        return f"answer a whole number from 0 to {question.scale_max}, or not applicable."
    if kind == AnswerType.NUMBER:
        return "answer a number, or not applicable."
    return "answer in words."


def answer_label(question: Question, value: Any) -> str:
    """An answer in words for the completed view."""
    if value is None or value == "":
        return "Not answered"
    if value in ANSWER_LABELS:
        return ANSWER_LABELS[value]
    if question.answer_type == AnswerType.SCALE:
        return f"{value} of {question.scale_max}"
    return str(value)
