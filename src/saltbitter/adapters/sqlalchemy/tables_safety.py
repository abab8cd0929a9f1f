"""Tables of the safety capability: blocks, reports, appeals, the moderation audit log,
suspensions and date check-ins."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = [
    "appeals",
    "blocks",
    "check_ins",
    "held_messages",
    "moderation_audit",
    "reports",
    "suspensions",
]


def _member(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable)


blocks = Table(
    "blocks",
    metadata,
    _member("blocker_id"),
    _member("blocked_id"),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("blocker_id", "blocked_id"),
    # "Who blocked me" (the other direction of blocked_between) and the blocker's list.
    Index(None, "blocked_id"),
    Index(None, "blocker_id", "created_at"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("reporter_id"),
    _member("reported_id"),
    Column("reason", String(32), nullable=False),
    Column("severity", Integer(), nullable=False),
    Column("details", Text(), nullable=False),
    Column("message_id", Uuid(), nullable=True),  # conversations' message, no FK yet
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
    # The moderator; no foreign key, so that erasing a moderator keeps nothing dangling.
    Column("resolved_by", Uuid(), nullable=True),
    Column("action", String(16), nullable=True),
    Column("note", Text(), nullable=True),
    Index(None, "reported_id", "status"),
    Index(None, "status", "severity", "created_at"),
    # One open report per reporter and member: a second is a 409, also under a race.
    Index(
        "uq_reports_open_pair",
        "reporter_id",
        "reported_id",
        unique=True,
        postgresql_where=text("status = 'open'"),
        sqlite_where=text("status = 'open'"),
    ),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("member_id"),
    Column("report_id", Uuid(), ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolved_by", Uuid(), nullable=True),
    Column("upheld", Boolean(), nullable=True),
    Column("note", Text(), nullable=True),
    Index("uq_appeals_report_id", "report_id", unique=True),
)

held_messages = Table(
    "held_messages",
    metadata,
    # Conversations' message; no FK (its table is conversations'), the id makes a second
    # delivery of MessageHeld a no-op.
    Column("message_id", Uuid(), primary_key=True),
    Column("match_id", Uuid(), nullable=False),
    _member("sender_id"),
    _member("recipient_id"),
    Column("decision", String(16), nullable=False),
    Column("reasons", Text(), nullable=False),  # comma-separated
    Column("severity", Integer(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolved_by", Uuid(), nullable=True),
    Column("action", String(16), nullable=True),
    Column("note", Text(), nullable=True),
    Index(None, "status", "severity", "created_at"),
)

moderation_audit = Table(
    "moderation_audit",
    metadata,
    Column("id", Uuid(), primary_key=True),
    # No foreign keys: the log outlives nobody's account by accident (erasure is explicit).
    Column("actor_id", Uuid(), nullable=True),
    Column("action", String(64), nullable=False),
    Column("subject_id", Uuid(), nullable=True),
    Column("object_id", Uuid(), nullable=True),
    Column("detail", Text(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "created_at"),
)

suspensions = Table(
    "suspensions",
    metadata,
    Column("member_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("until", UtcDateTime(), nullable=True),  # None: banned for good
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "until"),
)

check_ins = Table(
    "check_ins",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("member_id"),
    Column("match_id", Uuid(), ForeignKey("matches.id", ondelete="CASCADE"), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),  # the API's check_in_by
    Column("contact_name", Text(), nullable=True),
    Column("contact_email", String(254), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("ok_at", UtcDateTime(), nullable=True),
    Column("alerted_at", UtcDateTime(), nullable=True),
    Index(None, "member_id", "created_at"),
    Index(None, "due_at"),
)
