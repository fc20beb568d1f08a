"""studio: rights holders' accounts, memberships, server-side sessions, invitations, TOTP

Studio accounts act for parties of the catalog; play events get an index for the
holders' dashboard (a window of hours of their clips, by usage and platform). Sessions keep only the
sha256 of the browser's random id; invitations are one-time (``used_at``).

Revision ID: 0011_studio
Revises: 0010_revenue
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_studio"
down_revision: str | None = "0010_revenue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "studio_account",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_account")),
        sa.UniqueConstraint("email", name=op.f("uq_studio_account_email")),
    )
    op.create_table(
        "studio_membership",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["studio_account.id"],
            name=op.f("fk_studio_membership_account_id_studio_account"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_studio_membership_party_id_party")
        ),
        sa.PrimaryKeyConstraint("account_id", "party_id", name=op.f("pk_studio_membership")),
    )
    op.create_table(
        "studio_recovery_code",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["studio_account.id"],
            name=op.f("fk_studio_recovery_code_account_id_studio_account"),
        ),
        sa.PrimaryKeyConstraint("account_id", "code_hash", name=op.f("pk_studio_recovery_code")),
    )
    op.create_table(
        "studio_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["studio_account.id"],
            name=op.f("fk_studio_session_account_id_studio_account"),
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_studio_session")),
    )
    op.create_index(op.f("ix_studio_session_account_id"), "studio_session", ["account_id"])
    op.create_table(
        "studio_invite",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_studio_invite_party_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_invite")),
    )
    op.create_index(op.f("ix_studio_invite_party_id"), "studio_invite", ["party_id"])
    op.create_index(
        "ix_play_event_clip_hour", "play_event", ["clip_id", "play_hour", "usage", "platform"]
    )


def downgrade() -> None:
    op.drop_index("ix_play_event_clip_hour", table_name="play_event")
    op.drop_index(op.f("ix_studio_invite_party_id"), table_name="studio_invite")
    op.drop_table("studio_invite")
    op.drop_index(op.f("ix_studio_session_account_id"), table_name="studio_session")
    op.drop_table("studio_session")
    op.drop_table("studio_recovery_code")
    op.drop_table("studio_membership")
    op.drop_table("studio_account")
