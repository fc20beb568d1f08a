"""`refrain catalog warm --here`: separate the warm list in this process, with progress bars.

Long CLI operations show ``tqdm`` bars (on stderr, so piped output stays
clean): one over the recordings, one over the segments of the song being
separated.
"""

from __future__ import annotations

from tqdm import tqdm

from core.model import Recording
from jobs import SeparatedStems, StemWarmer, separation_source
from refrain.app import App
from refrain.clikit import UserError

_STEPS = 1000  # the segment bar counts thousandths of a song


async def warm_here(app: App) -> int:
    """Separate every queued recording now; how many were separated."""
    separated = separation_source(app.settings, app.blobs)
    if not isinstance(separated, SeparatedStems):
        raise UserError(
            f"No separation weights in {app.settings.models_dir}: install them with "
            "`refrain models install PATH`; the recordings stay queued."
        )
    queued = len(app.warm_list.queued())
    songs = tqdm(total=queued, desc="recordings", unit="song", position=0)
    segments = tqdm(total=_STEPS, desc="separating", unit="‰", position=1, leave=False)

    begun = 0

    def started(recording: Recording) -> None:
        nonlocal begun
        if begun:
            songs.update(1)
        begun += 1
        segments.reset()
        segments.set_description(recording.title[:30])

    def step(fraction: float) -> None:
        segments.update(max(0, round(fraction * _STEPS) - segments.n))

    separated.segment_progress = step
    try:
        warmer = StemWarmer(app.stores.catalog, separated, app.warm_list)
        warmed = await warmer.run_once(started)
        songs.update(songs.total - songs.n)
    finally:
        segments.close()
        songs.close()
    return warmed
