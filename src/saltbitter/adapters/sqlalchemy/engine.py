"""Async engines for SQLite (embedded default) and PostgreSQL, plus a readiness probe."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import URL, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = [
    "POOL_OVERFLOW",
    "POOL_SIZE",
    "async_url",
    "create_engine_for",
    "make_sqlite_folder",
    "ping",
    "sync_url",
]

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
# psycopg 3 is one driver for both worlds; SQLite's sync driver is the standard library's.
_SYNC_DRIVERS = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}
SQLITE_BUSY_TIMEOUT_MS = 5_000
# PostgreSQL connections a process keeps, and the extra ones a burst may open. Under 64
# concurrent requests a 10-connection pool churned overflow connections (506 opened in
# 20 s); 20 steady ones measured clearly better (benchmarks.api_load). The settings
# (SALTBITTER_DATABASE_POOL_SIZE/_OVERFLOW) default to these.
POOL_SIZE = 20
POOL_OVERFLOW = 10


def async_url(url: str | URL) -> URL:
    """``url`` with the async driver this adapter uses (``sqlite://`` -> ``sqlite+aiosqlite://``)."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str | URL) -> URL:
    """``url`` with a blocking driver, for Alembic and other one-off tooling."""
    return _with_driver(url, _SYNC_DRIVERS)


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=drivers[backend])


def create_engine_for(url: str | URL, **options: Any) -> AsyncEngine:
    """An engine for ``sqlite+aiosqlite:///path`` or ``postgresql+psycopg://...``.

    ``options`` go to ``create_async_engine`` and override the defaults chosen here.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, options)
    settings: dict[str, Any] = {
        # No ping per checkout (a round trip on every request): a connection the server
        # dropped fails one request, and SQLAlchemy then replaces the whole pool's stale
        # ones; pool_recycle retires connections before idle reapers do (ADR 0032).
        "pool_pre_ping": False,
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_OVERFLOW,
        "pool_recycle": 1_800,
        "connect_args": {"connect_timeout": 5},
        # psycopg decodes json/jsonb columns itself, with the standard library's
        # json.loads by default; msgspec's decoder gives the same values in a fraction
        # of the time (a discovery page's rows, the daily job's 100k profiles; ADR 0047).
        "json_deserializer": msgspec.json.decode,
    }
    settings.update(options)
    return create_async_engine(parsed, **settings)


def make_sqlite_folder(url: str | URL) -> None:
    """Create the folder of a SQLite file: a fresh checkout's default one may not exist yet."""
    parsed = make_url(url)
    database = parsed.database or ""
    in_a_file = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and in_a_file:
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: URL, options: dict[str, Any]) -> AsyncEngine:
    make_sqlite_folder(url)
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless told, per
            # connection. WAL lets readers proceed while one writer works; the busy
            # timeout makes a second writer wait instead of failing at once.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        finally:
            cursor.close()

    return engine


async def ping(engine: AsyncEngine, within_seconds: float = 5.0) -> bool:
    """True when the database answers a trivial query within ``within_seconds``."""
    try:
        async with asyncio.timeout(within_seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True
