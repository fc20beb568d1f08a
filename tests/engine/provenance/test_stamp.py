"""stamp_file: tags, then C2PA, then the sha256 of exactly the bytes handed out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.encode import TAG_CLIP_ID, EncodeFormat, read_tags
from engine.provenance.c2pa_embed import C2paSigner, c2pa_available, load_signer, read_c2pa
from engine.provenance.manifest import manifest_json, parse_manifest
from engine.provenance.sidecar import read_sidecar, write_sidecar
from engine.provenance.stamp import stamp_file
from tests.engine.provenance.material import CLIP_TAGS, make_manifest, needs_ffmpeg

pytestmark = needs_ffmpeg

needs_c2pa = pytest.mark.skipif(not c2pa_available(), reason="c2pa-python is not installed")


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> C2paSigner:
    return load_signer(tmp_path_factory.mktemp("c2pa"))


@needs_c2pa
@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_a_stamped_delivery_carries_every_layer(
    fmt: EncodeFormat, signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    manifest = make_manifest(fmt)

    stamped = stamp_file(path, fmt, CLIP_TAGS, {"REFRAIN_DELIVERY_ID": "del-01"}, manifest, signer)

    final = path.read_bytes()
    assert stamped.sha256 == hashlib.sha256(final).hexdigest()
    assert stamped.size_bytes == len(final)
    assert stamped.manifest["file"]["sha256"] == stamped.sha256
    assert stamped.manifest == {**manifest, "file": {**manifest["file"], "sha256": stamped.sha256}}
    assert read_tags(path)[TAG_CLIP_ID] == CLIP_TAGS.clip_id
    assert stamped.c2pa is (fmt is not EncodeFormat.OPUS)
    reading = read_c2pa(path, fmt, trust_anchors_pem=signer.trust_anchors_pem)
    if stamped.c2pa:
        assert reading is not None and reading.state == "Trusted" and reading.ai_generated
    else:
        assert reading is None
    sidecar = write_sidecar(path, stamped.manifest)
    assert read_sidecar(sidecar)["file"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", list(EncodeFormat))
def test_without_a_signer_the_file_is_tagged_and_hashed_only(
    fmt: EncodeFormat, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    stamped = stamp_file(path, fmt, CLIP_TAGS, {}, make_manifest(fmt), None)

    assert stamped.c2pa is False
    assert stamped.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parse_manifest(manifest_json(stamped.manifest))["file"]["sha256"] == stamped.sha256
    assert read_tags(path)["comment"] == CLIP_TAGS.comment
