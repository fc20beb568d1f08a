"""Shared material for the voice tests: demo profiles and a melody with known notes."""

from __future__ import annotations

import pytest

from engine.synth.voices import HOUSE_SINGER, Take, melody, sing
from engine.voice.demo import demo_profile
from engine.voice.profile import VoiceProfile
from engine.voice.training import train_profile
from tests.engine.voice.voice_material import SR


@pytest.fixture(scope="session")
def ada() -> VoiceProfile:
    return demo_profile("voice-ada-nova")


@pytest.fixture(scope="session")
def kai() -> VoiceProfile:
    return demo_profile("voice-kai-orin")


@pytest.fixture(scope="session")
def house_line() -> Take:
    """Ten seconds of the demo songs' singer on a known melody (the source of a cover)."""
    return sing(melody(67, 79, 10.0, 41), HOUSE_SINGER, SR, 42, 10.0)


@pytest.fixture(scope="session")
def house_profile() -> VoiceProfile:
    """The source singer's own profile, to tell 'sounds like the source' from 'like the target'."""
    take = sing(melody(67, 81, 36.0, 7), HOUSE_SINGER, SR, 8, 36.0)
    return train_profile([take.audio], SR)
