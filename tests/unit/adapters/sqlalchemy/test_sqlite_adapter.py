"""What the SQL adapter promises beyond the shared contract, shown on SQLite."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.domain.accounts import AccountStatus, EmailAddress, RefreshToken
from saltbitter.domain.errors import Conflict, NotFound
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_session, a_user
from saltbitter.testing.fakes import InMemoryClock, InMemoryIdGenerator

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EVENTS = EventCodec([ProfileChanged, DailySetReady])


def _changed() -> ProfileChanged:
    return ProfileChanged(user_id=UserId(uuid4()))


def _ready(size: int) -> DailySetReady:
    return DailySetReady(user_id=UserId(uuid4()), local_date=date(2026, 3, 1), size=size)


async def test_a_unit_of_work_reads_its_own_staged_writes(engine: AsyncEngine) -> None:
    user = a_user()
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(user)
        assert await uow.users.get_by_email(user.email) is not None
    async with SqlaUnitOfWork(engine) as uow:
        assert await uow.users.get(user.id) is None


async def test_a_taken_email_surfaces_at_the_next_query(engine: AsyncEngine) -> None:
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(a_user("twin@example.org"))
        await uow.commit()
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(a_user("twin@example.org"))
        with pytest.raises(Conflict) as raised:
            await uow.users.get_by_email(a_user().email)
    assert raised.value.code == "email_taken"


async def test_adding_the_same_user_twice_is_a_conflict(engine: AsyncEngine) -> None:
    user = a_user()
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(user)
        await uow.commit()
    with pytest.raises(Conflict) as raised:  # noqa: PT012
        async with SqlaUnitOfWork(engine) as uow:
            uow.users.add(replace(user, email=EmailAddress("other@example.org")))
            await uow.commit()
    assert raised.value.code == "user_exists"


async def test_other_integrity_errors_are_bugs_and_stay_unwrapped(engine: AsyncEngine) -> None:
    orphan = a_session(a_user())  # its user was never stored
    with pytest.raises(IntegrityError):  # noqa: PT012
        async with SqlaUnitOfWork(engine) as uow:
            uow.sessions.add(orphan)
            await uow.commit()


async def test_saving_a_deleted_account_does_not_resurrect_it(engine: AsyncEngine) -> None:
    user = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(user)
        await uow.commit()
    async with SqlaUnitOfWork(engine) as uow:
        assert await uow.users.delete_unverified_created_before(T0 + timedelta(days=1)) == 1
        with pytest.raises(NotFound):
            await uow.users.save(user)


async def test_purge_removes_refresh_tokens_and_compares_instants_not_wall_times(
    engine: AsyncEngine,
) -> None:
    user = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
    session = a_session(user, at=T0)
    token = RefreshToken("c" * 64, session.id, T0, T0 + timedelta(days=7))
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(user)
        uow.sessions.add_refresh_token(token)  # staged before its session: still inserted after
        uow.sessions.add(session)
        await uow.commit()
    # 11:30 in UTC+2 is 09:30 UTC: not before T0, so nothing goes; one second later it does.
    same_instant = T0.astimezone(timezone(timedelta(hours=2)))
    async with SqlaUnitOfWork(engine) as uow:
        assert await uow.users.delete_unverified_created_before(same_instant) == 0
        purged = await uow.users.delete_unverified_created_before(
            same_instant + timedelta(seconds=1)
        )
        await uow.commit()
    assert purged == 1
    async with SqlaUnitOfWork(engine) as uow:
        assert await uow.sessions.get_refresh_token(token.token_hash) is None


async def test_after_commit_runs_only_when_outbox_messages_were_committed(
    engine: AsyncEngine,
) -> None:
    wakes: list[int] = []
    uow = SqlaUnitOfWork(engine, after_commit=lambda: wakes.append(1))
    async with uow:
        uow.users.add(a_user())
        await uow.commit()
    async with uow:
        uow.outbox.add(_changed())
    async with uow:
        uow.outbox.add(_changed())
        uow.outbox.add(_changed())
        await uow.commit()
        await uow.commit()  # nothing new staged: no second wake
    assert wakes == [1]


async def test_a_unit_of_work_is_reusable_but_not_reentrant(engine: AsyncEngine) -> None:
    uow = SqlaUnitOfWork(engine)
    with pytest.raises(RuntimeError):
        await uow.commit()
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()
    async with uow:
        assert await uow.outbox.claim_pending(1) == []


async def test_outbox_keeps_the_order_of_adding_under_a_frozen_clock(
    engine: AsyncEngine,
) -> None:
    clock, ids = InMemoryClock(T0), InMemoryIdGenerator()
    events = [_ready(n) for n in range(5)]
    async with SqlaUnitOfWork(engine, clock=clock, ids=ids) as uow:
        for event in reversed(events):
            uow.outbox.add(event)
        await uow.commit()
    async with SqlaUnitOfWork(engine, events=EVENTS) as uow:
        pending = await uow.outbox.claim_pending(10)
    assert [m.event for m in pending] == list(reversed(events))
    assert pending[0].created_at == T0


async def test_concurrent_sqlite_relays_never_claim_the_same_message(
    engine: AsyncEngine,
) -> None:
    async with SqlaUnitOfWork(engine) as uow:
        for n in range(6):
            uow.outbox.add(_ready(n))
        await uow.commit()

    async with SqlaUnitOfWork(engine) as first:
        claimed_first = await first.outbox.claim_pending(6)

        async def second_relay() -> list[int]:
            async with SqlaUnitOfWork(engine, events=EVENTS) as second:
                claimed = await second.outbox.claim_pending(6)
                await second.outbox.mark_dispatched([m.id for m in claimed], T0)
                await second.commit()
            return [m.event.size for m in claimed if isinstance(m.event, DailySetReady)]

        # The second relay waits for the database write lock the first one holds.
        waiting = asyncio.create_task(second_relay())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await first.outbox.mark_dispatched([m.id for m in claimed_first], T0)
        await first.commit()
    assert len(claimed_first) == 6
    assert await waiting == []


async def test_a_message_this_process_cannot_decode_comes_back_undecoded(
    engine: AsyncEngine,
) -> None:
    known, newer = _ready(3), _changed()
    async with SqlaUnitOfWork(engine) as uow:
        uow.outbox.add(known)
        uow.outbox.add(newer)
        await uow.commit()
    # A relay of an older release knows DailySetReady only.
    async with SqlaUnitOfWork(engine, events=EventCodec([DailySetReady])) as uow:
        pending = await uow.outbox.claim_pending(10)
    assert [(m.topic, m.event) for m in pending] == [
        ("matching.daily_set_ready", known),
        ("profiles.profile_changed", None),
    ]


async def test_the_outbox_row_keeps_the_tag_and_the_fields_as_json(engine: AsyncEngine) -> None:
    event = _ready(4)
    async with SqlaUnitOfWork(engine) as uow:
        uow.outbox.add(event)
        await uow.commit()
    async with engine.connect() as connection:
        row = (await connection.execute(select(outbox.c.topic, outbox.c.payload))).one()
    assert row.topic == "matching.daily_set_ready"
    assert row.payload == {"user_id": str(event.user_id), "local_date": "2026-03-01", "size": 4}
