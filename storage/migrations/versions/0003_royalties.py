"""plays and royalties: play events, qualification, fraud flags, runs, double-entry ledger

Every table is append-only; triggers reject UPDATE and DELETE on both
SQLite and PostgreSQL (the PostgreSQL function comes from 0001).

Revision ID: 0003_royalties
Revises: 0002_deliveries
Create Date: 2026-11-28 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

revision: str = "0003_royalties"
down_revision: str | None = "0002_deliveries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "play_event",
    "play_qualification",
    "fraud_flag",
    "royalty_period",
    "period_close",
    "allocation_run",
    "run_reversal",
    "ledger_posting",
    "ledger_entry",
    "allocation_usage",
)


def upgrade() -> None:
    op.create_table(
        "play_event",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("clip_id", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=True),
        sa.Column("usage", sa.String(length=32), nullable=False),
        sa.Column("listener_key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("ms_played", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("play_hour", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clip.id"], name=op.f("fk_play_event_clip_id_clip")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_play_event")),
    )
    op.create_index("ix_play_event_clip_id", "play_event", ["clip_id"])
    op.create_index(
        "ix_play_event_period_listener", "play_event", ["period", "listener_key", "played_at"]
    )
    op.create_table(
        "play_qualification",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clip_id", sa.String(length=64), nullable=False),
        sa.Column("listener_key", sa.String(length=64), nullable=False),
        sa.Column("usage", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("play_day", sa.Date(), nullable=False),
        sa.Column("played_period", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["play_event.event_id"],
            name=op.f("fk_play_qualification_event_id_play_event"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_play_qualification")),
    )
    op.create_index(
        "ix_play_qualification_allocation",
        "play_qualification",
        ["period", "clip_id", "territory", "played_period", "usage", "active", "qualified", "play_day"],
    )
    op.create_index("ix_play_qualification_listener", "play_qualification", ["period", "listener_key"])
    op.create_table(
        "fraud_flag",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("listener_key", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period", "listener_key", name=op.f("pk_fraud_flag")),
    )
    op.create_table(
        "royalty_period",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_royalty_period")),
    )
    op.create_table(
        "allocation_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("artist_centric", sa.Boolean(), nullable=False),
        sa.Column("pool_micros", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.BigInteger(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period"], ["royalty_period.period"], name=op.f("fk_allocation_run_period_royalty_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_run")),
    )
    op.create_index("ix_allocation_run_period", "allocation_run", ["period", "created_at"])
    op.create_table(
        "period_close",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period"], ["royalty_period.period"], name=op.f("fk_period_close_period_royalty_period")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["allocation_run.id"], name=op.f("fk_period_close_run_id_allocation_run")
        ),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_period_close")),
    )
    op.create_table(
        "ledger_posting",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reverses", sa.String(length=64), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses"], ["ledger_posting.id"], name=op.f("fk_ledger_posting_reverses_ledger_posting")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["allocation_run.id"], name=op.f("fk_ledger_posting_run_id_allocation_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_posting")),
        sa.UniqueConstraint("reverses", name=op.f("uq_ledger_posting_reverses")),
    )
    op.create_index("ix_ledger_posting_period", "ledger_posting", ["period"])
    op.create_index("ix_ledger_posting_run_id", "ledger_posting", ["run_id"])
    op.create_table(
        "run_reversal",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("posting_id", sa.String(length=64), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["ledger_posting.id"], name=op.f("fk_run_reversal_posting_id_ledger_posting")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["allocation_run.id"], name=op.f("fk_run_reversal_run_id_allocation_run")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_reversal")),
    )
    op.create_table(
        "ledger_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("posting_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=True),
        sa.Column("right", sa.String(length=32), nullable=True),
        sa.Column("recording_id", sa.String(length=64), nullable=True),
        sa.Column("territory", sa.String(length=8), nullable=True),
        sa.Column("played_period", sa.String(length=7), nullable=True),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["ledger_posting.id"], name=op.f("fk_ledger_entry_posting_id_ledger_posting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    op.create_index("ix_ledger_entry_period_party", "ledger_entry", ["period", "party_id"])
    op.create_index("ix_ledger_entry_posting_id", "ledger_entry", ["posting_id"])
    op.create_table(
        "allocation_usage",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("recording_id", sa.String(length=64), nullable=False),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("played_period", sa.String(length=7), nullable=False),
        sa.Column("plays", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["allocation_run.id"], name=op.f("fk_allocation_usage_run_id_allocation_run")
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "recording_id", "territory", "played_period", name=op.f("pk_allocation_usage")
        ),
    )
    _install_guards()


def _install_guards() -> None:
    """Records of what happened: no UPDATE or DELETE, raw SQL included."""
    for table in APPEND_ONLY:
        for statement in trigger_statements(op.get_context().dialect.name, table):
            op.execute(statement)


def downgrade() -> None:
    # triggers go with their tables; children before parents
    for table in (
        "allocation_usage",
        "ledger_entry",
        "run_reversal",
        "period_close",
        "ledger_posting",
        "allocation_run",
        "royalty_period",
        "fraud_flag",
        "play_qualification",
        "play_event",
    ):
        op.drop_table(table)
