"""Finding full-band dropouts: short holes where the whole band stops at once.

A hole of 20–40 ms at each bar line sounds like a skipping CD, yet it hides
in loudness figures (a median barely moves). So the level is read in 20-ms
frames every 5 ms, and a frame counts as a dropout when it is ``depth_db``
below the music on *both* sides of it (the median level 30–150 ms before and
after): a fade-out or a rest before a loud entry is quiet on one side only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FRAME_S = 0.020
HOP_S = 0.005
_SIDE = (0.030, 0.150)  # how far from the frame its neighbours are read, in seconds


def frame_levels_db(audio: npt.NDArray[np.floating], sample_rate: int) -> npt.NDArray[np.float64]:
    """RMS level (dBFS) of each 20-ms frame, one frame every 5 ms, of a mono or stereo signal."""
    x = np.asarray(audio, dtype=np.float64)
    mono = x.mean(axis=0) if x.ndim == 2 else x
    frame, hop = round(FRAME_S * sample_rate), round(HOP_S * sample_rate)
    if mono.shape[0] < frame:
        return np.zeros(0)
    power = np.convolve(mono**2, np.ones(frame) / frame, mode="valid")[::hop]
    return np.asarray(10.0 * np.log10(np.maximum(power, 1e-20)), dtype=np.float64)


def dropouts(
    audio: npt.NDArray[np.floating], sample_rate: int, *, depth_db: float = 30.0
) -> list[float]:
    """Start times (s) of the frames inside the music that are ``depth_db`` below both sides.

    "Inside the music" runs from the first to the last frame within 40 dB of
    the loudest one, so the silence before the first note and after the last
    one is not a dropout. Neighbouring hits of one hole are reported once.
    """
    levels = frame_levels_db(audio, sample_rate)
    if levels.size == 0:
        return []
    loud = np.nonzero(levels > levels.max() - 40.0)[0]
    first, last = int(loud[0]), int(loud[-1])
    near, far = round(_SIDE[0] / HOP_S), round(_SIDE[1] / HOP_S)
    found: list[float] = []
    for i in range(first + far, last - far + 1):
        before = float(np.median(levels[i - far : i - near + 1]))
        after = float(np.median(levels[i + near : i + far + 1]))
        if levels[i] < min(before, after) - depth_db:
            t = i * HOP_S
            if not found or t - found[-1] > 0.1:
                found.append(t)
    return found
