"""Near-duplicate notes: TF-IDF cosine similarity with NumPy and the standard library only.

- **Tokens:** lower case words of letters and digits (apostrophes inside words kept), minus a
  short list of English stop words, so "Discussed Mrs A's care plan" and "discussed mrs a's care
  plan." are the same note.
- **Weights:** term frequency (raw count) × smoothed inverse document frequency
  idf = ln((1 + N)/(1 + df)) + 1 (the usual smoothing, so a word in every note still counts a
  little), each note's vector scaled to length 1.
- **Similarity:** the cosine, i.e. the dot product of two unit vectors: 1 for the same words in
  the same proportions, 0 for notes with no word in common (or an empty note).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

NEAR_DUPLICATE = 0.8

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had",
    "has", "have", "he", "her", "his", "i", "in", "is", "it", "its", "of", "on", "or", "our",
    "she", "so", "that", "the", "their", "them", "there", "they", "this", "to", "was", "we",
    "were", "will", "with", "you", "your",
))

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def tokens(text: str) -> list[str]:
    """Lower-case words without stop words."""
    return [w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS]


def tfidf_matrix(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """One L2-normalised TF-IDF row per text (an empty text gives a row of zeros)."""
    docs = [Counter(tokens(t)) for t in texts]
    vocab: dict[str, int] = {}
    for doc in docs:
        for word in doc:
            vocab.setdefault(word, len(vocab))
    n = len(docs)
    matrix = np.zeros((n, len(vocab)), dtype=np.float64)
    for i, doc in enumerate(docs):
        for word, count in doc.items():
            matrix[i, vocab[word]] = count
    if not vocab:
        return matrix
    df = np.count_nonzero(matrix > 0, axis=0).astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix


def similarity_matrix(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Cosine similarity of every pair of texts (diagonal 1 unless the text is empty)."""
    m = tfidf_matrix(texts)
    sims = np.clip(m @ m.T, 0.0, 1.0)
    return np.asarray(sims, dtype=np.float64)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts (TF-IDF over just the two)."""
    return float(similarity_matrix([a, b])[0, 1])


def near_duplicate_pairs(texts: Sequence[str], threshold: float = NEAR_DUPLICATE,
                         ) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j, at or above `threshold` (with a tiny float tolerance)."""
    sims = similarity_matrix(texts)
    i, j = np.nonzero(np.triu(sims >= threshold - 1e-12, k=1))
    return [(int(a), int(b), float(sims[a, b])) for a, b in zip(i, j, strict=True)
            if not math.isnan(sims[a, b])]


def word_count(text: str) -> int:
    """Words in a note (stop words included): the length measure for shrinking notes."""
    return len(_WORD.findall(text.lower()))
