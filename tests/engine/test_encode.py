"""Encoded clips decode back to the same length, rate and loudness, with their tags."""

from __future__ import annotations

import hashlib
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from engine.encode import (
    TAG_CLIP_ID,
    TAG_TOKEN,
    ClipTags,
    EncodeFormat,
    EncodingError,
    decode_to_float,
    encode,
    ffmpeg_metadata,
    read_tags,
)
from engine.loudness import integrated_loudness
from engine.mastering import master
from tests.engine.render_signals import sine, song

RATE = 44_100
SECONDS = 4.0

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg is not installed (`make bootstrap` installs it)",
)

TAGS = ClipTags(
    title="Golden Hour (lo-fi cover)",
    artist="Refrain cover of Äva Lind",
    clip_id="clip-0192f3a4",
    license_id="lic-7",
    license_version=3,
    token="9f2c4e1a77b0d3c5",
    url="https://refrain.example/c/0192f3a4",
)


@pytest.fixture(scope="module")
def mastered() -> NDArray[np.float32]:
    return master(song(SECONDS, RATE, seed=11), RATE).audio


@needs_ffmpeg
@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_each_format_round_trips(
    fmt: EncodeFormat, mastered: NDArray[np.float32], tmp_path: Path
) -> None:
    target = tmp_path / "out" / f"clip{fmt.suffix}"
    clip = encode(mastered, RATE, fmt, target, TAGS)

    assert clip.path == target
    assert target.is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    assert clip.size_bytes == target.stat().st_size
    assert clip.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert clip.duration_s == pytest.approx(SECONDS)

    audio, sample_rate = decode_to_float(target)
    assert sample_rate == fmt.sample_rate
    assert audio.shape[0] == 2
    assert audio.shape[1] / sample_rate == pytest.approx(SECONDS, abs=0.05)
    assert integrated_loudness(audio, sample_rate) == pytest.approx(-14.0, abs=1.0)

    tags = read_tags(target)
    assert tags["title"] == TAGS.title
    assert tags["artist"] == TAGS.artist
    assert tags["album"] == "Refrain covers"
    assert "clip-0192f3a4" in tags["comment"]
    assert "lic-7 v3" in tags["comment"]
    assert tags[TAG_CLIP_ID] == TAGS.clip_id
    assert tags[TAG_TOKEN] == TAGS.token


@needs_ffmpeg
@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_the_same_audio_encodes_to_the_same_bytes(
    fmt: EncodeFormat, mastered: NDArray[np.float32], tmp_path: Path
) -> None:
    first = encode(mastered, RATE, fmt, tmp_path / f"a{fmt.suffix}", TAGS)
    second = encode(mastered, RATE, fmt, tmp_path / f"b{fmt.suffix}", TAGS)
    assert first.sha256 == second.sha256


@needs_ffmpeg
def test_mono_encodes_and_decodes_to_a_chosen_layout(tmp_path: Path) -> None:
    tone = sine(440, 1.0, RATE, dbfs=-10.0)
    clip = encode(tone, RATE, EncodeFormat.MP3, tmp_path / "mono.mp3", TAGS)
    audio, sample_rate = decode_to_float(clip.path, sample_rate=22_050, channels=2)
    assert sample_rate == 22_050
    assert audio.shape[0] == 2
    assert audio.shape[1] == pytest.approx(22_050, abs=0.05 * 22_050)


@needs_ffmpeg
def test_overwrites_the_target_in_one_step(mastered: NDArray[np.float32], tmp_path: Path) -> None:
    target = tmp_path / "clip.ogg"
    target.write_bytes(b"old")
    encode(mastered, RATE, EncodeFormat.OPUS, target, TAGS)
    assert target.read_bytes()[:4] == b"OggS"


def test_formats_know_their_suffix_and_mime_type() -> None:
    assert (EncodeFormat.OPUS.suffix, EncodeFormat.OPUS.mime_type) == (".ogg", "audio/ogg")
    assert (EncodeFormat.MP3.suffix, EncodeFormat.MP3.mime_type) == (".mp3", "audio/mpeg")
    assert (EncodeFormat.M4A.suffix, EncodeFormat.M4A.mime_type) == (".m4a", "audio/mp4")
    assert EncodeFormat.OPUS.sample_rate == 48_000


def test_tags_drop_control_characters_and_omit_a_missing_token() -> None:
    tags = ClipTags(
        title="Bad\x00title\n", artist="A", clip_id="c1", license_id="l1", license_version=1
    )
    pairs = dict(ffmpeg_metadata(tags, EncodeFormat.MP3))
    assert pairs["title"] == "Bad title"
    assert TAG_TOKEN not in pairs
    assert dict(ffmpeg_metadata(tags, EncodeFormat.M4A))["description"] == "REFRAIN_CLIP_ID=c1"


def test_missing_ffmpeg_says_how_to_install_it(
    mastered: NDArray[np.float32], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    target = tmp_path / "clip.mp3"
    with pytest.raises(EncodingError) as raised:
        encode(mastered, RATE, EncodeFormat.MP3, target, TAGS)
    assert str(raised.value) == "ffmpeg is not installed: run `apt-get install ffmpeg`"
    assert not target.exists()
    with pytest.raises(EncodingError, match="not installed"):
        read_tags(target)


def test_a_failing_ffmpeg_reports_its_last_words_and_leaves_nothing(
    mastered: NDArray[np.float32], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"
    # Exits without reading its input, as ffmpeg does when its arguments are wrong.
    fake.write_text(
        "#!/bin/sh\necho 'some banner' >&2\necho 'Unknown encoder libmp3lame' >&2\nexit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    out_dir = tmp_path / "out"
    with pytest.raises(EncodingError) as raised:
        encode(mastered, RATE, EncodeFormat.MP3, out_dir / "clip.mp3", TAGS)
    assert str(raised.value) == "ffmpeg could not encode MP3: Unknown encoder libmp3lame"
    assert list(out_dir.iterdir()) == []


@needs_ffmpeg
def test_an_unreadable_file_is_an_encoding_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 64)
    with pytest.raises(EncodingError, match=r"junk\.mp3"):
        decode_to_float(junk)


@pytest.mark.parametrize(
    "audio",
    [np.zeros((2, 0), dtype=np.float32), np.zeros((3, 10), dtype=np.float32)],
    ids=["empty", "three channels"],
)
def test_unencodable_audio_is_refused(audio: NDArray[np.float32], tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        encode(audio, RATE, EncodeFormat.OPUS, tmp_path / "x.ogg", TAGS)
