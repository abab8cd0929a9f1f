"""Tables of the conversations capability."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = ["messages"]

messages = Table(
    "messages",
    metadata,
    Column("id", Uuid(), primary_key=True),
    # A message lives and dies with its match (erasure of a member removes the match).
    Column("match_id", Uuid(), ForeignKey("matches.id", ondelete="CASCADE"), nullable=False),
    # Null: that member was erased (ADR 0035); a message the erased member sent keeps no
    # body and no picture, one they received stays the other member's.
    Column("sender_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("recipient_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("body", Text(), nullable=False),
    Column("client_message_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("read_at", UtcDateTime(), nullable=True),
    # sent | delivered | read | held | blocked (kept in step with the timestamps).
    Column("status", String(16), nullable=False),
    # allow | warn | hold | block | unscreened, and the comma-joined reasons.
    Column("moderation_decision", String(16), nullable=False),
    Column("moderation_reasons", String(200), nullable=False, server_default=""),
    # A photo message's picture (re-encoded, in the photo blob store): its key, media
    # type and size; all null for a text message.
    Column("attachment_key", String(200), nullable=True),
    Column("attachment_type", String(32), nullable=True),
    Column("attachment_width", Integer(), nullable=True),
    Column("attachment_height", Integer(), nullable=True),
    # The idempotency key: a retried send finds the stored message, never a second one.
    UniqueConstraint("sender_id", "client_message_id"),
    # History pages and resume walk (match, time, id); unread counts by recipient.
    Index(None, "match_id", "created_at", "id"),
    Index(None, "recipient_id", "created_at"),
    # The review queue (safety) reads held and blocked messages.
    Index(None, "moderation_decision"),
)
