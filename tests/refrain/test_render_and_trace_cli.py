"""`refrain render`, `refrain trace` and `refrain takedown` on the command line, end to end."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.model import QuotaEntryKind, RequestState
from refrain.app import open_app
from refrain.cli import main
from tests.support.faults import read_only
from tests.support.rendering import RenderWorld, build_render_world


def _used_by_the_cli(built: RenderWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RenderWorld:
    monkeypatch.setenv("REFRAIN_DATABASE_URL", built.settings.database_url)
    monkeypatch.setenv("REFRAIN_BLOBS_DIR", str(built.settings.blobs_dir))
    monkeypatch.setenv("REFRAIN_WORKERS", "0")
    monkeypatch.setenv("REFRAIN_PROVENANCE__C2PA_DIR", str(tmp_path / "c2pa"))
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    return built


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RenderWorld:
    built = await build_render_world(tmp_path, song_seconds=20.0)
    return _used_by_the_cli(built, tmp_path, monkeypatch)


@pytest.fixture
async def regional(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RenderWorld:
    """The song behind the stems is licensed in AT, CH and DE only."""
    built = await build_render_world(tmp_path, song_seconds=12.0, regional=True)
    return _used_by_the_cli(built, tmp_path, monkeypatch)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_render_writes_a_marked_file_with_its_provenance_and_trace_finds_it(
    world: RenderWorld, tmp_path: Path
) -> None:
    out = tmp_path / "mine.mp3"
    code, text = run("render", "--song", world.song, "--style", "lofi", "--seconds", "15",
                     "--out", str(out))
    assert code == 0, text
    assert out.stat().st_size > 10_000 and "provenance" in text
    record = json.loads(out.with_name("mine.mp3.provenance.json").read_text())
    assert record["schema"] == "refrain.provenance/1" and record["ai_generated"] is True
    assert record["source"]["title"] == world.song and record["kind"] == "cover"
    code, text = run("trace", str(out))
    assert code == 0 and "exact copy" in text and "local operator" in text
    leaked = tmp_path / "leaked.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-c:a", "libopus", "-b:a", "64k",
                    str(leaked)], check=True)
    code, text = run("trace", str(leaked), "--fan-view")
    assert code == 0 and "Genuine licensed Refrain clip" in text and "operator" not in text
    code, text = run("takedown", str(leaked), "--why", "testing takedowns")
    assert code == 0 and "taken down" in text
    code, text = run("takedown", str(leaked), "--why", "again")
    assert code == 0 and "already taken down" in text


def test_render_refuses_what_the_license_does_not_allow(world: RenderWorld, tmp_path: Path) -> None:
    code, text = run("render", "--song", "Nonexistent Anthem", "--style", "lofi",
                     "--out", str(tmp_path / "x.opus"))
    assert code == 1 and "Nonexistent Anthem" in text
    assert not (tmp_path / "x.opus").exists()


def test_trace_of_a_file_that_is_not_audio_says_so(world: RenderWorld, tmp_path: Path) -> None:
    junk = tmp_path / "notes.mp3"
    junk.write_text("definitely not audio " * 50)
    code, text = run("trace", str(junk))
    assert code == 1 and "could not read" in text


async def test_render_into_a_read_only_blob_store_says_so_and_charges_nothing(
    world: RenderWorld, tmp_path: Path
) -> None:
    """A cached cover, then the store refuses writes: a plain message, not a traceback,
    and the request is not charged (it waits, saved, for a store that takes files)."""
    first = tmp_path / "first.ogg"
    code, text = await asyncio.to_thread(
        run, "render", "--song", world.song, "--style", "lofi", "--seconds", "6", "--out",
        str(first)
    )
    assert code == 0, text
    with read_only(world.settings.blobs_dir):
        code, text = await asyncio.to_thread(
            run, "render", "--song", world.song, "--style", "lofi", "--seconds", "6",
            "--wait", "5", "--out", str(tmp_path / "second.ogg")
        )
    assert code == 1 and "Traceback" not in text, text
    assert "not finished" in text and "Nothing is charged" in text
    assert not (tmp_path / "second.ogg").exists()
    async with open_app(world.settings) as app:
        requests = await app.stores.requests.list_in_states(frozenset(RequestState))
        waiting = [r for r in requests if r.state is not RequestState.DELIVERED]
        [left] = waiting
        assert left.state is RequestState.QUEUED and left.delivery_id is None
        entries = await app.stores.quota.entries(f"user:{left.user_id}")
        mine = [e.kind for e in entries if e.request_id == left.id]
        assert mine == [QuotaEntryKind.RESERVE]  # held, not charged


def test_render_takes_the_operators_country_for_a_territory_limited_song(
    regional: RenderWorld, tmp_path: Path
) -> None:
    out = tmp_path / "here.opus"
    base = ("render", "--song", regional.song, "--style", "lofi", "--seconds", "8", "--out", str(out))
    code, text = run(*base)
    assert code == 1 and "AT, CH" in text and "DE" in text
    assert "--country DE" in text or "--country AT" in text
    assert "settings country" not in text and "Traceback" not in text
    code, text = run(*base, "--country", "DX")
    assert code == 2 and "DX" in text and "country code" in text
    code, text = run(*base, "--country", "uk")
    assert code == 2 and "did you mean GB" in text
    code, text = run(*base, "--country", "FR")
    assert code == 1 and "isn't licensed in FR" in text and "settings country" not in text
    assert not out.exists()
    code, text = run(*base, "--country", "de")
    assert code == 0, text
    assert out.stat().st_size > 5_000
