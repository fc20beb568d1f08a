"""Where the mark lives: frames, bands, the block and its sync frames.

Everything is defined at 44.1 kHz on a grid of 1024-sample frames. A block
of :data:`BLOCK_FRAMES` frames (≈ 13.2 s) carries the whole payload once and
repeats back to back over the clip, so a detector can soft-combine every
repetition, and any ≈ 13 s excerpt (or two partial blocks) holds it all.

Every :data:`SYNC_EVERY`-th frame of a block is a sync frame: all its bands
carry a key-derived known pattern, which the detector searches for to find
the block phase and the playback speed. The other frames carry data cells
(three adjacent bands of one frame, ≈ 517 Hz: a low-rate codec such as Opus
keeps the energy of its wide high bands but not how it splits inside them),
each assigned by the key to one of the 240 coded bits, so each bit is spread
over ≈ 36 cells across the whole block. The sync pattern uses the same groups.

Bands are 4 FFT bins wide (single bins smear into their neighbours through
the window and cancel) from 861 Hz to 10 kHz: below, the bass holds the
energy and the mark would cost too much SNR; above, 22 kHz resampling and
low-rate codecs remove it. The bands above 6 kHz take a deeper base
modulation (:data:`DELTA_HIGH_DB`): they hold little energy, so it costs
little SNR, and at 32-64 kb/s they still carry much of the detection power.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 44_100
FRAME = 1024
BIN_LO = 20
BIN_WIDTH = 4
BANDS = 53
BIN_HI = BIN_LO + BIN_WIDTH * BANDS  # 232, exclusive: ≈ 9.99 kHz
BLOCK_FRAMES = 570
SYNC_EVERY = 6
SYNC_FRAMES = BLOCK_FRAMES // SYNC_EVERY
DATA_FRAMES = BLOCK_FRAMES - SYNC_FRAMES
BLOCK_SECONDS = BLOCK_FRAMES * FRAME / SAMPLE_RATE
MIN_CLIP_SECONDS = 8.0
"""Shorter clips are still marked, but a detector sees too little of a block to promise a token."""

_SPLIT_HZ = 6000.0
DELTA_LOW_DB = 0.8
DELTA_HIGH_DB = 2.2
TARGET_SNR_DB = 30.5


def band_kept(sample_rate: float) -> float:
    """The share of the mark's bands a copy at ``sample_rate`` still holds (0..1).

    A band survives only below the copy's Nyquist frequency: 22.05 kHz and up
    keep all of it, 16 kHz about three quarters, telephone quality (8 kHz) a
    third, and below ≈ 1.7 kHz nothing is left to read.
    """
    tops_hz = (BIN_LO + BIN_WIDTH * (np.arange(BANDS) + 1)) * SAMPLE_RATE / FRAME
    return float(np.mean(tops_hz <= sample_rate / 2))


def embed_capacity_s() -> float:
    """Seconds of audio that carry the payload once (one block)."""
    return BLOCK_SECONDS


def band_delta_db() -> npt.NDArray[np.float64]:
    """Base strength per band: the bands above 6 kHz hold little energy, so a
    deeper modulation there costs little SNR and buys detection power."""
    centre_hz = (BIN_LO + BIN_WIDTH * (np.arange(BANDS) + 0.5)) * SAMPLE_RATE / FRAME
    return np.where(centre_hz < _SPLIT_HZ, DELTA_LOW_DB, DELTA_HIGH_DB)


def is_sync_frame(position: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each block position (0..BLOCK_FRAMES-1) is a sync frame."""
    return np.asarray(position % SYNC_EVERY == 0)


SYNC_POSITIONS = np.flatnonzero(is_sync_frame(np.arange(BLOCK_FRAMES)))
DATA_POSITIONS = np.flatnonzero(~is_sync_frame(np.arange(BLOCK_FRAMES)))
