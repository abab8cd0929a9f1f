"""Matches and messages outlive one member's erasure: their member columns may be null
(the erased side), so the other member keeps the history they took part in (ADR 0035).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = {"matches": ("user_low", "user_high"), "messages": ("sender_id", "recipient_id")}


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    # Rows kept for a member whose partner was erased cannot be expressed any more.
    op.execute("DELETE FROM messages WHERE sender_id IS NULL OR recipient_id IS NULL")
    op.execute("DELETE FROM matches WHERE user_low IS NULL OR user_high IS NULL")
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=sa.Uuid(), nullable=False)
