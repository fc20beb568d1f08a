"""initial schema: catalog, users, policies, quota ledger, requests, clips, audit

Also installs the guards the code relies on: the quota ledger and the audit
log reject UPDATE and DELETE, and license versions reject any change except
setting ``revoked_at`` (triggers on both SQLite and PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-28 08:40:55.039817
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.append_only import trigger_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("terms_version", sa.String(length=32), nullable=True),
        sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint(
            "platform", "platform_user_id", name=op.f("uq_app_user_platform_platform_user_id")
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("scope_id", sa.String(length=128), nullable=False),
        sa.Column("actor_user_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_actor_user_id", "audit_log", ["actor_user_id"])
    op.create_index("ix_audit_log_scope_at", "audit_log", ["scope_id", "at"])
    op.create_table(
        "party",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ipi", sa.String(length=16), nullable=True),
        sa.Column("payout_currency", sa.String(length=3), nullable=False),
        sa.Column("independent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
    )
    op.create_table(
        "quota_account",
        sa.Column("account", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_quota_account")),
    )
    op.create_table(
        "scope_policy",
        sa.Column("scope_id", sa.String(length=128), nullable=False),
        sa.Column("allowed_styles", sa.JSON(), nullable=True),
        sa.Column("allowed_voices", sa.JSON(), nullable=True),
        sa.Column("allowed_channels", sa.JSON(), nullable=True),
        sa.Column("max_clip_seconds", sa.Integer(), nullable=True),
        sa.Column("cooldown_s", sa.Integer(), nullable=False),
        sa.Column("banned_users", sa.JSON(), nullable=False),
        sa.Column("pool_seconds_per_day", sa.Integer(), nullable=True),
        sa.Column("default_country", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("scope_id", name=op.f("pk_scope_policy")),
    )
    op.create_table(
        "work",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("iswc", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work")),
        sa.UniqueConstraint("iswc", name=op.f("uq_work_iswc")),
    )
    op.create_table(
        "opt_declaration",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("transformations", sa.JSON(), nullable=True),
        sa.Column("styles", sa.JSON(), nullable=True),
        sa.Column("territories", sa.JSON(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_opt_declaration_party_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_declaration")),
    )
    op.create_index("ix_opt_declaration_party_id", "opt_declaration", ["party_id"])
    op.create_index("ix_opt_declaration_subject", "opt_declaration", ["subject_kind", "subject_id"])
    op.create_table(
        "recording",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("work_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("artist", sa.Text(), nullable=False),
        sa.Column("isrc", sa.String(length=20), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("audio_sha256", sa.String(length=64), nullable=True),
        sa.Column("stems", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], name=op.f("fk_recording_work_id_work")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint("isrc", name=op.f("uq_recording_isrc")),
    )
    op.create_index("ix_recording_work_id", "recording", ["work_id"])
    op.create_table(
        "share",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("right", sa.String(length=32), nullable=False),
        sa.Column("numerator", sa.BigInteger(), nullable=False),
        sa.Column("denominator", sa.BigInteger(), nullable=False),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("denominator > 0 AND numerator >= 0", name=op.f("ck_share_fraction")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_share_party_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share")),
    )
    op.create_index("ix_share_party_id", "share", ["party_id"])
    op.create_index("ix_share_subject", "share", ["subject_kind", "subject_id"])
    op.create_table(
        "voice_model",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_party_id", sa.String(length=64), nullable=False),
        sa.Column("consent_document_sha256", sa.String(length=64), nullable=False),
        sa.Column("consent_scope", sa.Text(), nullable=False),
        sa.Column("consent_signed_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_party_id"], ["party.id"], name=op.f("fk_voice_model_owner_party_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_model")),
    )
    op.create_index("ix_voice_model_owner_party_id", "voice_model", ["owner_party_id"])
    op.create_table(
        "license_version",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_license_version_recording_id_recording"),
        ),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_license_version")),
    )
    op.create_index("ix_license_version_recording", "license_version", ["recording_id", "version"])
    op.create_table(
        "render_request",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("short_id", sa.String(length=8), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("scope_id", sa.String(length=128), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=True),
        sa.Column("transformation", sa.String(length=32), nullable=False),
        sa.Column("recording_id", sa.String(length=64), nullable=False),
        sa.Column("style", sa.String(length=64), nullable=False),
        sa.Column("voice_model_id", sa.String(length=64), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.Column("license_version", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("clip_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id", "license_version"],
            ["license_version.id", "license_version.version"],
            name=op.f("fk_render_request_license_id_license_version_license_version"),
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_render_request_recording_id_recording"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_render_request_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["voice_model_id"],
            ["voice_model.id"],
            name=op.f("fk_render_request_voice_model_id_voice_model"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_render_request")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_render_request_idempotency_key")),
    )
    op.create_index("ix_render_request_recording_id", "render_request", ["recording_id"])
    op.create_index("ix_render_request_short_id", "render_request", ["short_id"])
    op.create_index("ix_render_request_state_created", "render_request", ["state", "created_at"])
    op.create_index("ix_render_request_user_created", "render_request", ["user_id", "created_at"])
    op.create_index(
        "ix_render_request_user_scope_created",
        "render_request",
        ["user_id", "scope_id", "created_at"],
    )
    op.create_table(
        "clip",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("recording_id", sa.String(length=64), nullable=False),
        sa.Column("transformation", sa.String(length=32), nullable=False),
        sa.Column("style", sa.String(length=64), nullable=False),
        sa.Column("voice_model_id", sa.String(length=64), nullable=True),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.Column("license_version", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(length=64), nullable=False),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("watermark_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id", "license_version"],
            ["license_version.id", "license_version.version"],
            name=op.f("fk_clip_license_id_license_version_license_version"),
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_clip_recording_id_recording")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["render_request.id"], name=op.f("fk_clip_request_id_render_request")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["app_user.id"], name=op.f("fk_clip_requester_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["voice_model_id"], ["voice_model.id"], name=op.f("fk_clip_voice_model_id_voice_model")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clip")),
        sa.UniqueConstraint("request_id", name=op.f("uq_clip_request_id")),
    )
    op.create_index("ix_clip_audio_sha256", "clip", ["audio_sha256"])
    op.create_index("ix_clip_recording_id", "clip", ["recording_id"])
    op.create_index("ix_clip_requester_id", "clip", ["requester_id"])
    op.create_index("ix_clip_voice_model_id", "clip", ["voice_model_id"])
    op.create_table(
        "quota_entry",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=160), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"],
            ["quota_account.account"],
            name=op.f("fk_quota_entry_account_quota_account"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["render_request.id"],
            name=op.f("fk_quota_entry_request_id_render_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_entry")),
    )
    op.create_index("ix_quota_entry_account_period", "quota_entry", ["account", "period_start"])
    op.create_index("ix_quota_entry_request_id", "quota_entry", ["request_id"])

    _install_guards()


APPEND_ONLY = ("quota_entry", "audit_log")
# Columns of a license version that never change once written.
LICENSE_FROZEN = "id, version, recording_id, terms, created_at"


def _install_guards() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION refrain_reject_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END $$
            """
        )
        op.execute(
            """
            CREATE OR REPLACE FUNCTION refrain_license_immutable() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'license_version is immutable: only revoked_at may change';
            END $$
            """
        )
        for table in APPEND_ONLY:
            for statement in trigger_statements("postgresql", table):
                op.execute(statement)
        op.execute(
            f"CREATE TRIGGER license_version_immutable BEFORE UPDATE OF {LICENSE_FROZEN} "
            "OR DELETE ON license_version FOR EACH ROW EXECUTE FUNCTION refrain_license_immutable()"
        )
        return
    for table in APPEND_ONLY:
        for statement in trigger_statements("sqlite", table):
            op.execute(statement)
    op.execute(
        f"CREATE TRIGGER license_version_no_update BEFORE UPDATE OF {LICENSE_FROZEN} "
        "ON license_version BEGIN SELECT RAISE(ABORT, "
        "'license_version is immutable: only revoked_at may change'); END"
    )
    op.execute(
        "CREATE TRIGGER license_version_no_delete BEFORE DELETE ON license_version "
        "BEGIN SELECT RAISE(ABORT, 'license_version is immutable: DELETE refused'); END"
    )


def downgrade() -> None:
    op.drop_table("quota_entry")
    op.drop_table("clip")
    op.drop_table("render_request")
    op.drop_table("license_version")
    op.drop_table("voice_model")
    op.drop_table("share")
    op.drop_table("recording")
    op.drop_table("opt_declaration")
    op.drop_table("work")
    op.drop_table("scope_policy")
    op.drop_table("quota_account")
    op.drop_table("party")
    op.drop_table("audit_log")
    op.drop_table("app_user")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS refrain_reject_change()")
        op.execute("DROP FUNCTION IF EXISTS refrain_license_immutable()")
