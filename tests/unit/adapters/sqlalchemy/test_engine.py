from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import async_url, create_engine_for, ping, sync_url
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.domain.errors import Unavailable


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_ping_answers_true_when_the_database_answers(engine: AsyncEngine) -> None:
    assert await ping(engine)


async def test_ping_answers_false_when_nothing_listens() -> None:
    # Port 1 on loopback refuses connections at once: no server, no waiting.
    engine = create_engine_for("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        assert not await ping(engine, within_seconds=5)
    finally:
        await engine.dispose()


async def test_the_sqlite_folder_is_created_for_a_fresh_checkout(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'data' / 'sb.db'}")
    try:
        assert await ping(engine)
    finally:
        await engine.dispose()
    assert (tmp_path / "var" / "data" / "sb.db").exists()


@pytest.mark.parametrize(
    ("given", "asynchronous", "synchronous"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db", "sqlite+pysqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db", "sqlite+pysqlite:///x.db"),
        (
            "postgresql://u:p%40ss@h:5432/db",
            "postgresql+psycopg://u:p%40ss@h:5432/db",
            "postgresql+psycopg://u:p%40ss@h:5432/db",
        ),
    ],
)
def test_urls_are_given_the_drivers_this_adapter_uses(
    given: str, asynchronous: str, synchronous: str
) -> None:
    assert async_url(given).render_as_string(hide_password=False) == asynchronous
    assert sync_url(given).render_as_string(hide_password=False) == synchronous


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        create_engine_for("mysql://u@h/db")


async def test_an_unreachable_database_is_unavailable_rather_than_a_crash() -> None:
    engine = create_engine_for("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(Unavailable) as raised:
            async with SqlaTransaction(StagedConnection(engine)):
                pass
    finally:
        await engine.dispose()
    assert raised.value.code == "database_unavailable"
