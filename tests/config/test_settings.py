from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from config import ConfigFileError, load_settings, mask_url


def test_defaults_need_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./var/refrain.db"
    assert settings.queue == "embedded"
    assert settings.tiers["free"].seconds_per_period == 60


def test_env_beats_file_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "refrain.toml"
    file.write_text('workers = 3\nqueue = "arq"\ndiscord_token = "file-token"\n'
                    "[tiers.free]\nseconds_per_period = 10\nmax_clip_seconds = 5\n")
    monkeypatch.setenv("REFRAIN_WORKERS", "4")
    settings = load_settings(file)
    assert settings.workers == 4
    assert settings.queue == "arq"
    assert settings.tiers["free"].max_clip_seconds == 5
    assert isinstance(settings.discord_token, SecretStr)
    monkeypatch.setenv("REFRAIN_CONFIG", str(file))
    assert load_settings().queue == "arq"


def test_masked_hides_secrets() -> None:
    settings = load_settings(
        database_url="postgresql+asyncpg://bot:hunter2@db:5432/refrain",
        discord_token=SecretStr("very-secret-token"),
    )
    shown = str(settings.masked())
    assert "hunter2" not in shown and "very-secret-token" not in shown
    assert "bot:****@db:5432" in shown


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("workers = [unclosed\n")
    with pytest.raises(ConfigFileError, match="Invalid configuration"):
        load_settings(broken)
    no_free = tmp_path / "tiers.toml"
    no_free.write_text("[tiers.pro]\nseconds_per_period = 1\nmax_clip_seconds = 1\n")
    with pytest.raises(ConfigFileError, match="free"):
        load_settings(no_free)


def test_mask_url_leaves_plain_urls() -> None:
    assert mask_url("sqlite+aiosqlite:///./var/refrain.db") == "sqlite+aiosqlite:///./var/refrain.db"


def test_share_links_follow_the_web_port_unless_public_url_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REFRAIN_CONFIG", raising=False)
    assert load_settings().web.public_url == "http://127.0.0.1:8080"
    monkeypatch.setenv("REFRAIN_WEB__PORT", "9090")
    assert load_settings().web.public_url == "http://127.0.0.1:9090"
    monkeypatch.delenv("REFRAIN_WEB__PORT")
    file = tmp_path / "refrain.toml"
    file.write_text('[web]\nhost = "0.0.0.0"\nport = 8181\n')
    assert load_settings(file).web.public_url == "http://127.0.0.1:8181"
    file.write_text('[web]\nhost = "::1"\nport = 8182\n')
    assert load_settings(file).web.public_url == "http://[::1]:8182"
    file.write_text('[web]\nhost = "music.local"\nport = 8183\n')
    assert load_settings(file).web.public_url == "http://music.local:8183"
    file.write_text('[web]\nport = 8184\npublic_url = "https://refrain.example/"\n')
    assert load_settings(file).web.public_url == "https://refrain.example"
    assert load_settings(file).masked()["web"]["public_url"] == "https://refrain.example"
