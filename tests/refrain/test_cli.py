"""The `refrain` command line: help everywhere, clear errors, nothing half-written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from refrain.cli import main
from storage.migrate import head_revision
from tests.support.databases import PostgresServer


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
    return values


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


def test_help_lists_commands_and_every_command_has_help() -> None:
    code, text = run("--help")
    assert code == 0
    for name in ("catalog", "chat", "config", "db", "demo", "render", "serve", "users", "worker"):
        assert name in text
    commands = all_commands(main)
    assert len(commands) >= 15
    for path in commands:
        code, text = run(*path, "--help")
        assert code == 0, path
        assert "Usage:" in text


def test_config_show_masks_secrets(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFRAIN_TELEGRAM_TOKEN", "123:secret-telegram-token")
    code, text = run("config", "show")
    assert code == 0
    data = json.loads(text)
    assert data["telegram_token"] == "********"
    assert "secret-telegram-token" not in text


def test_a_fresh_sqlite_database_is_created_on_first_use(env: dict[str, str]) -> None:
    """README's "Try it locally": no `refrain db upgrade` step for the embedded default."""
    code, text = run("catalog", "list")
    assert code == 0, text
    assert "refrain catalog demo" in text
    assert run("db", "upgrade") == (0, f"already up to date (at {head_revision()})\n")


@pytest.mark.postgres
def test_missing_postgres_migrations_is_a_clear_error(
    env: dict[str, str], postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = postgres.create_schema()
    try:
        monkeypatch.setenv("REFRAIN_DATABASE_URL", postgres.url(schema))
        code, text = run("catalog", "list")
        assert code == 1
        assert "refrain db upgrade" in text
        assert "Traceback" not in text
    finally:
        postgres.drop_schema(schema)


def test_upgrade_says_what_it_applied(env: dict[str, str]) -> None:
    code, text = run("db", "upgrade")
    assert code == 0
    assert text.startswith("applied 0001, 0002_deliveries, ")
    assert text.rstrip().endswith(f"{head_revision()}; the database is at {head_revision()}")
    assert run("db", "upgrade") == (0, f"already up to date (at {head_revision()})\n")


def test_upgrade_then_empty_catalog(env: dict[str, str]) -> None:
    assert run("db", "upgrade")[0] == 0
    code, text = run("catalog", "list")
    assert code == 0 and "refrain catalog demo" in text
    assert run("catalog", "list", "--format", "ids") == (0, "")


def test_locked_database_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    holder = sqlite3.connect(tmp_path / "cli.db", timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, text = run("users", "set-tier", "console:nobody", "pro")
    finally:
        holder.rollback()
        holder.close()
    assert code == 1
    assert "busy" in text.lower() or "No user" in text


def test_bad_catalog_file_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    assert run("db", "upgrade")[0] == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[parties]]\nid = "p1"\nname = "Pat"\nkind = "LABEL"\n\n'
        '[[works]]\nid = "w1"\ntitle = "Song"\niswc = "T-123.456.789-0"\n\n'
        '[[recordings]]\nid = "r1"\nwork = "w1"\ntitle = "Song"\nartist = "Pat"\n'
        'isrc = "nonsense"\nduration_s = 30\n'
    )
    code, text = run("catalog", "import", str(bad))
    assert code == 1
    assert "line" in text and "ISWC" in text and "ISRC" in text
    assert run("catalog", "list", "--format", "ids") == (0, "")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\xff\xfe", b"[[[[ not toml"])
def test_garbage_catalog_files(env: dict[str, str], tmp_path: Path, content: bytes) -> None:
    assert run("db", "upgrade")[0] == 0
    path = tmp_path / "garbage.toml"
    path.write_bytes(content)
    code, text = run("catalog", "import", str(path))
    assert code == 1
    assert "Traceback" not in text and text.strip()


def test_users_commands(env: dict[str, str]) -> None:
    assert run("db", "upgrade")[0] == 0
    code, text = run("users", "set-tier", "console:ghost", "pro")
    assert code == 1 and "No user" in text
    code, text = run("users", "set-tier", "console:ghost", "platinum")
    assert code == 1 and "Unknown tier" in text


def test_export_and_delete_personal_data(env: dict[str, str]) -> None:
    import asyncio

    from bots.console import ConsoleSession
    from config import load_settings
    from refrain.app import open_app

    assert run("db", "upgrade")[0] == 0

    async def speak() -> None:
        async with open_app(load_settings()) as app:
            session = ConsoleSession(app.handler.handle, "zoe", "cli")
            assert (await session.send("terms accept"))[0].code == "TERMS_ACCEPTED"
            assert (await session.send("settings country FR"))[0].code == "COUNTRY_SET"

    asyncio.run(speak())
    assert run("users", "set-tier", "console:zoe", "fan")[0] == 0
    code, text = run("users", "export", "console:zoe")
    assert code == 0
    data = json.loads(text)
    assert "zoe" in text and "FR" in text and "fan" in text
    assert data
    code, text = run("users", "delete", "console:zoe", "--yes")
    assert code == 0 and "erased" in text
    assert run("users", "export", "console:zoe")[0] == 1  # the platform id is gone


def test_demo_shows_every_kind_of_refusal_it_scripts(env: dict[str, str]) -> None:
    """The scripted demo reaches the refusals it is meant to show (no rendering checked here)."""
    import asyncio

    from config import load_settings
    from refrain.demo import run_demo

    lines: list[str] = []
    steps = asyncio.run(run_demo(load_settings(workers=0), lines.append))
    outcomes = {step.outcome for step in steps}
    for code in ("TERMS_NOT_ACCEPTED", "USER_BANNED", "COOLDOWN", "CHANNEL_NOT_ALLOWED",
                 "STYLE_DISABLED_BY_SERVER", "USER_QUOTA_EXHAUSTED", "TERRITORY",
                 "VOICE_REVOKED", "CLIP_TOO_LONG", "QUEUED"):
        assert code in outcomes, code
    assert "BAD_SETTING" not in outcomes
    assert any("Summary" in line for line in lines)
    # a ready studio account for one demo independent, and how to log in to it
    login = next(line for line in lines if "/studio/login" in line)
    password = login.rsplit(" ", 1)[1]

    async def logs_in() -> bool:
        from refrain.app import open_app
        from refrain.demo import DEMO_STUDIO_EMAIL

        demo_db = next(line for line in lines if "REFRAIN_DATABASE_URL=" in line).split("=", 1)[1]
        settings = load_settings(database_url=demo_db.split()[0])
        async with open_app(settings) as app:
            opened = await app.studio.accounts.log_in(DEMO_STUDIO_EMAIL, password)
            return "party-tidewater" in opened.holder.party_ids

    assert asyncio.run(logs_in())
