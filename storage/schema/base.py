"""The declarative base every table shares: naming convention, id and code columns.

Rows are storage's private business: repositories turn them into the frozen
domain values of ``core.model`` and back, so nothing above ``storage`` sees a
row. Enums are stored as their string values (portable, readable in SQL);
fractions as an exact integer numerator/denominator pair; times as UTC.

Every constraint has a name (``NAMING`` below) so Alembic can compare the
models with the migrations and alter SQLite tables in batch mode.
Indexes follow the queries the use cases make; each says which.
"""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)
CODE = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata
