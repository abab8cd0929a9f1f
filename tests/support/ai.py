"""The AI capability's storage ports on one connection, for the storage contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaConsentLedger, SqlaUserRepository
from saltbitter.adapters.sqlalchemy.ai import (
    SqlaAiAssessmentReader,
    SqlaAiConsentReader,
    SqlaAiHistoryStore,
    SqlaAiMatchReader,
    SqlaAiQuotaCounter,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_members import assessments, matches, profiles
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.ports.ai import AssessmentResult, SharedGround
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.ai import AiStore
from saltbitter.testing.contracts.scopes import Connect
from saltbitter.testing.fakes import InMemoryConsentLedger, InMemoryUserRepository
from saltbitter.testing.fakes_ai import (
    InMemoryAiConsentReader,
    InMemoryAiHistoryStore,
    InMemoryAiQuotaCounter,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["check_sql_reads", "memory_ai_store", "sql_ai_store"]


def sql_ai_store(engine: AsyncEngine) -> Connect[AiStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[AiStore]:
        db = StagedConnection(engine)
        try:
            yield AiStore(
                transaction=SqlaTransaction(db),
                users=SqlaUserRepository(db),
                ledger=SqlaConsentLedger(db),
                consents=SqlaAiConsentReader(db),
                quota=SqlaAiQuotaCounter(db),
                history=SqlaAiHistoryStore(db),
            )
        finally:
            await db.close()

    return connect


def memory_ai_store(database: InMemoryDatabase) -> Connect[AiStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[AiStore]:
        connection = InMemoryConnection(database)
        yield AiStore(
            transaction=InMemoryTransaction(connection),
            users=InMemoryUserRepository(connection),
            ledger=InMemoryConsentLedger(connection),
            consents=InMemoryAiConsentReader(connection),
            quota=InMemoryAiQuotaCounter(connection),
            history=InMemoryAiHistoryStore(connection),
        )

    return connect


async def check_sql_reads(engine: AsyncEngine) -> None:
    """The SQL match and assessment readers on real rows: the member's own active match
    only, shared interests and values, the latest assessment in plain terms."""
    ada, bo, cy = a_user(), a_user(), a_user()
    connect = sql_ai_store(engine)
    async with connect() as store, store.transaction:
        for user in (ada, bo, cy):
            store.users.add(user)
        await store.transaction.commit()
    at = datetime(2026, 12, 7, tzinfo=UTC)
    ours, theirs, ended = uuid4(), uuid4(), uuid4()

    def pair(match_id: UUID, a: UUID, b: UUID, **extra: object) -> dict[str, object]:
        low, high = sorted((a, b))
        row = {"id": match_id, "user_low": low, "user_high": high, "created_at": at}
        return {"unmatched_at": None, "unmatched_by": None, **row, **extra}  # same keys

    def profile(user: UUID, interests: list[str], values: dict[str, float]) -> dict[str, object]:
        return {
            "user_id": user,
            "gender": "woman",
            "genders_sought": "man",
            "age_min": 25,
            "age_max": 40,
            "bio": "",
            "interests": interests,
            "values": values,
            "latitude": 52.5,
            "longitude": 13.4,
            "max_distance_km": 50.0,
            "visibility": "visible",
            "updated_at": at,
        }

    async with engine.begin() as connection:
        await connection.execute(
            matches.insert(),
            [
                pair(ours, ada.id, bo.id),
                pair(theirs, bo.id, cy.id),
                pair(ended, ada.id, cy.id, unmatched_at=at, unmatched_by=ada.id),
            ],
        )
        await connection.execute(
            profiles.insert(),
            [
                profile(ada.id, ["jazz", "hiking", "chess"], {"benevolence": 7, "security": 6}),
                profile(bo.id, ["hiking", "jazz", "surf"], {"benevolence": 6, "security": 2}),
            ],
        )
        for taken, style in ((at, "anxious"), (at + timedelta(days=1), "secure")):
            await connection.execute(
                assessments.insert().values(
                    id=uuid4(),
                    user_id=ada.id,
                    instrument="ecr-r",
                    instrument_version="1",
                    answers=[],
                    anxiety=0.0,
                    avoidance=0.0,
                    style=style,
                    near_boundary=True,
                    taken_at=taken,
                )
            )
    db = StagedConnection(engine)
    try:
        reader, results = SqlaAiMatchReader(db), SqlaAiAssessmentReader(db)
        assert await reader.shared_ground(ada.id, ours) == SharedGround(
            ("hiking", "jazz"), ("benevolence",)
        )
        assert await reader.shared_ground(bo.id, ours) == SharedGround(
            ("hiking", "jazz"), ("benevolence",)
        )
        assert await reader.shared_ground(ada.id, theirs) is None  # not ada's match
        assert await reader.shared_ground(ada.id, ended) is None  # unmatched
        assert await reader.shared_ground(ada.id, uuid4()) is None
        assert await reader.shared_ground(bo.id, theirs) == SharedGround((), ())  # no profile
        assert await results.latest_result(ada.id) == AssessmentResult("secure", True)
        assert await results.latest_result(bo.id) is None
    finally:
        await db.close()
