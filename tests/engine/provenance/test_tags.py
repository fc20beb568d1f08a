"""mutagen writes each format's native frames, and ffprobe (read_tags) reads the same values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import mutagen.id3
import mutagen.mp4
import mutagen.oggopus
import pytest

from engine.encode import TAG_CLIP_ID, TAG_TOKEN, EncodeFormat, decode_to_float, read_tags
from engine.provenance.tags import TagError, write_tags
from tests.engine.provenance.material import CLIP_TAGS, TOKEN, needs_ffmpeg

pytestmark = needs_ffmpeg

# mutagen's constructors are unannotated (see engine/provenance/tags.py).
_id3: Any = mutagen.id3
_mp4: Any = mutagen.mp4
_ogg: Any = mutagen.oggopus

EXTRA = {"REFRAIN_DELIVERY_ID": "del-01", "REFRAIN_LICENSE": "lic-7 v3"}
COMMENT = "Refrain clip clip-0192f3a4; license lic-7 v3; https://refrain.example/s/AbCdEfGhIjKlMnOp"
EXPECTED = {
    "title": "Golden Hour (lo-fi cover)",
    "artist": "Refrain cover of Mara Vell",
    "album": "Refrain covers",
    "comment": COMMENT,
    TAG_CLIP_ID: "clip-0192f3a4",
    TAG_TOKEN: TOKEN,
    **EXTRA,
}


def native(path: Path, fmt: EncodeFormat) -> dict[str, str]:
    """The tags as mutagen reads them, in each format's own frames, under common names."""
    if fmt is EncodeFormat.OPUS:
        pairs = list(_ogg.OggOpus(path).tags)  # (key, value) as stored, case kept
        found = dict(pairs)
        assert len(found) == len(pairs)  # one value per key
        found["comment"] = found.pop("description")
        return found
    if fmt is EncodeFormat.MP3:
        id3 = _id3.ID3(path)
        assert id3.version == (2, 4, 0)
        found = {
            "title": str(id3["TIT2"]),
            "artist": str(id3["TPE1"]),
            "album": str(id3["TALB"]),
            "comment": str(id3["COMM::eng"]),
        }
        found.update({frame.desc: str(frame) for frame in id3.getall("TXXX")})
        assert len(id3) == 4 + len(id3.getall("TXXX"))  # ffmpeg's TXXX:comment is gone
        return found
    atoms = _mp4.MP4(path).tags
    found = {"title": atoms["\xa9nam"][0], "artist": atoms["\xa9ART"][0], "album": atoms["\xa9alb"][0]}
    found["comment"] = atoms["\xa9cmt"][0]
    for key, values in atoms.items():
        if key.startswith("----:com.refrain:"):
            found[key.removeprefix("----:com.refrain:")] = bytes(values[0]).decode("utf-8")
    assert "desc" not in atoms  # the packed description ffmpeg needed is replaced
    return found


@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_mutagen_and_ffprobe_agree_on_every_tag(
    fmt: EncodeFormat, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    before, rate = decode_to_float(path)

    write_tags(path, fmt, CLIP_TAGS, EXTRA)

    assert native(path, fmt) == EXPECTED
    probed = read_tags(path)
    assert {key: probed.get(key) for key in EXPECTED} == EXPECTED
    after, rate_after = decode_to_float(path)
    assert (rate_after, after.shape) == (rate, before.shape)
    assert (after == before).all()  # tags only: the audio is untouched


@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_the_same_tags_give_the_same_bytes(
    fmt: EncodeFormat, encoded: Callable[[EncodeFormat], Path]
) -> None:
    first, second = encoded(fmt), encoded(fmt)
    write_tags(first, fmt, CLIP_TAGS, EXTRA)
    write_tags(second, fmt, CLIP_TAGS, EXTRA)
    write_tags(second, fmt, CLIP_TAGS, EXTRA)  # twice: replaced, not accumulated
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_control_characters_and_no_token_are_handled(
    fmt: EncodeFormat, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    tags = replace(CLIP_TAGS, title="Golden\nHour\x00 (cover)\t", token=None)

    write_tags(path, fmt, tags, {})

    probed = read_tags(path)
    assert probed["title"] == "Golden Hour  (cover)"
    assert TAG_TOKEN not in probed
    assert native(path, fmt)["title"] == "Golden Hour  (cover)"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"delivery": "x"}, "must look like REFRAIN_"),
        ({"REFRAIN_bad": "x"}, "must look like REFRAIN_"),
        ({"REFRAIN_CLIP_ID": "forged"}, "set from the clip's tags"),
        ({"REFRAIN_TOKEN": "forged"}, "set from the clip's tags"),
    ],
)
def test_bad_extra_keys_are_refused_before_the_file_is_touched(
    extra: dict[str, str], message: str, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(EncodeFormat.MP3)
    original = path.read_bytes()
    with pytest.raises(TagError, match=message):
        write_tags(path, EncodeFormat.MP3, CLIP_TAGS, extra)
    assert path.read_bytes() == original


@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_a_file_that_is_not_that_format_gives_a_clear_error(fmt: EncodeFormat, tmp_path: Path) -> None:
    path = tmp_path / f"not-audio{fmt.suffix}"
    path.write_bytes(b"this is not audio at all" * 20)
    with pytest.raises(TagError, match=f"cannot write the tags of not-audio.* as {fmt.name}"):
        write_tags(path, fmt, CLIP_TAGS, {})


def test_a_missing_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TagError, match=r"cannot write the tags of gone\.ogg"):
        write_tags(tmp_path / "gone.ogg", EncodeFormat.OPUS, CLIP_TAGS, {})
