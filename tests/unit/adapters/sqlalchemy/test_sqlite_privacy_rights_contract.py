from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.privacy_rights import PrivacyRightsContract, PrivacyRightsStore
from saltbitter.testing.contracts.scopes import Connect
from support.privacy_rights import sql_privacy_rights_store


class TestSqlitePrivacyRights(PrivacyRightsContract):
    @pytest.fixture
    def connect(self, engine: AsyncEngine) -> Connect[PrivacyRightsStore]:
        return sql_privacy_rights_store(engine)


async def test_sqlite_refuses_changes_to_the_breach_log(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO breaches (id, scope, data_classes, aware_at, recorded_at) "
                "VALUES ('b', 's', '[]', '2026-12-07', '2026-12-07')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO breach_log (id, breach_id, action, at, actor, details) "
                "VALUES ('e', 'b', 'recorded', '2026-12-07', 'ops', '{}')"
            )
        )
    for statement in ("UPDATE breach_log SET actor = 'x'", "DELETE FROM breach_log"):
        with pytest.raises(IntegrityError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
