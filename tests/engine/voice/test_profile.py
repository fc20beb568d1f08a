"""Learning a voice profile: the bad references are refused in words, the good one round-trips."""

from __future__ import annotations

import numpy as np
import pytest

from engine.synth.voices import DEMO_TIMBRES, reference_singing
from engine.voice import ReferenceAudioError, VoiceProfile, VoiceProfileError, train_profile
from engine.voice.demo import demo_profile
from tests.engine.voice.voice_material import SR


def test_reference_singing_is_deterministic_and_long_enough() -> None:
    a, b = reference_singing("voice-kai-orin"), reference_singing("voice-kai-orin")
    assert np.array_equal(a.audio, b.audio)
    assert a.audio.size / SR >= 30
    with pytest.raises(KeyError, match="voice-ada-nova"):
        reference_singing("voice-nobody")


def test_demo_profiles_differ_and_round_trip_through_bytes() -> None:
    profiles = {vid: demo_profile(vid) for vid in DEMO_TIMBRES}
    assert len({p.sha256 for p in profiles.values()}) == len(profiles)
    for profile in profiles.values():
        data = profile.to_bytes()
        again = VoiceProfile.from_bytes(data)
        assert again.to_bytes() == data
        assert again.f0_log_mean == profile.f0_log_mean
        assert np.array_equal(again.mcep_std, profile.mcep_std)
        assert profile.reference_seconds >= 30
    # Registers follow the singers: the baritone sits lowest.
    assert profiles["voice-kai-orin"].f0_log_mean < profiles["voice-ada-nova"].f0_log_mean


def test_corrupt_or_foreign_profile_bytes_are_a_clear_error() -> None:
    with pytest.raises(VoiceProfileError, match="cannot be read"):
        VoiceProfile.from_bytes(b"not a profile")
    good = demo_profile("voice-ada-nova").to_bytes()
    with pytest.raises(VoiceProfileError):
        VoiceProfile.from_bytes(good[: len(good) // 2])


def test_too_little_singing_is_refused() -> None:
    take = reference_singing("voice-ada-nova")
    with pytest.raises(ReferenceAudioError, match="at least 30 s"):
        train_profile([take.audio[: 20 * SR]], SR)
    # Padding with silence does not help: silence is not singing.
    padded = np.concatenate((take.audio[: 20 * SR], np.zeros(20 * SR, np.float32)))
    with pytest.raises(ReferenceAudioError, match="silence does not count"):
        train_profile([padded], SR)
    # Two shorter recordings that add up are fine.
    profile = train_profile([take.audio[: 20 * SR], take.audio[20 * SR :]], SR)
    assert profile.reference_seconds >= 30


def test_wrong_rate_clipped_silent_and_empty_references_are_refused() -> None:
    take = reference_singing("voice-ada-nova")
    with pytest.raises(ReferenceAudioError, match=r"22050 Hz.*44100 Hz"):
        train_profile([take.audio], 22_050)
    clipped = np.clip(take.audio * 6.0, -1.0, 1.0)
    with pytest.raises(ReferenceAudioError, match="clipped"):
        train_profile([clipped], SR, labels=["loud.wav"])
    with pytest.raises(ReferenceAudioError, match=r"silent\.wav is silent"):
        train_profile([take.audio, np.zeros(SR * 5, np.float32)], SR, labels=["ok.wav", "silent.wav"])
    with pytest.raises(ReferenceAudioError, match="no reference recordings"):
        train_profile([], SR)
    noise = (0.1 * np.random.default_rng(1).standard_normal(SR * 35)).astype(np.float32)
    with pytest.raises(ReferenceAudioError, match="must be singing"):
        train_profile([noise], SR)
