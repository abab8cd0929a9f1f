"""``Batched``: concurrent calls run as batches, each answered on its own (ADR 0047, 0051)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from saltbitter.adapters.batching import BATCH_SIZES_KEPT, Batched


class Doubler:
    """A batch runner that doubles numbers, refuses negatives one by one and fails as a
    whole on 13; ``gate`` holds a batch until the test lets it go."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self, calls: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(calls))
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if 13 in calls:
            raise ConnectionError("the whole batch failed")
        return [ValueError(f"negative {n}") if n < 0 else n * 2 for n in calls]


async def test_a_call_alone_is_a_batch_of_one() -> None:
    runner = Doubler()
    batched = Batched(runner)
    assert await batched(4) == 8
    assert await batched(5) == 10
    assert runner.batches == [[4], [5]]


async def test_calls_made_together_share_a_batch_and_later_ones_form_the_next() -> None:
    runner = Doubler()
    runner.gate = asyncio.Event()
    batched = Batched(runner)
    first = [asyncio.ensure_future(batched(n)) for n in (1, 2, 3)]
    await runner.started.wait()
    later = [asyncio.ensure_future(batched(n)) for n in (4, 5)]  # while [1, 2, 3] runs
    await asyncio.sleep(0)
    runner.gate.set()
    assert await asyncio.gather(*first, *later) == [2, 4, 6, 8, 10]
    assert runner.batches == [[1, 2, 3], [4, 5]]
    assert list(batched.batch_sizes) == [3, 2]


async def test_each_caller_gets_its_own_answer_or_refusal() -> None:
    batched = Batched(Doubler())
    results = await asyncio.gather(batched(1), batched(-2), batched(3), return_exceptions=True)
    assert results[0] == 2
    assert isinstance(results[1], ValueError)
    assert str(results[1]) == "negative -2"
    assert results[2] == 6


async def test_a_batch_that_fails_as_a_whole_fails_every_call_of_it() -> None:
    runner = Doubler()
    batched = Batched(runner)
    results = await asyncio.gather(batched(1), batched(13), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    assert await batched(2) == 4  # the next call is not stuck behind the failed batch
    assert runner.batches == [[1, 13], [2]]


async def test_with_rerun_alone_a_failed_batch_is_run_again_call_by_call() -> None:
    runner = Doubler()
    batched = Batched(runner, rerun_alone=True)
    results = await asyncio.gather(batched(1), batched(13), batched(2), return_exceptions=True)
    assert results[0] == 2
    assert isinstance(results[1], ConnectionError)
    assert results[2] == 4
    assert runner.batches == [[1, 13, 2], [1], [13], [2]]


async def test_batches_are_at_most_max_batch_long() -> None:
    runner = Doubler()
    batched = Batched(runner, max_batch=2)
    assert await asyncio.gather(*(batched(n) for n in range(5))) == [0, 2, 4, 6, 8]
    assert runner.batches == [[0, 1], [2, 3], [4]]


async def test_a_caller_gone_before_its_batch_starts_is_dropped() -> None:
    runner = Doubler()
    runner.gate = asyncio.Event()
    batched = Batched(runner)
    running = asyncio.ensure_future(batched(1))
    await runner.started.wait()
    gone = asyncio.ensure_future(batched(2))
    kept = asyncio.ensure_future(batched(3))
    await asyncio.sleep(0)
    gone.cancel()
    runner.gate.set()
    assert await running == 2
    assert await kept == 6
    assert gone.cancelled()
    assert runner.batches == [[1], [3]]


def test_a_batch_needs_room_for_a_call() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Batched(Doubler(), max_batch=0)


async def test_a_long_lived_batcher_keeps_only_its_recent_batch_sizes() -> None:
    # Regression: every batch's size was appended to a list for the life of the process,
    # so a server's batchers grew without bound (about 70 MB a day at 100 batches/s).
    batched = Batched(Doubler())
    for _ in range(BATCH_SIZES_KEPT + 10):
        assert await batched(1) == 2
    assert len(batched.batch_sizes) == BATCH_SIZES_KEPT
    assert list(batched.batch_sizes) == [1] * BATCH_SIZES_KEPT
    assert batched.batches_run == BATCH_SIZES_KEPT + 10
