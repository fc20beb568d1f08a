"""recordings carry the label's explicit flag, which nsfw-filter acts on

Revision ID: 0007_explicit_recordings
Revises: 0006_report_reasons
Create Date: 2026-11-28 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_explicit_recordings"
down_revision: str | None = "0006_report_reasons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(
            sa.Column("explicit", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    # In place on both backends (SQLite ≥ 3.35): a batch rebuild of ``recording`` would
    # drop the table that licenses and requests point at, which SQLite refuses.
    op.execute("ALTER TABLE recording DROP COLUMN explicit")
