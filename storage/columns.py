"""Column types that keep the domain's promises on every backend.

The domain speaks timezone-aware UTC. PostgreSQL stores ``timestamptz`` and
gives aware values back, but SQLite has no time zone type: SQLAlchemy would
hand back naive datetimes, and an aware/naive comparison later raises. This
type normalises to UTC on the way in and always returns aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime that round-trips on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is a bug upstream; guessing its zone would shift data silently.
            raise ValueError(f"naive datetime {value!r} given to storage; use aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as text without offset; fixed-width UTC text sorts like time.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
