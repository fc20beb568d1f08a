"""Generated textures that are not notes: vinyl crackle and surface hiss."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from engine.styles._take import Take

FloatArray = npt.NDArray[np.float32]


def vinyl_crackle(take: Take) -> FloatArray:
    """Random ticks and the odd pop over a faint hiss, different in each ear.

    Ticks are a sparse impulse train (Poisson, heavy-tailed sizes) shaped by a
    tiny kernel, so the whole texture is a few vectorised operations.
    """
    sr, n, rng = take.sample_rate, take.n, take.rng
    density = take.num("ticks_per_s", 7.0)
    hiss = take.num("hiss", 0.05)
    seconds = n / sr
    out = np.zeros((2, n), dtype=np.float32)
    kernel = np.array([1.0, -0.7, 0.35, -0.15], dtype=np.float32)
    for ch in range(2):
        count = int(rng.poisson(density * seconds))
        pos = rng.integers(0, n, count)
        size = np.minimum(rng.pareto(2.5, count) + 0.2, 6.0).astype(np.float32)
        sign = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), count)
        clicks = np.zeros(n, dtype=np.float32)
        np.add.at(clicks, pos, size * sign)
        out[ch] = np.convolve(clicks, kernel, mode="same")
        out[ch] += hiss * rng.standard_normal(n, dtype=np.float32)
    return out
