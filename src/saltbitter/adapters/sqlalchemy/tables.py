"""Core tables of the accounts capability and the outbox, on the project's one MetaData.

Rows are mapped to domain objects by hand in the repositories (msgspec Structs and slotted
dataclasses cannot be ORM-mapped, and the domain must not know SQLAlchemy). Later
capabilities put their tables in their own module (``tables_profiles.py`` ...) on this same
``metadata`` and add that module to ``schema.py``, which Alembic reads.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime

__all__ = [
    "JSON_DOCUMENT",
    "consents",
    "metadata",
    "one_time_codes",
    "outbox",
    "refresh_tokens",
    "sessions",
    "users",
]

# Deterministic constraint names, so migrations can drop or alter them on both databases
# (SQLite batch mode needs names to find constraints again).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY, not a BIGINT one.
_BigIdentity = BigInteger().with_variant(Integer(), "sqlite")
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")
"""JSON on SQLite, JSONB on PostgreSQL."""

users = Table(
    "users",
    metadata,
    Column("id", Uuid(), primary_key=True),
    # Already case-folded by EmailAddress, so a plain unique constraint is case-insensitive.
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", Text(), nullable=False),
    Column("birthdate", Date(), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("password_hash", Text(), nullable=False),
    Column("status", String(32), nullable=False),
    Column("tier", String(32), nullable=False),
    # Sorted, comma-joined Role values: few, fixed and never queried individually.
    Column("roles", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("email_verified_at", UtcDateTime(), nullable=True),
    # Deletion (docs/privacy.md): when the erasure is due, the smallest reminder (days
    # before) already queued, and when an erasure job claimed the account.
    Column("erasure_due_at", UtcDateTime(), nullable=True),
    Column("erasure_reminded_days", Integer(), nullable=True),
    Column("erasure_claimed_at", UtcDateTime(), nullable=True),
    # The purge job looks for old pending accounts.
    Index(None, "status", "created_at"),
    # The erasure and reminder jobs look for due deletions.
    Index(None, "erasure_due_at"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column(
        "user_id",
        Uuid(),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("device", Text(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "session_id",
        Uuid(),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("rotated_at", UtcDateTime(), nullable=True),
)

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("user_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("attempts_left", Integer(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("user_id", "purpose"),
)

consents = Table(
    "consents",
    metadata,
    # The identity keeps the ledger's insertion order among records of equal time.
    Column("id", _BigIdentity, Identity(), primary_key=True),
    Column(
        "user_id",
        Uuid(),
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("purpose", String(32), nullable=False),
    Column("granted", Boolean(), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("ip_address", String(45), nullable=True),  # the longest textual IPv6 form
    Column("user_agent", Text(), nullable=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("topic", String(200), nullable=False),
    Column("payload", JSON_DOCUMENT, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("dispatched_at", UtcDateTime(), nullable=True),
)
# Relays scan only what is pending, oldest first; dispatched rows drop out of the index.
Index(
    "ix_outbox_pending",
    outbox.c.created_at,
    outbox.c.id,
    postgresql_where=outbox.c.dispatched_at.is_(None),
    sqlite_where=outbox.c.dispatched_at.is_(None),
)
