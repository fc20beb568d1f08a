"""The catalog as a run sees it: shares, recordings, opt-outs, revocations, and their digest.

Storage reads the rows once per run (``CatalogRows``); ``catalog_facts``
derives what the allocation and the aggregation need from them, and the
digest that makes the catalog part of the run's id — so a changed share or
revocation gives a new run, an unchanged catalog the same one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from core.model import OptDeclaration, Share, SubjectKind
from core.royalties.escrow import opt_out_intervals
from core.royalties.run_id import digest

Span = tuple[datetime | None, datetime | None]
"""An opt-out in force from (inclusive) to (exclusive); None: open-ended."""


class RecordingRef(NamedTuple):
    recording_id: str
    work_id: str
    artist: str


class LicenseRef(NamedTuple):
    license_id: str
    version: int
    bucket_templates: object  # as stored: only hashed into the catalog digest, never read


class VoiceRef(NamedTuple):
    voice_model_id: str
    revoked_at: datetime | None


@dataclass(frozen=True)
class CatalogRows:
    """Every row of the catalog a run depends on, as storage read them."""

    shares: Sequence[Share]
    recordings: Sequence[RecordingRef]
    declarations: Sequence[OptDeclaration]  # in the order they were made
    licenses: Sequence[LicenseRef]
    voices: Sequence[VoiceRef]


@dataclass(frozen=True)
class CatalogFacts:
    """The catalog facts a run needs, read once."""

    book: Mapping[tuple[SubjectKind, str], list[Share]]
    work_of: Mapping[str, str]
    artist_of: Mapping[str, str]
    opt_outs: Mapping[tuple[SubjectKind, str], list[Span]]
    dated_recordings: set[str]  # their shares (or their work's) change over time
    dated_voices: set[str]
    revoked_voices: set[str]
    digest: str

    def escrow_recordings(self) -> set[str]:
        """Recordings with an opt-out (of themselves or of their work) at some time."""
        out = {sid for kind, sid in self.opt_outs if kind is SubjectKind.RECORDING}
        works = {sid for kind, sid in self.opt_outs if kind is SubjectKind.WORK}
        return out | {r for r, w in self.work_of.items() if w in works}


def catalog_facts(rows: CatalogRows) -> CatalogFacts:
    """What a run derives from the catalog's rows, with their digest."""
    shares = rows.shares
    book: dict[tuple[SubjectKind, str], list[Share]] = defaultdict(list)
    for share in shares:
        book[(share.subject_kind, share.subject_id)].append(share)
    work_of = {r.recording_id: r.work_id for r in rows.recordings}
    artist_of = {r.recording_id: r.artist for r in rows.recordings}
    declarations: dict[tuple[SubjectKind, str], list[OptDeclaration]] = defaultdict(list)
    for declaration in rows.declarations:
        declarations[(declaration.subject_kind, declaration.subject_id)].append(declaration)
    opt_outs = {k: opt_out_intervals(v) for k, v in declarations.items()}
    opt_outs = {k: v for k, v in opt_outs.items() if v}
    dated = {
        (s.subject_kind, s.subject_id) for s in shares
        if s.valid_from is not None or s.valid_to is not None
    }
    dated_recordings = {
        r for r, w in work_of.items()
        if (SubjectKind.RECORDING, r) in dated or (SubjectKind.WORK, w) in dated
    }
    dated_voices = {sid for kind, sid in dated if kind is SubjectKind.VOICE_MODEL}
    fingerprint = digest(
        {
            "shares": sorted(
                [s.subject_kind.value, s.subject_id, s.party_id, s.right.value, str(s.fraction),
                 s.territory, str(s.valid_from), str(s.valid_to)]
                for s in shares
            ),
            "licenses": sorted([i, v, t] for i, v, t in rows.licenses),
            "voices": sorted([i, str(r)] for i, r in rows.voices),
            "opt_outs": sorted([k[0].value, k[1], [[str(a), str(b)] for a, b in v]]
                               for k, v in opt_outs.items()),
            "recordings": sorted([r, w, a] for r, w, a in rows.recordings),
        }
    )
    revoked = {i for i, r in rows.voices if r is not None}
    return CatalogFacts(dict(book), work_of, artist_of, opt_outs, dated_recordings, dated_voices,
                        revoked, fingerprint)


__all__ = ["CatalogFacts", "CatalogRows", "LicenseRef", "RecordingRef", "Span", "VoiceRef", "catalog_facts"]
