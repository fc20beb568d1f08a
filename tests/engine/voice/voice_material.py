"""Material shared by the voice tests: the sample rate and a stereo helper."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SR = 44_100


def stereo(mono: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.stack([mono, 0.9 * mono]).astype(np.float32)
