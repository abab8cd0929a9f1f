"""Account deletion: the erasure date, reminders queued and the erasure job's claim.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erasure_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erasure_reminded_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("erasure_claimed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_users_erasure_due_at"), ["erasure_due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_erasure_due_at"))
        batch_op.drop_column("erasure_claimed_at")
        batch_op.drop_column("erasure_reminded_days")
        batch_op.drop_column("erasure_due_at")
