"""The WebSocket's per-process helpers: events parsed once, delivery receipts batched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast
from uuid import uuid4

import msgspec
from dishka import AsyncContainer

from saltbitter.application.conversations.live import AcknowledgeDelivery
from saltbitter.application.ports.conversations import DeliveryReceipt
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.http.conversations import DeliveryReceipts, EventCache


def test_an_event_is_parsed_once_for_every_socket_that_forwards_it() -> None:
    cache = EventCache()
    raw = msgspec.json.encode({"type": "message.new", "message": {"id": "m1", "body": "é"}})
    first, again = cache.get(raw), cache.get(bytes(raw))  # equal bytes, another object
    assert first is again
    assert first.kind == "message.new"
    assert first.fields["message"]["body"] == "é"
    assert first.text == raw.decode()


def test_the_event_cache_is_bounded() -> None:
    cache = EventCache()
    raws = [msgspec.json.encode({"type": "typing", "n": n}) for n in range(EventCache.SIZE + 10)]
    parsed = [cache.get(raw) for raw in raws]
    assert cache.get(raws[-1]) is parsed[-1]
    assert cache.get(raws[0]) is not parsed[0]  # evicted, parsed anew
    assert cache.get(raws[0]) == parsed[0]


class _Recorder:
    """Stands in for the application container: records each AcknowledgeDelivery call."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[DeliveryReceipt]] = []
        self.fail = fail

    async def acknowledge(self, receipts: Sequence[DeliveryReceipt]) -> list[Any]:
        if self.fail:
            raise RuntimeError("database down")
        self.batches.append(list(receipts))
        return []

    async def get(self, kind: type[Any]) -> Any:
        assert kind is AcknowledgeDelivery
        return self.acknowledge

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[_Recorder]:
        yield self


async def test_receipts_of_many_sockets_are_noted_in_one_batch_each_once() -> None:
    recorder = _Recorder()
    container = cast(AsyncContainer, recorder)
    receipts = DeliveryReceipts(linger=0.01)
    member = UserId(uuid4())
    first, second = DeliveryReceipt(uuid4(), member), DeliveryReceipt(uuid4(), member)
    for _ in range(1000):  # a member with a thousand devices got both messages
        receipts.add(container, first)
        receipts.add(container, second)
    await receipts.drain()
    assert recorder.batches == [[first, second]]
    receipts.add(container, first)  # a later receipt starts a new batch
    await receipts.drain()
    assert recorder.batches == [[first, second], [first]]


async def test_a_large_backlog_is_split_into_bounded_batches() -> None:
    recorder = _Recorder()
    receipts = DeliveryReceipts(linger=0, batch=3)
    member = UserId(uuid4())
    sent = [DeliveryReceipt(uuid4(), member) for _ in range(7)]
    for receipt in sent:
        receipts.add(cast(AsyncContainer, recorder), receipt)
    await receipts.drain()
    assert [len(batch) for batch in recorder.batches] == [3, 3, 1]
    assert [r for batch in recorder.batches for r in batch] == sent


async def test_a_failed_batch_is_dropped_and_the_next_one_still_runs() -> None:
    recorder = _Recorder(fail=True)
    receipts = DeliveryReceipts(linger=0)
    member = UserId(uuid4())
    receipts.add(cast(AsyncContainer, recorder), DeliveryReceipt(uuid4(), member))
    await receipts.drain()
    recorder.fail = False
    later = DeliveryReceipt(uuid4(), member)
    receipts.add(cast(AsyncContainer, recorder), later)
    await asyncio.wait_for(receipts.drain(), 5)
    assert recorder.batches == [[later]]
