"""Watermark keys and the patterns derived from them.

A key is an id plus a secret (from settings). Everything a detector must
guess — which band of which frame carries which coded bit and with which
sign, the sync patterns — comes from the secret through HMAC-SHA256, so a
deployment without the secret can neither read nor forge the mark, and two
keys' patterns are unrelated (a clip marked with one key never decodes with
another: its soft bits look like noise and its CRC fails).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from engine.watermark.layout import BANDS, BLOCK_FRAMES, DATA_FRAMES, SYNC_FRAMES
from engine.watermark.payload import CODED_BITS

_CONTEXT = b"refrain-watermark-v2"
GROUP = 3
"""Adjacent bands that carry the same chip (one cell), ≈ 517 Hz: see :func:`_patterns`."""


@dataclass(frozen=True)
class WatermarkKey:
    """One key: ``key_id`` is stored with each delivery; ``secret`` never leaves settings."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not self.key_id:
            raise ValueError("a watermark key needs a key id")
        if len(self.secret) < 16:
            raise ValueError("a watermark key's secret must be at least 16 bytes")


@dataclass(frozen=True, eq=False)
class KeyPatterns:
    """The key's patterns, in block coordinates.

    sync_bands: (BANDS,) ±1, the band pattern every sync frame carries;
    sync_frames: (SYNC_FRAMES,) ±1, each sync frame's sign (balanced);
    cell_bit: (DATA_FRAMES, BANDS) coded-bit index of each data cell;
    cell_sign: (DATA_FRAMES, BANDS) ±1 spreading sign of each data cell.
    """

    sync_bands: npt.NDArray[np.float64]
    sync_frames: npt.NDArray[np.float64]
    cell_bit: npt.NDArray[np.int64]
    cell_sign: npt.NDArray[np.float64]


def _balanced_signs(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    signs = np.where(np.arange(n) < n // 2, 1.0, -1.0)
    if n % 2:
        signs[-1] = rng.choice([-1.0, 1.0])
    return np.asarray(rng.permutation(signs), dtype=np.float64)


@functools.lru_cache(maxsize=16)
def _patterns(secret: bytes) -> KeyPatterns:
    seed = hmac.new(secret, _CONTEXT, hashlib.sha256).digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed, "big")))
    groups = -(-BANDS // GROUP)
    group_of_band = np.arange(BANDS) // GROUP
    cells = DATA_FRAMES * groups
    # Each bit gets an equal share of cells (±1), scattered over the whole block;
    # a cell is GROUP adjacent bands, so a codec that keeps only the energy of
    # a wider band (Opus's CELT bands above 1.6 kHz) still keeps the chip.
    bit_of_cell = rng.permutation(np.arange(cells) % CODED_BITS).reshape(DATA_FRAMES, groups)
    sign_of_cell = _balanced_signs(rng, cells).reshape(DATA_FRAMES, groups)
    sync_groups = _balanced_signs(rng, groups)
    return KeyPatterns(
        sync_bands=sync_groups[group_of_band],
        sync_frames=_balanced_signs(rng, SYNC_FRAMES),
        cell_bit=bit_of_cell[:, group_of_band].astype(np.int64),
        cell_sign=sign_of_cell[:, group_of_band],
    )


def patterns(key: WatermarkKey) -> KeyPatterns:
    """The key's patterns (cached: deriving them costs a few milliseconds)."""
    return _patterns(key.secret)


assert BLOCK_FRAMES == SYNC_FRAMES + DATA_FRAMES
