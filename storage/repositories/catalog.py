"""The catalog and its rights: parties, works, recordings, shares, licenses, voices."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from core.model import (
    SYSTEM_PARTIES,
    License,
    LicenseTerms,
    OptDeclaration,
    Party,
    Recording,
    Share,
    SubjectKind,
    VoiceModel,
    Work,
)
from core.ports import CatalogBatch
from storage.errors import NotFound
from storage.repositories.catalog_rows import (
    fill_recording_row,
    fill_voice_row,
    license_of,
    opt_of,
    opt_row,
    party_of,
    party_row,
    recording_of,
    share_of,
    share_row,
    voice_of,
    work_of,
    work_row,
)
from storage.schema import (
    LicenseVersionRow,
    OptDeclarationRow,
    PartyRow,
    RecordingRow,
    ShareRow,
    VoiceModelRow,
    WorkRow,
)
from storage.sessions import Sessions, rowcount
from storage.terms_codec import decode_terms, encode_terms


class SqlCatalogRepository:
    """``core.ports.CatalogRepository`` on SQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    # -- import ----------------------------------------------------------------------------
    async def import_batch(self, batch: CatalogBatch, at: datetime) -> None:
        """Store the batch in one transaction; importing the same batch twice changes nothing.

        Rows are upserted by id; each subject named by a share in the batch
        gets exactly the batch's shares; a license version is appended only
        when the terms differ from the recording's current ones; a declaration
        is appended unless it repeats the latest one of that party.
        """
        async with self._db.write() as session:
            await self._add_system_parties(session, batch)
            # Flush after each kind so foreign keys see their targets.
            for party in batch.parties:
                await session.merge(party_row(party))
            await session.flush()
            for work in batch.works:
                await session.merge(work_row(work))
            await session.flush()
            for recording in batch.recordings:
                stored = await session.get(RecordingRow, recording.id)
                if stored is None:
                    session.add(fill_recording_row(RecordingRow(), recording))
                else:
                    fill_recording_row(stored, recording)
            for model in batch.voice_models:
                voice = await session.get(VoiceModelRow, model.id)
                if voice is None:
                    session.add(fill_voice_row(VoiceModelRow(), model))
                else:
                    fill_voice_row(voice, model)
            await session.flush()
            await self._replace_shares(session, batch.shares)
            for recording_id, terms in batch.licenses:
                current = await self._current_row(session, recording_id)
                if current is None or _terms_changed(current, terms):
                    await self._append_license(session, recording_id, terms, at, current)
            for declaration in batch.opt_declarations:
                await self._append_declaration_if_new(session, declaration, at)

    @staticmethod
    async def _add_system_parties(session: AsyncSession, batch: CatalogBatch) -> None:
        """The UNCLAIMED/ESCROW rows the batch names, where missing.

        Files name these parties without declaring them (``--fill-unclaimed``
        gives gaps to UNCLAIMED), and no migration creates them, so the first
        import that needs one makes it; the foreign keys then hold.
        """
        named = {share.party_id for share in batch.shares}
        named |= {model.owner_party_id for model in batch.voice_models}
        named |= {declaration.party_id for declaration in batch.opt_declarations}
        declared = {party.id for party in batch.parties}
        for party_id in sorted((named & SYSTEM_PARTIES.keys()) - declared):
            if await session.get(PartyRow, party_id) is None:
                session.add(party_row(SYSTEM_PARTIES[party_id]))

    @staticmethod
    async def _replace_shares(session: AsyncSession, shares: Sequence[Share]) -> None:
        """Give each subject named in ``shares`` exactly those shares (untouched if equal)."""
        by_subject: dict[tuple[SubjectKind, str], list[Share]] = {}
        for share in shares:
            by_subject.setdefault((share.subject_kind, share.subject_id), []).append(share)
        for (kind, subject_id), wanted in by_subject.items():
            subject = (ShareRow.subject_kind == kind.value, ShareRow.subject_id == subject_id)
            stored = await session.scalars(select(ShareRow).where(*subject).order_by(ShareRow.id))
            if [share_of(row) for row in stored] == wanted:
                continue
            await session.execute(delete(ShareRow).where(*subject))
            session.add_all(share_row(share) for share in wanted)
        await session.flush()

    async def _append_declaration_if_new(
        self, session: AsyncSession, declaration: OptDeclaration, at: datetime
    ) -> None:
        latest = (
            await session.scalars(
                select(OptDeclarationRow)
                .where(
                    OptDeclarationRow.subject_kind == declaration.subject_kind.value,
                    OptDeclarationRow.subject_id == declaration.subject_id,
                    OptDeclarationRow.party_id == declaration.party_id,
                )
                .order_by(OptDeclarationRow.declared_at.desc(), OptDeclarationRow.id.desc())
                .limit(1)
            )
        ).first()
        if latest is not None:
            previous = opt_of(latest)
            same_time = declaration.declared_at in (None, previous.declared_at)
            if same_time and _same_declaration(previous, declaration):
                return
        session.add(opt_row(_dated(declaration, at)))
        await session.flush()

    # -- parties, works, recordings --------------------------------------------------------
    async def get_party(self, party_id: str) -> Party | None:
        async with self._db.read() as session:
            row = await session.get(PartyRow, party_id)
            return None if row is None else party_of(row)

    async def list_parties(self) -> list[Party]:
        async with self._db.read() as session:
            rows = await session.scalars(select(PartyRow).order_by(PartyRow.id))
            return [party_of(row) for row in rows]

    async def get_work(self, work_id: str) -> Work | None:
        async with self._db.read() as session:
            row = await session.get(WorkRow, work_id)
            return None if row is None else work_of(row)

    async def list_works(self) -> list[Work]:
        async with self._db.read() as session:
            rows = await session.scalars(select(WorkRow).order_by(WorkRow.id))
            return [work_of(row) for row in rows]

    async def get_recording(self, recording_id: str) -> Recording | None:
        async with self._db.read() as session:
            row = await session.get(RecordingRow, recording_id)
            return None if row is None else recording_of(row)

    async def list_recordings(self) -> list[Recording]:
        async with self._db.read() as session:
            rows = await session.scalars(select(RecordingRow).order_by(RecordingRow.id))
            return [recording_of(row) for row in rows]

    async def set_recording_audio(
        self, recording_id: str, audio_sha256: str, stems: dict[str, str]
    ) -> None:
        async with self._db.write() as session:
            result = await session.execute(
                update(RecordingRow)
                .where(RecordingRow.id == recording_id)
                .values(audio_sha256=audio_sha256, stems=dict(stems))
            )
            if rowcount(result) == 0:
                raise NotFound(f"no recording {recording_id!r}")

    async def shares_for(self, subject_kind: SubjectKind, subject_id: str) -> list[Share]:
        async with self._db.read() as session:
            rows = await session.scalars(
                select(ShareRow)
                .where(
                    ShareRow.subject_kind == subject_kind.value, ShareRow.subject_id == subject_id
                )
                .order_by(ShareRow.id)
            )
            return [share_of(row) for row in rows]

    # -- licenses --------------------------------------------------------------------------
    async def current_license(self, recording_id: str) -> License | None:
        """The newest license version of a recording, revoked or not."""
        async with self._db.read() as session:
            row = await self._current_row(session, recording_id)
            return None if row is None else license_of(row)

    async def get_license(self, license_id: str, version: int) -> License | None:
        async with self._db.read() as session:
            row = await session.get(LicenseVersionRow, (license_id, version))
            return None if row is None else license_of(row)

    async def add_license_version(
        self, recording_id: str, terms: LicenseTerms, at: datetime
    ) -> License:
        """Append a new immutable version; earlier versions stay readable."""
        async with self._db.write() as session:
            return license_of(await self.append_version_locked(session, recording_id, terms, at))

    @classmethod
    async def append_version_locked(
        cls, session: AsyncSession, recording_id: str, terms: LicenseTerms, at: datetime
    ) -> LicenseVersionRow:
        """Append the recording's next license version inside ``session``, the recording locked
        (PostgreSQL) so two appends cannot pick the same number; the studio's terms use it too."""
        recording = (
            await session.scalars(
                select(RecordingRow.id).where(RecordingRow.id == recording_id).with_for_update()
            )
        ).first()
        if recording is None:
            raise NotFound(f"no recording {recording_id!r}")
        current = await cls._current_row(session, recording_id)
        return await cls._append_license(session, recording_id, terms, at, current)

    async def revoke_license(self, license_id: str, version: int, at: datetime) -> None:
        """Mark one version revoked (the only change a license version ever takes)."""
        async with self._db.write() as session:
            row = await session.get(LicenseVersionRow, (license_id, version))
            if row is None:
                raise NotFound(f"no license {license_id!r} version {version}")
            if row.revoked_at is None:
                row.revoked_at = at

    @staticmethod
    async def _current_row(session: AsyncSession, recording_id: str) -> LicenseVersionRow | None:
        return (
            await session.scalars(
                select(LicenseVersionRow)
                .where(LicenseVersionRow.recording_id == recording_id)
                .order_by(LicenseVersionRow.version.desc(), LicenseVersionRow.created_at.desc())
                .limit(1)
            )
        ).first()

    @staticmethod
    async def _append_license(
        session: AsyncSession,
        recording_id: str,
        terms: LicenseTerms,
        at: datetime,
        current: LicenseVersionRow | None,
    ) -> LicenseVersionRow:
        row = LicenseVersionRow(
            id=current.id if current is not None else new_id(),
            version=current.version + 1 if current is not None else 1,
            recording_id=recording_id,
            terms=encode_terms(terms),
            created_at=at,
            revoked_at=None,
        )
        session.add(row)
        await session.flush()
        return row

    # -- opt-in / opt-out ------------------------------------------------------------------
    async def opt_declarations(
        self, subject_kind: SubjectKind, subject_id: str
    ) -> list[OptDeclaration]:
        """All declarations for a subject, oldest first (the last one wins)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(OptDeclarationRow)
                .where(
                    OptDeclarationRow.subject_kind == subject_kind.value,
                    OptDeclarationRow.subject_id == subject_id,
                )
                .order_by(OptDeclarationRow.declared_at, OptDeclarationRow.id)
            )
            return [opt_of(row) for row in rows]

    async def add_opt_declaration(self, declaration: OptDeclaration) -> None:
        """Append a declaration; one without a time is dated now."""
        async with self._db.write() as session:
            session.add(opt_row(_dated(declaration, datetime.now(UTC))))

    # -- voice models ----------------------------------------------------------------------
    async def get_voice_model(self, voice_model_id: str) -> VoiceModel | None:
        async with self._db.read() as session:
            row = await session.get(VoiceModelRow, voice_model_id)
            return None if row is None else voice_of(row)

    async def list_voice_models(self) -> list[VoiceModel]:
        async with self._db.read() as session:
            rows = await session.scalars(select(VoiceModelRow).order_by(VoiceModelRow.id))
            return [voice_of(row) for row in rows]

    async def revoke_voice_model(self, voice_model_id: str, at: datetime) -> None:
        """Revoke a voice; revoking again keeps the first revocation time."""
        async with self._db.write() as session:
            row = await session.get(VoiceModelRow, voice_model_id)
            if row is None:
                raise NotFound(f"no voice model {voice_model_id!r}")
            if row.revoked_at is None:
                row.revoked_at = at


def _dated(declaration: OptDeclaration, at: datetime) -> OptDeclaration:
    if declaration.declared_at is not None:
        return declaration
    return dataclasses.replace(declaration, declared_at=at)


def _terms_changed(current: LicenseVersionRow, terms: LicenseTerms) -> bool:
    # Re-encode the stored document so a change of codec alone is not a change of terms.
    return encode_terms(decode_terms(current.terms)) != encode_terms(terms)


def _same_declaration(a: OptDeclaration, b: OptDeclaration) -> bool:
    return (a.opted_in, a.transformations, a.styles, a.territories) == (
        b.opted_in,
        b.transformations,
        b.styles,
        b.territories,
    )
