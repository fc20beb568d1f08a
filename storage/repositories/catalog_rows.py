"""Catalog rows <-> catalog domain values; pure functions, no I/O."""

from __future__ import annotations

from fractions import Fraction

from core.model import (
    ConsentRecord,
    License,
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
from storage.schema import (
    LicenseVersionRow,
    OptDeclarationRow,
    PartyRow,
    RecordingRow,
    ShareRow,
    VoiceModelRow,
    WorkRow,
)
from storage.terms_codec import decode_terms


def _sorted_or_none(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def _frozen_or_none(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def party_row(party: Party) -> PartyRow:
    return PartyRow(
        id=party.id,
        name=party.name,
        kind=party.kind.value,
        ipi=party.ipi,
        payout_currency=party.payout_currency,
        independent=party.independent,
    )


def party_of(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        name=row.name,
        kind=PartyKind(row.kind),
        ipi=row.ipi,
        payout_currency=row.payout_currency,
        independent=row.independent,
    )


def work_row(work: Work) -> WorkRow:
    return WorkRow(id=work.id, title=work.title, iswc=work.iswc)


def work_of(row: WorkRow) -> Work:
    return Work(id=row.id, title=row.title, iswc=row.iswc)


def fill_recording_row(row: RecordingRow, recording: Recording) -> RecordingRow:
    """Copy ``recording`` into ``row``, keeping stored audio the batch does not mention.

    A catalog file re-imported without audio must not erase audio (and
    stems) that were stored for the recording earlier.
    """
    row.id = recording.id
    row.work_id = recording.work_id
    row.title = recording.title
    row.artist = recording.artist
    row.isrc = recording.isrc
    row.duration_s = recording.duration_s
    row.aliases = list(recording.aliases)
    row.explicit = recording.explicit
    if recording.audio_sha256 is not None or getattr(row, "audio_sha256", None) is None:
        row.audio_sha256 = recording.audio_sha256
    if recording.stems or not getattr(row, "stems", None):
        row.stems = dict(recording.stems)
    return row


def recording_of(row: RecordingRow) -> Recording:
    return Recording(
        id=row.id,
        work_id=row.work_id,
        title=row.title,
        artist=row.artist,
        isrc=row.isrc,
        duration_s=row.duration_s,
        audio_sha256=row.audio_sha256,
        stems=dict(row.stems),
        aliases=tuple(row.aliases),
        explicit=row.explicit,
    )


def share_row(share: Share) -> ShareRow:
    return ShareRow(
        subject_kind=share.subject_kind.value,
        subject_id=share.subject_id,
        party_id=share.party_id,
        right=share.right.value,
        numerator=share.fraction.numerator,
        denominator=share.fraction.denominator,
        territory=share.territory,
        valid_from=share.valid_from,
        valid_to=share.valid_to,
    )


def share_of(row: ShareRow) -> Share:
    return Share(
        subject_kind=SubjectKind(row.subject_kind),
        subject_id=row.subject_id,
        party_id=row.party_id,
        right=RightType(row.right),
        fraction=Fraction(row.numerator, row.denominator),
        territory=row.territory,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def license_of(row: LicenseVersionRow) -> License:
    return License(
        id=row.id,
        recording_id=row.recording_id,
        version=row.version,
        terms=decode_terms(row.terms),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def opt_row(declaration: OptDeclaration) -> OptDeclarationRow:
    assert declaration.declared_at is not None
    transformations = declaration.transformations
    return OptDeclarationRow(
        subject_kind=declaration.subject_kind.value,
        subject_id=declaration.subject_id,
        party_id=declaration.party_id,
        opted_in=declaration.opted_in,
        transformations=(
            None if transformations is None else sorted(t.value for t in transformations)
        ),
        styles=_sorted_or_none(declaration.styles),
        territories=_sorted_or_none(declaration.territories),
        declared_at=declaration.declared_at,
    )


def opt_of(row: OptDeclarationRow) -> OptDeclaration:
    return OptDeclaration(
        subject_kind=SubjectKind(row.subject_kind),
        subject_id=row.subject_id,
        party_id=row.party_id,
        opted_in=row.opted_in,
        transformations=(
            None
            if row.transformations is None
            else frozenset(Transformation(t) for t in row.transformations)
        ),
        styles=_frozen_or_none(row.styles),
        territories=_frozen_or_none(row.territories),
        declared_at=row.declared_at,
    )


def fill_voice_row(row: VoiceModelRow, model: VoiceModel) -> VoiceModelRow:
    """Copy ``model`` into ``row``; a stored revocation is never undone by an import."""
    row.id = model.id
    row.name = model.name
    row.owner_party_id = model.owner_party_id
    row.consent_document_sha256 = model.consent.document_sha256
    row.consent_scope = model.consent.scope
    row.consent_signed_on = model.consent.signed_on
    stored = getattr(row, "revoked_at", None)
    row.revoked_at = stored if stored is not None else model.revoked_at
    return row


def voice_of(row: VoiceModelRow) -> VoiceModel:
    return VoiceModel(
        id=row.id,
        name=row.name,
        owner_party_id=row.owner_party_id,
        consent=ConsentRecord(
            document_sha256=row.consent_document_sha256,
            scope=row.consent_scope,
            signed_on=row.consent_signed_on,
        ),
        revoked_at=row.revoked_at,
    )
