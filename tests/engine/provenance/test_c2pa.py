"""A signed C2PA manifest goes into MP3 and M4A offline, reads back, and exposes tampering."""

from __future__ import annotations

import multiprocessing
import stat
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.encode import TAG_CLIP_ID, EncodeFormat, decode_to_float, read_tags
from engine.provenance.c2pa_embed import (
    ANCHORS_FILE,
    SIGNER_FILE,
    C2paError,
    C2paSigner,
    c2pa_available,
    embed_c2pa,
    load_signer,
    read_c2pa,
)
from engine.provenance.manifest import with_sha256
from engine.provenance.tags import write_tags
from tests.engine.provenance.material import CLIP_TAGS, make_manifest, needs_ffmpeg

pytestmark = [
    needs_ffmpeg,
    pytest.mark.skipif(not c2pa_available(), reason="c2pa-python is not installed"),
]

SIGNABLE = [EncodeFormat.MP3, EncodeFormat.M4A]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> C2paSigner:
    return load_signer(tmp_path_factory.mktemp("c2pa"))


def test_the_signer_is_made_once_kept_private_and_reloaded(tmp_path: Path) -> None:
    first = load_signer(tmp_path / "keys")
    again = load_signer(tmp_path / "keys")

    assert again == first
    assert stat.S_IMODE((tmp_path / "keys" / SIGNER_FILE).stat().st_mode) == 0o600
    assert first.private_key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert first.cert_chain_pem.count(b"BEGIN CERTIFICATE") == 2  # signer, then its root
    assert first.trust_anchors_pem.count(b"BEGIN CERTIFICATE") == 1
    assert first.trust_anchors_pem in first.cert_chain_pem
    assert b"PRIVATE" not in (tmp_path / "keys" / ANCHORS_FILE).read_bytes()


def test_an_expiring_signer_is_renewed_and_old_files_stay_trusted(
    tmp_path: Path, encoded: Callable[[EncodeFormat], Path]
) -> None:
    keys = tmp_path / "keys"
    old = load_signer(keys, now=datetime.now(UTC) - timedelta(days=710))
    old_file = encoded(EncodeFormat.MP3)
    embed_c2pa(old_file, EncodeFormat.MP3, make_manifest(), old)

    renewed = load_signer(keys)  # the old one expires in < 30 days

    assert renewed.private_key_pem != old.private_key_pem
    assert renewed.not_after > old.not_after
    assert renewed.trust_anchors_pem.count(b"BEGIN CERTIFICATE") == 2
    reading = read_c2pa(old_file, EncodeFormat.MP3, trust_anchors_pem=renewed.trust_anchors_pem)
    assert reading is not None and reading.state == "Trusted"


def test_an_unreadable_signer_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / SIGNER_FILE).write_bytes(b"garbage")
    with pytest.raises(C2paError, match="no private key and certificate chain"):
        load_signer(tmp_path)


@pytest.mark.parametrize("fmt", SIGNABLE)
def test_a_tagged_file_gets_a_trusted_ai_generated_manifest(
    fmt: EncodeFormat, signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    write_tags(path, fmt, CLIP_TAGS, {"REFRAIN_DELIVERY_ID": "del-01"})
    audio_before, _ = decode_to_float(path)
    manifest = with_sha256(make_manifest(fmt), "ab" * 32)

    assert embed_c2pa(path, fmt, manifest, signer) is True

    reading = read_c2pa(path, fmt, trust_anchors_pem=signer.trust_anchors_pem)
    assert reading is not None
    assert (reading.state, reading.failures, reading.intact) == ("Trusted", (), True)
    assert reading.ai_generated
    assert reading.signer_name == "Refrain provenance signer"
    assert reading.provenance == with_sha256(manifest, None)  # the file cannot hold its own hash
    # Tags and audio survive the embedding.
    assert read_tags(path)[TAG_CLIP_ID] == CLIP_TAGS.clip_id
    assert read_tags(path)["REFRAIN_DELIVERY_ID"] == "del-01"
    audio_after, _ = decode_to_float(path)
    assert (audio_after == audio_before).all()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("fmt", SIGNABLE)
def test_without_our_anchor_the_signature_is_valid_but_untrusted(
    fmt: EncodeFormat, signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    embed_c2pa(path, fmt, make_manifest(fmt), signer)

    reading = read_c2pa(path, fmt)

    assert reading is not None
    assert reading.state == "Valid"
    assert reading.failures == ("signingCredential.untrusted",)
    assert reading.ai_generated


@pytest.mark.parametrize("fmt", SIGNABLE)
def test_edited_audio_reads_as_invalid(
    fmt: EncodeFormat, signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(fmt)
    embed_c2pa(path, fmt, make_manifest(fmt), signer)
    data = bytearray(path.read_bytes())
    data[-300] ^= 0xFF  # audio frames at the end, away from the manifest
    path.write_bytes(bytes(data))

    reading = read_c2pa(path, fmt, trust_anchors_pem=signer.trust_anchors_pem)

    assert reading is not None
    assert reading.state == "Invalid"
    assert not reading.intact
    assert any("mismatch" in code for code in reading.failures)


@pytest.mark.parametrize("fmt", SIGNABLE)
def test_an_unsigned_file_has_no_manifest(fmt: EncodeFormat, encoded: Callable[[EncodeFormat], Path]) -> None:
    assert read_c2pa(encoded(fmt), fmt) is None


def test_opus_cannot_carry_one_and_is_left_untouched(
    signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(EncodeFormat.OPUS)
    original = path.read_bytes()

    assert embed_c2pa(path, EncodeFormat.OPUS, make_manifest(EncodeFormat.OPUS), signer) is False
    assert path.read_bytes() == original
    assert read_c2pa(path, EncodeFormat.OPUS) is None


def test_a_record_of_another_schema_is_not_embedded(
    signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    path = encoded(EncodeFormat.MP3)
    original = path.read_bytes()
    with pytest.raises(C2paError, match=r"not a refrain\.provenance/1 record"):
        embed_c2pa(path, EncodeFormat.MP3, {"schema": "other/1"}, signer)
    assert path.read_bytes() == original


def test_a_broken_file_gives_a_clear_error_and_stays_as_it_was(signer: C2paSigner, tmp_path: Path) -> None:
    path = tmp_path / "broken.m4a"
    path.write_bytes(b"not an mp4 file" * 50)
    with pytest.raises(C2paError, match=r"could not sign a C2PA manifest into broken\.m4a"):
        embed_c2pa(path, EncodeFormat.M4A, make_manifest(EncodeFormat.M4A), signer)
    assert path.read_bytes() == b"not an mp4 file" * 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.m4a"]


def test_signing_works_in_the_audio_process_pool(
    signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    """Deliveries are marked in a forkserver pool: the signer must pickle, the SDK load there."""
    path = encoded(EncodeFormat.M4A)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        signed = pool.submit(embed_c2pa, path, EncodeFormat.M4A, make_manifest(EncodeFormat.M4A), signer)
        assert signed.result(timeout=120) is True
    reading = read_c2pa(path, EncodeFormat.M4A, trust_anchors_pem=signer.trust_anchors_pem)
    assert reading is not None and reading.state == "Trusted"


def test_concurrent_signing_in_threads_keeps_every_file_intact(
    signer: C2paSigner, encoded: Callable[[EncodeFormat], Path]
) -> None:
    """The app marks deliveries in the event loop's thread pool (executor None): several at once."""
    jobs = [(encoded(fmt), fmt) for fmt in SIGNABLE * 4]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: embed_c2pa(job[0], job[1], make_manifest(job[1]), signer), jobs))
    assert results == [True] * len(jobs)
    for path, fmt in jobs:
        reading = read_c2pa(path, fmt, trust_anchors_pem=signer.trust_anchors_pem)
        assert reading is not None and reading.state == "Trusted"
