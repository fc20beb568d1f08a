"""The provenance record that travels with a delivered clip (schema ``refrain.provenance/1``).

Why: a clip found in the wild should say, without asking Refrain, that it
is AI-generated, under which license and from which recording. The same
record is written as a JSON sidecar next to the file (``X.provenance.json``)
and, where the format can carry one, embedded as a custom assertion of a
signed C2PA manifest (:mod:`engine.provenance.c2pa_embed`).

Because it travels with the file, it names the delivery only by its id:
never the watermark token (which would let anyone strip or forge the mark's
meaning) and never the requester or recipient (listener privacy). Whoever
holds the database can join ``delivery_id`` back to the hand-over.

Schema ``refrain.provenance/1`` (every key always present; ``null`` where
unknown; times ISO 8601 UTC with a ``Z``)::

    schema          "refrain.provenance/1"
    generator       "Refrain <version>"
    ai_generated    true
    digital_source_type
                    IPTC term, ".../digitalsourcetype/trainedAlgorithmicMedia"
    kind            "cover" | "remix" | "voice_swap"
    statement       one human sentence saying all of the above
    source          {recording_id, title, artist, isrc}   the recording transformed
    work            {work_id, title, iswc}                 the composition (or null)
    license         {license_id, version}
    style           {style_id, name}
    voice_model     {voice_model_id, name, consent_scope, consent_signed_on} or null
    clip_id         the rendered clip every delivery of it shares
    delivery_id     this copy
    created_at      when this copy was made
    file            {format: "opus"|"mp3"|"m4a", mime_type, duration_s, sha256}
    share_url       the copy's public share page (or null)

``file.sha256`` is the sha256 of the delivered file's final bytes (tags and
any embedded C2PA manifest included), for exact matches. It is ``null`` in
the copy embedded inside the file itself: a file cannot contain its own
hash, and C2PA's hard binding already covers the audio there.

A later schema that only adds keys keeps ``/1``; one that renames or
removes keys is ``/2``. Readers check :data:`SCHEMA` first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.errors import UserFacing
from core.model import Clip, Recording, Transformation, VoiceModel, Work
from engine.encode import EncodeFormat

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "SCHEMA",
    "ProvenanceError",
    "build_manifest",
    "manifest_json",
    "parse_manifest",
    "with_sha256",
]

SCHEMA = "refrain.provenance/1"
DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

_KIND: dict[Transformation, str] = {
    Transformation.COVER: "cover",
    Transformation.REMIX: "remix",
    Transformation.VOICE_SWAP: "voice_swap",
}
_KIND_WORDS = {"cover": "cover", "remix": "remix", "voice_swap": "voice-swapped cover"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOP_KEYS = frozenset(
    {
        "schema", "generator", "ai_generated", "digital_source_type", "kind", "statement",
        "source", "work", "license", "style", "voice_model", "clip_id", "delivery_id",
        "created_at", "file", "share_url",
    }
)  # fmt: skip


class ProvenanceError(UserFacing, ValueError):
    """A provenance record that cannot be built or is not one of ours; the message says why."""


def build_manifest(
    *,
    generator_version: str,
    clip: Clip,
    recording: Recording | None,
    work: Work | None,
    voice: VoiceModel | None,
    style_name: str,
    delivery_id: str,
    created_at: datetime,
    fmt: EncodeFormat,
    duration_s: float,
    share_url: str | None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """The provenance record of one delivered copy of ``clip`` (see the module docstring).

    ``recording``/``work``/``voice`` are the catalog entries the clip points
    to, or ``None`` when the catalog no longer has them (the ids then still
    come from the clip). ``sha256`` is usually filled in later with
    :func:`with_sha256`, once the file's final bytes exist.

    Raises:
        ProvenanceError: a naive ``created_at``, a malformed ``sha256``, or
            catalog entries that do not belong to ``clip``.
    """
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ProvenanceError("created_at must be timezone-aware (UTC)")
    if recording is not None and recording.id != clip.recording_id:
        raise ProvenanceError(f"recording {recording.id} is not the clip's ({clip.recording_id})")
    if work is not None and recording is not None and work.id != recording.work_id:
        raise ProvenanceError(f"work {work.id} is not the recording's ({recording.work_id})")
    if voice is not None and voice.id != clip.voice_model_id:
        raise ProvenanceError(f"voice model {voice.id} is not the clip's ({clip.voice_model_id})")
    kind = _KIND[clip.transformation]
    title = recording.title if recording else None
    artist = recording.artist if recording else None
    voice_id = voice.id if voice else clip.voice_model_id
    manifest: dict[str, Any] = {
        "schema": SCHEMA,
        "generator": f"Refrain {generator_version}",
        "ai_generated": True,
        "digital_source_type": DIGITAL_SOURCE_TYPE,
        "kind": kind,
        "statement": _statement(kind, title, artist, clip.license_id, clip.license_version, voice),
        "source": {
            "recording_id": clip.recording_id,
            "title": title,
            "artist": artist,
            "isrc": recording.isrc if recording else None,
        },
        "work": (
            {"work_id": work.id, "title": work.title, "iswc": work.iswc}
            if work is not None
            else (
                {"work_id": recording.work_id, "title": None, "iswc": None} if recording is not None else None
            )
        ),
        "license": {"license_id": clip.license_id, "version": clip.license_version},
        "style": {"style_id": clip.style, "name": style_name},
        "voice_model": (
            None
            if voice_id is None
            else {
                "voice_model_id": voice_id,
                "name": voice.name if voice else None,
                "consent_scope": voice.consent.scope if voice else None,
                "consent_signed_on": voice.consent.signed_on.isoformat() if voice else None,
            }
        ),
        "clip_id": clip.id,
        "delivery_id": delivery_id,
        "created_at": _utc(created_at),
        "file": {
            "format": fmt.value,
            "mime_type": fmt.mime_type,
            "duration_s": round(float(duration_s), 3),
            "sha256": None,
        },
        "share_url": share_url,
    }
    return with_sha256(manifest, sha256) if sha256 is not None else manifest


def with_sha256(manifest: Mapping[str, Any], sha256: str | None) -> dict[str, Any]:
    """A copy of ``manifest`` naming the delivered file's final sha256 (``None``: the embedded copy).

    Raises:
        ProvenanceError: ``sha256`` is not 64 lower-case hex digits.
    """
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        raise ProvenanceError("sha256 must be 64 lower-case hex digits")
    copy = dict(manifest)
    copy["file"] = {**manifest["file"], "sha256": sha256}
    return copy


def manifest_json(manifest: Mapping[str, Any]) -> str:
    """Stable JSON text: sorted keys, two-space indent, UTF-8 kept readable, one final newline.

    The same record always gives the same bytes, so a sidecar can itself be
    hashed or compared.
    """
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def parse_manifest(text: str | bytes) -> dict[str, Any]:
    """Read a sidecar (or an embedded copy) back, checking it is a Refrain record we understand.

    Raises:
        ProvenanceError: not JSON, not an object, another schema, or keys missing.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProvenanceError(f"not a provenance record: invalid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ProvenanceError("not a provenance record: the JSON is not an object")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ProvenanceError(f"unknown provenance schema {schema!r} (this Refrain reads {SCHEMA})")
    missing = sorted(_TOP_KEYS - data.keys())
    if missing:
        raise ProvenanceError(f"provenance record is missing {', '.join(missing)}")
    return data


def _statement(
    kind: str,
    title: str | None,
    artist: str | None,
    license_id: str,
    license_version: int,
    voice: VoiceModel | None,
) -> str:
    song = f"“{title}” by {artist}" if title and artist else "a licensed recording"
    voice_part = f", sung by the consented voice model “{voice.name}”" if voice else ""
    return (
        f"AI-generated audio: a {_KIND_WORDS[kind]} of {song}{voice_part}, "
        f"made by Refrain under license {license_id} version {license_version}."
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
