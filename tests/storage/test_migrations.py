"""Migrations: from empty on both backends, agreement with the models, the startup check."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import storage.migrate
from core.model import AuditEntry, Report
from storage.database import Database
from storage.errors import SchemaOutOfDate
from storage.migrate import downgrade, head_revision, upgrade
from storage.schema import metadata
from tests.storage.factories import T0, seed
from tests.storage.test_reports_and_member_limit import _clip as clip_for_reports
from tests.support.databases import PostgresServer

REPO = Path(__file__).resolve().parents[2]
TABLES = {t.name for t in metadata.sorted_tables}


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_upgrade_from_empty_creates_every_table(empty_db_url: str) -> None:
    await upgrade(empty_db_url)
    database = await Database.open(empty_db_url)
    try:
        await database.check_schema()
        async with database.engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert names == TABLES | {"alembic_version"}
    finally:
        await database.close()


async def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    await upgrade(db_url)
    database = await Database.open(db_url)
    try:
        await database.check_schema()
    finally:
        await database.close()


async def test_models_and_migrations_agree(database: Database) -> None:
    async with database.engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == []


async def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    await upgrade(empty_db_url)
    await downgrade(empty_db_url, "base")
    database = await Database.open(empty_db_url)
    try:
        async with database.engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert names <= {"alembic_version"}
    finally:
        await database.close()
    await upgrade(empty_db_url)


async def test_report_reasons_move_to_their_erasable_table_and_back(tmp_path: Path) -> None:
    """0006 carries the words of reports made before it over, and its downgrade puts them back."""
    path = tmp_path / "refrain.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url, "0005_moderation")
    with sqlite3.connect(path) as raw:  # foreign keys are off on a raw connection
        raw.executemany(
            "INSERT INTO report (id, short_id, scope_id, clip_id, reporter_user_id, reason, created_at) "
            "VALUES (?, ?, 'guild-1', 'clip-1', 'user-1', ?, '2026-11-01 10:00:00')",
            [("r-1", "00000001", "too loud"), ("r-2", "00000002", None)],
        )
    await upgrade(url)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT report_id, reason FROM report_reason").fetchall() == [("r-1", "too loud")]
        assert "reason" not in {row[1] for row in raw.execute("PRAGMA table_info(report)")}
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE report SET scope_id = 'x'")
    await downgrade(url, "0005_moderation")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT id, reason FROM report ORDER BY id").fetchall() == [
            ("r-1", "too loud"), ("r-2", None)
        ]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE report SET reason = 'x'")


async def test_old_report_audit_lines_lose_the_reporters_words(tmp_path: Path) -> None:
    """Before 0006 the audit line of a report repeated the words; they must go with erasure."""
    path = tmp_path / "refrain.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url, "0005_moderation")
    with sqlite3.connect(path) as raw:
        raw.executemany(
            "INSERT INTO audit_log (id, scope_id, actor_user_id, action, detail, at) "
            "VALUES (?, 'guild-1', 'user-1', ?, ?, '2026-11-01 10:00:00')",
            [
                ("a-1", "report.create", "reported clip `0000abcd` (report `0000ef01`): my ex sings this"),
                ("a-2", "report.create", "reported clip `0000abcd` (report `0000ef02`)"),
                ("a-3", "settings.cooldown", "cooldown 60 s (cooldown: 0 s → 60 s): ok"),
            ],
        )
    await upgrade(url)
    with sqlite3.connect(path) as raw:
        details = raw.execute("SELECT id, detail FROM audit_log ORDER BY id").fetchall()
        assert details == [
            ("a-1", "reported clip `0000abcd` (report `0000ef01`)"),
            ("a-2", "reported clip `0000abcd` (report `0000ef02`)"),
            ("a-3", "cooldown 60 s (cooldown: 0 s → 60 s): ok"),  # only report lines are cut
        ]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE audit_log SET detail = 'x'")


async def test_downgrade_to_base_with_data_in_every_table_that_points_at_others(
    empty_db_url: str,
) -> None:
    """Downgrades must not rebuild tables that other rows point at (SQLite refuses to drop them)."""
    await upgrade(empty_db_url)
    database = await Database.open(empty_db_url)
    try:
        stores = database.stores
        seeded = await seed(stores)
        clip = await clip_for_reports(stores, seeded)
        await stores.reports.add(
            Report("r-1", "guild-1", clip.id, None, seeded.user.id, "too loud", T0)
        )
        await stores.reports.resolve("r-1", seeded.user.id, "turned down", T0)
        await stores.audit.append(AuditEntry("a-1", "guild-1", seeded.user.id, "x", "y", T0))
    finally:
        await database.close()
    await downgrade(empty_db_url, "base")
    await upgrade(empty_db_url)


async def test_upgrade_reports_the_revisions_it_applied(empty_db_url: str) -> None:
    first = await upgrade(empty_db_url, "0005_moderation")
    assert first.before is None and first.after == "0005_moderation"
    assert first.applied == ("0001", "0002_deliveries", "0003_royalties", "0004_voice_registry",
                             "0005_moderation")
    rest = await upgrade(empty_db_url)
    assert rest.before == "0005_moderation" and rest.after == head_revision()
    assert rest.applied[0] == "0006_report_reasons" and rest.applied[-1] == head_revision()
    again = await upgrade(empty_db_url)
    assert again.applied == () and again.before == again.after == head_revision()
    assert again.describe() == f"already up to date (at {head_revision()})"
    assert rest.describe().startswith("applied 0006_report_reasons, ")


async def test_sqlite_creates_or_upgrades_its_schema_on_first_use(tmp_path: Path) -> None:
    """The embedded default needs no setup step: an empty or older SQLite file is migrated."""
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'refrain.db'}"
    async with await Database.open(fresh) as database:
        made = await database.ensure_schema()
        assert made is not None and made.before is None and made.after == head_revision()
        await database.check_schema()
        assert await database.ensure_schema() is None  # already there: nothing to do
    older = f"sqlite+aiosqlite:///{tmp_path / 'older.db'}"
    await upgrade(older, "0004_voice_registry")
    async with await Database.open(older) as database:
        made = await database.ensure_schema()
        assert made is not None and made.before == "0004_voice_registry"
        await database.check_schema()


async def test_sqlite_made_by_another_program_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    async with await Database.open(f"sqlite+aiosqlite:///{path}") as database:
        with pytest.raises(SchemaOutOfDate, match="another program"):
            await database.ensure_schema()


@pytest.mark.postgres
async def test_postgres_still_asks_for_db_upgrade(postgres: PostgresServer) -> None:
    """A shared server is migrated on purpose, never as a side effect of starting."""
    schema = await postgres.new_schema()
    try:
        async with await Database.open(postgres.url(schema)) as database:
            with pytest.raises(SchemaOutOfDate, match=r"no Refrain tables: run `refrain db upgrade`"):
                await database.ensure_schema()
    finally:
        await postgres.remove_schema(schema)


async def test_check_schema_on_an_empty_database_says_what_to_run(empty_db_url: str) -> None:
    database = await Database.open(empty_db_url)
    try:
        with pytest.raises(SchemaOutOfDate, match=r"has no Refrain tables: run `refrain db upgrade`"):
            await database.check_schema()
    finally:
        await database.close()


async def test_check_schema_behind_names_both_revisions(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = head_revision()
    monkeypatch.setattr(storage.migrate, "head_revision", lambda: "9999")
    with pytest.raises(SchemaOutOfDate) as caught:
        await database.check_schema()
    assert f"is at revision {current}, expected 9999: run `refrain db upgrade`" in str(caught.value)


async def test_check_schema_ahead_asks_to_upgrade_refrain(database: Database) -> None:
    async with database.engine.begin() as connection:
        current = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        await connection.execute(text("UPDATE alembic_version SET version_num = 'fromthefuture'"))
    try:
        with pytest.raises(SchemaOutOfDate, match=r"does not know .* upgrade Refrain"):
            await database.check_schema()
    finally:  # the PostgreSQL schema is shared by the whole session: put it back
        async with database.engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": current}
            )


async def test_using_an_unmigrated_database_says_what_to_run(empty_db_url: str) -> None:
    database = await Database.open(empty_db_url)
    try:
        with pytest.raises(SchemaOutOfDate, match="run `refrain db upgrade`"):
            await database.stores.policies.get("guild-1")
    finally:
        await database.close()


def test_alembic_command_line_migrates_an_async_url(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO / "storage" / "alembic.ini")]
    subprocess.run([*alembic, "-x", f"url={url}", "upgrade", "head"], check=True, env=env)
    shown = subprocess.run(
        [*alembic, "-x", f"url={url}", "current"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    assert head_revision() in shown.stdout
