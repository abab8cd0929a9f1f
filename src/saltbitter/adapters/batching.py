"""Concurrent calls of one kind run as batches (ADR 0047, ADR 0051).

A call joins a queue; one flusher hands everything queued to ``run`` as one batch, and
while that batch runs the next calls queue for the following one. Alone, a call is a
batch of one and waits for nothing; under load, a batch's fixed costs are paid once for
all its calls: redis-py's per-command path for one Redis script (``CoalescedScript``),
a request scope, a transaction, its round trips and its commit for likes and passes (a
group commit, ``SwipeBatches``).

Each call gets its own answer: ``run`` returns one result or exception per call, in
order. If ``run`` fails as a whole (a lost connection, a deadlock), either every call of
that batch hears that failure, or, with ``rerun_alone``, every call is run again alone,
so one bad call cannot fail its neighbours. A call whose caller has gone (cancelled)
before its batch starts is dropped; once its batch has started it runs like the others,
as a request whose client hung up after sending would.

Hand-written rather than a library's: DataLoader-style batchers (``aiodataloader``)
batch by event-loop tick and share one answer per key, which is right for reads and
wrong here, where two calls on the same key are two decisions.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["BATCH_SIZES_KEPT", "Batched"]

# Enough to see how a load batched; a server runs for weeks, so older sizes go.
BATCH_SIZES_KEPT = 256

Call = TypeVar("Call")
Answer = TypeVar("Answer")


class Batched(Generic[Call, Answer]):
    """``await batched(call)``: ``call`` decided in the next batch ``run`` takes."""

    __slots__ = (
        "_flusher",
        "_max_batch",
        "_rerun_alone",
        "_run",
        "_waiting",
        "batch_sizes",
        "batches_run",
    )

    def __init__(
        self,
        run: Callable[[Sequence[Call]], Awaitable[Sequence[Answer | Exception]]],
        *,
        max_batch: int | None = None,
        rerun_alone: bool = False,
    ) -> None:
        if max_batch is not None and max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max_batch = max_batch
        self._rerun_alone = rerun_alone
        self._waiting: list[tuple[Call, asyncio.Future[Answer]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batch_sizes: deque[int] = deque(maxlen=BATCH_SIZES_KEPT)
        """The sizes of the last ``BATCH_SIZES_KEPT`` batches, alone reruns included,
        oldest first: what tests and benchmarks observe."""
        self.batches_run = 0
        """How many batches ran so far, alone reruns included."""

    async def __call__(self, call: Call) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((call, answer))
        if self._flusher is None or self._flusher.done():  # done: its loop was closed
            # Starts on the loop's next turn, so calls made in this turn join the batch.
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await answer

    async def _flush(self) -> None:
        try:
            while self._waiting:
                live = [waiting for waiting in self._waiting if not waiting[1].done()]
                cut = len(live) if self._max_batch is None else self._max_batch
                batch, self._waiting = live[:cut], live[cut:]
                if batch:
                    await self._run_batch(batch)
        finally:
            self._flusher = None

    async def _run_batch(self, batch: list[tuple[Call, asyncio.Future[Answer]]]) -> None:
        self.batch_sizes.append(len(batch))
        self.batches_run += 1
        try:
            answers = await self._run([call for call, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as failure:
            if not self._rerun_alone or len(batch) == 1:
                for _, future in batch:
                    _settle(future, failure)
                return
            for waiting in batch:  # each alone: only a call's own failure reaches it
                await self._run_batch([waiting])
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            _settle(future, answer)


def _settle(future: asyncio.Future[Answer], answer: Answer | Exception) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if isinstance(answer, Exception):
        future.set_exception(answer)
    else:
        future.set_result(answer)
