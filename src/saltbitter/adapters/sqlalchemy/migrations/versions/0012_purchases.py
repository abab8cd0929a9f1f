"""Payments: one-off purchases (anonymised on erasure) and each member's spending
safeguards and super-like balance.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purchases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("intent_id", sa.String(length=255), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_purchases_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("intent_id", name=op.f("uq_purchases_intent_id")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchases_user_id_created_at"), ["user_id", "created_at"], unique=False
        )
    op.create_table(
        "purchase_accounts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("cap_cents", sa.Integer(), nullable=True),
        sa.Column("pending_cap_cents", sa.Integer(), nullable=True),
        sa.Column("pending_cap_applies_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_month", sa.String(length=7), nullable=True),
        sa.Column("notified_cents", sa.Integer(), nullable=False),
        sa.Column("super_likes", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_purchase_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_purchase_accounts")),
    )


def downgrade() -> None:
    op.drop_table("purchase_accounts")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchases_user_id_created_at"))
    op.drop_table("purchases")
