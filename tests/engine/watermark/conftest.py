"""Real music for the watermark tests: one demo-catalog song rendered once per session."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from core.catalog.demo import demo_catalog
from engine.render import render_clip
from engine.synth import SongSpec, render_song
from engine.watermark import WatermarkKey

SR = 44_100


@pytest.fixture(scope="session")
def music() -> npt.NDArray[np.float32]:
    """30 s of a demo song in its original style, mastered like a delivered clip."""
    song = demo_catalog().songs[0]
    stems = render_song(SongSpec(song.title, song.tempo_bpm, song.key, song.progression, 34.0), song.seed)
    clip = render_clip(stems.stems, "original", 30.0, seed=1)
    assert clip.sample_rate == SR
    return clip.audio


@pytest.fixture(scope="session")
def other_music() -> npt.NDArray[np.float32]:
    """20 s of another demo song in another style (for the unmarked cases)."""
    song = demo_catalog().songs[3]
    stems = render_song(SongSpec(song.title, song.tempo_bpm, song.key, song.progression, 24.0), song.seed)
    return render_clip(stems.stems, "acoustic", 20.0, seed=2).audio


@pytest.fixture(scope="session")
def key() -> WatermarkKey:
    return WatermarkKey("test-key-1", b"test secret number one, 32 bytes")


@pytest.fixture(scope="session")
def other_key() -> WatermarkKey:
    return WatermarkKey("test-key-2", b"another deployment's secret!!!!!")
