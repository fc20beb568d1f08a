"""Refuse, in code, to change the tables that are records of what happened.

The quota ledger and the audit log are append-only: a balance is the sum of
its entries, and an audit trail that can be edited proves nothing. The
migration installs database triggers that reject UPDATE and DELETE on both
backends (raw SQL included); this guard fails earlier and more clearly, on
any SQLAlchemy statement (ORM flushes go through the same hook).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Delete, Update, event
from sqlalchemy.engine import Engine

from storage.errors import AppendOnlyViolation

APPEND_ONLY_TABLES = frozenset(
    {
        "quota_entry",
        "audit_log",
        "takedown",
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
        "report",
        "report_resolution",
        "revenue_entry",
        "revenue_leg",
        "revenue_rate",
        "run_pool_basis",
    }
)


def trigger_statements(
    dialect: str, table: str, verbs: tuple[str, ...] = ("UPDATE", "DELETE")
) -> list[str]:
    """The SQL that makes ``table`` refuse ``verbs`` in the database itself (migrations run it).

    PostgreSQL gets one trigger for UPDATE and DELETE calling
    ``refrain_reject_change()`` (created by migration 0001); SQLite one
    trigger per verb, named ``<table>_no_<verb>``.
    """
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refrain_reject_change()"
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        for verb in verbs
    ]


def install_append_only_guard(engine: Engine) -> None:
    """Make ``engine`` raise ``AppendOnlyViolation`` for UPDATE/DELETE on ledger tables."""

    @event.listens_for(engine, "before_execute")
    def _guard(
        _conn: Any, clauseelement: Any, _multiparams: Any, _params: Any, _options: Any
    ) -> None:
        if isinstance(clauseelement, Update | Delete):
            name = getattr(clauseelement.table, "name", None)
            if name in APPEND_ONLY_TABLES:
                verb = "update" if isinstance(clauseelement, Update) else "delete"
                raise AppendOnlyViolation(f"{name} is append-only; refusing to {verb} it")
