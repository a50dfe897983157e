"""Audit scoring: weights, critical questions, sampling and not-applicable handling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.audit_scoring import (
    AnswerError,
    AnswerType,
    Question,
    analysis_problems,
    compare,
    score_audit,
)

YN = AnswerType.YES_NO


def q(code: str, **kw: object) -> Question:
    return Question(code=code, text=code, answer_type=kw.pop("answer_type", YN), **kw)  # type: ignore[arg-type]


def test_weights_change_the_score() -> None:
    qs = [q("Q1", weight=3), q("Q2", weight=1)]
    result = score_audit(qs, {"Q1": "yes", "Q2": "no"}, {}, [], pass_mark=70)
    assert result.score == 75.0 and result.passed
    assert result.failed_items == ("Q2",)


def test_not_applicable_leaves_the_denominator() -> None:
    qs = [q("Q1"), q("Q2"), q("Q3")]
    result = score_audit(qs, {"Q1": "yes", "Q2": "na", "Q3": "yes"}, {}, [], pass_mark=90)
    assert result.score == 100.0 and result.passed


def test_critical_question_fails_the_audit_alone() -> None:
    qs = [q("Q1", weight=10), q("Q2", critical=True, weight=0.1)]
    result = score_audit(qs, {"Q1": "yes", "Q2": "no"}, {}, [], pass_mark=90)
    assert result.score is not None and result.score > 99
    assert not result.passed and result.critical_failures == ("Q2",)


def test_per_sample_question_averages_over_samples() -> None:
    qs = [q("Q1", per_sample=True), q("Q2")]
    samples = ["CP-1", "CP-2", "CP-3", "CP-4", "CP-5"]
    per = {"Q1": {"CP-1": "yes", "CP-2": "no", "CP-3": "yes", "CP-4": "na", "CP-5": "yes"}}
    result = score_audit(qs, {"Q2": "yes"}, per, samples, pass_mark=80)
    # Q1 = 3/4 = 0.75, Q2 = 1 → (0.75 + 1) / 2
    assert result.score == 87.5
    assert result.failed_items == ("Q1@CP-2",)


def test_unanswered_required_questions_are_listed() -> None:
    qs = [q("Q1"), q("Q2", per_sample=True), q("Q3", required=False)]
    result = score_audit(qs, {}, {"Q2": {"S1": "yes"}}, ["S1", "S2"], pass_mark=80)
    assert result.unanswered == ("Q1", "Q2@S2")


def test_scale_and_number_questions() -> None:
    qs = [q("S", answer_type=AnswerType.SCALE, scale_max=4),
          q("N", answer_type=AnswerType.NUMBER, at_least=5),
          q("T", answer_type=AnswerType.TEXT, required=False),
          q("I", answer_type=AnswerType.NUMBER)]  # informational: no target
    result = score_audit(qs, {"S": 3, "N": 4, "T": "notes", "I": 12}, {}, [], pass_mark=10)
    assert result.score == 37.5  # (0.75 + 0) / 2


def test_bad_answer_names_the_question() -> None:
    with pytest.raises(AnswerError, match="Q1"):
        score_audit([q("Q1")], {"Q1": "maybe"}, {}, [], pass_mark=80)
    with pytest.raises(AnswerError, match="S for CP-1"):
        score_audit([q("S", answer_type=AnswerType.SCALE, per_sample=True)], {},
                    {"S": {"CP-1": 9}}, ["CP-1"], pass_mark=80)


def test_analysis_needs_length_and_a_note_per_failed_question() -> None:
    problems = analysis_problems("short", {}, ["Q1@CP-2", "Q1@CP-3", "Q4"], min_length=50)
    assert len(problems) == 3
    assert any("Q1" in p for p in problems) and any("Q4" in p for p in problems)
    ok = analysis_problems("x" * 60, {"Q1": "Two plans missed falls risk.",
                                      "Q4": "Storage temperature not logged."},
                           ["Q1@CP-2", "Q4"], min_length=50)
    assert ok == ()


def test_compare_question_by_question() -> None:
    qs = [q("Q1"), q("Q2")]
    before = score_audit(qs, {"Q1": "no", "Q2": "yes"}, {}, [], pass_mark=90)
    after = score_audit(qs, {"Q1": "yes", "Q2": "yes"}, {}, [], pass_mark=90)
    changes = {c.code: c.delta for c in compare(before, after)}
    assert changes == {"Q1": 1.0, "Q2": 0.0}


answers = st.sampled_from(["yes", "no", "na"])


@given(st.lists(st.tuples(answers, st.floats(min_value=0.1, max_value=5)), min_size=1,
                max_size=12))
def test_score_bounds_and_na_invariance(rows: list[tuple[str, float]]) -> None:
    qs = [q(f"Q{i}", weight=w) for i, (_, w) in enumerate(rows)]
    given_answers = {f"Q{i}": a for i, (a, _) in enumerate(rows)}
    result = score_audit(qs, given_answers, {}, [], pass_mark=50)
    if all(a == "na" for a, _ in rows):
        assert result.score is None and not result.passed
    else:
        assert result.score is not None and 0 <= result.score <= 100
        # Adding an n/a question never changes the score.
        extra = score_audit([*qs, q("QX")], {**given_answers, "QX": "na"}, {}, [], pass_mark=50)
        assert extra.score == result.score
