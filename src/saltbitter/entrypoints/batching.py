"""Concurrent calls of one kind run as batches: a group commit at the edge (ADR 0051).

A call joins a queue; one flusher hands everything queued to ``run`` as one batch, and
while that batch runs the next calls queue for the following one. Alone, a call is a
batch of one and waits for nothing; under load, a batch's fixed costs (a request scope,
a transaction, its round trips and its commit) are paid once for all its calls.
``CoalescedScript`` (ADR 0047) does the same for one Redis script; this is the general
form, for use cases that take a batch and answer each call on its own.

Each call gets its own answer: ``run`` returns one result or exception per call, in
order. If ``run`` fails as a whole (a lost connection, a deadlock), every call of that
batch is run again alone, so one bad call cannot fail its neighbours; what fails then
is that call's own failure. A call whose caller has gone (cancelled) before its batch
starts is dropped; once its batch has started it is decided like the others, as a
request whose client hung up after sending would be.

Hand-written rather than a library's: DataLoader-style batchers (``aiodataloader``)
batch by event-loop tick and share one answer per key, which is right for reads and
wrong here, where two calls on the same key are two decisions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Batched"]

Call = TypeVar("Call")
Answer = TypeVar("Answer")


class Batched(Generic[Call, Answer]):
    """``await batched(call)``: ``call`` decided in the next batch ``run`` takes."""

    __slots__ = ("_flusher", "_max_batch", "_run", "_waiting", "batch_sizes")

    def __init__(
        self,
        run: Callable[[Sequence[Call]], Awaitable[Sequence[Answer | Exception]]],
        *,
        max_batch: int = 64,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max_batch = max_batch
        self._waiting: list[tuple[Call, asyncio.Future[Answer]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batch_sizes: list[int] = []
        """The size of every batch run so far, alone reruns included: what tests observe."""

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
                batch, self._waiting = live[: self._max_batch], live[self._max_batch :]
                if batch:
                    await self._run_batch(batch)
        finally:
            self._flusher = None

    async def _run_batch(self, batch: list[tuple[Call, asyncio.Future[Answer]]]) -> None:
        self.batch_sizes.append(len(batch))
        try:
            answers = await self._run([call for call, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as failure:
            if len(batch) == 1:
                _settle(batch[0][1], failure)
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
