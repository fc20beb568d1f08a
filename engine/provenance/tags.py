"""Rewriting a delivered file's tags with mutagen, in each format's native frames.

Why not leave it to ffmpeg's ``-metadata``: ffmpeg writes MP3 as ID3v2.3
with the comment in a ``TXXX:comment`` frame most players ignore, and M4A
without free-form atoms, so Refrain's own fields travel packed in the
description. Here every format gets the frames players and taggers read:

- title: Opus ``title``, MP3 ``TIT2``, M4A ``©nam``
- artist ("Refrain cover of …"): ``artist``, ``TPE1``, ``©ART``
- album: ``album``, ``TALB``, ``©alb``
- comment (clip, license + version, share URL): ``description``, ``COMM`` (eng, no
  description), ``©cmt``
- Refrain's own (``REFRAIN_CLIP_ID``, ``REFRAIN_TOKEN`` when set, ``extra``): ``REFRAIN_…``,
  ``TXXX:REFRAIN_…``, free-form ``----:com.refrain:REFRAIN_…``

MP3 is written as ID3v2.4 without ID3v1. VorbisComment keys are
case-insensitive; they are written the way ffmpeg writes them (lower-case
standard names) so :func:`engine.encode.read_tags`
reports the same keys whichever tool wrote the file. Existing tags are
replaced, not merged: the file says exactly what ``tags`` and ``extra``
say, and the same input gives the same bytes.

The file is rewritten in place: call this on the freshly encoded file
before it is published (hashed, stored, or signed — a C2PA manifest must be
embedded after the tags, since it binds the bytes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mutagen.id3
import mutagen.mp3
import mutagen.mp4
import mutagen.oggopus
from mutagen import MutagenError

from core.errors import RefrainError
from engine.encode import TAG_CLIP_ID, TAG_TOKEN, ClipTags, EncodeFormat

__all__ = ["MP4_FREEFORM_MEAN", "TagError", "refrain_fields", "write_tags"]

MP4_FREEFORM_MEAN = "com.refrain"
_KEY = re.compile(r"REFRAIN_[A-Z0-9_]{1,60}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# mutagen ships py.typed but leaves its constructors and frame classes unannotated, which
# mypy --strict refuses to call; these module handles are typed Any on purpose.
_id3: Any = mutagen.id3
_mp3: Any = mutagen.mp3
_mp4: Any = mutagen.mp4
_ogg: Any = mutagen.oggopus


class TagError(RefrainError):
    """The tags could not be written (bad key, unreadable file); the message says which."""


def refrain_fields(tags: ClipTags, extra: Mapping[str, str]) -> dict[str, str]:
    """Refrain's own fields for ``tags`` and ``extra``: clip id, token when set, then ``extra``.

    Raises:
        TagError: a key of ``extra`` is not ``REFRAIN_`` + upper-case letters, digits, ``_``,
            or it would overwrite the clip id or the token.
    """
    fields = {TAG_CLIP_ID: tags.clip_id}
    if tags.token:
        fields[TAG_TOKEN] = tags.token
    for key, value in extra.items():
        if not _KEY.fullmatch(key):
            raise TagError(f"tag key {key!r} must look like REFRAIN_SOMETHING (A-Z, 0-9, _)")
        if key in fields:
            raise TagError(f"tag key {key} is set from the clip's tags, not from extra")
        fields[key] = value
    return {key: _clean(value) for key, value in fields.items()}


def write_tags(path: Path, fmt: EncodeFormat, tags: ClipTags, extra: Mapping[str, str]) -> None:
    """Replace the tags of the ``fmt`` file at ``path`` with ``tags`` and ``extra`` (in place).

    Raises:
        TagError: a bad ``extra`` key, or the file is not a readable ``fmt`` file.
    """
    fields = refrain_fields(tags, extra)
    standard = {
        "title": _clean(tags.title),
        "artist": _clean(tags.artist),
        "album": _clean(tags.album),
        "comment": _clean(tags.comment),
    }
    try:
        if fmt is EncodeFormat.OPUS:
            _write_opus(path, standard, fields)
        elif fmt is EncodeFormat.MP3:
            _write_mp3(path, standard, fields)
        else:
            _write_m4a(path, standard, fields)
    except (MutagenError, OSError) as error:
        raise TagError(f"cannot write the tags of {Path(path).name} as {fmt.name}: {error}") from None


def _write_opus(path: Path, standard: Mapping[str, str], fields: Mapping[str, str]) -> None:
    audio = _ogg.OggOpus(path)
    comments = audio.tags
    comments.clear()
    for key in ("title", "artist", "album"):
        comments[key] = [standard[key]]
    comments["description"] = [standard["comment"]]
    for key, value in fields.items():
        comments[key] = [value]
    audio.save()


def _write_mp3(path: Path, standard: Mapping[str, str], fields: Mapping[str, str]) -> None:
    _mp3.MP3(path)  # an ID3 tag can be put on anything: first make sure this is MP3 audio
    id3 = _id3.ID3()
    id3.add(_id3.TIT2(encoding=3, text=[standard["title"]]))
    id3.add(_id3.TPE1(encoding=3, text=[standard["artist"]]))
    id3.add(_id3.TALB(encoding=3, text=[standard["album"]]))
    id3.add(_id3.COMM(encoding=3, lang="eng", desc="", text=[standard["comment"]]))
    for key, value in fields.items():
        id3.add(_id3.TXXX(encoding=3, desc=key, text=[value]))
    # Replaces the ID3v2 tag ffmpeg wrote (v2.3) with this one (v2.4); no ID3v1.
    id3.save(path, v2_version=4, v1=0)


def _write_m4a(path: Path, standard: Mapping[str, str], fields: Mapping[str, str]) -> None:
    audio = _mp4.MP4(path)
    if audio.tags is None:
        audio.add_tags()
    atoms = audio.tags
    atoms.clear()
    atoms["\xa9nam"] = [standard["title"]]
    atoms["\xa9ART"] = [standard["artist"]]
    atoms["\xa9alb"] = [standard["album"]]
    atoms["\xa9cmt"] = [standard["comment"]]
    for key, value in fields.items():
        atoms[f"----:{MP4_FREEFORM_MEAN}:{key}"] = [_mp4.MP4FreeForm(value.encode("utf-8"))]
    audio.save()


def _clean(value: str) -> str:
    """Control characters break frames and ffprobe's output; they never belong in a tag."""
    return _CONTROL.sub(" ", value).strip()
