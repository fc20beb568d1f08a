"""Search and request resolution: typos forgiven, ambiguity never guessed."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from core.catalog.demo import demo_catalog
from core.catalog.search import Ambiguous, CatalogIndex, Exact, NotFound
from core.model import Recording
from storage.search_postings import TrigramPostings


def _rec(rid: str, title: str, artist: str, aliases: tuple[str, ...] = ()) -> Recording:
    return Recording(rid, f"w-{rid}", title, artist, "QZAAA2400001", 35.0, aliases=aliases)


def _demo_index() -> tuple[CatalogIndex, dict[str, str]]:
    batch = demo_catalog().batch
    index = CatalogIndex(batch.recordings, TrigramPostings())
    return index, {r.title: r.id for r in batch.recordings}


def test_typos_resolve_to_golden_hour() -> None:
    index, ids = _demo_index()
    for typed in (
        "Golden Hour",
        "golden hour",
        "GOLDEN HOUR!",
        "Goldn Hour",
        "golden huor",
        "Golden Hou",
        "gołden hóur",
    ):
        assert index.resolve(typed, None) == Exact(ids["Golden Hour"]), typed


def test_shared_word_is_not_enough() -> None:
    index, ids = _demo_index()
    result = index.resolve("Golden", None)
    assert isinstance(result, NotFound)
    assert set(result.suggestions) >= {ids["Golden Hour"], ids["Golden Gate Lullaby"]}
    assert len(result.suggestions) <= 3


def test_nonsense_finds_nothing() -> None:
    index, _ = _demo_index()
    assert index.resolve("zzzz qqqq xxxx", None) == NotFound(())
    assert index.resolve("   ", None) == NotFound(())


def test_same_title_by_two_artists_is_ambiguous_until_the_artist_is_named() -> None:
    index = CatalogIndex(
        [
            _rec("a", "Golden Hour", "Lumen Avenue"),
            _rec("b", "Golden Hour", "Static Bloom"),
            _rec("c", "Neon Tidepool", "Static Bloom"),
        ],
        TrigramPostings(),
    )
    assert index.resolve("golden hour", None) == Ambiguous(("a", "b"))
    assert index.resolve("goldn hour", None) == Ambiguous(("a", "b"))
    assert index.resolve("golden hour", "static bloom") == Exact("b")
    assert index.resolve("golden hour", "Statik Blom") == Exact("b")
    assert index.resolve("goldn hour", "lumen") == Exact("a")


def test_wrong_artist_suggests_instead_of_guessing() -> None:
    index = CatalogIndex([_rec("a", "Golden Hour", "Lumen Avenue")], TrigramPostings())
    result = index.resolve("Golden Hour", "Completely Different")
    assert result == NotFound(("a",))


def test_aliases_and_accents_are_searchable() -> None:
    index = CatalogIndex(
        [
            _rec("a", "Harbor Lights", "The Quiet Coast", ("Hafenlichter",)),
            _rec("b", "Café Über Alles", "Ümlaut"),
        ],
        TrigramPostings(),
    )
    assert index.resolve("hafenlichter", None) == Exact("a")
    assert index.resolve("cafe uber alles", None) == Exact("b")
    assert index.search("umlaut")[0].recording_id == "b"


def test_search_ranks_prefixes_and_artists() -> None:
    index, ids = _demo_index()
    hits = index.search("gold", limit=5)
    assert [h.recording_id for h in hits[:2]] == [ids["Golden Hour"], ids["Golden Gate Lullaby"]]
    assert hits[0].score >= hits[1].score
    by_artist = index.search("static bloom", limit=3)
    assert by_artist[0].recording_id == ids["Neon Tidepool"]
    assert index.search("g", limit=3)
    assert index.search("", limit=3) == []
    assert len(index.search("a", limit=2)) <= 2


def test_add_and_remove() -> None:
    index = CatalogIndex([_rec("a", "Golden Hour", "Lumen Avenue")], TrigramPostings())
    index.add(_rec("b", "Paper Satellites", "Juniper Row"))
    assert index.resolve("paper satelites", None) == Exact("b")
    index.remove("a")
    assert isinstance(index.resolve("golden hour", None), NotFound)
    assert index.search("golden") == []
    index.add(_rec("b", "Paper Moons", "Juniper Row"))  # re-adding replaces
    assert index.resolve("paper moons", None) == Exact("b")
    assert isinstance(index.resolve("paper satellites", None), NotFound)
    index.remove("nope")
    assert len(index) == 1


_words = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(_words, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=30, unique=True
    )
)
def test_every_title_resolves_to_itself(titles: list[str]) -> None:
    recordings = [_rec(f"r{i}", title, f"artist {i}") for i, title in enumerate(titles)]
    index = CatalogIndex(recordings, TrigramPostings())
    for recording in recordings:
        assert index.resolve(recording.title.upper(), None) == Exact(recording.id)
        assert index.search(recording.title, limit=1)[0].score == 100.0
