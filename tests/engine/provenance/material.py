"""Shared material for the provenance tests: catalog objects, a manifest, a tone."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest

from core.model import Clip, ConsentRecord, Recording, Transformation, VoiceModel, Work
from engine.encode import ClipTags, EncodeFormat
from engine.provenance.manifest import build_manifest

RATE = 44_100
TOKEN = "9f3c5a7e11d2b4c8"  # a delivery's watermark token: must never reach a manifest
REQUESTER = "user-4711-secret"  # the requester: must never reach a manifest

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg is not installed (`make bootstrap` installs it)",
)

WORK = Work(id="work-1", title="Golden Hour", iswc="T-345.246.800-1")
RECORDING = Recording(
    id="rec-1",
    work_id="work-1",
    title="Golden Hour",
    artist="Mara Vell",
    isrc="GBAYE2400123",
    duration_s=200.0,
)
VOICE = VoiceModel(
    id="voice-1",
    name="Äva Lind",
    owner_party_id="party-ava",
    consent=ConsentRecord(
        document_sha256="ab" * 32, scope="kinds=covers; styles=*; territories=WW", signed_on=date(2026, 3, 1)
    ),
)
CREATED = datetime(2026, 11, 28, 10, 30, 5, tzinfo=UTC)


def make_clip(
    transformation: Transformation = Transformation.COVER, voice_model_id: str | None = None
) -> Clip:
    return Clip(
        id="clip-0192f3a4",
        request_id="req-1",
        recording_id=RECORDING.id,
        transformation=transformation,
        style="lofi",
        voice_model_id=voice_model_id,
        license_id="lic-7",
        license_version=3,
        requester_id=REQUESTER,
        audio_sha256="cd" * 32,
        duration_s=2.0,
        watermark_token=TOKEN,
        created_at=CREATED,
    )


def make_manifest(fmt: EncodeFormat = EncodeFormat.MP3, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "generator_version": "0.1.0",
        "clip": make_clip(),
        "recording": RECORDING,
        "work": WORK,
        "voice": None,
        "style_name": "lo-fi",
        "delivery_id": "del-01",
        "created_at": CREATED,
        "fmt": fmt,
        "duration_s": 2.0,
        "share_url": "https://refrain.example/s/AbCdEfGhIjKlMnOp",
    }
    arguments.update(overrides)
    return build_manifest(**arguments)


CLIP_TAGS = ClipTags(
    title="Golden Hour (lo-fi cover)",
    artist="Refrain cover of Mara Vell",
    clip_id="clip-0192f3a4",
    license_id="lic-7",
    license_version=3,
    token=TOKEN,
    url="https://refrain.example/s/AbCdEfGhIjKlMnOp",
)


def tone(seconds: float = 2.0) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A stereo two-partial tone: real audio for real encoders."""
    t = np.arange(int(RATE * seconds)) / RATE
    left = 0.25 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 1320 * t)
    right = 0.25 * np.sin(2 * np.pi * 554.37 * t)
    return np.stack([left, right]).astype(np.float32)
