"""report reasons move to their own, erasable table

Revision ID: 0006_report_reasons
Revises: 0005_moderation
Create Date: 2026-11-28 15:00:00

A report is a record and stays append-only, but the words its reporter
wrote are their personal data: ``users delete`` must be able to erase them.
They move from ``report.reason`` into ``report_reason`` (one row per report
that had a reason), which is not append-only. Until now the audit line of a
report repeated the words (``reported clip `x` (report `y`): <words>``);
those lines are cut back to what happened, and new ones never carry them,
so erasing the ``report_reason`` row erases the words everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

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
    find = "strpos(detail, '): ')" if _postgres() else "instr(detail, '): ')"
    with _updates_allowed("audit_log"):
        op.execute(
            f"UPDATE audit_log SET detail = substr(detail, 1, {find}) "
            f"WHERE action = 'report.create' AND {find} > 0"
        )


def downgrade() -> None:
    op.execute("ALTER TABLE report ADD COLUMN reason TEXT")
    with _updates_allowed("report"):
        op.execute(
            "UPDATE report SET reason = "
            "(SELECT reason FROM report_reason WHERE report_reason.report_id = report.id)"
        )
    op.drop_table("report_reason")


def _postgres() -> bool:
    return op.get_context().dialect.name == "postgresql"


@contextmanager
def _updates_allowed(table: str) -> Iterator[None]:
    """Lift an append-only table's UPDATE guard for the statements inside, then put it back.

    Only a migration that must rewrite history (and says why) does this.
    """
    if _postgres():
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        yield
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        return
    op.execute(f"DROP TRIGGER {table}_no_update")
    yield
    for statement in trigger_statements("sqlite", table, ("UPDATE",)):
        op.execute(statement)
