"""Fuzzy search over the catalog, fast enough to answer autocomplete as users type.

A rapidfuzz scan of 100,000 titles takes tens to hundreds of milliseconds,
too slow for Discord autocomplete and for a bot that resolves every request.
``CatalogIndex`` keeps a character-trigram inverted index (numpy postings)
that narrows a query to a few hundred candidate names by IDF-weighted
trigram overlap, and only those are scored with rapidfuzz. Queries shorter
than a trigram use a word-prefix map instead.

Everything is normalised first (``core.catalog.text.normalise``), so
accents, case and punctuation never count as differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from core.catalog.text import normalise, trigrams
from core.model import Recording

CANDIDATES = 200
"""Names taken from the trigram stage into rapidfuzz scoring."""

EXACT_THRESHOLD = 85.0
"""Lowest rapidfuzz ratio for a typo to resolve to a title without asking."""

CLEAR_MARGIN = 4.0
"""How far the best title must lead the next different title to count as clear."""

ARTIST_THRESHOLD = 80.0
"""Lowest similarity for a typed artist to match a recording's artist."""

_POSTINGS_BUDGET = 60_000
"""Postings read per query at most (the rarest grams first)."""

_KEEP_RATIO = 0.4
"""Entries whose raw gram overlap is below this share of the best are not candidates."""

_SHORTLIST = 20
"""Recordings given the full search score after the rough pass."""

_PREFIX_LIMIT = 2000
"""Short-query candidates scored at most; a single letter matches thousands."""


@dataclass(frozen=True)
class SearchHit:
    """One search result; ``score`` is 0–100, higher is better."""

    recording_id: str
    title: str
    artist: str
    score: float


@dataclass(frozen=True)
class Exact:
    """The text names exactly one recording."""

    recording_id: str


@dataclass(frozen=True)
class Ambiguous:
    """Several recordings share the title; the user must pick (ids, best first)."""

    candidates: tuple[str, ...]


@dataclass(frozen=True)
class NotFound:
    """Nothing matched clearly; up to three recording ids worth suggesting."""

    suggestions: tuple[str, ...]


Resolution = Exact | Ambiguous | NotFound

_IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Entry:
    """A searchable name of one recording: a title, an alias or its artist.

    Artist entries only bring candidates to ``search``; ``resolve`` matches
    song names against titles and aliases alone.
    """

    recording_id: str
    name: str  # normalised
    is_artist: bool = False


class CatalogIndex:
    """An in-memory search index over recordings; rebuilt from storage at start.

    Removal leaves a tombstone rather than rewriting postings, because a
    catalog changes rarely and queries must stay cheap.
    """

    def __init__(self, recordings: Iterable[Recording]) -> None:
        self._recordings: dict[str, Recording] = {}
        self._entries: list[_Entry] = []
        self._names: list[str] = []  # entry id → name, for the rough pass
        self._alive: npt.NDArray[np.bool_] = np.zeros(1024, dtype=bool)
        self._gram_counts: npt.NDArray[np.float64] = np.ones(1024, dtype=np.float64)
        self._norm: dict[str, tuple[str, str]] = {}  # recording id → (title, artist)
        self._entry_ids: dict[str, list[int]] = {}  # recording id → its entries
        self._by_name: dict[str, set[str]] = {}  # normalised name → recording ids
        self._postings: dict[str, list[int]] = {}
        self._arrays: dict[str, _IntArray] = {}  # numpy postings; rebuilt lazily after add()
        self._prefixes: dict[str, list[int]] = {}
        for recording in recordings:
            self._insert(recording)
        # Freeze every posting list now so no query pays for the conversion.
        for gram in self._postings:
            self._array(gram)

    def __len__(self) -> int:
        return len(self._recordings)

    def get(self, recording_id: str) -> Recording | None:
        return self._recordings.get(recording_id)

    def add(self, recording: Recording) -> None:
        """Index a recording; re-adding an id replaces its names."""
        self.remove(recording.id)
        self._insert(recording)

    def remove(self, recording_id: str) -> None:
        """Drop a recording from results (e.g. opted out); unknown ids are ignored."""
        recording = self._recordings.pop(recording_id, None)
        if recording is None:
            return
        del self._norm[recording_id]
        for entry_id in self._entry_ids.pop(recording_id, []):
            self._alive[entry_id] = False
            entry = self._entries[entry_id]
            if entry.is_artist:
                continue
            name = entry.name
            ids = self._by_name.get(name)
            if ids is not None:
                ids.discard(recording_id)
                if not ids:
                    del self._by_name[name]

    def search(self, text: str, limit: int = 5) -> list[SearchHit]:
        """The best ``limit`` recordings for free text (title, alias or artist), best first."""
        query = normalise(text)
        if not query or limit <= 0:
            return []
        entry_ids = self._candidate_entries(query)
        if not entry_ids:
            return []
        # A cheap C-level pass over every candidate name picks the few
        # recordings worth the fuller (title + artist, prefix) scoring.
        all_names = self._names
        names = [all_names[entry_id] for entry_id in entry_ids]
        rough = process.cdist([query], names, scorer=fuzz.WRatio, workers=1)[0]
        for position, name in enumerate(names):
            if name.startswith(query):
                rough[position] = max(rough[position], _prefix_score(query, name))
        order = np.argsort(-rough, kind="stable")
        shortlist: dict[str, None] = {}
        for position in order:
            shortlist.setdefault(self._entries[entry_ids[int(position)]].recording_id, None)
            if len(shortlist) >= max(limit * 2, _SHORTLIST):
                break
        scored = {
            recording_id: self._search_score(query, self._recordings[recording_id])
            for recording_id in shortlist
        }
        ranked = sorted(scored.items(), key=lambda item: (-item[1], self._sort_key(item[0])))
        hits = []
        for recording_id, score in ranked[:limit]:
            recording = self._recordings[recording_id]
            hits.append(SearchHit(recording_id, recording.title, recording.artist, score))
        return hits

    def resolve(self, song: str, artist: str | None) -> Resolution:
        """Decide which recording a request means, or why it cannot tell.

        An exact (normalised) title or alias wins; with an artist given it
        must match too, fuzzily. Otherwise one title that is clearly closest
        and above ``EXACT_THRESHOLD`` wins, which forgives a typo or a
        missing letter but never guesses between two close titles.
        """
        query = normalise(song)
        if not query:
            return NotFound(())
        wanted = normalise(artist) if artist is not None else None
        exact = sorted(self._by_name.get(query, set()), key=self._sort_key)
        if artist is not None:
            exact = [rid for rid in exact if self._artist_matches(wanted or "", rid)]
        if len(exact) == 1:
            return Exact(exact[0])
        if exact:
            return Ambiguous(tuple(exact))
        return self._resolve_fuzzy(query, song, artist, wanted)

    def _resolve_fuzzy(
        self, query: str, song: str, artist: str | None, wanted: str | None
    ) -> Resolution:
        best_by_name: dict[str, float] = {}
        for entry_id in self._candidate_entries(query):
            entry = self._entries[entry_id]
            if entry.is_artist:
                continue
            if wanted is not None and not self._artist_matches(wanted, entry.recording_id):
                continue
            score = fuzz.ratio(query, entry.name)
            if score > best_by_name.get(entry.name, -1.0):
                best_by_name[entry.name] = score
        ranked = sorted(best_by_name.items(), key=lambda item: -item[1])
        if ranked and ranked[0][1] >= EXACT_THRESHOLD:
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            if ranked[0][1] - runner_up >= CLEAR_MARGIN:
                ids = sorted(self._by_name.get(ranked[0][0], set()), key=self._sort_key)
                if wanted is not None:
                    ids = [rid for rid in ids if self._artist_matches(wanted, rid)]
                if len(ids) == 1:
                    return Exact(ids[0])
                if ids:
                    return Ambiguous(tuple(ids))
        text = song if artist is None else f"{song} {artist}"
        hits = self.search(text, limit=3)
        return NotFound(tuple(hit.recording_id for hit in hits))

    def _artist_matches(self, wanted: str, recording_id: str) -> bool:
        """Whether a typed (normalised) artist names the recording's artist.

        Typos and partial names ("ada" for "Ada Nova") are allowed: the artist
        only narrows a title that is already close.
        """
        actual = self._norm[recording_id][1]
        if not wanted or wanted == actual:
            return True
        return bool(
            fuzz.ratio(wanted, actual) >= ARTIST_THRESHOLD
            or fuzz.token_set_ratio(wanted, actual) >= 95
        )

    def _search_score(self, query: str, recording: Recording) -> float:
        artist = self._norm[recording.id][1]
        best = 0.9 * fuzz.WRatio(query, artist)
        for entry_id in self._entry_ids[recording.id]:
            entry = self._entries[entry_id]
            if entry.is_artist:
                continue
            best = max(
                best,
                fuzz.WRatio(query, entry.name),
                fuzz.token_sort_ratio(query, f"{entry.name} {artist}"),
            )
            if entry.name.startswith(query):
                best = max(best, _prefix_score(query, entry.name))
        return round(float(best), 2)

    def _sort_key(self, recording_id: str) -> tuple[str, str, str]:
        title, artist = self._norm[recording_id]
        return (title, artist, recording_id)

    def _candidate_entries(self, query: str) -> list[int]:
        """Entry ids sharing the most (rare) trigrams with the query, best first.

        Grams are taken rarest first until ``_POSTINGS_BUDGET`` postings are
        read: in a catalog built from a few hundred common words the frequent
        grams say little and would cost most of the time. Overlap is weighted
        by IDF and divided by the square root of the name's gram count, so a
        short exact title beats a long one that merely contains the query.
        """
        if len(query) < 3:
            return self._prefix_candidates(query)
        total = len(self._entries)
        arrays = sorted(
            (self._array(gram) for gram in trigrams(query) if gram in self._postings), key=len
        )
        chosen: list[_IntArray] = []
        read = 0
        for array in arrays:
            if chosen and read + len(array) > _POSTINGS_BUDGET:
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
        subset = np.flatnonzero(raw >= raw.max() * _KEEP_RATIO)
        subset = subset[self._alive[subset]]
        if len(subset) == 0:
            return []
        scores = raw[subset] / np.sqrt(self._gram_counts[subset])
        take = min(CANDIDATES, len(subset))
        if take < len(subset):
            top = np.argpartition(-scores, take - 1)[:take]
        else:
            top = np.arange(len(subset))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(entry_id) for entry_id in subset[top]]

    def _prefix_candidates(self, query: str) -> list[int]:
        ids = self._prefixes.get(query, [])
        alive = [entry_id for entry_id in ids if self._alive[entry_id]]
        return alive[:_PREFIX_LIMIT]

    def _array(self, gram: str) -> _IntArray:
        array = self._arrays.get(gram)
        if array is None:
            array = np.asarray(self._postings[gram], dtype=np.int64)
            self._arrays[gram] = array
        return array

    def _insert(self, recording: Recording) -> None:
        self._recordings[recording.id] = recording
        self._norm[recording.id] = (normalise(recording.title), normalise(recording.artist))
        names: dict[str, None] = {}
        for raw in (recording.title, *recording.aliases):
            name = normalise(raw)
            if name:
                names.setdefault(name, None)
        entry_ids = []
        artist = normalise(recording.artist)
        searchable = [(name, False) for name in names]
        if artist and artist not in names:
            searchable.append((artist, True))
        for name, is_artist in searchable:
            entry_id = len(self._entries)
            self._entries.append(_Entry(recording.id, name, is_artist))
            self._names.append(name)
            if entry_id >= len(self._alive):
                self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
                self._gram_counts = np.concatenate(
                    [self._gram_counts, np.ones_like(self._gram_counts)]
                )
            self._alive[entry_id] = True
            self._gram_counts[entry_id] = max(1, len(trigrams(name)))
            entry_ids.append(entry_id)
            if not is_artist:
                self._by_name.setdefault(name, set()).add(recording.id)
            for gram in trigrams(name):
                self._postings.setdefault(gram, []).append(entry_id)
                self._arrays.pop(gram, None)
            for prefix in _word_prefixes(name):
                self._prefixes.setdefault(prefix, []).append(entry_id)
        self._entry_ids[recording.id] = entry_ids


def _prefix_score(query: str, name: str) -> float:
    """Autocomplete: a name that begins with what was typed beats one that merely
    contains it (WRatio gives both 90), and shorter completions come first."""
    return 90.0 + 10.0 * len(query) / len(name)


def _word_prefixes(name: str) -> set[str]:
    """One- and two-letter starts of each word, for queries shorter than a trigram."""
    return {word[:size] for word in name.split() for size in (1, 2) if len(word) >= size}
