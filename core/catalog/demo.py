"""The demo catalog: original songs with fictional but well-formed rights.

Real recordings cannot ship, so Refrain synthesizes a handful of songs from
the musical facts here (tempo, key, chords, seed) and imports the rights
data below. The data is built to exercise every licensing path: two majors
and three independents with different splits, a style-restricted license, one
without REMIX, one limited to DE/AT/CH, a work its independent holder opted
out, an active consented voice and a revoked one. All names are invented.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction

from core.catalog.identifiers import ipi_check_digits, iswc_check_digit
from core.model import (
    ConsentRecord,
    LicenseTerms,
    OptDeclaration,
    Party,
    PartyKind,
    Recording,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    VoiceModel,
    Work,
)
from core.ports import CatalogBatch

ACTIVE_VOICE_ID = "voice-ada-nova"
SECOND_VOICE_ID = "voice-kai-orin"
REVOKED_VOICE_ID = "voice-celeste-marlow"
DEMO_VOICE_IDS = (ACTIVE_VOICE_ID, SECOND_VOICE_ID, REVOKED_VOICE_ID)
"""The demo voices are synthetic singers made by ``engine.synth.voices``: the project
designed them, so the consent is the project's to give."""


@dataclass(frozen=True)
class DemoSong:
    """What the synthesizer needs to render one demo recording deterministically."""

    recording_id: str
    title: str
    seed: int
    tempo_bpm: float
    key: str
    progression: tuple[str, ...]


@dataclass(frozen=True)
class DemoCatalog:
    batch: CatalogBatch
    songs: list[DemoSong]


def _ipi(base: int) -> str:
    nine = f"{base:09d}"
    return f"{nine}{ipi_check_digits(nine):02d}"


def _iswc(base: int) -> str:
    nine = f"{base:09d}"
    return f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}"


def _party(pid: str, name: str, kind: PartyKind, ipi: int | None = None, **kw: bool) -> Party:
    return Party(pid, name, kind, _ipi(ipi) if ipi else None, "EUR", kw.get("independent", False))


_PARTIES = (
    _party("party-northstar-label", "Northstar Music Group", PartyKind.LABEL),
    _party("party-northstar-pub", "Northstar Music Publishing", PartyKind.PUBLISHER, 271_830_001),
    _party("party-harbor", "Harbor Records", PartyKind.LABEL),
    _party("party-harbor-songs", "Harbor Songs", PartyKind.PUBLISHER, 271_830_002),
    _party("party-tidewater", "Tidewater Collective", PartyKind.LABEL, independent=True),
    _party(
        "party-kestrel", "Kestrel Lane Music", PartyKind.PUBLISHER, 271_830_003, independent=True
    ),
    _party(
        "party-paper-lantern",
        "Paper Lantern Records",
        PartyKind.LABEL,
        271_830_004,
        independent=True,
    ),
    _party("party-mara-ellison", "Mara Ellison", PartyKind.SONGWRITER, 271_830_011),
    _party("party-theo-vance", "Theo Vance", PartyKind.SONGWRITER, 271_830_012),
    _party("party-june-okafor", "June Okafor", PartyKind.SONGWRITER, 271_830_013),
    _party("party-ilse-brandt", "Ilse Brandt", PartyKind.SONGWRITER, 271_830_014),
    _party("party-rafael-quint", "Rafael Quint", PartyKind.SONGWRITER, 271_830_015),
    _party("party-juniper-row", "Juniper Row", PartyKind.ARTIST),
    _party("party-ada-nova", "Ada Nova", PartyKind.VOICE_OWNER),
    _party("party-celeste-marlow", "Celeste Marlow", PartyKind.VOICE_OWNER),
    _party("party-kai-orin", "Kai Orin", PartyKind.VOICE_OWNER),
)


@dataclass(frozen=True)
class _Song:
    """One demo song's facts; shares are (right, party, fraction) on work or recording."""

    key: str  # short id, e.g. "golden-hour"
    title: str
    artist: str
    isrc: str
    iswc_base: int
    duration_s: float
    tempo_bpm: float
    music_key: str
    progression: tuple[str, ...]
    work_shares: tuple[tuple[RightType, str, Fraction], ...]
    master_shares: tuple[tuple[str, Fraction], ...]
    terms: LicenseTerms
    aliases: tuple[str, ...] = ()


_T = Transformation
_R = RightType
_HALF = Fraction(1, 2)
_THIRD = Fraction(1, 3)
_ONE = Fraction(1)

COVER_BUCKETS = {_R.PERF: Fraction(3, 10), _R.MECH: Fraction(3, 10), _R.MASTER: Fraction(2, 5)}
REMIX_BUCKETS = {_R.PERF: Fraction(1, 4), _R.MECH: Fraction(1, 4), _R.MASTER: _HALF}
VOICE_BUCKETS = {
    _R.PERF: Fraction(1, 5),
    _R.MECH: Fraction(1, 5),
    _R.MASTER: Fraction(3, 10),
    _R.LIKENESS: Fraction(3, 10),
}
INDIE_COVER_BUCKETS = {_R.PERF: _HALF, _R.MECH: Fraction(3, 10), _R.MASTER: Fraction(1, 5)}
TIERS = {"free": 30, "fan": 60, "pro": 120}


def _terms(
    transformations: set[Transformation],
    *,
    styles: set[str] | None = None,
    voices: set[str] | None = None,
    tiers: dict[str, int] | None = None,
    territories: set[str] | None = None,
    cover: dict[RightType, Fraction] | None = None,
) -> LicenseTerms:
    templates = {
        _T.COVER: cover or COVER_BUCKETS,
        _T.REMIX: REMIX_BUCKETS,
        _T.VOICE_SWAP: VOICE_BUCKETS,
    }
    return LicenseTerms(
        transformations=frozenset(transformations),
        styles=frozenset(styles) if styles is not None else None,
        voice_models=frozenset(voices or ()),
        max_seconds_by_tier=dict(tiers or TIERS),
        territories=frozenset(territories or {"WW"}),
        bucket_templates={t: dict(templates[t]) for t in transformations},
    )


def _major_publishing(writer: str, publisher: str) -> tuple[tuple[RightType, str, Fraction], ...]:
    return ((_R.PERF, writer, _HALF), (_R.PERF, publisher, _HALF), (_R.MECH, publisher, _ONE))


_SONGS = (
    _Song(
        "golden-hour",
        "Golden Hour",
        "Lumen Avenue",
        "QZNS12400001",
        100_200_301,
        36.0,
        92.0,
        "A minor",
        ("Am", "F", "C", "G"),
        _major_publishing("party-mara-ellison", "party-northstar-pub"),
        (("party-northstar-label", _ONE),),
        _terms({_T.COVER, _T.REMIX, _T.VOICE_SWAP}, voices={ACTIVE_VOICE_ID, SECOND_VOICE_ID}),
        aliases=("Goldene Stunde",),
    ),
    _Song(
        "golden-gate-lullaby",
        "Golden Gate Lullaby",
        "Marlow & Finch",
        "QZHB12400002",
        100_200_302,
        38.0,
        72.0,
        "D major",
        ("D", "Bm", "G", "A"),
        _major_publishing("party-theo-vance", "party-harbor-songs"),
        (("party-harbor", _ONE),),
        # Harbor allows only gentle covers of its lullaby, and no remixes.
        _terms({_T.COVER}, styles={"lofi", "acoustic", "a-cappella"}),
    ),
    _Song(
        "neon-tidepool",
        "Neon Tidepool",
        "Static Bloom",
        "QZHB12400003",
        100_200_303,
        34.0,
        118.0,
        "E minor",
        ("Em", "C", "G", "D"),
        _major_publishing("party-june-okafor", "party-harbor-songs"),
        (("party-harbor", _ONE),),
        _terms({_T.COVER, _T.REMIX, _T.VOICE_SWAP}, voices={ACTIVE_VOICE_ID, SECOND_VOICE_ID}),
    ),
    _Song(
        "paper-satellites",
        "Paper Satellites",
        "Juniper Row",
        "QZTW12400004",
        100_200_304,
        35.0,
        104.0,
        "G major",
        ("G", "Em", "C", "D"),
        # Independent: 50/50 PERF writer/publisher, 70/30 MASTER label/artist.
        (
            (_R.PERF, "party-june-okafor", _HALF),
            (_R.PERF, "party-kestrel", _HALF),
            (_R.MECH, "party-kestrel", _ONE),
        ),
        (("party-tidewater", Fraction(7, 10)), ("party-juniper-row", Fraction(3, 10))),
        _terms({_T.COVER, _T.REMIX}, cover=INDIE_COVER_BUCKETS),
    ),
    _Song(
        "cobalt-staircase",
        "Cobalt Staircase",
        "Ilse Brandt",
        "QZKL12400005",
        100_200_305,
        33.0,
        126.0,
        "C minor",
        ("Cm", "Ab", "Eb", "Bb"),
        # Independent: a three-way MECH split in thirds.
        (
            (_R.PERF, "party-ilse-brandt", _HALF),
            (_R.PERF, "party-kestrel", _HALF),
            (_R.MECH, "party-ilse-brandt", _THIRD),
            (_R.MECH, "party-rafael-quint", _THIRD),
            (_R.MECH, "party-kestrel", _THIRD),
        ),
        (("party-kestrel", _ONE),),
        _terms({_T.COVER, _T.REMIX}, territories={"DE", "AT", "CH"}),
    ),
    _Song(
        "lanterns-on-the-water",
        "Lanterns on the Water",
        "Paper Lantern Orchestra",
        "QZPL12400006",
        100_200_306,
        40.0,
        84.0,
        "F major",
        ("F", "Dm", "Bb", "C"),
        (
            (_R.PERF, "party-rafael-quint", _HALF),
            (_R.PERF, "party-paper-lantern", _HALF),
            (_R.MECH, "party-paper-lantern", _ONE),
        ),
        (("party-paper-lantern", _ONE),),
        _terms({_T.COVER, _T.REMIX}),
    ),
    _Song(
        "midnight-arcade",
        "Midnight Arcade",
        "Pixel Harbor",
        "QZNS12400007",
        100_200_307,
        32.0,
        140.0,
        "B minor",
        ("Bm", "G", "D", "A"),
        _major_publishing("party-theo-vance", "party-northstar-pub"),
        (("party-northstar-label", _ONE),),
        _terms({_T.COVER, _T.REMIX}, tiers={"free": 20, "fan": 45, "pro": 90}),
    ),
    _Song(
        "velvet-compass",
        "Velvet Compass",
        "Celeste Marlow",
        "QZHB12400008",
        100_200_308,
        37.0,
        98.0,
        "D minor",
        ("Dm", "Bb", "F", "C"),
        _major_publishing("party-mara-ellison", "party-harbor-songs"),
        (("party-harbor", _ONE),),
        # Her voice license was revoked: voice covers of it must be refused.
        _terms({_T.COVER, _T.VOICE_SWAP}, voices={REVOKED_VOICE_ID}),
    ),
)


def _voice(
    vid: str, name: str, owner: str, signed: date, revoked: datetime | None, scope: str
) -> VoiceModel:
    """A demo voice; ``scope`` is the canonical consent line (see ``core.entitlements._voice``)."""
    digest = hashlib.sha256(f"Refrain demo voice consent: {name}".encode()).hexdigest()
    return VoiceModel(vid, name, owner, ConsentRecord(digest, scope, signed), revoked)


def demo_catalog() -> DemoCatalog:
    """The demo catalog; deterministic, so importing it twice changes nothing."""
    works: list[Work] = []
    recordings: list[Recording] = []
    shares: list[Share] = []
    licenses: list[tuple[str, LicenseTerms]] = []
    songs: list[DemoSong] = []
    for index, song in enumerate(_SONGS):
        work_id, rec_id = f"work-{song.key}", f"rec-{song.key}"
        works.append(Work(work_id, song.title, _iswc(song.iswc_base)))
        recordings.append(
            Recording(
                rec_id,
                work_id,
                song.title,
                song.artist,
                song.isrc,
                song.duration_s,
                aliases=song.aliases,
            )
        )
        for right, party, fraction in song.work_shares:
            shares.append(Share(SubjectKind.WORK, work_id, party, right, fraction))
        for party, fraction in song.master_shares:
            shares.append(Share(SubjectKind.RECORDING, rec_id, party, _R.MASTER, fraction))
        licenses.append((rec_id, song.terms))
        songs.append(
            DemoSong(
                rec_id,
                song.title,
                1000 + 17 * index,
                song.tempo_bpm,
                song.music_key,
                song.progression,
            )
        )
    voices = [
        _voice(
            ACTIVE_VOICE_ID, "Ada Nova", "party-ada-nova", date(2024, 3, 1), None,
            "kinds=covers,remixes; styles=*; territories=WW",
        ),
        # Kai consented to gentle covers only: the scope rules have a real case to refuse.
        _voice(
            SECOND_VOICE_ID, "Kai Orin", "party-kai-orin", date(2024, 11, 5), None,
            "kinds=covers; styles=a-cappella,acoustic,lofi; territories=WW",
        ),
        _voice(
            REVOKED_VOICE_ID,
            "Celeste Marlow",
            "party-celeste-marlow",
            date(2023, 9, 12),
            datetime(2025, 2, 1, tzinfo=UTC),
            "kinds=covers; styles=*; territories=WW",
        ),
    ]
    for voice in voices:
        shares.append(
            Share(SubjectKind.VOICE_MODEL, voice.id, voice.owner_party_id, _R.LIKENESS, _ONE)
        )
    opts = [
        OptDeclaration(
            SubjectKind.WORK,
            "work-lanterns-on-the-water",
            "party-paper-lantern",
            False,
            declared_at=datetime(2025, 1, 15, tzinfo=UTC),
        ),
        OptDeclaration(
            SubjectKind.WORK,
            "work-cobalt-staircase",
            "party-kestrel",
            True,
            transformations=frozenset({_T.COVER, _T.REMIX}),
            territories=frozenset({"DE", "AT", "CH"}),
            declared_at=datetime(2024, 6, 1, tzinfo=UTC),
        ),
    ]
    batch = CatalogBatch(
        parties=list(_PARTIES),
        works=works,
        recordings=recordings,
        shares=shares,
        licenses=licenses,
        opt_declarations=opts,
        voice_models=voices,
    )
    return DemoCatalog(batch, songs)
