"""A database Refrain can use: the engine, its repositories, and the schema check."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ports import Stores
from storage.driver_errors import translated_errors
from storage.engine import DEFAULT_BUSY_TIMEOUT_S, create_engine, masked
from storage.migrate import Migrated, check_schema, ensure_schema
from storage.repositories import (
    SqlAuditLog,
    SqlCatalogRepository,
    SqlClipRepository,
    SqlDeliveryRepository,
    SqlPolicyRepository,
    SqlQuotaLedger,
    SqlRenderCache,
    SqlRequestRepository,
    SqlRevenueRepository,
    SqlUserRepository,
)
from storage.repositories.buttons import SqlButtonStates
from storage.repositories.maintenance import SqlMaintenanceLeases
from storage.repositories.plays import SqlPlayLog
from storage.repositories.reports import SqlReportRepository
from storage.repositories.runs import SqlRunRepository
from storage.repositories.studio import SqlStudioStore
from storage.repositories.voices import SqlVoiceRegistry
from storage.sessions import Sessions


class Database:
    """One open database: ``stores`` for the use cases, ``close()`` when done.

    Build it with ``await Database.open(url)``; the URL is SQLAlchemy's async
    form (``sqlite+aiosqlite:///var/refrain.db``, ``postgresql+asyncpg://…``;
    plain ``sqlite:``/``postgresql:`` are accepted too).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        sessions = Sessions(engine)
        self.voice_registry = SqlVoiceRegistry(sessions)  # the operator's voices CLI uses all of it
        self.revenue = SqlRevenueRepository(sessions)  # grants for the engine, the ledger for revenue
        self.studio = SqlStudioStore(sessions)
        self.stores = Stores(
            catalog=SqlCatalogRepository(sessions),
            users=SqlUserRepository(sessions),
            policies=SqlPolicyRepository(sessions),
            quota=SqlQuotaLedger(sessions),
            requests=SqlRequestRepository(sessions),
            clips=SqlClipRepository(sessions),
            audit=SqlAuditLog(sessions),
            deliveries=SqlDeliveryRepository(sessions),
            render_cache=SqlRenderCache(sessions),
            plays=SqlPlayLog(sessions),
            voices=self.voice_registry,
            reports=SqlReportRepository(sessions),
            buttons=SqlButtonStates(sessions),
            runs=SqlRunRepository(sessions),
            maintenance=SqlMaintenanceLeases(sessions),
            grants=self.revenue,
        )

    @classmethod
    async def open(cls, url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Database:
        """Connect once, so a wrong URL or a server that is down fails here, in words.

        Raises ``StorageUnavailable``. The schema is not checked: call
        ``ensure_schema()`` (serving), ``check_schema()`` or ``storage.migrate.upgrade`` (setup).
        """
        engine = create_engine(url, busy_timeout_s=busy_timeout_s)
        try:
            async with translated_errors(engine.url), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    def __repr__(self) -> str:
        return f"Database({masked(self.engine.url)})"

    async def check_schema(self) -> None:
        """Raise ``SchemaOutOfDate`` unless the database is at the latest migration."""
        await check_schema(self.engine)

    async def ping(self) -> None:
        """One round trip (``SELECT 1``); raises when the database does not answer."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def ensure_schema(self) -> Migrated | None:
        """Migrate SQLite when behind, check anything else (``storage.migrate.ensure_schema``)."""
        return await ensure_schema(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
