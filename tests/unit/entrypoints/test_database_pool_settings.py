"""The PostgreSQL pool is sized from the settings (no connection is made here)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from saltbitter.adapters.sqlalchemy.engine import POOL_OVERFLOW, POOL_SIZE
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings


def _pool_of(settings: Settings) -> QueuePool:
    async def engine_pool() -> QueuePool:
        container = make_container(settings)
        try:
            engine = await container.get(AsyncEngine)
            pool = engine.sync_engine.pool
            assert isinstance(pool, QueuePool)
            return pool
        finally:
            await container.close()

    return asyncio.run(engine_pool())


def test_the_pool_size_and_overflow_come_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {
            "SALTBITTER_DATA_DIR": str(tmp_path),
            "SALTBITTER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SALTBITTER_DATABASE_POOL_SIZE": "32",
            "SALTBITTER_DATABASE_POOL_OVERFLOW": "0",
        }
    )
    pool = _pool_of(settings)
    assert pool.size() == 32
    assert pool._max_overflow == 0


def test_by_default_the_engines_own_pool(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    pool = _pool_of(settings)
    assert (pool.size(), pool._max_overflow) == (POOL_SIZE, POOL_OVERFLOW) == (20, 10)
