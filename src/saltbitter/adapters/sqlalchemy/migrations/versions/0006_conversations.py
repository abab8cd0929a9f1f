"""Conversations: the messages of matched members.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 00:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("match_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("client_message_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("moderation_decision", sa.String(length=16), nullable=False),
        sa.Column("moderation_reasons", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_messages_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_messages_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_messages_sender_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "sender_id", "client_message_id", name=op.f("uq_messages_sender_id_client_message_id")
        ),
    )
    op.create_index(
        op.f("ix_messages_match_id_created_at_id"),
        "messages",
        ["match_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_messages_recipient_id_created_at"),
        "messages",
        ["recipient_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_messages_moderation_decision"), "messages", ["moderation_decision"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_messages_moderation_decision"), table_name="messages")
    op.drop_index(op.f("ix_messages_recipient_id_created_at"), table_name="messages")
    op.drop_index(op.f("ix_messages_match_id_created_at_id"), table_name="messages")
    op.drop_table("messages")
