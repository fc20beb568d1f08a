"""The sidecar sits beside the file, reads back to the same record, and refuses what is not one."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.provenance.manifest import ProvenanceError, manifest_json, with_sha256
from engine.provenance.sidecar import read_sidecar, sidecar_path, write_sidecar
from tests.engine.provenance.material import make_manifest


def test_the_sidecar_is_named_after_the_whole_file_name() -> None:
    assert sidecar_path(Path("/x/Golden Hour (lofi cover).mp3")) == Path(
        "/x/Golden Hour (lofi cover).mp3.provenance.json"
    )
    assert sidecar_path(Path("a.ogg")) != sidecar_path(Path("a.m4a"))


def test_written_sidecar_reads_back_and_replaces_an_older_one(tmp_path: Path) -> None:
    audio = tmp_path / "clip.mp3"
    audio.write_bytes(b"stand-in: the sidecar never reads the audio")
    first = make_manifest()
    written = write_sidecar(audio, first)
    assert written == tmp_path / "clip.mp3.provenance.json"
    assert written.read_text(encoding="utf-8") == manifest_json(first)

    second = with_sha256(first, "ab" * 32)
    write_sidecar(audio, second)
    assert read_sidecar(written) == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp3", "clip.mp3.provenance.json"]


def test_missing_oversized_and_foreign_sidecars_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="cannot read"):
        read_sidecar(tmp_path / "none.provenance.json")

    huge = tmp_path / "huge.provenance.json"
    huge.write_bytes(b" " * (1024 * 1024 + 1))
    with pytest.raises(ProvenanceError, match="too large"):
        read_sidecar(huge)

    foreign = tmp_path / "foreign.provenance.json"
    foreign.write_text('{"schema": "someone.else/1"}', encoding="utf-8")
    with pytest.raises(ProvenanceError, match="unknown provenance schema"):
        read_sidecar(foreign)
