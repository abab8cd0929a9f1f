"""Tables of the payments capability (issue 11, migration 0007).

Payment records are kept (bookkeeping law): erasing a member clears ``user_id`` and
keeps the row (``Erasure.ANONYMISE``), so the foreign key sets null instead of
cascading.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint, Uuid

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = ["payment_subscriptions", "payment_webhook_events"]

payment_subscriptions = Table(
    "payment_subscriptions",
    metadata,
    Column("customer_id", String(255), primary_key=True),
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("subscription_id", String(255), nullable=True, unique=True),
    Column("state", String(16), nullable=False),
    Column("tier", String(32), nullable=False),
    Column("current_period_end", UtcDateTime(), nullable=True),
    Column("grace_deadline", UtcDateTime(), nullable=True),
    Column("scheduled_tier", String(32), nullable=True),
    # The provider's time of the newest fact applied: older facts never overwrite it.
    Column("observed_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("user_id"),
)

# One row per provider event id: the unique key that makes a delivery count once.
payment_webhook_events = Table(
    "payment_webhook_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("event_type", String(128), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)
