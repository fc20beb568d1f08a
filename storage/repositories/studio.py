"""``core.studio.StudioStore`` on SQL: accounts, memberships, sessions, invitations, and
the holder's view of the catalog (which recordings their parties hold a share of).

Each change the studio makes is written with its audit entry in one
transaction, so the log never says something happened that did not, or
misses something that did.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import (
    AuditEntry,
    Clip,
    License,
    LicenseTerms,
    OptDeclaration,
    Party,
    Recording,
    SubjectKind,
)
from core.royalties import PARTY_ACCOUNT
from core.studio import AUDIT_SCOPE, Invite, StudioAccount, StudioSession, UsageFacts
from storage.errors import StorageConflict
from storage.repositories.audit import audit_of as audit_entry_of
from storage.repositories.catalog import SqlCatalogRepository
from storage.repositories.catalog_rows import license_of, opt_row, party_row, recording_of
from storage.repositories.clips import clip_of
from storage.schema import (
    AuditRow,
    ClipRow,
    LedgerEntryRow,
    PartyRow,
    PeriodCloseRow,
    PlayEventRow,
    RecordingRow,
    ShareRow,
    StudioAccountRow,
    StudioInviteRow,
    StudioMembershipRow,
    StudioRecoveryCodeRow,
    StudioSessionRow,
)
from storage.sessions import Sessions, in_chunks, rowcount


class SqlStudioStore:
    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    # -- accounts ---------------------------------------------------------------------------
    async def create_account(
        self, account: StudioAccount, new_party: Party | None, *, invite_id: str | None = None
    ) -> bool:
        try:
            async with self._db.write() as session:
                taken = await session.scalar(
                    select(StudioAccountRow.id).where(StudioAccountRow.email == account.email)
                )
                if taken is not None:
                    return False
                if invite_id is not None and not await _use_invite(session, invite_id,
                                                                    account.created_at):
                    return False
                if new_party is not None:
                    session.add(party_row(new_party))
                    await session.flush()
                session.add(StudioAccountRow(id=account.id, email=account.email,
                                             password_hash=account.password_hash,
                                             created_at=account.created_at,
                                             totp_secret=account.totp_secret))
                await session.flush()
                for party_id in sorted(account.party_ids):
                    session.add(StudioMembershipRow(account_id=account.id, party_id=party_id))
        except StorageConflict:
            return False  # the same address registered at the same moment (PostgreSQL)
        return True

    async def account_by_email(self, email: str) -> StudioAccount | None:
        async with self._db.read() as session:
            row = await session.scalar(select(StudioAccountRow).where(StudioAccountRow.email == email))
            return None if row is None else await _account(session, row)

    async def get_account(self, account_id: str) -> StudioAccount | None:
        async with self._db.read() as session:
            row = await session.get(StudioAccountRow, account_id)
            return None if row is None else await _account(session, row)

    async def add_membership(self, account_id: str, party_id: str, invite_id: str, at: datetime) -> bool:
        async with self._db.write() as session:
            if not await _use_invite(session, invite_id, at):
                return False
            if await session.get(StudioMembershipRow, (account_id, party_id)) is None:
                session.add(StudioMembershipRow(account_id=account_id, party_id=party_id))
        return True

    # -- two-step login ---------------------------------------------------------------------
    async def set_totp(self, account_id: str, secret: str | None, recovery_hashes: list[str]) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(StudioAccountRow).where(StudioAccountRow.id == account_id).values(totp_secret=secret)
            )
            await session.execute(
                delete(StudioRecoveryCodeRow).where(StudioRecoveryCodeRow.account_id == account_id)
            )
            for code_hash in sorted(set(recovery_hashes)):
                session.add(StudioRecoveryCodeRow(account_id=account_id, code_hash=code_hash, used_at=None))

    async def use_recovery_code(self, account_id: str, code_hash: str, at: datetime) -> bool:
        async with self._db.write() as session:
            result = await session.execute(
                update(StudioRecoveryCodeRow)
                .where(StudioRecoveryCodeRow.account_id == account_id,
                       StudioRecoveryCodeRow.code_hash == code_hash,
                       StudioRecoveryCodeRow.used_at.is_(None))
                .values(used_at=at)
            )
            return rowcount(result) == 1

    # -- sessions ---------------------------------------------------------------------------
    async def add_session(self, studio_session: StudioSession) -> None:
        async with self._db.write() as session:
            session.add(StudioSessionRow(
                id_hash=studio_session.id_hash, account_id=studio_session.account_id,
                created_at=studio_session.created_at, last_seen_at=studio_session.last_seen_at,
            ))

    async def get_session(self, id_hash: str) -> StudioSession | None:
        async with self._db.read() as session:
            row = await session.get(StudioSessionRow, id_hash)
            if row is None:
                return None
            return StudioSession(row.id_hash, row.account_id, row.created_at, row.last_seen_at)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(StudioSessionRow).where(StudioSessionRow.id_hash == id_hash).values(last_seen_at=at)
            )

    async def delete_session(self, id_hash: str) -> None:
        async with self._db.write() as session:
            await session.execute(delete(StudioSessionRow).where(StudioSessionRow.id_hash == id_hash))

    async def delete_sessions(self, account_id: str) -> int:
        async with self._db.write() as session:
            result = await session.execute(
                delete(StudioSessionRow).where(StudioSessionRow.account_id == account_id)
            )
            return rowcount(result)

    # -- invitations ------------------------------------------------------------------------
    async def add_invite(self, invite: Invite) -> None:
        async with self._db.write() as session:
            session.add(StudioInviteRow(id=invite.id, party_id=invite.party_id,
                                        created_at=invite.created_at, expires_at=invite.expires_at,
                                        used_at=invite.used_at))

    async def get_invite(self, invite_id: str) -> Invite | None:
        async with self._db.read() as session:
            row = await session.get(StudioInviteRow, invite_id)
            if row is None:
                return None
            return Invite(row.id, row.party_id, row.created_at, row.expires_at, row.used_at)

    # -- the holder's catalog ---------------------------------------------------------------
    async def recordings_of(self, party_ids: frozenset[str]) -> list[Recording]:
        if not party_ids:
            return []
        async with self._db.read() as session:
            recording_ids: set[str] = set()
            work_ids: set[str] = set()
            for chunk in in_chunks(party_ids):
                rows = await session.execute(
                    select(ShareRow.subject_kind, ShareRow.subject_id).where(
                        ShareRow.party_id.in_(chunk),
                        ShareRow.subject_kind.in_((SubjectKind.RECORDING.value, SubjectKind.WORK.value)),
                    ).distinct()
                )
                for kind, subject_id in rows:
                    (recording_ids if kind == SubjectKind.RECORDING.value else work_ids).add(subject_id)
            found: dict[str, Recording] = {}
            for chunk in in_chunks(recording_ids):
                for row in await session.scalars(select(RecordingRow).where(RecordingRow.id.in_(chunk))):
                    found[row.id] = recording_of(row)
            for chunk in in_chunks(work_ids):
                for row in await session.scalars(
                    select(RecordingRow).where(RecordingRow.work_id.in_(chunk))
                ):
                    found[row.id] = recording_of(row)
        return sorted(found.values(), key=lambda r: (r.title.casefold(), r.id))

    async def parties_holding(self, recording_id: str) -> frozenset[str]:
        async with self._db.read() as session:
            work_id = await session.scalar(
                select(RecordingRow.work_id).where(RecordingRow.id == recording_id)
            )
            if work_id is None:
                return frozenset()
            parties = await session.scalars(
                select(ShareRow.party_id).where(or_(
                    (ShareRow.subject_kind == SubjectKind.RECORDING.value)
                    & (ShareRow.subject_id == recording_id),
                    (ShareRow.subject_kind == SubjectKind.WORK.value) & (ShareRow.subject_id == work_id),
                )).distinct()
            )
            return frozenset(parties)

    async def usage(
        self, party_ids: frozenset[str], recording_id: str | None, first_hour: int, end_hour: int
    ) -> UsageFacts:
        recordings: Any = (
            [recording_id] if recording_id is not None else _held_recordings(party_ids)
        )
        daily: dict[tuple[int, str], int] = {}
        styles: dict[str, int] = {}
        platforms: dict[str, int] = {}
        async with self._db.read() as session:
            clips = int(await session.scalar(
                select(func.count()).select_from(ClipRow).where(ClipRow.recording_id.in_(recordings))
            ) or 0)
            day = (PlayEventRow.play_hour // 24).label("day")
            rows = await session.execute(
                select(day, PlayEventRow.usage, PlayEventRow.platform, ClipRow.style, func.count())
                .join(ClipRow, ClipRow.id == PlayEventRow.clip_id)
                .where(ClipRow.recording_id.in_(recordings), PlayEventRow.play_hour >= first_hour,
                       PlayEventRow.play_hour < end_hour)
                .group_by(day, PlayEventRow.usage, PlayEventRow.platform, ClipRow.style)
            )
            for key, usage, platform, style, count in rows.all():
                _add(daily, (int(key), usage), count)
                _add(styles, style, count)
                _add(platforms, platform, count)
        return UsageFacts(clips, daily, styles, platforms)

    async def clips_of(self, party_ids: frozenset[str], limit: int) -> list[tuple[Clip, str]]:
        async with self._db.read() as session:
            rows = await session.execute(
                select(ClipRow, RecordingRow.title)
                .join(RecordingRow, RecordingRow.id == ClipRow.recording_id)
                .where(ClipRow.recording_id.in_(_held_recordings(party_ids)))
                .order_by(ClipRow.created_at.desc(), ClipRow.id.desc())
                .limit(limit)
            )
            return [(clip_of(row), title) for row, title in rows.all()]

    async def earnings(
        self, party_ids: frozenset[str], since_period: str
    ) -> list[tuple[str, str, bool, int]]:
        out: list[tuple[str, str, bool, int]] = []
        async with self._db.read() as session:
            closed = set((await session.scalars(
                select(PeriodCloseRow.period).where(PeriodCloseRow.period >= since_period))).all())
            for chunk in in_chunks(party_ids):
                rows = await session.execute(
                    select(LedgerEntryRow.party_id, LedgerEntryRow.period,
                           func.sum(LedgerEntryRow.amount_micros))
                    .where(LedgerEntryRow.party_id.in_(chunk), LedgerEntryRow.account == PARTY_ACCOUNT,
                           LedgerEntryRow.period >= since_period)
                    .group_by(LedgerEntryRow.party_id, LedgerEntryRow.period)
                )
                out.extend((str(party), period, period in closed, int(total))
                           for party, period, total in rows.all())
        return out

    async def party_names(self, party_ids: frozenset[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        async with self._db.read() as session:
            for chunk in in_chunks(party_ids):
                rows = await session.execute(select(PartyRow.id, PartyRow.name).where(PartyRow.id.in_(chunk)))
                names.update({party: name for party, name in rows.all()})
        return names

    # -- changes with their audit entries ---------------------------------------------------
    async def change_opt(self, declaration: OptDeclaration, audit: AuditEntry) -> None:
        async with self._db.write() as session:
            session.add(opt_row(declaration))
            session.add(_audit_row(audit))

    async def change_terms(
        self, recording_id: str, terms: LicenseTerms, audit: AuditEntry, at: datetime
    ) -> License:
        async with self._db.write() as session:
            row = await SqlCatalogRepository.append_version_locked(session, recording_id, terms, at)
            session.add(_audit_row(audit))
            return license_of(row)

    async def audit_of(self, party_ids: frozenset[str], limit: int = 100) -> list[AuditEntry]:
        scopes = [f"{AUDIT_SCOPE}{p}" for p in sorted(party_ids)]
        if not scopes:
            return []

        entries: list[AuditEntry] = []
        async with self._db.read() as session:
            for chunk in in_chunks(scopes):
                rows = await session.scalars(
                    select(AuditRow).where(AuditRow.scope_id.in_(chunk))
                    .order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
                )
                entries.extend(audit_entry_of(row) for row in rows)
        entries.sort(key=lambda e: (e.at, e.id), reverse=True)
        return entries[:limit]


def _held_recordings(party_ids: frozenset[str]) -> Any:
    """The ids of the recordings whose recording or work the parties hold a share of, as SQL."""
    parties = sorted(party_ids)
    direct = select(ShareRow.subject_id).where(
        ShareRow.party_id.in_(parties), ShareRow.subject_kind == SubjectKind.RECORDING.value)
    works = select(ShareRow.subject_id).where(
        ShareRow.party_id.in_(parties), ShareRow.subject_kind == SubjectKind.WORK.value)
    return direct.union(select(RecordingRow.id).where(RecordingRow.work_id.in_(works)))


def _add(counts: dict[Any, int], key: Any, value: int) -> None:
    counts[key] = counts.get(key, 0) + int(value)


async def _use_invite(session: AsyncSession, invite_id: str, at: datetime) -> bool:
    result = await session.execute(
        update(StudioInviteRow)
        .where(StudioInviteRow.id == invite_id, StudioInviteRow.used_at.is_(None))
        .values(used_at=at)
    )
    return rowcount(result) == 1


async def _account(session: AsyncSession, row: StudioAccountRow) -> StudioAccount:
    parties: Sequence[str] = (await session.scalars(
        select(StudioMembershipRow.party_id).where(StudioMembershipRow.account_id == row.id)
    )).all()
    return StudioAccount(row.id, row.email, row.password_hash, frozenset(parties), row.created_at,
                         row.totp_secret)


def _audit_row(entry: AuditEntry) -> AuditRow:
    return AuditRow(id=entry.id, scope_id=entry.scope_id, actor_user_id=entry.actor_user_id,
                    action=entry.action, detail=entry.detail, at=entry.at)
