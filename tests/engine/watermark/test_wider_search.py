"""The wider search: copies sped up, slowed, time-stretched or pitch-shifted as fans' apps do it.

The fast path reads plain re-encodes and speed changes within ±5 %; when it
finds nothing, the detector searches tempo changes with the pitch kept, pitch
shifts with the tempo kept and speed changes up to ±25 %, with a stricter
acceptance rule. The transformations here are ffmpeg's own (``atempo``,
``asetrate``) or resampling, on real (synthesized, mastered) music.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import scipy.signal

from engine.encode import decode_to_float
from engine.ffmpeg import run_tool
from engine.watermark import Detection, WatermarkKey, detect, embed
from engine.watermark import detector as detector_module

SR = 44_100
TOKEN = 0x0BAD_CAFE_F00D_1234
Audio = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def marked(music: Audio, key: WatermarkKey) -> Audio:
    return embed(music, SR, TOKEN, key)


def _ffmpeg(audio: Audio, filters: str, work: Path) -> Audio:
    """``audio`` through ffmpeg's ``filters``, as a WAV file would carry it."""
    raw, out = work / "in.f32", work / "out.wav"
    np.ascontiguousarray(audio.T, dtype="<f4").tofile(raw)
    run_tool(
        "ffmpeg",
        ["-hide_banner", "-loglevel", "error", "-f", "f32le", "-ar", str(SR), "-ac", str(audio.shape[0]),
         "-i", str(raw), "-af", filters, "-y", str(out)],
        timeout_s=60.0,
        what="transform",
    )  # fmt: skip
    decoded, rate = decode_to_float(out)
    assert rate == SR
    return decoded


def _pitch_filters(semitones: float) -> str:
    ratio = 2.0 ** (semitones / 12.0)
    return f"asetrate={round(SR * ratio)},aresample={SR},atempo={1.0 / ratio:.6f}"


def _found(found: Detection | None, key: WatermarkKey) -> Detection:
    assert found is not None, "no watermark found"
    assert found.token == TOKEN and found.key_id == key.key_id
    return found


@pytest.mark.parametrize("percent", [20, -20])
def test_sped_up_and_slowed_copies(marked: Audio, key: WatermarkKey, percent: int) -> None:
    copy = scipy.signal.resample_poly(marked, 100, 100 + percent, axis=1).astype(np.float32)
    found = _found(detect(copy, SR, [key]), key)
    assert found.speed == pytest.approx(1 + percent / 100, abs=0.003)
    assert found.pitch == pytest.approx(found.speed, abs=1e-6)  # pitch moved with the tempo


@pytest.mark.parametrize("tempo", [1.08, 0.92])
def test_time_stretched_copies_keep_their_pitch(
    marked: Audio, key: WatermarkKey, tmp_path: Path, tempo: float
) -> None:
    copy = _ffmpeg(marked, f"atempo={tempo}", tmp_path)
    found = _found(detect(copy, SR, [key]), key)
    assert found.speed == pytest.approx(tempo, abs=0.003)
    assert found.pitch == pytest.approx(1.0, abs=0.001)


@pytest.mark.parametrize("semitones", [2.0, -1.5])
def test_pitch_shifted_copies_keep_their_tempo(
    marked: Audio, key: WatermarkKey, tmp_path: Path, semitones: float
) -> None:
    copy = _ffmpeg(marked, _pitch_filters(semitones), tmp_path)
    found = _found(detect(copy, SR, [key]), key)
    assert found.speed == pytest.approx(1.0, abs=0.002)
    assert found.pitch == pytest.approx(2.0 ** (semitones / 12.0), rel=0.016)  # within a quarter tone


def test_a_plain_copy_never_reaches_the_wider_search(
    marked: Audio, key: WatermarkKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the wider search ran on a copy the fast path reads")

    monkeypatch.setattr(detector_module, "_slow_window", refuse)
    _found(detect(marked, SR, [key]), key)
    faster = scipy.signal.resample_poly(marked, 100, 103, axis=1).astype(np.float32)
    _found(detect(faster, SR, [key]), key)


def test_the_wider_search_accuses_nobody(
    other_music: Audio,
    marked: Audio,
    key: WatermarkKey,
    other_key: WatermarkKey,
    tmp_path: Path,
) -> None:
    """Unmarked music, transformed or not, and marked music under another key: nothing found."""
    assert detect(_ffmpeg(other_music, "atempo=1.1", tmp_path), SR, [key]) is None
    assert detect(_ffmpeg(other_music, _pitch_filters(-2.0), tmp_path), SR, [key]) is None
    pitched = _ffmpeg(marked, _pitch_filters(2.0), tmp_path)
    assert detect(pitched, SR, [other_key]) is None


def test_the_wider_search_reads_a_bounded_number_of_windows(
    other_music: Audio, key: WatermarkKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long unmarked file costs at most SLOW_WINDOWS wide searches, whatever its length."""
    calls: list[int] = []

    def counting(mono: npt.NDArray[np.float32], *_: object) -> None:
        calls.append(mono.shape[0])

    monkeypatch.setattr(detector_module, "_slow_window", counting)
    long_file = np.tile(other_music, (1, 8))  # 160 s: four analysis windows
    assert detect(long_file, SR, [key]) is None
    assert len(calls) == detector_module.SLOW_WINDOWS
