"""revenue: fans' payments as a double-entry ledger, dated rates, tier grants, pool bases

``revenue_entry`` (one row per payment, renewal, refund or chargeback; the
platform's id is unique), ``revenue_leg`` (its balanced legs per period),
``revenue_rate`` (conversion into the pool currency from a date) and
``run_pool_basis`` (how a revenue-funded run's pool was computed) are
append-only: triggers reject UPDATE and DELETE on both backends.
``tier_grant`` holds paid tiers and their service windows.

Revision ID: 0010_revenue
Revises: 0009_leases_and_handover
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

revision: str = "0010_revenue"
down_revision: str | None = "0009_leases_and_handover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("revenue_entry", "revenue_leg", "revenue_rate", "run_pool_basis")
_BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "revenue_entry",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("payer", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross_micros", sa.BigInteger(), nullable=False),
        sa.Column("fee_micros", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_days", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("refers_to", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["payer"], ["app_user.id"], name=op.f("fk_revenue_entry_payer_app_user")),
        sa.ForeignKeyConstraint(
            ["refers_to"], ["revenue_entry.id"], name=op.f("fk_revenue_entry_refers_to_revenue_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_entry")),
        sa.UniqueConstraint("platform", "external_id", name=op.f("uq_revenue_entry_platform_external_id")),
        sa.UniqueConstraint("refers_to", name=op.f("uq_revenue_entry_refers_to")),
    )
    op.create_index(op.f("ix_revenue_entry_payer"), "revenue_entry", ["payer"])
    op.create_table(
        "revenue_leg",
        sa.Column("id", _BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["revenue_entry.id"], name=op.f("fk_revenue_leg_entry_id_revenue_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_leg")),
    )
    op.create_index(op.f("ix_revenue_leg_entry_id"), "revenue_leg", ["entry_id"])
    op.create_index("ix_revenue_leg_period_account", "revenue_leg", ["period", "account"])
    op.create_table(
        "revenue_rate",
        sa.Column("id", _BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("pool_currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_rate")),
    )
    op.create_table(
        "tier_grant",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_grant")),
        sa.UniqueConstraint("source", name=op.f("uq_tier_grant_source")),
    )
    op.create_index(op.f("ix_tier_grant_subject"), "tier_grant", ["subject"])
    op.create_table(
        "run_pool_basis",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_micros", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.String(length=40), nullable=False),
        sa.Column("pool_micros", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["allocation_run.id"], name=op.f("fk_run_pool_basis_run_id_allocation_run")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_pool_basis")),
    )
    for table in APPEND_ONLY:
        for statement in trigger_statements(op.get_context().dialect.name, table):
            op.execute(statement)


def downgrade() -> None:
    # triggers go with their tables; children before parents
    for table in ("run_pool_basis", "tier_grant", "revenue_rate", "revenue_leg", "revenue_entry"):
        op.drop_table(table)
