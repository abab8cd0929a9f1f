"""Tables of the events capability: community events, registrations (seats, waitlist,
attendance, reminders sent), surveys, and tickets bought for paid events."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = ["community_events", "event_registrations", "event_surveys", "event_tickets"]


def _member() -> Column[object]:
    return Column("member_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def _event() -> Column[object]:
    return Column(
        "event_id", Uuid(), ForeignKey("community_events.id", ondelete="CASCADE"), nullable=False
    )


community_events = Table(
    "community_events",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text(), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("duration_minutes", Integer(), nullable=False),
    Column("capacity", Integer(), nullable=False),
    Column("price_cents", Integer(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("cancelled_at", UtcDateTime(), nullable=True),
    # The upcoming list: scheduled events by start time.
    Index(None, "status", "starts_at", "id"),
)

event_registrations = Table(
    "event_registrations",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _event(),
    _member(),
    Column("arrival", Integer(), nullable=False),  # order taken, under the event's lock
    Column("status", String(16), nullable=False),
    Column("admission", String(16), nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("promoted_at", UtcDateTime(), nullable=True),
    Column("cancelled_at", UtcDateTime(), nullable=True),
    Column("attended_at", UtcDateTime(), nullable=True),
    Column("reminded_24h_at", UtcDateTime(), nullable=True),
    Column("reminded_1h_at", UtcDateTime(), nullable=True),
    UniqueConstraint("event_id", "member_id"),
    # The roster and the waitlist, in arrival order.
    Index(None, "event_id", "status", "arrival"),
    # The member's allowance used this month.
    Index(None, "member_id", "admission", "registered_at"),
)

event_surveys = Table(
    "event_surveys",
    metadata,
    _event(),
    _member(),
    Column("rating", Integer(), nullable=False),
    Column("comment", Text(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("event_id", "member_id"),
)

# Tickets bought for paid events: filled by the purchase flow (docs/events.md, "Tickets").
event_tickets = Table(
    "event_tickets",
    metadata,
    _event(),
    _member(),
    Column("granted_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("event_id", "member_id"),
)
