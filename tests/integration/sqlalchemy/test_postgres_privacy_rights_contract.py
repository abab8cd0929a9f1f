from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.privacy_rights import PrivacyRightsContract, PrivacyRightsStore
from saltbitter.testing.contracts.scopes import Connect
from support.privacy_rights import sql_privacy_rights_store

pytestmark = pytest.mark.integration


class TestPostgresPrivacyRights(PrivacyRightsContract):
    @pytest.fixture
    def connect(self, engine: AsyncEngine) -> Connect[PrivacyRightsStore]:
        return sql_privacy_rights_store(engine)


async def test_postgres_refuses_changes_to_the_breach_log(engine: AsyncEngine) -> None:
    breach, entry = uuid4(), uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO breaches (id, scope, data_classes, aware_at, recorded_at) "
                "VALUES (:id, 's', '[]', now(), now())"
            ),
            {"id": breach},
        )
        await connection.execute(
            text(
                "INSERT INTO breach_log (id, breach_id, action, at, actor, details) "
                "VALUES (:id, :breach, 'recorded', now(), 'ops', '{}')"
            ),
            {"id": entry, "breach": breach},
        )
    for statement in ("UPDATE breach_log SET actor = 'x'", "DELETE FROM breach_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
