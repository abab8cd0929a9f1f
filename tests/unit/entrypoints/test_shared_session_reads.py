"""Authentications missing the principal cache at the same moment share one read of
their sessions and accounts (ADR 0055), each on a request's own connection."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.ports.accounts import SessionOwnerReads
from saltbitter.domain.shared import SessionId
from saltbitter.entrypoints.capabilities.accounts import SharedSessionOwnerReads
from saltbitter.testing.builders import a_session, a_user
from saltbitter.testing.fakes import (
    InMemoryDatabase,
    InMemorySessionRepository,
    InMemoryUserRepository,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction
from support.hypothesis_budget import budget


async def _stored(database: InMemoryDatabase, sessions: int) -> list[SessionId]:
    connection = InMemoryConnection(database)
    repository = InMemorySessionRepository(connection)
    transaction = InMemoryTransaction(connection)
    made: list[SessionId] = []
    async with transaction:
        for _ in range(sessions):
            user = a_user()
            InMemoryUserRepository(connection).add(user)
            session = a_session(user)
            repository.add(session)
            made.append(session.id)
        await transaction.commit()
    return made


@settings(max_examples=budget(30), deadline=None)
@given(picks=st.lists(st.integers(0, 5), min_size=1, max_size=20))
def test_reads_together_answer_as_each_alone(picks: list[int]) -> None:
    """For any concurrent reads (repeats and unknown sessions among them), each caller
    gets what its own repository would answer; the reads made at once are one batch."""

    async def run() -> None:
        database = InMemoryDatabase()
        known = await _stored(database, 4)
        asked = [known[i] if i < len(known) else SessionId(uuid4()) for i in picks]
        shared = SharedSessionOwnerReads()

        def own() -> InMemorySessionRepository:  # each request's own connection
            return InMemorySessionRepository(InMemoryConnection(database))

        together = await asyncio.gather(*(shared.get_with_owner(s, on=own()) for s in asked))
        alone = [await SessionOwnerReads().get_with_owner(s, on=own()) for s in asked]
        assert together == alone
        assert list(shared.batched.batch_sizes) == [len(asked)]

    asyncio.run(run())
