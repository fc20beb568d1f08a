"""The trigram postings behind catalog search: numpy arrays, read fast.

``core.catalog.search.CatalogIndex`` keeps the names and decides what a
query means; this keeps, for every trigram, the entries that contain it,
and answers "which entries share the most (rare) trigrams with these" by
IDF-weighted overlap in a few numpy passes — the one part of search that a
Python loop could not do within autocomplete's budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

POSTINGS_BUDGET = 60_000
"""Postings read per query at most (the rarest grams first)."""

KEEP_RATIO = 0.4
"""Entries whose raw gram overlap is below this share of the best are not candidates."""

_IntArray = npt.NDArray[np.int64]


class TrigramPostings:
    """``core.catalog.search.CandidateIndex`` on numpy posting arrays."""

    def __init__(self) -> None:
        self._alive: npt.NDArray[np.bool_] = np.zeros(1024, dtype=bool)
        self._gram_counts: npt.NDArray[np.float64] = np.ones(1024, dtype=np.float64)
        self._size = 0
        self._postings: dict[str, list[int]] = {}
        self._arrays: dict[str, _IntArray] = {}  # frozen postings; rebuilt lazily after add()

    def add(self, entry_id: int, grams: Sequence[str]) -> None:
        while entry_id >= len(self._alive):
            self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
            self._gram_counts = np.concatenate([self._gram_counts, np.ones_like(self._gram_counts)])
        self._size = max(self._size, entry_id + 1)
        self._alive[entry_id] = True
        self._gram_counts[entry_id] = max(1, len(grams))
        for gram in grams:
            self._postings.setdefault(gram, []).append(entry_id)
            self._arrays.pop(gram, None)

    def remove(self, entry_id: int) -> None:
        if entry_id < len(self._alive):
            self._alive[entry_id] = False

    def freeze(self) -> None:
        """Turn every posting list into an array now, so no query pays for it."""
        for gram in self._postings:
            self._array(gram)

    def candidates(self, grams: Sequence[str], limit: int) -> list[int]:
        """Entry ids sharing the most (rare) grams, best first, at most ``limit``.

        Grams are taken rarest first until ``POSTINGS_BUDGET`` postings are
        read: in a catalog built from a few hundred common words the frequent
        grams say little and would cost most of the time. Overlap is weighted
        by IDF and divided by the square root of the name's gram count, so a
        short exact title beats a long one that merely contains the query.
        """
        total = self._size
        arrays = sorted((self._array(g) for g in grams if g in self._postings), key=len)
        chosen: list[_IntArray] = []
        read = 0
        for array in arrays:
            if chosen and read + len(array) > POSTINGS_BUDGET:
                break
            chosen.append(array)
            read += len(array)
        if not chosen:
            return []
        weights = np.asarray([math.log(1.0 + total / len(array)) for array in chosen])
        ids = np.concatenate(chosen)
        per_posting = np.repeat(weights, [len(array) for array in chosen])
        raw = np.bincount(ids, weights=per_posting, minlength=total)
        # Keep entries within reach of the best raw overlap before the finer
        # (length-normalised) ranking, so that ranking runs on a small subset.
        subset = np.flatnonzero(raw >= raw.max() * KEEP_RATIO)
        subset = subset[self._alive[subset]]
        if len(subset) == 0:
            return []
        scores = raw[subset] / np.sqrt(self._gram_counts[subset])
        take = min(limit, len(subset))
        if take < len(subset):
            top = np.argpartition(-scores, take - 1)[:take]
        else:
            top = np.arange(len(subset))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(entry_id) for entry_id in subset[top]]

    def _array(self, gram: str) -> _IntArray:
        array = self._arrays.get(gram)
        if array is None:
            array = np.asarray(self._postings[gram], dtype=np.int64)
            self._arrays[gram] = array
        return array
