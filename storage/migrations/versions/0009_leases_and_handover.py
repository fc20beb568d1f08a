"""requests carry a lease, a try count and the requester's own copy; maintenance leases

A running render renews its lease; a request whose lease ran out belongs to a
worker that died, and the recovery sweep gives it to another. The request
becomes DELIVERED together with the requester's watermarked copy (its
``delivery_id``), so nobody is charged for a clip that was never made.
``handed_over_at`` says the chat got it. ``maintenance_lease`` lets one
instance at a time run the periodic sweep.

Revision ID: 0009_leases_and_handover
Revises: 0008_chat_buttons
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_leases_and_handover"
down_revision: str | None = "0008_chat_buttons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REQUEST_COLUMNS = (
    "attempts",
    "lease_token",
    "lease_expires_at",
    "delivery_id",
    "delivery_format",
    "origin",
)


def upgrade() -> None:
    with op.batch_alter_table("render_request") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("lease_token", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivery_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("delivery_format", sa.String(length=8), nullable=True))
        batch.add_column(
            sa.Column("origin", sa.String(length=32), server_default="COMMAND", nullable=False)
        )
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "maintenance_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_maintenance_lease")),
    )


def downgrade() -> None:
    op.drop_table("maintenance_lease")
    # In place on both backends (SQLite ≥ 3.35): a batch rebuild of a table that
    # other rows point at is refused by SQLite (see 0007).
    op.execute("ALTER TABLE delivery DROP COLUMN handed_over_at")
    for column in _REQUEST_COLUMNS:
        op.execute(f"ALTER TABLE render_request DROP COLUMN {column}")
