"""`refrain voices`: register with consent, refuse bad input in words, revoke, list by song."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from core.catalog.demo import demo_catalog
from engine.synth.voices import reference_singing
from refrain.cli import main
from refrain.commands.voices_cli import voices
from storage.database import Database

if "voices" not in main.commands:  # until refrain/cli.py registers the group
    main.add_command(voices)

SR = 44_100


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "REFRAIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "REFRAIN_BLOBS_DIR": str(tmp_path / "blobs"),
        "REFRAIN_DEMO_DIR": str(tmp_path / "demo"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    assert run("db", "upgrade")[0] == 0

    async def load() -> None:
        database = await Database.open(values["REFRAIN_DATABASE_URL"])
        try:
            await database.stores.catalog.import_batch(demo_catalog().batch, datetime.now(UTC))
        finally:
            await database.close()

    asyncio.run(load())
    return values


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def consent(tmp_path: Path) -> Path:
    path = tmp_path / "consent.txt"
    path.write_text("I, Ada Nova, consent to covers of Refrain catalog songs. Signed.")
    return path


def wav_folder(tmp_path: Path, name: str, takes: list[np.ndarray], rate: int = SR) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i, take in enumerate(takes):
        sf.write(folder / f"take{i + 1}.wav", take, rate, subtype="FLOAT")
    return folder


def add(reference: Path, consent: Path, *extra: str) -> tuple[int, str]:
    return run("voices", "add", "--owner", "party-ada-nova", "--name", "Wren Hale",
               "--reference", str(reference), "--consent", str(consent), "--scope", "covers", *extra)


def listed() -> str:
    code, text = run("voices", "list")
    assert code == 0
    return text


def test_add_list_and_revoke(env: dict[str, str], tmp_path: Path, consent: Path) -> None:
    take = reference_singing("voice-ada-nova").audio
    folder = wav_folder(tmp_path, "ref", [take[: 20 * SR], take[20 * SR :]])
    code, text = add(folder, consent, "--styles", "lofi,acoustic", "--territories", "de,at")
    assert code == 0, text
    assert "registered voice-wren-hale" in text and "covers; acoustic, lofi; AT, DE" in text
    lines = listed()
    assert "Wren Hale" in lines and "no profile" not in lines.split("Wren Hale")[1].splitlines()[0]
    assert "Celeste Marlow" in lines and "revoked 2025-02-01" in lines
    # The song's license names Ada, not Wren: only Ada may sing Golden Hour.
    code, text = run("voices", "list", "--song", "Golden Hour")
    assert code == 0 and "Ada Nova" in text and "Wren Hale" not in text and "Celeste" not in text
    code, text = run("voices", "revoke", "voice-wren-hale")
    assert code == 0 and "revoked at" in text and "escrow" in text
    assert "revoked" in listed().split("Wren Hale")[1].splitlines()[0]
    code, text = run("voices", "revoke", "voice-nobody")
    assert code == 1 and "no voice model 'voice-nobody'" in text
    code, text = add(folder, consent)
    assert code == 1 and "already registered" in text


def test_bad_input_is_refused_in_words_and_registers_nothing(
    env: dict[str, str], tmp_path: Path, consent: Path
) -> None:
    take = reference_singing("voice-ada-nova").audio
    good = wav_folder(tmp_path, "good", [take])
    before = listed()
    cases = [
        (add(good, tmp_path / "missing.pdf"), "consent document missing.pdf not found"),
        (add(wav_folder(tmp_path, "short", [take[: 12 * SR]]), consent), "at least 30 s"),
        (add(wav_folder(tmp_path, "rate", [take[::2]], rate=22_050), consent), "22050 Hz"),
        (add(wav_folder(tmp_path, "clip", [np.clip(take * 8, -1, 1)]), consent), "clipped"),
        (add(wav_folder(tmp_path, "silent", [take, np.zeros(SR * 3)]), consent), "silent"),
        (add(tmp_path / "nowhere", consent), "not a folder"),
        (add(good, consent, "--scope", "karaoke"), "covers, remixes"),
        (add(good, consent, "--territories", "Germany"), "two-letter"),
        (run("voices", "add", "--owner", "party-nobody", "--name", "X", "--reference", str(good),
             "--consent", str(consent), "--scope", "covers"), "no party 'party-nobody'"),
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    cases.append((add(empty, consent), "no .wav files"))
    for (code, text), words in cases:
        assert code == 1, text
        assert words in text, text
        assert "Traceback" not in text
    assert listed() == before
