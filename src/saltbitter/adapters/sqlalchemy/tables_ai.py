"""Tables of the AI capability: conversations, their messages, the daily quota counter."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = ["ai_conversations", "ai_messages", "ai_quota_usage"]

ai_conversations = Table(
    "ai_conversations",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # practice | coach | icebreakers
    Column("persona", String(16), nullable=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Index(None, "user_id", "kind", "persona", "started_at"),
)

ai_messages = Table(
    "ai_messages",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column(
        "conversation_id",
        Uuid(),
        ForeignKey("ai_conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("role", String(8), nullable=False),  # member | ai
    Column("body", Text(), nullable=False),
    Column("crisis", Boolean(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "conversation_id", "created_at"),
)

# One row per member and UTC day; ``used`` only grows through a conditional upsert.
ai_quota_usage = Table(
    "ai_quota_usage",
    metadata,
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date(), nullable=False),
    Column("used", Integer(), nullable=False),
    PrimaryKeyConstraint("user_id", "day"),
)
