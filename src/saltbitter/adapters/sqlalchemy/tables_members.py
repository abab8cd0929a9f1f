"""Tables of the member journey: profiles, photos, assessments, matching, notifications.

Columns were fixed up front so that capabilities can read each other's data in SQL
(the daily matching job joins profiles, assessments and users); each capability's
repository module owns the reads and writes of its tables.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
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
from saltbitter.adapters.sqlalchemy.tables import JSON_DOCUMENT, metadata

__all__ = [
    "assessments",
    "daily_set_entries",
    "daily_set_runs",
    "discover_allotments",
    "matches",
    "notifications",
    "photos",
    "profiles",
    "scheduled_emails",
    "swipes",
]


def _member(name: str, *, index: bool = False, nullable: bool = False) -> Column[object]:
    return Column(
        name, Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable, index=index
    )


profiles = Table(
    "profiles",
    metadata,
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("gender", String(16), nullable=False),
    Column("genders_sought", String(64), nullable=False),  # comma-joined Gender values
    Column("age_min", Integer(), nullable=False),
    Column("age_max", Integer(), nullable=False),
    Column("bio", Text(), nullable=False),
    Column("interests", JSON_DOCUMENT, nullable=False),  # list of normalised tags
    Column("relationship_goal", String(32), nullable=True),
    Column("values", JSON_DOCUMENT, nullable=True),  # {schwartz value: 1-7} or null
    Column("latitude", Float(), nullable=False),
    Column("longitude", Float(), nullable=False),
    Column("max_distance_km", Float(), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index(None, "visibility"),
)

photos = Table(
    "photos",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("user_id"),
    Column("position", Integer(), nullable=False),
    Column("storage_key", String(200), nullable=False),
    Column("content_type", String(32), nullable=False),
    Column("width", Integer(), nullable=False),
    Column("height", Integer(), nullable=False),
    Column("size_bytes", Integer(), nullable=False),
    Column("moderation", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Six slots per member, each used once: the database itself caps a member at six
    # photos, even when uploads race (the unique index also serves lookups by user_id).
    UniqueConstraint("user_id", "position"),
    CheckConstraint("position >= 0 AND position < 6", name="photo_slot"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("user_id"),
    Column("instrument", String(32), nullable=False),
    Column("instrument_version", String(32), nullable=False),
    Column("answers", JSON_DOCUMENT, nullable=False),
    Column("anxiety", Float(), nullable=False),
    Column("avoidance", Float(), nullable=False),
    Column("style", String(16), nullable=False),
    Column("near_boundary", Boolean(), nullable=False),
    Column("taken_at", UtcDateTime(), nullable=False),
    Index(None, "user_id", "taken_at"),
)

swipes = Table(
    "swipes",
    metadata,
    _member("actor_id"),
    _member("target_id"),
    Column("decision", String(8), nullable=False),  # like | pass
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("actor_id", "target_id"),
    Index(None, "target_id", "decision"),
)

matches = Table(
    "matches",
    metadata,
    Column("id", Uuid(), primary_key=True),
    # The unordered pair, smaller id first: the unique constraint makes a match exist
    # exactly once even when both members like each other at the same moment.
    # Null: that member was erased; the other one keeps the conversation's history
    # (ADR 0035). A match naming nobody is deleted.
    _member("user_low", nullable=True),
    _member("user_high", index=True, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("unmatched_at", UtcDateTime(), nullable=True),
    Column("unmatched_by", Uuid(), nullable=True),
    UniqueConstraint("user_low", "user_high"),
    CheckConstraint("user_low < user_high", name="ordered_pair"),
)

daily_set_runs = Table(
    "daily_set_runs",
    metadata,
    _member("user_id"),
    Column("local_date", Date(), nullable=False),
    Column("size", Integer(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("user_id", "local_date"),
    # The sweep asks which sets exist for a few dates; exposure counts recent sets.
    Index(None, "local_date"),
    Index(None, "created_at"),
)

# Both member columns name ``users.id``: checked (and cascaded on a member's delete) by
# triggers once per statement rather than by foreign keys once per row, the daily job
# writing over a million entries at once (migration 0016, ADR 0053).
daily_set_entries = Table(
    "daily_set_entries",
    metadata,
    Column("user_id", Uuid(), nullable=False),
    Column("local_date", Date(), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("candidate_id", Uuid(), nullable=False),
    Column("total", Float(), nullable=False),
    Column("components", JSON_DOCUMENT, nullable=False),
    Column("reasons", JSON_DOCUMENT, nullable=False),
    PrimaryKeyConstraint("user_id", "local_date", "position"),
    # Whose sets show a member: their profile change invalidates those cached sets.
    Index(None, "candidate_id", "local_date"),
)

# Who discovery handed each member on their local day: the tier's daily allowance is
# counted here, so a restart (or a cache flush) never hands out a fresh one.
discover_allotments = Table(
    "discover_allotments",
    metadata,
    _member("user_id"),
    Column("local_date", Date(), nullable=False),
    _member("candidate_id"),
    PrimaryKeyConstraint("user_id", "local_date", "candidate_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid(), primary_key=True),
    _member("user_id"),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON_DOCUMENT, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime(), nullable=True),
    Index(None, "user_id", "created_at"),
)

# Member emails waiting for their time (quiet hours) and the record that they went out:
# the durable half of "deferred, not dropped". A Beat job sends the due ones every minute.
scheduled_emails = Table(
    "scheduled_emails",
    metadata,
    Column("id", Uuid(), primary_key=True),  # derived from the event: redelivery-safe
    _member("user_id", index=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text(), nullable=False),
    Column("send_after", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | skipped
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime(), nullable=True),
    Index(None, "status", "send_after"),
)
