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
from collections.abc import Sequence
from functools import lru_cache

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


@lru_cache(maxsize=1 << 16)
def _tokens_of(text: str) -> tuple[str, ...]:
    """`tokens`, remembered: drift compares the same notes in several cycles of one run."""
    return tuple(tokens(text))


def _counts(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Term counts, one row per text and one column per word (in order of first use)."""
    vocab: dict[str, int] = {}
    cols: list[int] = []
    lengths: list[int] = []
    for text in texts:
        ids = [vocab.setdefault(w, len(vocab)) for w in _tokens_of(text)]
        cols.extend(ids)
        lengths.append(len(ids))
    n, width = len(texts), len(vocab)
    if width == 0:
        return np.zeros((n, 0), dtype=np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    flat = np.bincount(rows * width + np.asarray(cols, dtype=np.int64), minlength=n * width)
    return flat.reshape(n, width).astype(np.float64)


def _weighted(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counts × smoothed idf (in place)."""
    n = counts.shape[0]
    df = np.count_nonzero(counts, axis=0).astype(np.float64)
    counts *= np.log((1.0 + n) / (1.0 + df)) + 1.0
    return counts


def tfidf_matrix(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """One L2-normalised TF-IDF row per text (an empty text gives a row of zeros)."""
    matrix = _weighted(_counts(texts))
    if matrix.shape[1] == 0:
        return matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix


def similarity_matrix(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Cosine similarity of every pair of texts (diagonal 1 unless the text is empty).

    Only words found in two texts or more can make two texts alike, so the product is taken
    over those columns alone (the lengths use every word): the same numbers as the full
    `tfidf_matrix` product, with far fewer columns for real notes."""
    weighted = _weighted(_counts(texts))
    n = len(texts)
    norms = np.sqrt(np.einsum("ij,ij->i", weighted, weighted))
    shared = np.count_nonzero(weighted, axis=0) >= 2
    unit = weighted[:, shared]
    np.divide(unit, norms[:, None], out=unit, where=norms[:, None] > 0)
    sims = np.clip(unit @ unit.T, 0.0, 1.0)
    sims[np.diag_indices(n)] = (norms > 0).astype(np.float64)
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
