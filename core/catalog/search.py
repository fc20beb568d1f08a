"""Fuzzy search over the catalog, fast enough to answer autocomplete as users type.

A rapidfuzz scan of 100,000 titles takes tens to hundreds of milliseconds,
too slow for Discord autocomplete and for a bot that resolves every request.
``CatalogIndex`` narrows a query to a few hundred candidate names by
IDF-weighted trigram overlap in a ``CandidateIndex`` (numpy postings:
``storage.search_postings.TrigramPostings``), and only those are scored
with rapidfuzz. Queries shorter than a trigram use a word-prefix map instead.

Everything is normalised first (``core.catalog.text.normalise``), so
accents, case and punctuation never count as differences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

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


class CandidateIndex(Protocol):
    """Trigram postings: which entries share the most (rare) trigrams with a query."""

    def add(self, entry_id: int, grams: Sequence[str]) -> None: ...
    def remove(self, entry_id: int) -> None: ...

    def freeze(self) -> None:
        """Ready every posting for reading (after a bulk load)."""
        ...

    def candidates(self, grams: Sequence[str], limit: int) -> list[int]:
        """Entry ids, best overlap first, at most ``limit``."""
        ...


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

    def __init__(self, recordings: Iterable[Recording], postings: CandidateIndex) -> None:
        self._recordings: dict[str, Recording] = {}
        self._entries: list[_Entry] = []
        self._names: list[str] = []  # entry id → name, for the rough pass
        self._alive: list[bool] = []
        self._norm: dict[str, tuple[str, str]] = {}  # recording id → (title, artist)
        self._entry_ids: dict[str, list[int]] = {}  # recording id → its entries
        self._by_name: dict[str, set[str]] = {}  # normalised name → recording ids
        self._postings = postings
        self._prefixes: dict[str, list[int]] = {}
        for recording in recordings:
            self._insert(recording)
        self._postings.freeze()  # no query pays for the conversion

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
            self._postings.remove(entry_id)
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
        order = sorted(range(len(names)), key=lambda position: -float(rough[position]))
        shortlist: dict[str, None] = {}
        for position in order:
            shortlist.setdefault(self._entries[entry_ids[position]].recording_id, None)
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
        """Entry ids sharing the most (rare) trigrams with the query, best first."""
        if len(query) < 3:
            return self._prefix_candidates(query)
        return self._postings.candidates(sorted(trigrams(query)), CANDIDATES)

    def _prefix_candidates(self, query: str) -> list[int]:
        ids = self._prefixes.get(query, [])
        alive = [entry_id for entry_id in ids if self._alive[entry_id]]
        return alive[:_PREFIX_LIMIT]

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
            self._alive.append(True)
            entry_ids.append(entry_id)
            if not is_artist:
                self._by_name.setdefault(name, set()).add(recording.id)
            self._postings.add(entry_id, sorted(trigrams(name)))
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
