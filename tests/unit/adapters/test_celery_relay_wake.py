"""The Celery queue's paced wake: commits coming faster than the pace share one relay
task (ADR 0054), and none is lost."""

from __future__ import annotations

import asyncio

from celery import Celery

from saltbitter.adapters.celery import CeleryJobQueue
from saltbitter.application.ports.events import JobInput


class _Recorded(CeleryJobQueue):
    """Records what it would send to the broker (from the executor's thread)."""

    def __init__(self, pace_seconds: float) -> None:
        super().__init__(Celery(), pace_seconds=pace_seconds)
        self.sent: list[str] = []
        self.a_send = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def send(self, job: str, job_input: JobInput | None = None) -> None:
        self.sent.append(job)
        self._loop.call_soon_threadsafe(self.a_send.set)

    async def next_send(self) -> None:
        await asyncio.wait_for(self.a_send.wait(), 10)
        self.a_send.clear()


async def test_wakes_within_the_pace_share_one_task_sent_after_it() -> None:
    queue = _Recorded(pace_seconds=1.0)
    queue.wake("outbox.relay")  # nothing sent lately: at once
    await queue.next_send()
    queue.wake("outbox.relay")
    queue.wake("outbox.relay")
    queue.wake("outbox.relay")
    assert queue.sent == ["outbox.relay"]  # held until the pace has passed
    await queue.next_send()
    await asyncio.sleep(0.05)
    assert queue.sent == ["outbox.relay"] * 2  # the three wakes, one task
