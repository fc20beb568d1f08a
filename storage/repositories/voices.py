"""The voice registry: consented voices, their learnt profiles and their consent scopes.

Registering writes the voice model, its LIKENESS share (all of it to the
owner) and its profile record in ONE transaction, so a failure leaves no
half-registered voice. The profile bytes themselves live in the blob store
(content-addressed); only their sha256 is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import select

from core.entitlements import VoiceScope, scope_of
from core.model import RightType, Share, SubjectKind, VoiceModel
from storage.errors import NotFound, StorageConflict
from storage.repositories.catalog_rows import fill_voice_row, share_row, voice_of
from storage.schema import PartyRow, VoiceModelRow, VoiceProfileRow
from storage.sessions import Sessions


@dataclass(frozen=True)
class RegisteredVoice:
    """A voice model as the registry knows it; ``profile_sha256`` is None until one is learnt."""

    model: VoiceModel
    scope: VoiceScope
    profile_sha256: str | None
    reference_seconds: float | None


def _scope_columns(row: VoiceProfileRow, scope: VoiceScope) -> None:
    row.scope_kinds = sorted(scope.kinds)
    row.scope_styles = None if scope.styles is None else sorted(scope.styles)
    row.scope_territories = sorted(scope.territories)


class SqlVoiceRegistry:
    def __init__(self, sessions: Sessions) -> None:
        self._db = sessions

    async def register(
        self, model: VoiceModel, profile_sha256: str, reference_seconds: float, at: datetime
    ) -> None:
        """Store a new voice, its owner's LIKENESS share and its profile record, all or nothing.

        ``model.consent.scope`` must be a canonical scope line (``VoiceScope.format``).

        Raises:
            NotFound: the owner party does not exist.
            StorageConflict: a voice with this id is already registered.
        """
        scope = VoiceScope.parse(model.consent.scope)
        async with self._db.write() as session:
            if await session.get(PartyRow, model.owner_party_id) is None:
                raise NotFound(
                    f"no party {model.owner_party_id!r}: import the voice owner as a party first "
                    "(`refrain catalog import`)"
                )
            if await session.get(VoiceModelRow, model.id) is not None:
                raise StorageConflict(
                    f"a voice {model.id!r} is already registered; pick another --name or revoke it"
                )
            session.add(fill_voice_row(VoiceModelRow(), model))
            await session.flush()
            session.add(share_row(Share(SubjectKind.VOICE_MODEL, model.id, model.owner_party_id,
                                        RightType.LIKENESS, Fraction(1))))
            row = VoiceProfileRow(voice_model_id=model.id, profile_sha256=profile_sha256,
                                  reference_seconds=reference_seconds, created_at=at)
            _scope_columns(row, scope)
            session.add(row)

    async def attach_profile(
        self, voice_model_id: str, profile_sha256: str, reference_seconds: float, at: datetime
    ) -> None:
        """Record (or replace) the profile of a voice that is already in the catalog (demo voices)."""
        async with self._db.write() as session:
            voice = await session.get(VoiceModelRow, voice_model_id)
            if voice is None:
                raise NotFound(f"no voice model {voice_model_id!r}")
            row = await session.get(VoiceProfileRow, voice_model_id)
            if row is None:
                row = VoiceProfileRow(voice_model_id=voice_model_id)
                session.add(row)
            row.profile_sha256 = profile_sha256
            row.reference_seconds = reference_seconds
            row.created_at = at
            _scope_columns(row, scope_of(voice_of(voice)))

    async def get(self, voice_model_id: str) -> RegisteredVoice | None:
        async with self._db.read() as session:
            voice = await session.get(VoiceModelRow, voice_model_id)
            if voice is None:
                return None
            return self._registered(voice, await session.get(VoiceProfileRow, voice_model_id))

    async def profile_sha256(self, voice_model_id: str) -> str | None:
        """``core.ports.VoiceProfiles``: the blob of the voice's learnt profile, if any."""
        async with self._db.read() as session:
            row = await session.get(VoiceProfileRow, voice_model_id)
            return None if row is None else row.profile_sha256

    async def list(self) -> list[RegisteredVoice]:
        async with self._db.read() as session:
            voices = list(await session.scalars(select(VoiceModelRow).order_by(VoiceModelRow.name)))
            profiles = {p.voice_model_id: p for p in await session.scalars(select(VoiceProfileRow))}
            return [self._registered(v, profiles.get(v.id)) for v in voices]

    async def revoke(self, voice_model_id: str, at: datetime) -> VoiceModel:
        """Revoke at ``at`` (effective at once); revoking again keeps the first time."""
        async with self._db.write() as session:
            row = await session.get(VoiceModelRow, voice_model_id)
            if row is None:
                raise NotFound(f"no voice model {voice_model_id!r}")
            if row.revoked_at is None:
                row.revoked_at = at
            return voice_of(row)

    @staticmethod
    def _registered(voice: VoiceModelRow, profile: VoiceProfileRow | None) -> RegisteredVoice:
        model = voice_of(voice)
        return RegisteredVoice(
            model,
            scope_of(model),
            None if profile is None else profile.profile_sha256,
            None if profile is None else profile.reference_seconds,
        )
