"""voice registry: the profile blob and the structured consent scope of each voice model

Revision ID: 0004_voice_registry
Revises: 0003_royalties
Create Date: 2026-11-28 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_voice_registry"
down_revision: str | None = "0003_royalties"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_profile",
        sa.Column("voice_model_id", sa.String(length=64), nullable=False),
        sa.Column("profile_sha256", sa.String(length=64), nullable=False),
        sa.Column("scope_kinds", sa.JSON(), nullable=False),
        sa.Column("scope_styles", sa.JSON(), nullable=True),
        sa.Column("scope_territories", sa.JSON(), nullable=False),
        sa.Column("reference_seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["voice_model_id"], ["voice_model.id"],
            name=op.f("fk_voice_profile_voice_model_id_voice_model"),
        ),
        sa.PrimaryKeyConstraint("voice_model_id", name=op.f("pk_voice_profile")),
    )


def downgrade() -> None:
    op.drop_table("voice_profile")
