from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.support.privacy import sql_references
from tests.unit.adapters.sqlalchemy.test_sqlite_personal_data import sql_holders

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.adapters.sqlalchemy.engine import sync_url
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.adapters.sqlalchemy.privacy import personal_data_gaps
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.privacy import HolderSession, PersonalDataContract, ReferenceScan

pytestmark = pytest.mark.integration


class TestPostgresPersonalData(PersonalDataContract):
    @pytest.fixture
    def uow_factory(self, engine: AsyncEngine) -> UowFactory:
        return lambda: SqlaUnitOfWork(engine)

    @pytest.fixture
    def holders(self, engine: AsyncEngine) -> HolderSession:
        return sql_holders(engine)

    @pytest.fixture
    def references(self, engine: AsyncEngine) -> ReferenceScan:
        async def scan(member: UUID) -> dict[str, int]:
            return await sql_references(engine, PERSONAL_DATA, member)

        return scan


def _gaps(url: str, *extra_ddl: str) -> list[str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            for ddl in extra_ddl:
                connection.execute(text(ddl))
            return personal_data_gaps(connection, PERSONAL_DATA)
    finally:
        engine.dispose()


def test_the_migrated_schema_has_every_member_reference_declared(
    migrated_postgres_url: str,
) -> None:
    assert _gaps(migrated_postgres_url) == []


def test_an_undeclared_table_with_a_member_reference_is_reported(
    scratch_postgres_url: str,
) -> None:
    upgrade(scratch_postgres_url)
    gaps = _gaps(
        scratch_postgres_url,
        "CREATE TABLE blocks (blocker_id UUID NOT NULL REFERENCES users (id),"
        " blocked_user_id UUID NOT NULL)",
        "CREATE TABLE chat_messages (id SERIAL PRIMARY KEY,"
        " session_id UUID REFERENCES sessions (id))",
    )
    assert gaps == [
        "blocks: refers to members (blocked_user_id, blocker_id) undeclared",
        "chat_messages: holds rows of declared sessions but is undeclared",
    ]
