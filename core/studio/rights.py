"""A holder's songs: which are theirs, their terms in one sentence, and changing them.

Who may change what is decided here and nowhere else: a holder acts on a
recording when one of their parties holds a share of it or of its work.
Anything else reads as "not found" (``NotYours``), so a stranger's id is
never confirmed. Terms are written as a new license version and opting in
or out as a declaration — the rows the importer writes and the entitlement
engine reads on the next request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.ids import new_id
from core.model import AuditEntry, LicenseTerms, OptDeclaration, Recording, SubjectKind
from core.ports import CatalogRepository, Clock
from core.requests import latest_declaration
from core.studio._values import Holder
from core.studio.accounts import audit_scope
from core.studio.errors import NotYours, StudioError
from core.studio.ports import StudioStore
from core.studio.terms import TermsChoice, terms_sentence, terms_words


@dataclass(frozen=True)
class Song:
    """One of the holder's recordings as the studio shows it."""

    recording: Recording
    terms: LicenseTerms | None
    license_version: int | None
    opted_in: bool
    sentence: str


@dataclass(frozen=True)
class VoiceChoice:
    id: str
    name: str


class StudioRights:
    """The songs a holder sees and the two changes they make to them: terms and opt-in."""

    def __init__(
        self, store: StudioStore, catalog: CatalogRepository, clock: Clock, tiers: Mapping[str, int]
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._clock = clock
        self.tiers = dict(tiers)  # tier → its longest clip, the ceiling of what terms may allow

    async def songs(self, holder: Holder) -> list[Song]:
        recordings = await self._store.recordings_of(holder.party_ids)
        voices = await self._voice_names()
        return [await self._song(r, voices) for r in recordings]

    async def song(self, holder: Holder, recording_id: str) -> Song:
        recording = await self._owned(holder, recording_id)
        return await self._song(recording, await self._voice_names())

    async def voices(self) -> list[VoiceChoice]:
        """Consented voices that are not revoked: the ones terms may name."""
        return sorted(
            (VoiceChoice(v.id, v.name) for v in await self._catalog.list_voice_models()
             if v.revoked_at is None),
            key=lambda v: v.name,
        )

    async def set_terms(self, holder: Holder, recording_id: str, choice: TermsChoice) -> Song:
        """Write ``choice`` as the recording's next license version (in force from the next request)."""
        recording = await self._owned(holder, recording_id)
        allowed = {v.id for v in await self.voices()}
        unknown = sorted(choice.voices - allowed)
        if unknown:
            raise StudioError(f"{unknown[0]!r} is not a consented voice on Refrain.", "voices")
        for tier, seconds in choice.max_seconds_by_tier.items():
            if tier not in self.tiers:
                raise StudioError(f"There is no {tier!r} tier.", f"seconds_{tier}")
            if seconds > self.tiers[tier]:
                raise StudioError(f"The {tier} tier's clips are at most {self.tiers[tier]} s long.",
                                  f"seconds_{tier}")
        current = await self._catalog.current_license(recording.id)
        before = current.terms if current is not None else None
        after = choice.applied_to(before)
        if before == after:
            return await self._song(recording, await self._voice_names())
        now = self._clock.now()
        party = await self._acting_party(holder, recording)
        detail = f"{recording.title}: {terms_words(before)} → {terms_words(after)}"
        await self._store.change_terms(recording.id, after, self._entry(holder, party, "studio.terms",
                                                                        detail, now), now)
        return await self._song(recording, await self._voice_names())

    async def set_opt(self, holder: Holder, recording_id: str, opted_in: bool) -> Song:
        """Opt the recording in or out; the next request sees it, existing links follow."""
        recording = await self._owned(holder, recording_id)
        was = await self._opted_in(recording)
        if was == opted_in:
            return await self._song(recording, await self._voice_names())
        now = self._clock.now()
        party = await self._acting_party(holder, recording)
        declaration = OptDeclaration(SubjectKind.RECORDING, recording.id, party, opted_in, declared_at=now)
        words = {True: "opted in", False: "opted out"}
        detail = f"{recording.title}: {words[was]} → {words[opted_in]}"
        await self._store.change_opt(declaration, self._entry(holder, party, "studio.opt", detail, now))
        return await self._song(recording, await self._voice_names())

    async def audit(self, holder: Holder) -> list[AuditEntry]:
        return await self._store.audit_of(holder.party_ids)

    # -- helpers --------------------------------------------------------------------------
    async def _owned(self, holder: Holder, recording_id: str) -> Recording:
        if not holder.party_ids or len(recording_id) > 64:
            raise NotYours()
        holding = await self._store.parties_holding(recording_id)
        if not holding & holder.party_ids:
            raise NotYours()
        recording = await self._catalog.get_recording(recording_id)
        if recording is None:
            raise NotYours()
        return recording

    async def _acting_party(self, holder: Holder, recording: Recording) -> str:
        return min(await self._store.parties_holding(recording.id) & holder.party_ids)

    async def _opted_in(self, recording: Recording) -> bool:
        declarations = await self._catalog.opt_declarations(SubjectKind.WORK, recording.work_id)
        declarations += await self._catalog.opt_declarations(SubjectKind.RECORDING, recording.id)
        in_force = latest_declaration(declarations)
        return in_force is None or in_force.opted_in

    async def _song(self, recording: Recording, voices: Mapping[str, str]) -> Song:
        license_ = await self._catalog.current_license(recording.id)
        terms = license_.terms if license_ is not None and license_.revoked_at is None else None
        opted_in = await self._opted_in(recording)
        sentence = (terms_sentence(terms, opted_in, voices) if terms is not None
                    else "No license yet: fans can't make clips of this song.")
        return Song(recording, terms, license_.version if license_ else None, opted_in, sentence)

    async def _voice_names(self) -> dict[str, str]:
        return {v.id: v.name for v in await self._catalog.list_voice_models()}

    @staticmethod
    def _entry(holder: Holder, party_id: str, action: str, detail: str, at: datetime) -> AuditEntry:
        return AuditEntry(new_id(), audit_scope(party_id), holder.account_id, action, detail, at)


__all__ = ["Song", "StudioRights", "TermsChoice", "VoiceChoice"]
