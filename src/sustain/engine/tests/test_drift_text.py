"""TF-IDF cosine similarity for near-duplicate supervision notes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustain.engine.drift_text import (
    near_duplicate_pairs,
    similarity,
    similarity_matrix,
    tfidf_matrix,
    tokens,
    word_count,
)

NOTE = ("Discussed moving and handling of Mr B, refresher on the hoist, reviewed the falls "
        "log and agreed to observe two transfers before the next supervision.")


def test_identical_texts_score_one() -> None:
    assert similarity(NOTE, NOTE) == pytest.approx(1.0)


def test_case_and_punctuation_do_not_matter() -> None:
    assert similarity(NOTE, NOTE.upper().replace(",", "")) == pytest.approx(1.0)


def test_disjoint_texts_score_zero() -> None:
    assert similarity("medication round observed", "fire drill evacuation plan") == 0.0


def test_empty_text_scores_zero() -> None:
    assert similarity("", NOTE) == 0.0
    assert similarity_matrix(["", ""])[0, 1] == 0.0


def test_near_duplicate_above_threshold_and_different_note_below() -> None:
    near = NOTE.replace("Mr B", "Mrs C")
    other = ("Safeguarding training booked; talked about night staffing, agency use and the "
             "new handover sheet for the dementia unit.")
    texts = [NOTE, near, other]
    sims = similarity_matrix(texts)
    assert sims[0, 1] >= 0.8
    assert sims[0, 2] < 0.3
    pairs = near_duplicate_pairs(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] == pytest.approx(sims[0, 1])


def test_rows_are_unit_length() -> None:
    m = tfidf_matrix([NOTE, "hoist hoist", ""])
    norms = np.linalg.norm(m, axis=1)
    assert norms == pytest.approx([1.0, 1.0, 0.0])


def test_stop_words_removed_but_counted_in_length() -> None:
    assert tokens("The hoist and the sling") == ["hoist", "sling"]
    assert word_count("The hoist and the sling") == 5


@given(st.lists(st.text(alphabet="abc de", max_size=30), min_size=1, max_size=6))
def test_similarity_is_symmetric_and_bounded(texts: list[str]) -> None:
    sims = similarity_matrix(texts)
    assert np.allclose(sims, sims.T)
    assert np.all(sims >= 0) and np.all(sims <= 1 + 1e-12)
