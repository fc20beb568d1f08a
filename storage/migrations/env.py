"""Alembic environment for Refrain.

Two ways in:
- from ``storage.migrate`` (``refrain db upgrade``, tests): a ready connection
  arrives in ``config.attributes["connection"]``;
- from the ``alembic`` command line (``alembic -c storage/alembic.ini -x
  url=sqlite+aiosqlite:///var/refrain.db upgrade head``; the URL may also come
  from ``REFRAIN_DATABASE_URL``): we open an async engine and run the
  migrations through a sync connection with ``run_sync``.

SQLite cannot ALTER most things, so migrations render in batch mode there.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from storage.engine import SQLITE_BEGIN, create_engine, parse_url
from storage.schema import metadata

config = context.config
if config.config_file_name is not None:  # the alembic CLI; Refrain's own logging otherwise
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("REFRAIN_DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise SystemExit(
            "No database URL: pass -x url=sqlite+aiosqlite:///var/refrain.db "
            "or set REFRAIN_DATABASE_URL"
        )
    return url


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_url(url: str) -> None:
    engine = create_engine(url).execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


def run_offline() -> None:
    url = parse_url(_url())
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
    else:
        asyncio.run(_migrate_url(_url()))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
