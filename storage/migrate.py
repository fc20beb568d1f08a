"""Schema migrations, run from code: ``refrain db upgrade`` and the startup check.

The Alembic configuration is built here rather than read from an
``alembic.ini`` in the working directory, so the installed package migrates
any database from anywhere. The migration runs on a connection we open (with
the same SQLite pragmas and PostgreSQL search path as the application) and
hand to ``migrations/env.py`` through ``Config.attributes``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.driver_errors import translated_errors
from storage.engine import SQLITE_BEGIN, create_engine, describe, is_sqlite
from storage.errors import SchemaOutOfDate

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Migrated:
    """What an upgrade did: the revision before and after, and each revision applied."""

    before: str | None
    after: str
    applied: tuple[str, ...]  # oldest first

    def describe(self) -> str:
        """One line for an operator: which migrations ran, or that none had to."""
        if not self.applied:
            return f"already up to date (at {self.after})"
        return f"applied {', '.join(self.applied)}; the database is at {self.after}"


async def upgrade(url: str, revision: str = "heads") -> Migrated:
    """Bring the database at ``url`` to ``revision`` (creates a SQLite file and its folder)."""
    engine = create_engine(url)
    try:
        return await _upgrade(engine, revision)
    finally:
        await engine.dispose()


async def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"`` drops everything)."""
    engine = create_engine(url)
    try:
        await _run(engine, lambda config: command.downgrade(config, revision))
    finally:
        await engine.dispose()


async def _upgrade(engine: AsyncEngine, revision: str) -> Migrated:
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    def step(config: Config) -> None:
        nonlocal before, after
        # Read inside the migration's own (IMMEDIATE) transaction: another
        # process migrating at the same time cannot slip in between.
        before = _heads(config)
        command.upgrade(config, revision)
        after = _heads(config)

    await _run(engine, step)
    script = ScriptDirectory.from_config(alembic_config())
    applied = [r.revision for r in script.iterate_revisions(after, before)] if after else []
    return Migrated(
        ",".join(before) or None, ",".join(after) or "base", tuple(reversed(applied))
    )


def _heads(config: Config) -> tuple[str, ...]:
    connection = config.attributes["connection"]
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


async def _run(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    writer = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    async with translated_errors(engine.url), writer.begin() as connection:

        def migrate(sync_connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = sync_connection
            step(config)

        await connection.run_sync(migrate)


async def ensure_schema(engine: AsyncEngine) -> Migrated | None:
    """Make the database usable: SQLite is migrated when behind, the rest only checked.

    The embedded SQLite default belongs to this one installation, so it
    creates or upgrades its own schema on first use (a fresh clone runs
    ``refrain catalog demo`` straight away). A shared server is migrated on
    purpose with ``refrain db upgrade``, so PostgreSQL keeps raising
    ``SchemaOutOfDate`` with that hint. A SQLite file made by another program,
    or by a newer Refrain, is never touched.

    Returns:
        What was migrated, or ``None`` when nothing had to be.
    """
    if is_sqlite(engine.url) and await _sqlite_behind(engine):
        with _quiet_alembic():  # one line below says it all; no step-by-step at startup
            migrated = await _upgrade(engine, "heads")
        log.info("migrated the SQLite database at %s: %s", describe(engine.url),
                 migrated.describe())
        return migrated
    await check_schema(engine)
    return None


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


async def _sqlite_behind(engine: AsyncEngine) -> bool:
    async with translated_errors(engine.url), engine.connect() as connection:
        current, tables = await connection.run_sync(_current_and_tables)
    if current is None:
        return not tables
    return current != head_revision() and set(current.split(",")) <= _known_revisions()


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


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
    if not set(current.split(",")) <= _known_revisions():
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
