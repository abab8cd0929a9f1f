"""SQLAlchemy adapter: the persistence ports on PostgreSQL (psycopg) and SQLite (aiosqlite).

Migrations live in ``migrations/`` and run through ``saltbitter.adapters.sqlalchemy.migrate``
(imported separately: it pulls in Alembic).
"""

from saltbitter.adapters.sqlalchemy.accounts import (
    SqlaConsentLedger,
    SqlaOneTimeCodeRepository,
    SqlaSessionRepository,
    SqlaUserRepository,
)
from saltbitter.adapters.sqlalchemy.engine import async_url, create_engine_for, ping, sync_url
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.schema import metadata
from saltbitter.adapters.sqlalchemy.staging import StagedConnection

__all__ = [
    "SqlaConsentLedger",
    "SqlaOneTimeCodeRepository",
    "SqlaOutbox",
    "SqlaSessionRepository",
    "SqlaUserRepository",
    "StagedConnection",
    "async_url",
    "create_engine_for",
    "metadata",
    "ping",
    "sync_url",
]
