"""report reasons move to their own, erasable table

Revision ID: 0006_report_reasons
Revises: 0005_moderation
Create Date: 2026-11-28 15:00:00

A report is a record and stays append-only, but the words its reporter
wrote are their personal data: ``users delete`` must be able to erase them.
They move from ``report.reason`` into ``report_reason`` (one row per report
that had a reason), which is not append-only. The report's audit line never
repeats the words either, so erasing this row erases them everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_report_reasons"
down_revision: str | None = "0005_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_reason",
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_reason_report_id_report")
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_reason")),
    )
    op.execute(
        "INSERT INTO report_reason (report_id, reason) "
        "SELECT id, reason FROM report WHERE reason IS NOT NULL AND reason <> ''"
    )
    # A plain column with no index or constraint: both backends drop it in
    # place (SQLite ≥ 3.35), so the report table and its triggers stay as they are.
    op.execute("ALTER TABLE report DROP COLUMN reason")


def downgrade() -> None:
    op.execute("ALTER TABLE report ADD COLUMN reason TEXT")
    # Filling the column back is an UPDATE of an append-only table: lift its
    # guard for this one statement and put it back.
    postgres = op.get_context().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE report DISABLE TRIGGER report_append_only")
    else:
        op.execute("DROP TRIGGER report_no_update")
    op.execute(
        "UPDATE report SET reason = "
        "(SELECT reason FROM report_reason WHERE report_reason.report_id = report.id)"
    )
    if postgres:
        op.execute("ALTER TABLE report ENABLE TRIGGER report_append_only")
    else:
        op.execute(
            "CREATE TRIGGER report_no_update BEFORE UPDATE ON report "
            "BEGIN SELECT RAISE(ABORT, 'report is append-only: UPDATE refused'); END"
        )
    op.drop_table("report_reason")
