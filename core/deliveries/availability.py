"""Whether a clip may still be handed out: takedowns, revoked voices, opted-out works.

One rule for every door a clip leaves by — the bots (deliver, re-send,
inline share) and the web (share page, stream answers 410) — so a takedown or
a revocation stops them all at once.
"""

from __future__ import annotations

from core.model import Clip, SubjectKind
from core.ports import Stores


async def withdrawn_reason(clip: Clip, stores: Stores) -> str | None:
    """Why ``clip`` can no longer be delivered or streamed, in words; None when it can."""
    takedown = await stores.deliveries.takedown_of(clip.id)
    if takedown is not None:
        return f"This clip was taken down ({takedown.why})."
    if clip.voice_model_id:
        voice = await stores.catalog.get_voice_model(clip.voice_model_id)
        if voice is None or voice.revoked:
            return "The voice in this clip is no longer licensed: its owner withdrew consent."
    recording = await stores.catalog.get_recording(clip.recording_id)
    if recording is None:
        return "The song of this clip was removed from the catalog."
    # imported lazily: core.requests imports this package's neighbours
    from core.requests.service import latest_declaration

    declarations = await stores.catalog.opt_declarations(SubjectKind.WORK, recording.work_id)
    declarations += await stores.catalog.opt_declarations(SubjectKind.RECORDING, recording.id)
    in_force = latest_declaration(declarations)
    if in_force is not None and not in_force.opted_in:
        return "The rights holder withdrew this song from Refrain, so its clips are no longer shared."
    return None
