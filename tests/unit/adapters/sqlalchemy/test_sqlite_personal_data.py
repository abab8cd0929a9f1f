from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.support.privacy import sql_references

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.adapters.sqlalchemy.privacy import SqlaPersonalData, personal_data_gaps
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.privacy import PersonalDataHolder
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.privacy import HolderSession, PersonalDataContract, ReferenceScan


def sql_holders(engine: AsyncEngine) -> HolderSession:
    @asynccontextmanager
    async def session() -> AsyncIterator[Sequence[PersonalDataHolder]]:
        async with engine.begin() as connection:
            db = StagedConnection(connection)
            yield [SqlaPersonalData(declaration, db) for declaration in PERSONAL_DATA]

    return session


class TestSqlitePersonalData(PersonalDataContract):
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


def _gaps(path: Path, *extra_ddl: str) -> list[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            for ddl in extra_ddl:
                connection.execute(text(ddl))
            return personal_data_gaps(connection, PERSONAL_DATA)
    finally:
        engine.dispose()


def test_the_migrated_schema_has_every_member_reference_declared(
    migrated_template: Path,
) -> None:
    assert _gaps(migrated_template) == []


def test_an_undeclared_table_with_a_member_reference_is_reported(
    sqlite_url: str,
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    gaps = _gaps(
        path,
        "CREATE TABLE blocks (blocker_id CHAR(32) NOT NULL REFERENCES users (id),"
        " blocked_user_id CHAR(32) NOT NULL)",
        "CREATE TABLE reports (id INTEGER PRIMARY KEY, handled_by CHAR(32))",
        "CREATE TABLE chat_messages (id INTEGER PRIMARY KEY,"
        " session_id CHAR(32) REFERENCES sessions (id))",
        "ALTER TABLE photos ADD COLUMN approved_by CHAR(32)",
        "CREATE TABLE norms_copy (instrument VARCHAR(32))",
    )
    assert gaps == [
        "blocks: refers to members (blocked_user_id, blocker_id) undeclared",
        "chat_messages: holds rows of declared sessions but is undeclared",
        "photos: member columns not declared: approved_by",
        "reports: refers to members (handled_by) undeclared",
    ]


def test_a_declared_table_or_column_missing_from_the_schema_is_reported(
    sqlite_url: str,
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    gaps = _gaps(
        path,
        "ALTER TABLE swipes RENAME COLUMN target_id TO liked_id",
        "DROP TABLE scheduled_emails",
    )
    assert gaps == [
        "scheduled_emails: declared but not in the schema",
        "swipes: declared columns not in the schema: target_id",
        "swipes: member columns not declared: liked_id",
    ]
