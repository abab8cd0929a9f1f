"""Races that only a real database can referee: row locks and SKIP LOCKED."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.application.accounts.events import VerificationRequested
from saltbitter.domain.accounts import RefreshToken
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_session, a_user
from support.accounts import sql_accounts_store

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EVENTS = EventCodec([VerificationRequested])


async def _stored_tokens(engine: AsyncEngine, count: int) -> list[str]:
    user = a_user()
    session = a_session(user)
    hashes = [f"{n:064x}" for n in range(count)]
    async with sql_accounts_store(engine, events=EVENTS)() as db, db.transaction:
        db.users.add(user)
        db.sessions.add(session)
        for token_hash in hashes:
            db.sessions.add_refresh_token(
                RefreshToken(token_hash, session.id, T0, T0 + timedelta(days=7))
            )
        await db.transaction.commit()
    return hashes


async def _rotate(engine: AsyncEngine, token_hash: str, start: asyncio.Barrier) -> bool:
    async with sql_accounts_store(engine, events=EVENTS)() as db, db.transaction:
        await db.outbox.claim_pending(0)  # psycopg begins lazily: begin before the race
        await start.wait()
        rotated = await db.sessions.mark_rotated(token_hash, T0 + timedelta(minutes=1))
        await db.transaction.commit()
    return rotated


async def _until_a_statement_waits_for_a_lock(engine: AsyncEngine) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(1_000):
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar_one() > 0:
                return
        await asyncio.sleep(0.01)
    pytest.fail("the second rotation never waited for the first one's row lock")


async def test_a_rotation_blocked_behind_another_loses_once_that_one_commits(
    engine: AsyncEngine,
) -> None:
    [token_hash] = await _stored_tokens(engine, 1)
    never_blocks = asyncio.Barrier(1)
    async with sql_accounts_store(engine, events=EVENTS)() as first, first.transaction:
        assert await first.sessions.mark_rotated(token_hash, T0 + timedelta(minutes=1))
        second = asyncio.create_task(_rotate(engine, token_hash, never_blocks))
        await _until_a_statement_waits_for_a_lock(engine)
        await first.transaction.commit()
    assert await second is False


async def test_of_many_simultaneous_rotations_of_one_token_exactly_one_wins(
    engine: AsyncEngine,
) -> None:
    contenders = 8
    for token_hash in await _stored_tokens(engine, 5):
        start = asyncio.Barrier(contenders)
        outcomes = await asyncio.gather(
            *(_rotate(engine, token_hash, start) for _ in range(contenders))
        )
        assert sorted(outcomes) == [False] * (contenders - 1) + [True]


async def _add_messages(engine: AsyncEngine, count: int) -> None:
    async with sql_accounts_store(engine, events=EVENTS)() as db, db.transaction:
        for n in range(count):
            db.outbox.add(VerificationRequested(user_id=UserId(UUID(int=n))))
        await db.transaction.commit()


async def test_a_relay_skips_messages_another_relay_holds(engine: AsyncEngine) -> None:
    await _add_messages(engine, 10)
    async with sql_accounts_store(engine, events=EVENTS)() as first, first.transaction:
        held = await first.outbox.claim_pending(4)
        async with sql_accounts_store(engine, events=EVENTS)() as second, second.transaction:
            # Would wait for the first relay (here: forever) without SKIP LOCKED.
            async with asyncio.timeout(10):
                skipped_to = await second.outbox.claim_pending(10)
    assert len(held) == 4
    assert len(skipped_to) == 6
    assert {m.id for m in held}.isdisjoint(m.id for m in skipped_to)
    assert max(m.created_at for m in held) <= min(m.created_at for m in skipped_to)


async def test_concurrent_relays_hand_each_message_over_exactly_once(
    engine: AsyncEngine,
) -> None:
    messages = 60
    await _add_messages(engine, messages)
    handed_over: list[str] = []

    async def relay() -> None:
        async with sql_accounts_store(engine, events=EVENTS)() as db:
            while True:
                async with db.transaction:
                    batch = await db.outbox.claim_pending(4)
                    await asyncio.sleep(0)  # let the other relays run while this one holds rows
                    handed_over.extend(
                        str(m.event.user_id)
                        for m in batch
                        if isinstance(m.event, VerificationRequested)
                    )
                    await db.outbox.mark_dispatched([m.id for m in batch], T0)
                    await db.transaction.commit()
                if not batch:
                    return

    await asyncio.gather(*(relay() for _ in range(4)))

    assert len(handed_over) == messages
    assert set(handed_over) == {str(UUID(int=n)) for n in range(messages)}
    async with sql_accounts_store(engine, events=EVENTS)() as db, db.transaction:
        assert await db.outbox.claim_pending(messages) == []


async def test_relays_dispatching_in_one_statement_hand_each_message_over_once_in_order(
    engine: AsyncEngine,
) -> None:
    messages = 60
    await _add_messages(engine, messages)
    batches: list[list[int]] = []

    async def relay() -> None:
        async with sql_accounts_store(engine, events=EVENTS)() as db:
            while True:
                async with db.transaction:
                    batch = await db.outbox.dispatch_pending(4, T0)
                    await asyncio.sleep(0)  # let the other relays run while this one holds rows
                    batches.append(
                        [
                            m.event.user_id.int
                            for m in batch
                            if isinstance(m.event, VerificationRequested)
                        ]
                    )
                    await db.transaction.commit()
                if not batch:
                    return

    await asyncio.gather(*(relay() for _ in range(4)))

    handed_over = [n for batch in batches for n in batch]
    assert sorted(handed_over) == list(range(messages))  # each exactly once
    assert all(batch == sorted(batch) for batch in batches)  # oldest first within a batch
    async with sql_accounts_store(engine, events=EVENTS)() as db, db.transaction:
        assert await db.outbox.claim_pending(messages) == []
