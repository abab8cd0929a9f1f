"""One Lua script called by many concurrent requests, sharing round trips (ADR 0047).

Every API request makes one ``EVALSHA`` (the rate limiter's, ADR 0036/0044). Issued one
by one through redis-py, each call pays the client's whole per-command path (pool
checkout and release, retry wrapper, timeout scope, a socket write and a read wake-up):
about a third of the CPU of a cached read. Here a call joins a queue; one flusher sends
everything queued as one pipeline on one connection, and while that batch is on the
wire the next calls queue for the following batch. Alone, a call costs what it did
(a pipeline of one); under load, the per-command cost is paid once per batch, and
Redis itself reads and answers a batch with one system call each way.

Order and atomicity are unchanged: each script still runs atomically in Redis, and
calls of one batch are sent in the order they were made. The queue and its flusher are
``Batched``'s (adapters/batching.py): a caller cancelled before its batch is sent is
dropped; once sent, its call runs and its answer is not read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from saltbitter.adapters.batching import Batched

__all__ = ["CoalescedScript"]

Argument = str | int | bytes
_Call = tuple[Sequence[Argument], Sequence[Argument]]


class CoalescedScript:
    """``await script(keys, args)`` runs the Lua ``source`` like redis-py's registered
    script (loaded on first use and again after ``SCRIPT FLUSH``), batching calls that
    arrive while a batch is in flight. Failures reach every caller of the batch as the
    ``RedisError`` redis-py raised (an error reply reaches only its own caller)."""

    __slots__ = ("_batched", "_client", "_sha", "_source", "batches_sent")

    def __init__(self, client: Redis, source: str) -> None:
        self._client = client
        self._source = source
        self._sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
        self._batched: Batched[_Call, Any] = Batched(self._run)
        self.batches_sent = 0
        """Pipelines sent so far (a script reload's resend included): what tests observe."""

    async def __call__(self, keys: Sequence[Argument], args: Sequence[Argument]) -> Any:
        return await self._batched((keys, args))

    async def _run(self, batch: Sequence[_Call]) -> list[Any]:
        """The batch's replies in order; an error reply is its call's exception."""
        replies = await self._send(batch)
        again = [index for index, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if again:
            await self._client.script_load(self._source)
            resent = await self._send([batch[index] for index in again])
            for index, reply in zip(again, resent, strict=True):
                replies[index] = reply
        return replies

    async def _send(self, batch: Sequence[_Call]) -> list[Any]:
        self.batches_sent += 1
        pipeline = self._client.pipeline(transaction=False)
        for keys, args in batch:
            pipeline.execute_command("EVALSHA", self._sha, len(keys), *keys, *args)
        return await pipeline.execute(raise_on_error=False)
