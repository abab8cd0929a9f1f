"""A message and a block (or an unmatch) racing on PostgreSQL: the message never lands
in a conversation the other side has closed.

The send checks "open" before it screens the text; a block committing right after that
check is the race. The send checks again inside its transaction holding the match row
(``ConversationAccess.lock``), and a block or unmatch takes that row too, so one waits
for the other. These tests hold one side's transaction open, wait until PostgreSQL shows
the other side waiting for the lock, and then commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.conversations import (
    SqlaConversationAccess,
    SqlaMessageRepository,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_conversations import messages
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.conversations.messages import ModerationPolicy, SendMessage
from saltbitter.application.ports.events import Event, Outbox, OutboxMessage
from saltbitter.application.ports.safety import Block
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.contracts.conversations import T0, ConversationsContract, Seeded
from saltbitter.testing.fakes import InMemoryClock, InMemoryIdGenerator
from saltbitter.testing.fakes_conversations import (
    InMemoryMessageModerator,
    InMemoryRealtimeFanout,
)
from support.conversations_sql import sql_store

pytestmark = pytest.mark.integration


class _Outbox(Outbox):
    """Only what SendMessage uses: events it announces (not under test here)."""

    def __init__(self) -> None:
        self.added: list[Event] = []

    def add(self, event: Event) -> None:
        self.added.append(event)

    async def claim_pending(self, limit: int) -> Sequence[OutboxMessage]:
        raise NotImplementedError

    async def mark_dispatched(self, message_ids: Sequence[UUID], now: datetime) -> None:
        raise NotImplementedError


def _send_message(db: StagedConnection) -> SendMessage:
    repository = SqlaMessageRepository(db)
    return SendMessage(
        transaction=SqlaTransaction(db),
        access=SqlaConversationAccess(db),
        reader=repository,
        writer=repository,
        moderator=InMemoryMessageModerator(),
        policy=ModerationPolicy(),
        outbox=_Outbox(),
        fanout=InMemoryRealtimeFanout(),
        clock=InMemoryClock(T0),
        ids=InMemoryIdGenerator(),
    )


async def _someone_waits_for_a_lock(engine: AsyncEngine) -> None:
    """Until another backend of this database waits for a row lock. Nobody waiting
    within 30 s means the other side did not queue behind the lock: the test fails
    instead of hanging (no time is asserted on the passing path)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )

    async def poll() -> None:
        while True:
            async with engine.connect() as connection:
                if await connection.scalar(query):
                    return
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(poll(), 30)
    except TimeoutError:
        pytest.fail("the other transaction never waited for the match row")


async def _messages(engine: AsyncEngine, match_id: UUID) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(messages).where(messages.c.match_id == match_id)
        )
    return int(count or 0)


def _principal(seeded: Seeded) -> Principal:
    return Principal(seeded.ada, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)


class TestSendAgainstClose:
    @pytest.fixture
    async def seeded(self, engine: AsyncEngine) -> Seeded:
        return await ConversationsContract()._seed(sql_store(engine))

    @pytest.mark.parametrize("blocker", ["ada", "bo"])
    async def test_a_block_committing_after_the_check_refuses_the_message(
        self, engine: AsyncEngine, seeded: Seeded, blocker: str
    ) -> None:
        by, of = (seeded.ada, seeded.bo) if blocker == "ada" else (seeded.bo, seeded.ada)
        async with sql_store(engine)() as closing, closing.transaction:
            await closing.blocks.add(Block(by, of, T0))  # holds the match row
            sender = StagedConnection(engine)
            try:
                # The send's first check passes (the block is not committed), then it
                # waits inside its own transaction for the match row.
                send = asyncio.create_task(
                    _send_message(sender)(_principal(seeded), seeded.match_id, "Hi", "k1")
                )
                await _someone_waits_for_a_lock(engine)
                assert not send.done()
                await closing.transaction.commit()
                with pytest.raises(NotFound) as refused:
                    await send
            finally:
                await sender.close()
        assert refused.value.code == "conversation_closed"
        assert await _messages(engine, seeded.match_id) == 0

    async def test_an_unmatch_committing_after_the_check_refuses_the_message(
        self, engine: AsyncEngine, seeded: Seeded
    ) -> None:
        async with sql_store(engine)() as closing, closing.transaction:
            await closing.matches.end_match(seeded.match_id, seeded.bo, T0)
            sender = StagedConnection(engine)
            try:
                send = asyncio.create_task(
                    _send_message(sender)(_principal(seeded), seeded.match_id, "Hi", "k1")
                )
                await _someone_waits_for_a_lock(engine)
                await closing.transaction.commit()
                with pytest.raises(NotFound) as refused:
                    await send
            finally:
                await sender.close()
        assert refused.value.code == "conversation_closed"
        assert await _messages(engine, seeded.match_id) == 0

    async def test_a_block_arriving_while_a_message_is_stored_waits_for_it(
        self, engine: AsyncEngine, seeded: Seeded
    ) -> None:
        async with sql_store(engine)() as sending:
            async with sending.transaction:
                found = await sending.access.lock(seeded.match_id)
                assert found is not None
                assert found.is_open
                closing_store = sql_store(engine)

                async def block() -> None:
                    async with closing_store() as closing, closing.transaction:
                        await closing.blocks.add(Block(seeded.bo, seeded.ada, T0))
                        await closing.transaction.commit()

                blocking = asyncio.create_task(block())
                await _someone_waits_for_a_lock(engine)
                assert not blocking.done()
                await sending.transaction.commit()
            await blocking
        async with sql_store(engine)() as after:
            closed = await after.access.conversation(seeded.match_id)
        assert closed is not None
        assert not closed.is_open
