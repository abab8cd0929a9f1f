from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.engine import sync_url
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from support.privacy import SqlPersonalDataContract, schema_gaps

pytestmark = pytest.mark.integration


class TestPostgresPersonalData(SqlPersonalDataContract):
    @pytest.fixture
    def database_url(self, engine: AsyncEngine, migrated_postgres_url: str) -> str:
        return migrated_postgres_url  # emptied by ``engine`` first


def _gaps(url: str, *extra_ddl: str) -> list[str]:
    return schema_gaps(sync_url(url), *extra_ddl)


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
        "CREATE TABLE mutes (muter_id UUID NOT NULL REFERENCES users (id),"
        " muted_user_id UUID NOT NULL)",
        "CREATE TABLE chat_messages (id SERIAL PRIMARY KEY,"
        " session_id UUID REFERENCES sessions (id))",
    )
    assert gaps == [
        "chat_messages: holds rows of declared sessions but is undeclared",
        "mutes: refers to members (muted_user_id, muter_id) undeclared",
    ]
