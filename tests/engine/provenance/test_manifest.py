"""The provenance record says what the audio is and where it comes from, and nothing private."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.model import Transformation
from engine.encode import EncodeFormat
from engine.provenance.manifest import (
    DIGITAL_SOURCE_TYPE,
    SCHEMA,
    ProvenanceError,
    manifest_json,
    parse_manifest,
    with_sha256,
)
from tests.engine.provenance.material import (
    CREATED,
    RECORDING,
    REQUESTER,
    TOKEN,
    VOICE,
    WORK,
    make_clip,
    make_manifest,
)

SHA = "0123456789abcdef" * 4


def test_a_cover_record_names_everything_a_verifier_needs() -> None:
    manifest = make_manifest(EncodeFormat.M4A, sha256=SHA)

    assert manifest["schema"] == SCHEMA == "refrain.provenance/1"
    assert manifest["generator"] == "Refrain 0.1.0"
    assert manifest["ai_generated"] is True
    assert manifest["digital_source_type"] == DIGITAL_SOURCE_TYPE
    assert manifest["kind"] == "cover"
    assert manifest["source"] == {
        "recording_id": "rec-1",
        "title": "Golden Hour",
        "artist": "Mara Vell",
        "isrc": "GBAYE2400123",
    }
    assert manifest["work"] == {"work_id": "work-1", "title": "Golden Hour", "iswc": "T-345.246.800-1"}
    assert manifest["license"] == {"license_id": "lic-7", "version": 3}
    assert manifest["style"] == {"style_id": "lofi", "name": "lo-fi"}
    assert manifest["voice_model"] is None
    assert manifest["clip_id"] == "clip-0192f3a4"
    assert manifest["delivery_id"] == "del-01"
    assert manifest["created_at"] == "2026-11-28T10:30:05Z"
    assert manifest["file"] == {"format": "m4a", "mime_type": "audio/mp4", "duration_s": 2.0, "sha256": SHA}
    assert manifest["share_url"] == "https://refrain.example/s/AbCdEfGhIjKlMnOp"
    assert manifest["statement"] == (
        "AI-generated audio: a cover of “Golden Hour” by Mara Vell, "
        "made by Refrain under license lic-7 version 3."
    )


def test_a_voice_swap_names_the_consented_voice_and_its_scope() -> None:
    clip = make_clip(Transformation.VOICE_SWAP, voice_model_id=VOICE.id)
    manifest = make_manifest(clip=clip, voice=VOICE)

    assert manifest["kind"] == "voice_swap"
    assert manifest["voice_model"] == {
        "voice_model_id": "voice-1",
        "name": "Äva Lind",
        "consent_scope": "kinds=covers; styles=*; territories=WW",
        "consent_signed_on": "2026-03-01",
    }
    assert "sung by the consented voice model “Äva Lind”" in manifest["statement"]


def test_a_remix_is_called_a_remix() -> None:
    manifest = make_manifest(clip=make_clip(Transformation.REMIX))
    assert manifest["kind"] == "remix"
    assert "a remix of “Golden Hour”" in manifest["statement"]


def test_catalog_entries_gone_keep_the_ids_and_say_null_for_the_rest() -> None:
    clip = make_clip(Transformation.VOICE_SWAP, voice_model_id="voice-gone")
    manifest = make_manifest(clip=clip, recording=None, work=None, voice=None)

    assert manifest["source"] == {"recording_id": "rec-1", "title": None, "artist": None, "isrc": None}
    assert manifest["work"] is None
    assert manifest["voice_model"]["voice_model_id"] == "voice-gone"
    assert manifest["voice_model"]["name"] is None
    assert "a licensed recording" in manifest["statement"]
    parse_manifest(manifest_json(manifest))  # still a complete record


def test_a_missing_work_still_names_its_id_from_the_recording() -> None:
    manifest = make_manifest(work=None)
    assert manifest["work"] == {"work_id": "work-1", "title": None, "iswc": None}


def test_the_record_never_carries_the_token_nor_the_requester() -> None:
    clip = make_clip(Transformation.VOICE_SWAP, voice_model_id=VOICE.id)
    text = manifest_json(make_manifest(clip=clip, voice=VOICE, sha256=SHA))

    assert TOKEN not in text
    assert str(int(TOKEN, 16)) not in text
    assert REQUESTER not in text
    assert "token" not in text.casefold()
    assert "requester" not in text.casefold()


def test_the_json_is_stable_sorted_and_round_trips() -> None:
    manifest = make_manifest(voice=None, sha256=SHA)
    text = manifest_json(manifest)

    assert text == manifest_json(json.loads(text))
    assert text.endswith("}\n")
    assert list(json.loads(text)) == sorted(manifest)
    assert "“Golden Hour”" in text  # readable UTF-8, not \\u escapes
    assert parse_manifest(text) == manifest
    assert parse_manifest(text.encode("utf-8")) == manifest


def test_created_at_is_written_in_utc_whatever_the_zone() -> None:
    elsewhere = CREATED.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert make_manifest(created_at=elsewhere)["created_at"] == "2026-11-28T10:30:05Z"


def test_with_sha256_fills_a_copy_and_clears_for_the_embedded_copy() -> None:
    manifest = make_manifest()
    assert manifest["file"]["sha256"] is None

    filled = with_sha256(manifest, SHA)
    assert filled["file"]["sha256"] == SHA
    assert manifest["file"]["sha256"] is None  # the original is untouched
    assert with_sha256(filled, None)["file"]["sha256"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"created_at": datetime(2026, 11, 28, 10, 30)}, "timezone-aware"),
        ({"sha256": "ABC"}, "64 lower-case hex"),
        ({"sha256": SHA.upper()}, "64 lower-case hex"),
        ({"recording": replace(RECORDING, id="rec-other")}, "is not the clip's"),
        ({"work": replace(WORK, id="work-other")}, "is not the recording's"),
        ({"voice": VOICE}, "is not the clip's"),
    ],
)
def test_inconsistent_input_is_refused_with_a_reason(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ProvenanceError, match=message):
        make_manifest(**overrides)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not an object"),
        ('{"schema": "refrain.provenance/2"}', "unknown provenance schema"),
        ('{"schema": "refrain.provenance/1", "ai_generated": true}', "missing .*clip_id"),
        (b"\xff\xfe\x00", "invalid JSON"),
    ],
)
def test_what_is_not_a_record_is_refused_with_a_reason(text: str | bytes, message: str) -> None:
    with pytest.raises(ProvenanceError, match=message):
        parse_manifest(text)


names = st.text(min_size=1, max_size=40)


@given(title=names, artist=names, style_name=names, delivery_id=names, license_version=st.integers(1, 10**6))
def test_any_names_round_trip_exactly_and_rights_facts_are_kept(
    title: str, artist: str, style_name: str, delivery_id: str, license_version: int
) -> None:
    """Whatever the catalog holds, the record is valid JSON that reads back to itself, and it
    always states AI generation, the clip's license and never the token."""
    clip = replace(make_clip(), license_version=license_version)
    recording = replace(RECORDING, title=title, artist=artist)
    manifest = make_manifest(clip=clip, recording=recording, style_name=style_name, delivery_id=delivery_id)
    text = manifest_json(manifest)

    assert parse_manifest(text) == manifest
    assert manifest_json(parse_manifest(text)) == text
    assert manifest["ai_generated"] is True
    assert manifest["license"] == {"license_id": clip.license_id, "version": license_version}
    assert f"license {clip.license_id} version {license_version}" in manifest["statement"]
    assert '"' + TOKEN + '"' not in text
