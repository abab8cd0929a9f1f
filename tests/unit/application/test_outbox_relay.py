"""The relay hands each committed event to the jobs registered for its type, and reports
(rather than crashes on) a stored event it cannot decode."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from saltbitter.application.accounts.events import VerificationRequested
from saltbitter.application.outbox import EventHandlers, RelayOutbox
from saltbitter.application.ports.events import OutboxMessage
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes import (
    InMemoryClock,
    InMemoryDatabase,
    InMemoryIdGenerator,
    InMemoryJobQueue,
    InMemoryOutbox,
    OutboxState,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
HANDLERS = EventHandlers({VerificationRequested: ("accounts.send_verification_code",)})


def _relay(database: InMemoryDatabase, queue: InMemoryJobQueue) -> RelayOutbox:
    """A relay on its own connection to ``database``, as one job's request scope gives it."""
    connection = InMemoryConnection(database)
    outbox = InMemoryOutbox(connection, InMemoryClock(T0), InMemoryIdGenerator())
    return RelayOutbox(InMemoryTransaction(connection), outbox, queue, InMemoryClock(T0), HANDLERS)


async def _publish(database: InMemoryDatabase, event: VerificationRequested) -> None:
    connection = InMemoryConnection(database)
    transaction = InMemoryTransaction(connection)
    async with transaction:
        InMemoryOutbox(connection, InMemoryClock(T0), InMemoryIdGenerator()).add(event)
        await transaction.commit()


async def test_each_event_reaches_its_jobs_as_the_typed_event() -> None:
    database, queue = InMemoryDatabase(), InMemoryJobQueue()
    event = VerificationRequested(user_id=UserId(uuid4()))
    await _publish(database, event)
    relay = _relay(database, queue)
    assert await relay() == 1
    assert queue.jobs == [("accounts.send_verification_code", event)]
    assert await relay() == 0  # dispatched once


async def test_an_undecodable_event_is_reported_and_does_not_stop_the_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    database, queue = InMemoryDatabase(), InMemoryJobQueue()
    unknown = OutboxMessage(uuid4(), "chat.message_sent", None, T0)
    database[OutboxState].messages.append(unknown)
    event = VerificationRequested(user_id=UserId(uuid4()))
    await _publish(database, event)
    relay = _relay(database, queue)
    with caplog.at_level(logging.ERROR, logger="saltbitter.application.outbox"):
        assert await relay() == 2
    assert queue.jobs == [("accounts.send_verification_code", event)]
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "chat.message_sent" in record.getMessage()
    assert await relay() == 0  # not handed out again, so it never blocks a batch


async def test_each_job_gets_the_events_of_one_pass_together_in_order() -> None:
    database, queue = InMemoryDatabase(), InMemoryJobQueue()
    events = [VerificationRequested(user_id=UserId(uuid4())) for _ in range(3)]
    for event in events:
        await _publish(database, event)
    handlers = EventHandlers({VerificationRequested: ("a.first", "b.second")})
    connection = InMemoryConnection(database)
    outbox = InMemoryOutbox(connection, InMemoryClock(T0), InMemoryIdGenerator())
    relay = RelayOutbox(InMemoryTransaction(connection), outbox, queue, InMemoryClock(T0), handlers)
    assert await relay() == 3
    assert queue.together == [("a.first", events), ("b.second", events)]


def test_handlers_of_several_capabilities_add_up() -> None:
    merged = EventHandlers.merged(
        {VerificationRequested: ("a.first",)}, {VerificationRequested: ("b.second",)}
    )
    assert merged.jobs_for(VerificationRequested(user_id=UserId(uuid4()))) == (
        "a.first",
        "b.second",
    )
