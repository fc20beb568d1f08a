"""What a catalog file says, before the checks that span several entries.

Both formats fill a ``Draft`` row by row; ``finish`` then checks what no
single row can: duplicate ids, references between entries, one license per
recording, opt declarations by independents only, and share sums. Keeping
this apart means TOML and CSV get exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from core.catalog.errors import CatalogImportError, ImportIssue
from core.catalog.shares import fill_gaps, find_imbalances
from core.model import (
    ESCROW_PARTY_ID,
    UNCLAIMED_PARTY_ID,
    LicenseTerms,
    OptDeclaration,
    Party,
    Recording,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    VoiceModel,
    Work,
)
from core.ports import CatalogBatch

SYSTEM_PARTIES = frozenset({UNCLAIMED_PARTY_ID, ESCROW_PARTY_ID})
"""Parties storage always has; a file may name them without declaring them."""


@dataclass(frozen=True)
class CatalogFile:
    """A parsed, fully validated catalog file, ready to store in one transaction.

    ``audio_paths``/``stem_paths`` are resolved against the file's folder;
    the importer job hashes them into the blob store. ``lines`` maps each
    recording id (``work_lines`` each work id) to the line that declared it,
    for later messages.
    """

    batch: CatalogBatch
    audio_paths: dict[str, Path]
    stem_paths: dict[str, dict[str, Path]]
    lines: dict[str, int]
    work_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Draft:
    """Entries with the line each came from; mutable only while one parser fills it."""

    parties: list[tuple[int, Party]] = field(default_factory=list)
    works: list[tuple[int, Work]] = field(default_factory=list)
    recordings: list[tuple[int, Recording]] = field(default_factory=list)
    shares: list[tuple[int, Share]] = field(default_factory=list)
    licenses: list[tuple[int, str, LicenseTerms]] = field(default_factory=list)
    opts: list[tuple[int, OptDeclaration]] = field(default_factory=list)
    voices: list[tuple[int, VoiceModel]] = field(default_factory=list)
    audio_paths: dict[str, Path] = field(default_factory=dict)
    stem_paths: dict[str, dict[str, Path]] = field(default_factory=dict)
    issues: list[ImportIssue] = field(default_factory=list)

    def finish(self, *, fill_unclaimed: bool, filename: str) -> CatalogFile:
        """Run the cross-entry checks; raise ``CatalogImportError`` if anything failed."""
        declared = (self.parties, self.works, self.recordings, self.shares, self.licenses)
        if not self.issues and not any((*declared, self.opts, self.voices)):
            self._error(1, "the file declares nothing to import (see the format in the docs)")
        parties = _unique(self.parties, "party", self.issues)
        works = _unique(self.works, "work", self.issues)
        recordings = _unique(self.recordings, "recording", self.issues)
        voices = _unique(self.voices, "voice model", self.issues)
        _unique_codes([(n, w.iswc, w.id) for n, w in self.works if w.iswc], "ISWC", self.issues)
        _unique_codes(
            [(n, r.isrc, r.id) for n, r in self.recordings if r.isrc], "ISRC", self.issues
        )
        party_ids = set(parties) | SYSTEM_PARTIES
        self._check_recordings(works)
        self._check_voices(party_ids)
        self._check_licenses(recordings, voices)
        self._check_opts(parties, works, recordings)
        subjects = {
            SubjectKind.WORK: {k: f"Work “{w.title}” ({k})" for k, w in works.items()},
            SubjectKind.RECORDING: {
                k: f"Recording “{r.title}” ({k})" for k, r in recordings.items()
            },
            SubjectKind.VOICE_MODEL: {
                k: f"Voice model “{v.name}” ({k})" for k, v in voices.items()
            },
        }
        shares = self._check_shares(subjects, party_ids, fill_unclaimed)
        if self.issues:
            raise CatalogImportError(self.issues, filename)
        batch = CatalogBatch(
            parties=[p for _, p in self.parties],
            works=[w for _, w in self.works],
            recordings=[r for _, r in self.recordings],
            shares=shares,
            licenses=[(rid, terms) for _, rid, terms in self.licenses],
            opt_declarations=[o for _, o in self.opts],
            voice_models=[v for _, v in self.voices],
        )
        return CatalogFile(
            batch=batch,
            audio_paths=dict(self.audio_paths),
            stem_paths={k: dict(v) for k, v in self.stem_paths.items()},
            lines={r.id: line for line, r in self.recordings},
            work_lines={w.id: line for line, w in self.works},
        )

    def _error(self, line: int, message: str) -> None:
        self.issues.append(ImportIssue(line, message))

    def _check_recordings(self, works: dict[str, Work]) -> None:
        for line, recording in self.recordings:
            if recording.work_id not in works:
                self._error(line, f"recording {recording.id}: unknown work '{recording.work_id}'")

    def _check_voices(self, party_ids: set[str]) -> None:
        for line, voice in self.voices:
            if voice.owner_party_id not in party_ids:
                self._error(line, f"voice model {voice.id}: unknown owner '{voice.owner_party_id}'")

    def _check_licenses(
        self, recordings: dict[str, Recording], voices: dict[str, VoiceModel]
    ) -> None:
        seen: dict[str, int] = {}
        for line, recording_id, terms in self.licenses:
            if recording_id not in recordings:
                self._error(line, f"license: unknown recording '{recording_id}'")
            elif recording_id in seen:
                self._error(
                    line,
                    f"license: recording {recording_id} already has a license on line "
                    f"{seen[recording_id]}; one version per import",
                )
            else:
                seen[recording_id] = line
            for voice_id in sorted(terms.voice_models - set(voices)):
                self._error(line, f"license for {recording_id}: unknown voice model '{voice_id}'")
            if Transformation.VOICE_SWAP in terms.transformations and not terms.voice_models:
                self._error(
                    line,
                    f"license for {recording_id}: VOICE_SWAP needs 'voice_models' "
                    "listing the consented voices it allows",
                )

    def _check_opts(
        self, parties: dict[str, Party], works: dict[str, Work], recordings: dict[str, Recording]
    ) -> None:
        for line, opt in self.opts:
            known = works if opt.subject_kind is SubjectKind.WORK else recordings
            if opt.subject_id not in known:
                kind = opt.subject_kind.value.lower()
                self._error(line, f"opt: unknown {kind} '{opt.subject_id}'")
            party = parties.get(opt.party_id)
            if party is None:
                self._error(line, f"opt: unknown party '{opt.party_id}'")
            elif not party.independent:
                self._error(
                    line,
                    f"opt: {party.name} ({party.id}) is not marked independent=true; "
                    "only independent rights holders opt in or out",
                )

    def _check_shares(
        self,
        subjects: dict[SubjectKind, dict[str, str]],
        party_ids: set[str],
        fill_unclaimed: bool,
    ) -> list[Share]:
        """Shares with known subjects and parties, plus UNCLAIMED fillers when asked."""
        first_line: dict[tuple[SubjectKind, str, RightType], int] = {}
        checked: list[Share] = []
        for line, share in self.shares:
            ok = True
            if share.subject_id not in subjects[share.subject_kind]:
                kind = share.subject_kind.value.lower().replace("_", " ")
                self._error(line, f"share: unknown {kind} '{share.subject_id}'")
                ok = False
            if share.party_id not in party_ids:
                self._error(line, f"share: unknown party '{share.party_id}'")
                ok = False
            if ok:
                first_line.setdefault((share.subject_kind, share.subject_id, share.right), line)
                checked.append(share)
        # Every imbalance is reported, not only the first, on the line of the
        # first share of that subject and right.
        imbalances = find_imbalances(checked)
        for x in imbalances:
            if x.missing < 0 or not fill_unclaimed:
                label = subjects[x.subject_kind].get(x.subject_id, x.subject_id)
                line = first_line[(x.subject_kind, x.subject_id, x.right)]
                self._error(line, x.describe(label))
        return checked + fill_gaps(imbalances)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_E = TypeVar("_E", bound=_HasId)


def _unique(
    entries: Iterable[tuple[int, _E]], kind: str, issues: list[ImportIssue]
) -> dict[str, _E]:
    """Entries by id, reporting each id declared twice (ids must be stable and unique)."""
    by_id: dict[str, _E] = {}
    first_line: dict[str, int] = {}
    for line, entry in entries:
        if entry.id in by_id:
            issues.append(
                ImportIssue(
                    line, f"{kind} id '{entry.id}' is already used on line {first_line[entry.id]}"
                )
            )
            continue
        by_id[entry.id] = entry
        first_line[entry.id] = line
    return by_id


def _unique_codes(
    entries: Iterable[tuple[int, str, str]], kind: str, issues: list[ImportIssue]
) -> None:
    """Two entries with one ISWC/ISRC would split one right's money between them."""
    seen: dict[str, tuple[int, str]] = {}
    for line, code, entry_id in entries:
        if code in seen:
            other_line, other_id = seen[code]
            issues.append(
                ImportIssue(
                    line,
                    f"{entry_id}: {kind} {code} is already used by {other_id} (line {other_line})",
                )
            )
        else:
            seen[code] = (line, entry_id)
