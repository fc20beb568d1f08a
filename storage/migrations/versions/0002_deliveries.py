"""deliveries (one watermarked copy per hand-over), takedowns, render cache, request variation

Revision ID: 0002_deliveries
Revises: 0001
Create Date: 2026-11-28 11:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

revision: str = "0002_deliveries"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("render_request") as batch:
        batch.add_column(sa.Column("variation", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("clip_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_user_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=True),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("share_id", sa.String(length=32), nullable=False),
        sa.Column("platform_file_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clip.id"], name=op.f("fk_delivery_clip_id_clip")),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["app_user.id"], name=op.f("fk_delivery_recipient_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("share_id", name=op.f("uq_delivery_share_id")),
        sa.UniqueConstraint("token", name=op.f("uq_delivery_token")),
    )
    op.create_index(op.f("ix_delivery_clip_id"), "delivery", ["clip_id"])
    op.create_index(op.f("ix_delivery_recipient_user_id"), "delivery", ["recipient_user_id"])
    op.create_index(op.f("ix_delivery_sha256"), "delivery", ["sha256"])
    op.create_table(
        "takedown",
        sa.Column("clip_id", sa.String(length=64), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clip.id"], name=op.f("fk_takedown_clip_id_clip")),
        sa.PrimaryKeyConstraint("clip_id", name=op.f("pk_takedown")),
    )
    op.create_table(
        "render_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("master_sha256", sa.String(length=64), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_render_cache")),
    )
    op.create_index(op.f("ix_render_cache_master_sha256"), "render_cache", ["master_sha256"])
    op.create_index(op.f("ix_render_cache_last_used_at"), "render_cache", ["last_used_at"])
    _install_guards()


def _install_guards() -> None:
    """Takedowns are records: no UPDATE or DELETE (the function comes from 0001 on PostgreSQL)."""
    for statement in trigger_statements(op.get_context().dialect.name, "takedown"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("render_cache")
    op.drop_table("takedown")
    op.drop_table("delivery")
    # In place (SQLite ≥ 3.35): a batch rebuild would drop a table others point at.
    op.execute("ALTER TABLE render_request DROP COLUMN variation")
