"""chat buttons' commands are stored, so buttons keep working after a restart

Revision ID: 0008_chat_buttons
Revises: 0007_explicit_recordings
Create Date: 2026-11-28 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_chat_buttons"
down_revision: str | None = "0007_explicit_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_button",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_chat_button")),
    )
    op.create_index(op.f("ix_chat_button_created_at"), "chat_button", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_button_created_at"), table_name="chat_button")
    op.drop_table("chat_button")
