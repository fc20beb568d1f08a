"""Schema migrations, run from code: ``refrain db upgrade`` and the startup check.

The Alembic configuration is built here rather than read from an
``alembic.ini`` in the working directory, so the installed package migrates
any database from anywhere. The migration runs on a connection we open (with
the same SQLite pragmas and PostgreSQL search path as the application) and
hand to ``migrations/env.py`` through ``Config.attributes``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.driver_errors import translated_errors
from storage.engine import SQLITE_BEGIN, create_engine, describe
from storage.errors import SchemaOutOfDate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "run `refrain db upgrade`"
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at this package's migrations; no file needed."""
    config = Config()
    # ConfigParser interpolates '%'; a path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The head revision (several heads, while branches await a merge, joined by commas)."""
    heads = sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert heads, "storage/migrations has no revisions"
    return ",".join(heads)


async def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` to ``revision`` (creates a SQLite file and its folder)."""
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"`` drops everything)."""
    await _run(url, lambda config: command.downgrade(config, revision))


async def _run(url: str, step: Callable[[Config], None]) -> None:
    engine = create_engine(url)
    writer = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    try:
        async with translated_errors(engine.url), writer.begin() as connection:

            def migrate(sync_connection: Connection) -> None:
                config = alembic_config()
                config.attributes["connection"] = sync_connection
                step(config)

            await connection.run_sync(migrate)
    finally:
        await engine.dispose()


async def check_schema(engine: AsyncEngine) -> None:
    """Raise ``SchemaOutOfDate`` unless the database is at the head revision."""
    expected = head_revision()
    async with translated_errors(engine.url), engine.connect() as connection:
        current, tables = await connection.run_sync(_current_and_tables)
    if current == expected:
        return
    where = describe(engine.url)
    if current is None and not tables:
        raise SchemaOutOfDate(f"The database at {where} has no Refrain tables: {UPGRADE_HINT}")
    if current is None:
        raise SchemaOutOfDate(
            f"The database at {where} has tables but no migration history "
            f"(expected revision {expected}); was it made by another program?"
        )
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if not set(current.split(",")) <= known:
        raise SchemaOutOfDate(
            f"The database at {where} is at revision {current}, which this version of "
            f"Refrain does not know (expected {expected}): upgrade Refrain"
        )
    raise SchemaOutOfDate(
        f"The database at {where} is at revision {current}, expected {expected}: {UPGRADE_HINT}"
    )


def _current_and_tables(connection: Connection) -> tuple[str | None, list[str]]:
    # Read alembic_version directly: MigrationContext would log at every startup.
    tables = inspect(connection).get_table_names()
    if VERSION_TABLE not in tables:
        return None, tables
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = sorted(versions)
    return (",".join(found) if found else None), tables
