"""Conversations: photo messages (the attachment's blob key, type and size on the
message row).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("attachment_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("attachment_type", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("attachment_width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("attachment_height", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("attachment_height")
        batch.drop_column("attachment_width")
        batch.drop_column("attachment_type")
        batch.drop_column("attachment_key")
