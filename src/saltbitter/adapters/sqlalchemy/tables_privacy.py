"""Tables of members' privacy rights: data export requests and the breach register.

``breach_log`` is append-only: besides the ports offering no update or delete, a
trigger on SQLite and on PostgreSQL refuses both (created with the table here for
``create_all`` and by migration 0010).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    event,
)

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import JSON_DOCUMENT, metadata

__all__ = [
    "APPEND_ONLY_DDL",
    "breach_log",
    "breach_members",
    "breaches",
    "data_exports",
]

data_exports = Table(
    "data_exports",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("member_id", Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("archive_key", String(255), nullable=True),
    Column("ready_at", UtcDateTime(), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=True),
    Index(None, "member_id", "requested_at"),
)

breaches = Table(
    "breaches",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("scope", Text(), nullable=False),
    Column("data_classes", JSON_DOCUMENT, nullable=False),
    Column("aware_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("authority_notified_at", UtcDateTime(), nullable=True),
    Column("authority_channel", Text(), nullable=True),
    Column("authority_reference", Text(), nullable=True),
)

breach_members = Table(
    "breach_members",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("breach_id", Uuid(), ForeignKey("breaches.id"), nullable=False),
    # Kept (anonymised) when the member is erased: the register must still count them.
    Column("member_id", Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("notified_at", UtcDateTime(), nullable=True),
    UniqueConstraint("breach_id", "member_id"),
    Index(None, "breach_id", "notified_at"),
)

breach_log = Table(
    "breach_log",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("breach_id", Uuid(), ForeignKey("breaches.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("details", JSON_DOCUMENT, nullable=False),
    Index(None, "breach_id", "at"),
)

APPEND_ONLY_DDL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER breach_log_no_update BEFORE UPDATE ON breach_log "
        "BEGIN SELECT RAISE(ABORT, 'breach_log is append-only'); END",
        "CREATE TRIGGER breach_log_no_delete BEFORE DELETE ON breach_log "
        "BEGIN SELECT RAISE(ABORT, 'breach_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION breach_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'breach_log is append-only'; END $$",
        "CREATE TRIGGER breach_log_append_only BEFORE UPDATE OR DELETE ON breach_log "
        "FOR EACH ROW EXECUTE FUNCTION breach_log_append_only()",
    ),
}
"""Triggers that refuse any change to a logged entry, per dialect."""

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        _ddl = DDL(_statement)  # type: ignore[no-untyped-call]
        event.listen(breach_log, "after_create", _ddl.execute_if(dialect=_dialect))
