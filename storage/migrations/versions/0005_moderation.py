"""moderation: a per-member daily limit and the NSFW switch on scope policies, the report queue

Revision ID: 0005_moderation
Revises: 0004_voice_registry
Create Date: 2026-11-29 10:00:00

Reports are records of what members said, so both tables are append-only
(triggers on both backends, like the audit log): closing a report adds a
``report_resolution`` row instead of editing the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

revision: str = "0005_moderation"
down_revision: str | None = "0004_voice_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("report", "report_resolution")


def upgrade() -> None:
    with op.batch_alter_table("scope_policy") as batch:
        batch.add_column(sa.Column("user_seconds_per_day", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("nsfw_filter", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "report",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("short_id", sa.String(length=8), nullable=False),
        sa.Column("scope_id", sa.String(length=128), nullable=False),
        sa.Column("clip_id", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=True),
        sa.Column("reporter_user_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clip.id"], name=op.f("fk_report_clip_id_clip")),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_report_delivery_id_delivery")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"], ["app_user.id"],
            name=op.f("fk_report_reporter_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index("ix_report_scope_created", "report", ["scope_id", "created_at"])
    op.create_index(op.f("ix_report_short_id"), "report", ["short_id"])
    op.create_index(op.f("ix_report_clip_id"), "report", ["clip_id"])
    op.create_index(op.f("ix_report_reporter_user_id"), "report", ["reporter_user_id"])
    op.create_table(
        "report_resolution",
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("resolver_user_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_resolution_report_id_report")
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_resolution")),
    )
    _install_guards()


def _install_guards() -> None:
    """Reports and resolutions are records: no UPDATE or DELETE, raw SQL included."""
    for table in APPEND_ONLY:
        for statement in trigger_statements(op.get_context().dialect.name, table):
            op.execute(statement)


def downgrade() -> None:
    # triggers go with their tables; the resolution before the report it points at
    op.drop_table("report_resolution")
    op.drop_index(op.f("ix_report_reporter_user_id"), table_name="report")
    op.drop_index(op.f("ix_report_clip_id"), table_name="report")
    op.drop_index(op.f("ix_report_short_id"), table_name="report")
    op.drop_index("ix_report_scope_created", table_name="report")
    op.drop_table("report")
    with op.batch_alter_table("scope_policy") as batch:
        batch.drop_column("nsfw_filter")
        batch.drop_column("user_seconds_per_day")
