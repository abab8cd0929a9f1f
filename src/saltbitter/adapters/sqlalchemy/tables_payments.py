"""Tables of the payments capability (issue 11, migration 0007).

Payment records are kept (bookkeeping law): erasing a member clears ``user_id`` and
keeps the row (``Erasure.ANONYMISE``), so the foreign key sets null instead of
cascading.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = [
    "payment_subscriptions",
    "payment_webhook_events",
    "purchase_accounts",
    "purchases",
]

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

# One-off purchases (migration 0012): payment records, anonymised like subscriptions.
purchases = Table(
    "purchases",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("item", String(32), nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("amount_cents", Integer(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("intent_id", String(255), nullable=True, unique=True),
    # The community event an event ticket is for (the events capability's id).
    Column("event_id", String(64), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "user_id", "created_at"),
)

# The member's spending safeguards and super-like balance; its row is the lock that
# serialises the member's purchases against the cap. Not a payment record: erased.
purchase_accounts = Table(
    "purchase_accounts",
    metadata,
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("cap_cents", Integer(), nullable=True),
    # A raise or removal (cents NULL) waiting for its cooling-off: set while one waits.
    Column("pending_cap_cents", Integer(), nullable=True),
    Column("pending_cap_applies_at", UtcDateTime(), nullable=True),
    # The month (YYYY-MM) and highest spending threshold already announced in it.
    Column("notified_month", String(7), nullable=True),
    Column("notified_cents", Integer(), nullable=False),
    Column("super_likes", Integer(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
