"""Member journey: profiles, photos, assessments, swipes, matches, daily sets, notifications.

Generated with ``alembic revision --autogenerate`` against PostgreSQL, then reviewed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:53:47.223077
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("instrument_version", sa.String(length=32), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("anxiety", sa.Float(), nullable=False),
        sa.Column("avoidance", sa.Float(), nullable=False),
        sa.Column("style", sa.String(length=16), nullable=False),
        sa.Column("near_boundary", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assessments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_user_id_taken_at"), ["user_id", "taken_at"], unique=False
        )

    op.create_table(
        "daily_set_entries",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["users.id"],
            name=op.f("fk_daily_set_entries_candidate_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_daily_set_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "local_date", "position", name=op.f("pk_daily_set_entries")
        ),
    )
    with op.batch_alter_table("daily_set_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_daily_set_entries_candidate_id_local_date"),
            ["candidate_id", "local_date"],
            unique=False,
        )

    op.create_table(
        "daily_set_runs",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_daily_set_runs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "local_date", name=op.f("pk_daily_set_runs")),
    )
    with op.batch_alter_table("daily_set_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_daily_set_runs_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_daily_set_runs_local_date"), ["local_date"], unique=False
        )

    op.create_table(
        "matches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_low", sa.Uuid(), nullable=False),
        sa.Column("user_high", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unmatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unmatched_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("user_low < user_high", name=op.f("ck_matches_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["user_high"], ["users.id"], name=op.f("fk_matches_user_high_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_low"], ["users.id"], name=op.f("fk_matches_user_low_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
        sa.UniqueConstraint("user_low", "user_high", name=op.f("uq_matches_user_low_user_high")),
    )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matches_user_high"), ["user_high"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_user_id_created_at"),
            ["user_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "scheduled_emails",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_emails_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_emails")),
    )
    with op.batch_alter_table("scheduled_emails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_emails_status_send_after"),
            ["status", "send_after"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_scheduled_emails_user_id"), ["user_id"], unique=False)

    op.create_table(
        "photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("moderation", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("position >= 0 AND position < 6", name=op.f("ck_photos_photo_slot")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_photos_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("user_id", "position", name=op.f("uq_photos_user_id_position")),
    )

    op.create_table(
        "profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("genders_sought", sa.String(length=64), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column(
            "interests",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("relationship_goal", sa.String(length=32), nullable=True),
        sa.Column(
            "values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("max_distance_km", sa.Float(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_profiles")),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_visibility"), ["visibility"], unique=False)

    op.create_table(
        "swipes",
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_swipes_actor_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["users.id"], name=op.f("fk_swipes_target_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("actor_id", "target_id", name=op.f("pk_swipes")),
    )
    with op.batch_alter_table("swipes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_swipes_target_id_decision"), ["target_id", "decision"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("swipes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_swipes_target_id_decision"))

    op.drop_table("swipes")
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_visibility"))

    op.drop_table("profiles")
    op.drop_table("photos")
    with op.batch_alter_table("scheduled_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_emails_user_id"))
        batch_op.drop_index(batch_op.f("ix_scheduled_emails_status_send_after"))

    op.drop_table("scheduled_emails")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_user_id_created_at"))

    op.drop_table("notifications")
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matches_user_high"))

    op.drop_table("matches")
    with op.batch_alter_table("daily_set_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_set_runs_local_date"))
        batch_op.drop_index(batch_op.f("ix_daily_set_runs_created_at"))

    op.drop_table("daily_set_runs")
    with op.batch_alter_table("daily_set_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_set_entries_candidate_id_local_date"))

    op.drop_table("daily_set_entries")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_user_id_taken_at"))

    op.drop_table("assessments")
