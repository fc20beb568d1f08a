"""What the domain knows about delivered audio, without touching any: formats, tags, marks.

The audio engine (``engine/``) encodes, marks and reads files; the rules
that decide which format a fan gets, what a file says about itself and
which mark names which delivery live here, and the engine is reached
through ``core.ports.DeliveryAudio``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserFacing

DEFAULT_ALBUM = "Refrain covers"


@dataclass(frozen=True)
class _FormatFacts:
    suffix: str
    mime_type: str
    sample_rate: int
    bitrate_kbps: int


class EncodeFormat(enum.Enum):
    """A delivery format, with what an upload needs to know about it."""

    OPUS = "opus"
    MP3 = "mp3"
    M4A = "m4a"

    @property
    def suffix(self) -> str:
        """File name suffix, with the dot."""
        return _FACTS[self].suffix

    @property
    def mime_type(self) -> str:
        return _FACTS[self].mime_type

    @property
    def sample_rate(self) -> int:
        """Rate of the encoded file: Opus only runs at 48 kHz."""
        return _FACTS[self].sample_rate

    @property
    def bitrate_kbps(self) -> int:
        """Default bit rate."""
        return _FACTS[self].bitrate_kbps


_FACTS = {
    # .ogg rather than .opus: Discord and Telegram both play .ogg inline.
    EncodeFormat.OPUS: _FormatFacts(".ogg", "audio/ogg", 48_000, 128),
    EncodeFormat.MP3: _FormatFacts(".mp3", "audio/mpeg", 44_100, 192),
    EncodeFormat.M4A: _FormatFacts(".m4a", "audio/mp4", 44_100, 192),
}


@dataclass(frozen=True)
class ClipTags:
    """What a delivered file says about itself.

    ``token`` is the delivery's watermark token when the file is made for one
    delivery; ``url`` a link back to the clip's share page.
    """

    title: str
    artist: str
    clip_id: str
    license_id: str
    license_version: int
    token: str | None = None
    url: str | None = None
    album: str = DEFAULT_ALBUM

    @property
    def comment(self) -> str:
        parts = [
            f"Refrain clip {self.clip_id}",
            f"license {self.license_id} v{self.license_version}",
        ]
        if self.url:
            parts.append(self.url)
        return "; ".join(parts)


@dataclass(frozen=True)
class MarkingKey:
    """The watermark key a delivery is marked with (picklable; the secret is bytes)."""

    key_id: str
    secret: bytes


@dataclass(frozen=True)
class MarkedCopy:
    """A marked, encoded, tagged (and signed) copy on disk, and the record it carries."""

    path: Path
    sha256: str  # of the final bytes
    size_bytes: int
    provenance: dict[str, Any]  # the sidecar's content, file.sha256 filled in


@dataclass(frozen=True)
class FoundMark:
    token: int
    key_id: str
    confidence: float


@dataclass(frozen=True)
class Scan:
    """What the detector made of a file: the mark if found, and how much of it the file
    could hold at all (``band_kept``, 0..1, from its sample rate) to explain a miss."""

    mark: FoundMark | None
    sample_rate: int
    band_kept: float


class UnreadableAudio(UserFacing):
    """A file that is not usable audio; ``user_message`` names only the file and why."""

    def __init__(self, path: Path | str, reason: str, *, detail: str = "") -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = Path(path)
        self.reason = reason
        self.detail = detail
        self.user_message = str(self)


__all__ = [
    "DEFAULT_ALBUM",
    "ClipTags",
    "EncodeFormat",
    "FoundMark",
    "MarkedCopy",
    "MarkingKey",
    "Scan",
    "UnreadableAudio",
]
