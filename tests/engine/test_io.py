"""Loading audio: WAV, FLAC and (through ffmpeg) compressed files; clear refusals for the rest."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from engine.io import UnsupportedAudio, encode_flac_bytes, load_audio, to_stereo_44k, write_audio

SR = 44_100
HAVE_FFMPEG = shutil.which("ffmpeg") is not None
needs_ffmpeg = pytest.mark.skipif(
    not HAVE_FFMPEG,
    reason="SKIPPED LOUDLY: ffmpeg is not installed, so MP3/M4A decoding is untested here; "
    "run `apt-get install -y ffmpeg`",
)


def _tone(seconds: float = 1.0, channels: int = 2, rate: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    return np.stack([mono * (1.0 - 0.3 * c) for c in range(channels)])


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "tone.wav"
    write_audio(path, _tone())
    return path


def _ffmpeg(src: Path, dst: Path, *args: str) -> Path:
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-i", str(src), *args, str(dst)], check=True)
    return dst


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_wav_and_flac_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tone{suffix}"
    write_audio(path, _tone())
    audio = load_audio(path)
    assert audio.sample_rate == SR and audio.samples.shape == (2, SR)
    assert audio.samples.dtype == np.float32
    assert np.max(np.abs(audio.samples - _tone())) < 1e-4


@needs_ffmpeg
@pytest.mark.parametrize(("suffix", "args"), [(".mp3", ()), (".m4a", ("-c:a", "aac")), (".opus", ())])
def test_compressed_files_decode(wav: Path, tmp_path: Path, suffix: str, args: tuple[str, ...]) -> None:
    audio = load_audio(_ffmpeg(wav, tmp_path / f"tone{suffix}", *args))
    assert audio.samples.shape[0] == 2
    assert audio.duration_s == pytest.approx(1.0, abs=0.06)
    assert 0.2 < float(np.max(np.abs(audio.samples))) < 1.0


def test_to_stereo_44k_resamples_and_keeps_pitch(tmp_path: Path) -> None:
    path = tmp_path / "mono22k.wav"
    sf.write(str(path), _tone(channels=1, rate=22_050).T, 22_050, subtype="FLOAT")
    audio = to_stereo_44k(load_audio(path))
    assert audio.sample_rate == SR and audio.samples.shape == (2, SR)
    spectrum = np.abs(np.fft.rfft(audio.samples[0]))
    assert np.fft.rfftfreq(SR, 1 / SR)[int(np.argmax(spectrum))] == pytest.approx(440.0, abs=1.0)


def test_flac_bytes_are_lossless_to_24_bits() -> None:
    data, rate = sf.read(io.BytesIO(encode_flac_bytes(_tone())), dtype="float32", always_2d=True)
    assert rate == SR
    assert np.max(np.abs(data.T - _tone())) < 1e-6


def _refused(path: Path, **kwargs: float) -> UnsupportedAudio:
    with pytest.raises(UnsupportedAudio) as caught:
        load_audio(path, **kwargs)
    assert caught.value.user_message.startswith(path.name)
    return caught.value


def test_refuses_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp3").write_bytes(b"")
    assert "empty" in _refused(tmp_path / "empty.mp3").reason


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _refused(tmp_path / "nowhere.wav").reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("noise.mp3", np.random.default_rng(0).bytes(4096)),
        ("riff.wav", b"RIFF" + np.random.default_rng(1).bytes(4096)),
        ("notes.flac", b"this is a shopping list, not a song\n" * 10),
    ],
)
def test_refuses_garbage(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    _refused(tmp_path / name)


def test_refuses_a_header_without_audio(wav: Path, tmp_path: Path) -> None:
    cut = tmp_path / "header.wav"
    cut.write_bytes(wav.read_bytes()[:60])
    _refused(cut)


def test_refuses_silence(tmp_path: Path) -> None:
    write_audio(tmp_path / "silence.wav", np.zeros((2, SR), np.float32))
    assert _refused(tmp_path / "silence.wav").reason == "is silent"


def test_refuses_too_long(wav: Path) -> None:
    assert "limit is" in _refused(wav, max_seconds=0.5).reason
    assert load_audio(wav, max_seconds=2.0).duration_s == pytest.approx(1.0)


def test_refuses_surround_and_nan(tmp_path: Path) -> None:
    write_audio(tmp_path / "six.wav", np.tile(_tone()[:1], (6, 1)))
    assert "6 channels" in _refused(tmp_path / "six.wav").reason
    sf.write(str(tmp_path / "nan.wav"), np.full((SR, 2), np.nan, np.float32), SR, subtype="FLOAT")
    assert "invalid samples" in _refused(tmp_path / "nan.wav").reason
