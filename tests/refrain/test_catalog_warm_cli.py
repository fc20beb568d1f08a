"""`refrain catalog warm` and the stem states of `refrain catalog list`, on the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from refrain.cli import main
from tests.support.cli_env import isolated_cli

CATALOG = """
[[parties]]
id = "p1"
name = "Pat"
kind = "LABEL"

[[works]]
id = "w1"
title = "Song"
iswc = "T-300.400.501-6"

[[recordings]]
id = "r1"
work = "w1"
title = "Song r1"
artist = "Pat"
isrc = "QZBF12400001"
duration_s = 2
audio = "song.flac"

[[recordings]]
id = "r2"
work = "w1"
title = "Song r2"
artist = "Pat"
isrc = "QZBF12400002"
duration_s = 2
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolated_cli(tmp_path, monkeypatch)
    monkeypatch.setenv("REFRAIN_MODELS_DIR", str(tmp_path / "models"))
    assert run("db", "upgrade")[0] == 0
    rate = 44_100
    t = np.arange(2 * rate) / rate
    tone = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]) * 0.3
    sf.write(str(tmp_path / "song.flac"), tone.T.astype(np.float32), rate)
    (tmp_path / "catalog.toml").write_text(CATALOG)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def states() -> dict[str, str]:
    code, text = run("catalog", "list", "--format", "json")
    assert code == 0, text
    return {r["id"]: r["stem_state"] for r in json.loads(text)}


def test_import_queues_and_warm_here_separates(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = run("catalog", "import", str(env / "catalog.toml"))
    assert code == 0 and "1 queued for stem separation" in text, text
    # no weights in the models folder: the operator sees why nothing will happen
    assert states() == {"r1": "missing model weights", "r2": "no audio"}
    code, text = run("catalog", "warm", "--here")
    assert code == 1 and "refrain models install" in text
    monkeypatch.setenv("REFRAIN_SEPARATION_MODEL", "demucs_unittest")
    assert states()["r1"] == "queued"
    code, text = run("catalog", "warm", "--all", "--here")
    assert code == 0 and "queued 0 recording(s)" in text and "separated 1 recording(s)" in text
    assert states()["r1"] == "ready"
    code, text = run("catalog", "list")
    line = next(row for row in text.splitlines() if row.startswith("Song r1"))
    assert "ready" in line
    code, text = run("catalog", "warm", "--all")
    assert code == 0 and "queued 0 recording(s)" in text  # ready ones are not queued again


def test_warm_refuses_what_it_cannot_do(env: Path) -> None:
    assert run("catalog", "import", str(env / "catalog.toml"))[0] == 0
    code, text = run("catalog", "warm")
    assert code == 1 and "--all" in text
    code, text = run("catalog", "warm", "nope")
    assert code == 1 and "No recording 'nope'" in text
    code, text = run("catalog", "warm", "r2")
    assert code == 1 and "no audio" in text
