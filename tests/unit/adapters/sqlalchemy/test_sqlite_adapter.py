"""What the SQL adapter promises beyond the shared contract, shown on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.domain.accounts import AccountStatus, EmailAddress, RefreshToken
from saltbitter.domain.errors import Conflict, NotFound
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_session, a_user
from saltbitter.testing.contracts.persistence import AccountsStore
from saltbitter.testing.fakes import InMemoryClock, InMemoryIdGenerator
from support.accounts import sql_accounts_store

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EVENTS = EventCodec([ProfileChanged, DailySetReady])


def _connect(
    engine: AsyncEngine,
    *,
    wakes: Callable[[], None] | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    events: EventCodec = EVENTS,
) -> AbstractAsyncContextManager[AccountsStore]:
    """A new request's connection with accounts' ports and the outbox on it."""
    return sql_accounts_store(engine, wakes, clock=clock, ids=ids, events=events)()


def _changed() -> ProfileChanged:
    return ProfileChanged(user_id=UserId(uuid4()))


def _ready(size: int) -> DailySetReady:
    return DailySetReady(user_id=UserId(uuid4()), local_date=date(2026, 3, 1), size=size)


async def test_a_transaction_reads_its_own_staged_writes(engine: AsyncEngine) -> None:
    user = a_user()
    async with _connect(engine) as db, db.transaction:
        db.users.add(user)
        assert await db.users.get_by_email(user.email) is not None
    async with _connect(engine) as db, db.transaction:
        assert await db.users.get(user.id) is None


async def test_a_taken_email_surfaces_at_the_next_query(engine: AsyncEngine) -> None:
    async with _connect(engine) as db, db.transaction:
        db.users.add(a_user("twin@example.org"))
        await db.transaction.commit()
    async with _connect(engine) as db, db.transaction:
        db.users.add(a_user("twin@example.org"))
        with pytest.raises(Conflict) as raised:
            await db.users.get_by_email(a_user().email)
    assert raised.value.code == "email_taken"


async def test_adding_the_same_user_twice_is_a_conflict(engine: AsyncEngine) -> None:
    user = a_user()
    async with _connect(engine) as db, db.transaction:
        db.users.add(user)
        await db.transaction.commit()
    with pytest.raises(Conflict) as raised:  # noqa: PT012
        async with _connect(engine) as db, db.transaction:
            db.users.add(replace(user, email=EmailAddress("other@example.org")))
            await db.transaction.commit()
    assert raised.value.code == "user_exists"


async def test_other_integrity_errors_are_bugs_and_stay_unwrapped(engine: AsyncEngine) -> None:
    orphan = a_session(a_user())  # its user was never stored
    with pytest.raises(IntegrityError):  # noqa: PT012
        async with _connect(engine) as db, db.transaction:
            db.sessions.add(orphan)
            await db.transaction.commit()


async def test_saving_a_deleted_account_does_not_resurrect_it(engine: AsyncEngine) -> None:
    user = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
    async with _connect(engine) as db, db.transaction:
        db.users.add(user)
        await db.transaction.commit()
    async with _connect(engine) as db, db.transaction:
        assert await db.users.delete_unverified_created_before(T0 + timedelta(days=1)) == 1
        with pytest.raises(NotFound):
            await db.users.save(user)


async def test_purge_removes_refresh_tokens_and_compares_instants_not_wall_times(
    engine: AsyncEngine,
) -> None:
    user = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
    session = a_session(user, at=T0)
    token = RefreshToken("c" * 64, session.id, T0, T0 + timedelta(days=7))
    async with _connect(engine) as db, db.transaction:
        db.users.add(user)
        db.sessions.add_refresh_token(token)  # staged before its session: still inserted after
        db.sessions.add(session)
        await db.transaction.commit()
    # 11:30 in UTC+2 is 09:30 UTC: not before T0, so nothing goes; one second later it does.
    same_instant = T0.astimezone(timezone(timedelta(hours=2)))
    async with _connect(engine) as db, db.transaction:
        assert await db.users.delete_unverified_created_before(same_instant) == 0
        purged = await db.users.delete_unverified_created_before(
            same_instant + timedelta(seconds=1)
        )
        await db.transaction.commit()
    assert purged == 1
    async with _connect(engine) as db, db.transaction:
        assert await db.sessions.get_refresh_token(token.token_hash) is None


async def test_after_commit_runs_only_when_outbox_messages_were_committed(
    engine: AsyncEngine,
) -> None:
    wakes: list[int] = []
    async with _connect(engine, wakes=lambda: wakes.append(1)) as db:
        async with db.transaction:
            db.users.add(a_user())
            await db.transaction.commit()
        async with db.transaction:
            db.outbox.add(_changed())
        async with db.transaction:
            db.outbox.add(_changed())
            db.outbox.add(_changed())
            await db.transaction.commit()
            await db.transaction.commit()  # nothing new staged: no second wake
    assert wakes == [1]


async def test_a_transaction_is_reusable_but_not_reentrant(engine: AsyncEngine) -> None:
    async with _connect(engine) as db:
        with pytest.raises(RuntimeError):
            await db.transaction.commit()
        async with db.transaction:
            with pytest.raises(RuntimeError):
                await db.transaction.__aenter__()
        async with db.transaction:
            assert await db.outbox.claim_pending(1) == []


async def test_outbox_keeps_the_order_of_adding_under_a_frozen_clock(
    engine: AsyncEngine,
) -> None:
    clock, ids = InMemoryClock(T0), InMemoryIdGenerator()
    events = [_ready(n) for n in range(5)]
    async with _connect(engine, clock=clock, ids=ids) as db, db.transaction:
        for event in reversed(events):
            db.outbox.add(event)
        await db.transaction.commit()
    async with _connect(engine, events=EVENTS) as db, db.transaction:
        pending = await db.outbox.claim_pending(10)
    assert [m.event for m in pending] == list(reversed(events))
    assert pending[0].created_at == T0


async def test_concurrent_sqlite_relays_never_claim_the_same_message(
    engine: AsyncEngine,
) -> None:
    async with _connect(engine) as db, db.transaction:
        for n in range(6):
            db.outbox.add(_ready(n))
        await db.transaction.commit()

    async with _connect(engine) as first, first.transaction:
        claimed_first = await first.outbox.claim_pending(6)

        async def second_relay() -> list[int]:
            async with _connect(engine, events=EVENTS) as second, second.transaction:
                claimed = await second.outbox.claim_pending(6)
                await second.outbox.mark_dispatched([m.id for m in claimed], T0)
                await second.transaction.commit()
            return [m.event.size for m in claimed if isinstance(m.event, DailySetReady)]

        # The second relay waits for the database write lock the first one holds.
        waiting = asyncio.create_task(second_relay())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await first.outbox.mark_dispatched([m.id for m in claimed_first], T0)
        await first.transaction.commit()
    assert len(claimed_first) == 6
    assert await waiting == []


async def test_a_message_this_process_cannot_decode_comes_back_undecoded(
    engine: AsyncEngine,
) -> None:
    known, newer = _ready(3), _changed()
    async with _connect(engine) as db, db.transaction:
        db.outbox.add(known)
        db.outbox.add(newer)
        await db.transaction.commit()
    # A relay of an older release knows DailySetReady only.
    async with _connect(engine, events=EventCodec([DailySetReady])) as db, db.transaction:
        pending = await db.outbox.claim_pending(10)
    assert [(m.topic, m.event) for m in pending] == [
        ("matching.daily_set_ready", known),
        ("profiles.profile_changed", None),
    ]


async def test_the_outbox_row_keeps_the_tag_and_the_fields_as_json(engine: AsyncEngine) -> None:
    event = _ready(4)
    async with _connect(engine) as db, db.transaction:
        db.outbox.add(event)
        await db.transaction.commit()
    async with engine.connect() as connection:
        row = (await connection.execute(select(outbox.c.topic, outbox.c.payload))).one()
    assert row.topic == "matching.daily_set_ready"
    assert row.payload == {"user_id": str(event.user_id), "local_date": "2026-03-01", "size": 4}
