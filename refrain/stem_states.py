"""Where each recording's stems stand, for `refrain catalog list` and `… warm`.

Read from what already records it, so no table is needed: provided stems on
the recording, the stem index beside the blobs, the warm list (queued or
being separated, see ``jobs.warming``), and whether separation weights are
installed at all.
"""

from __future__ import annotations

import asyncio
import enum

from core.model import Recording
from jobs import has_separation_weights
from refrain.app import App
from storage import FileStemIndex, WarmState


class StemState(enum.Enum):
    READY = "ready"
    QUEUED = "queued"
    SEPARATING = "separating"
    NOT_SEPARATED = "not separated"
    NO_WEIGHTS = "missing model weights"
    NO_AUDIO = "no audio"


async def stem_state(app: App, recording: Recording) -> StemState:
    """The state of one recording's stems under the installed model."""
    if recording.stems:
        return StemState.READY
    if not recording.audio_sha256:
        return StemState.NO_AUDIO
    warm = await asyncio.to_thread(app.warm_list.state, recording.id)
    if warm is WarmState.READY:
        key = app.warm_list.ready_key(recording.id)
        index = FileStemIndex(app.settings.blobs_dir / "stem-index")
        if key is not None and await index.get(key) is not None:
            return StemState.READY
        warm = None
    if not has_separation_weights(app.settings):
        return StemState.NO_WEIGHTS
    if warm is WarmState.SEPARATING:
        return StemState.SEPARATING
    if warm is WarmState.QUEUED:
        return StemState.QUEUED
    return StemState.NOT_SEPARATED
