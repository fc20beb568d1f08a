"""A stored rights world for royalty tests: the demo catalog plus one clip per rights situation.

Used by the storage and CLI tests; it talks only to the ``Stores`` ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.catalog.demo import ACTIVE_VOICE_ID, REVOKED_VOICE_ID, demo_catalog
from core.ids import new_id
from core.model import Clip, RenderRequest, RequestState, Transformation
from core.ports import Stores

SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ClipSpec:
    clip_id: str
    recording_id: str
    transformation: Transformation
    voice: str | None
    duration_s: float = 25.0


CLIPS = (
    ClipSpec("clip-gh-cover", "rec-golden-hour", Transformation.COVER, None),
    ClipSpec("clip-gh-voice", "rec-golden-hour", Transformation.VOICE_SWAP, ACTIVE_VOICE_ID, 40.0),
    # the voice was revoked in 2025: its LIKENESS share must go to ESCROW
    ClipSpec("clip-vc-voice", "rec-velvet-compass", Transformation.VOICE_SWAP, REVOKED_VOICE_ID),
    # the work was opted out in 2025: its publishing side must go to ESCROW
    ClipSpec("clip-lanterns", "rec-lanterns-on-the-water", Transformation.COVER, None, 60.0),
    ClipSpec("clip-ps-remix", "rec-paper-satellites", Transformation.REMIX, None),
    ClipSpec("clip-cobalt", "rec-cobalt-staircase", Transformation.COVER, None, 90.0),
)
CLIP_IDS = tuple(c.clip_id for c in CLIPS)


async def seed_world(stores: Stores) -> None:
    """Import the demo catalog and create the clips (idempotent)."""
    if await stores.clips.get(CLIPS[0].clip_id) is not None:
        return
    await stores.catalog.import_batch(demo_catalog().batch, SEEDED_AT)
    user = await stores.users.get_or_create("console", "creator", "Creator", SEEDED_AT)
    for spec in CLIPS:
        license_ = await stores.catalog.current_license(spec.recording_id)
        assert license_ is not None
        request = RenderRequest(
            id=new_id(), idempotency_key=f"seed:{spec.clip_id}", user_id=user.id,
            scope_id="seed", channel_id=None, transformation=spec.transformation,
            recording_id=spec.recording_id, style="lofi", voice_model_id=spec.voice,
            seconds=int(spec.duration_s), license_id=license_.id,
            license_version=license_.version, territory="WW", state=RequestState.DELIVERED,
            created_at=SEEDED_AT, updated_at=SEEDED_AT,
        )
        stored, _ = await stores.requests.create(request, [], SEEDED_AT)
        await stores.clips.add(
            Clip(
                id=spec.clip_id, request_id=stored.id, recording_id=spec.recording_id,
                transformation=spec.transformation, style="lofi", voice_model_id=spec.voice,
                license_id=license_.id, license_version=license_.version,
                requester_id=user.id, audio_sha256="ab" * 32, duration_s=spec.duration_s,
                watermark_token=None, created_at=SEEDED_AT,
            )
        )
