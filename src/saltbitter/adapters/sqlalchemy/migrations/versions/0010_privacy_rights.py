"""Privacy rights: data export requests and the breach register (append-only log).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# Kept here as written at this revision (the table module may change later).
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER breach_log_no_update BEFORE UPDATE ON breach_log "
        "BEGIN SELECT RAISE(ABORT, 'breach_log is append-only'); END",
        "CREATE TRIGGER breach_log_no_delete BEFORE DELETE ON breach_log "
        "BEGIN SELECT RAISE(ABORT, 'breach_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION breach_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'breach_log is append-only'; END $$",
        "CREATE TRIGGER breach_log_append_only BEFORE UPDATE OR DELETE ON breach_log "
        "FOR EACH ROW EXECUTE FUNCTION breach_log_append_only()",
    ),
}


def upgrade() -> None:
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("archive_key", sa.String(length=255), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_data_exports_member_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(
        op.f("ix_data_exports_member_id_requested_at"),
        "data_exports",
        ["member_id", "requested_at"],
    )
    op.create_table(
        "breaches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("data_classes", JSON_DOCUMENT, nullable=False),
        sa.Column("aware_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("authority_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("authority_channel", sa.Text(), nullable=True),
        sa.Column("authority_reference", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    op.create_table(
        "breach_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("breach_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"], ["breaches.id"], name=op.f("fk_breach_members_breach_id_breaches")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_breach_members_member_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_members")),
        sa.UniqueConstraint(
            "breach_id", "member_id", name=op.f("uq_breach_members_breach_id_member_id")
        ),
    )
    op.create_index(
        op.f("ix_breach_members_breach_id_notified_at"),
        "breach_members",
        ["breach_id", "notified_at"],
    )
    op.create_table(
        "breach_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("breach_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("details", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"], ["breaches.id"], name=op.f("fk_breach_log_breach_id_breaches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_log")),
    )
    op.create_index(op.f("ix_breach_log_breach_id_at"), "breach_log", ["breach_id", "at"])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("breach_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS breach_log_append_only()")
    op.drop_table("breach_members")
    op.drop_table("breaches")
    op.drop_index(op.f("ix_data_exports_member_id_requested_at"), table_name="data_exports")
    op.drop_table("data_exports")
