"""Assessment norms: the platform's own, versioned norms per instrument and age band.

Written to match ``alembic revision --autogenerate`` against PostgreSQL, then reviewed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_norms",
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("anxiety_mean", sa.Float(), nullable=False),
        sa.Column("anxiety_sd", sa.Float(), nullable=False),
        sa.Column("anxiety_alpha", sa.Float(), nullable=False),
        sa.Column("avoidance_mean", sa.Float(), nullable=False),
        sa.Column("avoidance_sd", sa.Float(), nullable=False),
        sa.Column("avoidance_alpha", sa.Float(), nullable=False),
        sa.Column(
            "percentiles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "instrument", "version", "age_band", name=op.f("pk_assessment_norms")
        ),
    )
    with op.batch_alter_table("assessment_norms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_norms_instrument_computed_at"),
            ["instrument", "computed_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_norms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_norms_instrument_computed_at"))

    op.drop_table("assessment_norms")
