from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for, metadata
from saltbitter.adapters.sqlalchemy.migrate import upgrade


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_url: str) -> str:
    upgrade(postgres_url)
    return postgres_url


@pytest.fixture(scope="session")
async def shared_engine(migrated_postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(migrated_postgres_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(shared_engine: AsyncEngine) -> AsyncEngine:
    """The run's migrated database, emptied for this test."""
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    async with shared_engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return shared_engine


@pytest.fixture
def scratch_postgres_url(postgres_url: str) -> Iterator[str]:
    """Another fresh, empty database beside the run's, dropped after the test."""
    name = f"{make_url(postgres_url).database}_scratch_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
