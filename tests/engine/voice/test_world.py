"""The WORLD converter: lengths, silence, pitch and timbre on synthetic singing with known truth."""

from __future__ import annotations

import numpy as np
import pytest

from engine.synth.instruments import midi_hz
from engine.synth.voices import Take
from engine.voice import VoiceError, VoiceProfile, apply_voice
from engine.voice.metrics import embedding, note_pitches, similarity
from engine.voice.world import WorldConverter, estimate_warp, warp_envelope
from tests.engine.voice.voice_material import SR, stereo


def test_length_and_shape_equal_the_input_for_any_length(house_line: Take, ada: VoiceProfile) -> None:
    for start, n in ((0, house_line.audio.size), (0, 123_457), (SR, 4_410)):
        vocal = stereo(house_line.audio[start : start + n])
        sung = WorldConverter().convert(vocal, SR, ada)
        assert sung.shape == vocal.shape
        assert sung.dtype == np.float32
        assert np.isfinite(sung).all()
        assert float(np.abs(sung).max()) > 0.01  # something was sung
    mono = WorldConverter().convert(house_line.audio[:50_000], SR, ada)
    assert mono.shape == (50_000,)


def test_silence_in_is_silence_out(house_line: Take, ada: VoiceProfile) -> None:
    silent = np.zeros((2, SR * 3), dtype=np.float32)
    assert not np.any(WorldConverter().convert(silent, SR, ada))
    # Rests inside a line stay digital silence too, and the singing stays where it was.
    vocal = np.concatenate((np.zeros(SR * 2, np.float32), house_line.audio[: SR * 3],
                            np.zeros(SR * 2, np.float32)))
    sung = WorldConverter().convert(vocal, SR, ada)
    assert not np.any(sung[: int(1.9 * SR)])
    assert not np.any(sung[int(5.1 * SR):])
    energy_in = np.abs(vocal[2 * SR : 5 * SR]).mean()
    assert np.abs(sung[2 * SR : 5 * SR]).mean() > 0.3 * energy_in


@pytest.mark.parametrize("key_shift", [0.0, 3.0, -2.0])
def test_melody_is_transposed_by_the_key_shift_plus_whole_octaves(
    house_line: Take, kai: VoiceProfile, key_shift: float
) -> None:
    converter = WorldConverter()
    sung, report = converter.convert_with_report(house_line.audio, SR, kai, key_shift_semitones=key_shift)
    assert report.pitch.key_shift == key_shift
    # Kai is a baritone: the house soprano's line must come down, by whole octaves only.
    assert report.pitch.octave_shift < 0
    spans = [(n.start_s, n.seconds) for n in house_line.notes if n.seconds >= 0.25]
    heard = note_pitches(sung, SR, spans)
    wanted = np.array([midi_hz(n.midi + report.pitch.semitones) for n in house_line.notes
                       if n.seconds >= 0.25])
    voiced = heard > 0
    assert voiced.mean() > 0.9
    cents = 1200 * np.abs(np.log2(heard[voiced] / wanted[voiced]))
    assert np.all(cents < 100), cents.max()  # every note within a semitone
    assert np.median(cents) < 30


def test_statistics_mode_lands_on_the_target_register(house_line: Take, kai: VoiceProfile) -> None:
    sung, _ = WorldConverter(pitch_mode="statistics").convert_with_report(house_line.audio, SR, kai)
    heard = note_pitches(sung, SR, [(n.start_s, n.seconds) for n in house_line.notes])
    mean_log = float(np.mean(np.log(heard[heard > 0])))
    assert abs(mean_log - kai.f0_log_mean) < np.log(2) / 4  # within 3 semitones of Kai's mean


def test_converted_voice_sounds_more_like_the_target_than_the_source(
    house_line: Take, ada: VoiceProfile, kai: VoiceProfile, house_profile: VoiceProfile
) -> None:
    for target in (ada, kai):
        sung = WorldConverter().convert(house_line.audio, SR, target)
        heard = embedding([sung], SR)
        to_target = similarity(heard, target.embedding)
        to_source = similarity(heard, house_profile.embedding)
        before = similarity(embedding([house_line.audio], SR), target.embedding)
        assert to_target > to_source
        assert to_target > before  # conversion moved it towards the target


def test_apply_voice_swaps_only_the_vocals(house_line: Take, ada: VoiceProfile) -> None:
    n = house_line.audio.size
    rng = np.random.default_rng(3)
    stems = {
        name: (0.1 * rng.standard_normal((2, n))).astype(np.float32)
        for name in ("drums", "bass", "other")
    }
    stems["vocals"] = stereo(house_line.audio)
    out = apply_voice(stems, SR, ada, key_shift_semitones=2.0)
    assert set(out) == set(stems)
    for name in ("drums", "bass", "other"):
        assert out[name] is stems[name]
    assert out["vocals"].shape == stems["vocals"].shape
    assert out["vocals"].dtype == np.float32
    assert not np.array_equal(out["vocals"], stems["vocals"])
    assert stems["vocals"] is not out["vocals"]  # the caller's dict is left alone


def test_apply_voice_refuses_what_it_cannot_convert(ada: VoiceProfile) -> None:
    with pytest.raises(VoiceError, match="no 'vocals' stem"):
        apply_voice({"drums": np.zeros((2, 100), np.float32)}, SR, ada)
    with pytest.raises(VoiceError, match="48000 Hz"):
        apply_voice({"vocals": np.zeros((2, 100), np.float32)}, 48_000, ada)
    bad = np.full((2, 1000), np.nan, dtype=np.float32)
    with pytest.raises(VoiceError, match="invalid samples"):
        apply_voice({"vocals": bad}, SR, ada)


def test_warp_estimate_finds_a_known_formant_shift() -> None:
    grid = np.geomspace(150.0, 8000.0, 256)
    def curve(scale: float) -> np.ndarray:
        logs = sum(np.exp(-0.5 * ((np.log2(grid) - np.log2(f * scale)) / 0.12) ** 2)
                   for f in (600.0, 1200.0, 2700.0))
        return np.asarray(logs - 0.3 * np.log2(grid), dtype=np.float64)
    assert estimate_warp(curve(1.0), curve(0.88)) == pytest.approx(0.88, rel=0.02)
    assert estimate_warp(curve(1.0), curve(1.15)) == pytest.approx(1.15, rel=0.02)
    assert estimate_warp(curve(1.0), curve(1.0)) == pytest.approx(1.0, abs=0.01)
    sp = np.tile(np.linspace(1.0, 2.0, 513), (3, 1))
    assert np.array_equal(warp_envelope(sp, 1.0), sp)
    assert warp_envelope(sp, 0.5)[0, 100] == pytest.approx(sp[0, 200])
