"""Cut-off files, hiss-only files and server paths (needs the proposed io.py patch)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from engine.io import UnsupportedAudio, load_audio, probe_audio, write_audio

SR = 44_100


def _tone(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    mono = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    return np.stack([mono, mono])


def _truncated(path: Path) -> Path:
    cut = path.with_name(f"cut{path.suffix}")
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    return cut


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_refuses_a_cut_off_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"song{suffix}"
    write_audio(path, _tone())
    with pytest.raises(UnsupportedAudio, match="cut off"):
        load_audio(_truncated(path))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="SKIPPED LOUDLY: ffmpeg missing; MP3 untested")
def test_refuses_a_cut_off_mp3(tmp_path: Path) -> None:
    write_audio(tmp_path / "song.wav", _tone())
    mp3 = tmp_path / "song.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / "song.wav"), str(mp3)], check=True)
    with pytest.raises(UnsupportedAudio, match="cut off"):
        load_audio(_truncated(mp3))


def test_refuses_hiss_only(tmp_path: Path) -> None:
    hiss = (np.random.default_rng(2).standard_normal((2, SR)) * 3e-5).astype(np.float32)
    write_audio(tmp_path / "hiss.wav", hiss)
    with pytest.raises(UnsupportedAudio, match="silent"):
        load_audio(tmp_path / "hiss.wav")


def test_user_message_does_not_show_server_folders(tmp_path: Path) -> None:
    (tmp_path / "noise.bin").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(UnsupportedAudio) as caught:
        load_audio(tmp_path / "noise.bin")
    assert str(tmp_path) not in caught.value.user_message


def test_probe_reads_the_header(tmp_path: Path) -> None:
    write_audio(tmp_path / "song.flac", _tone())
    info = probe_audio(tmp_path / "song.flac")
    assert (info.duration_s, info.sample_rate, info.channels, info.format) == (2.0, SR, 2, "FLAC")
