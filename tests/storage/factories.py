"""A small, complete rights world for storage tests, and helpers to fill a database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from core.ids import new_id
from core.model import (
    UNCLAIMED_PARTY_ID,
    ConsentRecord,
    License,
    LicenseTerms,
    OptDeclaration,
    Party,
    PartyKind,
    Recording,
    RenderRequest,
    RequestState,
    RightType,
    Share,
    SubjectKind,
    Transformation,
    User,
    VoiceModel,
    Work,
)
from core.ports import CatalogBatch, Reservation, Stores

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 28, tzinfo=UTC)


def terms(max_free: int = 30, styles: frozenset[str] | None = None) -> LicenseTerms:
    return LicenseTerms(
        transformations=frozenset({Transformation.COVER, Transformation.VOICE_SWAP}),
        styles=styles,
        voice_models=frozenset({"voice-ada"}),
        max_seconds_by_tier={"free": max_free, "pro": 120},
        territories=frozenset({"WW"}),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_to=None,
        bucket_templates={
            Transformation.COVER: {
                RightType.PERF: Fraction(3, 10),
                RightType.MECH: Fraction(3, 10),
                RightType.MASTER: Fraction(2, 5),
            },
            Transformation.VOICE_SWAP: {
                RightType.PERF: Fraction(1, 3),
                RightType.MECH: Fraction(1, 3),
                RightType.LIKENESS: Fraction(1, 3),
            },
        },
    )


def catalog() -> CatalogBatch:
    parties = [
        Party("party-label", "Big Label", PartyKind.LABEL),
        Party("party-pub", "Pub House", PartyKind.PUBLISHER, ipi="00012345678"),
        Party("party-writer", "Wren Writer", PartyKind.SONGWRITER, independent=True),
        Party("party-voice", "Ada Voice", PartyKind.VOICE_OWNER, payout_currency="USD"),
        Party(UNCLAIMED_PARTY_ID, "Unclaimed", PartyKind.SYSTEM),
    ]
    works = [
        Work("work-1", "Golden Hour", "T-123.456.789-C"),
        Work("work-2", "Night Drive", "T-987.654.321-0"),
    ]
    recordings = [
        Recording(
            "rec-1",
            "work-1",
            "Golden Hour",
            "Wren",
            "US-AB1-26-00001",
            181.5,
            aliases=("golden", "hour"),
        ),
        Recording("rec-2", "work-2", "Night Drive", "Wren", "US-AB1-26-00002", 200.0),
    ]
    shares = [
        Share(SubjectKind.WORK, "work-1", "party-pub", RightType.PERF, Fraction(1, 3)),
        Share(SubjectKind.WORK, "work-1", "party-writer", RightType.PERF, Fraction(2, 3)),
        Share(
            SubjectKind.WORK,
            "work-1",
            "party-pub",
            RightType.MECH,
            Fraction(1),
            territory="DE",
            valid_from=date(2026, 1, 1),
            valid_to=date(2027, 1, 1),
        ),
        Share(SubjectKind.RECORDING, "rec-1", "party-label", RightType.MASTER, Fraction(1)),
        Share(SubjectKind.VOICE_MODEL, "voice-ada", "party-voice", RightType.LIKENESS, Fraction(1)),
    ]
    voices = [
        VoiceModel(
            "voice-ada",
            "Ada",
            "party-voice",
            ConsentRecord("ab" * 32, "covers of catalog songs", date(2026, 3, 1)),
        )
    ]
    opts = [
        OptDeclaration(
            SubjectKind.WORK,
            "work-2",
            "party-writer",
            opted_in=True,
            transformations=frozenset({Transformation.COVER}),
            styles=frozenset({"lofi"}),
            territories=None,
            declared_at=T0 - timedelta(days=2),
        )
    ]
    return CatalogBatch(
        parties=parties,
        works=works,
        recordings=recordings,
        shares=shares,
        licenses=[("rec-1", terms()), ("rec-2", terms(styles=frozenset({"lofi"})))],
        opt_declarations=opts,
        voice_models=voices,
    )


@dataclass(frozen=True)
class Seeded:
    user: User
    license: License
    recording_id: str = "rec-1"


async def seed(stores: Stores, platform_user_id: str = "alice") -> Seeded:
    """Import the catalog and create one user; what request tests start from."""
    await stores.catalog.import_batch(catalog(), T0)
    user = await stores.users.get_or_create("console", platform_user_id, "Alice", T0)
    license_ = await stores.catalog.current_license("rec-1")
    assert license_ is not None
    return Seeded(user, license_)


def render_request(
    seeded: Seeded,
    *,
    key: str | None = None,
    seconds: int = 10,
    user_id: str | None = None,
    scope_id: str = "guild-1",
    at: datetime = T0,
) -> RenderRequest:
    request_id = new_id()
    return RenderRequest(
        id=request_id,
        idempotency_key=key or f"console:{request_id}",
        user_id=user_id or seeded.user.id,
        scope_id=scope_id,
        channel_id="general",
        transformation=Transformation.COVER,
        recording_id=seeded.recording_id,
        style="lofi",
        voice_model_id=None,
        seconds=seconds,
        license_id=seeded.license.id,
        license_version=seeded.license.version,
        territory="WW",
        state=RequestState.QUEUED,
        created_at=at,
        updated_at=at,
    )


def user_reservation(user_id: str, seconds: int, limit: int = 60) -> Reservation:
    return Reservation(f"user:{user_id}", seconds, limit, DAY)


def with_state(request: RenderRequest, state: RequestState) -> RenderRequest:
    return dataclasses.replace(request, state=state)
