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
calls of one batch are sent in the order they were made. A caller cancelled while
waiting just does not read its answer.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

__all__ = ["CoalescedScript"]

Argument = str | int | bytes
_Waiting = tuple[Sequence[Argument], Sequence[Argument], "asyncio.Future[Any]"]


class CoalescedScript:
    """``await script(keys, args)`` runs the Lua ``source`` like redis-py's registered
    script (loaded on first use and again after ``SCRIPT FLUSH``), batching calls that
    arrive while a batch is in flight. Failures reach every caller of the batch as the
    ``RedisError`` redis-py raised (an error reply reaches only its own caller)."""

    __slots__ = ("_client", "_flusher", "_sha", "_source", "_waiting", "batches_sent")

    def __init__(self, client: Redis, source: str) -> None:
        self._client = client
        self._source = source
        self._sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches_sent = 0
        """Pipelines sent so far (a script reload's resend included): what tests observe."""

    async def __call__(self, keys: Sequence[Argument], args: Sequence[Argument]) -> Any:
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((keys, args, answer))
        if self._flusher is None or self._flusher.done():  # done: its loop was closed
            # Starts on the loop's next turn, so calls made in this turn join the batch.
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await answer

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._run(batch)
        finally:
            self._flusher = None

    async def _run(self, batch: list[_Waiting]) -> None:
        try:
            replies = await self._send(batch)
            if any(isinstance(reply, NoScriptError) for reply in replies):
                await self._client.script_load(self._source)
                again = [
                    index for index, reply in enumerate(replies) if isinstance(reply, NoScriptError)
                ]
                for index, reply in zip(
                    again, await self._send([batch[index] for index in again]), strict=True
                ):
                    replies[index] = reply
        except Exception as error:  # the whole batch failed: every caller hears why
            for _keys, _args, answer in batch:
                if not answer.done():
                    answer.set_exception(error)
            return
        except BaseException:  # cancelled (shutdown): nobody waits for an answer forever
            for _keys, _args, answer in batch:
                answer.cancel()
            raise
        for (_keys, _args, answer), reply in zip(batch, replies, strict=True):
            if answer.done():  # its caller was cancelled
                continue
            if isinstance(reply, RedisError):
                answer.set_exception(reply)
            else:
                answer.set_result(reply)

    async def _send(self, batch: list[_Waiting]) -> list[Any]:
        self.batches_sent += 1
        pipeline = self._client.pipeline(transaction=False)
        for keys, args, _answer in batch:
            pipeline.execute_command("EVALSHA", self._sha, len(keys), *keys, *args)
        return await pipeline.execute(raise_on_error=False)
