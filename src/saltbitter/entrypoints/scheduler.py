"""Periodic jobs: one schedule, run by Celery Beat in real mode and in-process embedded.

Entries are ``{"task": job name, "schedule": seconds | celery schedule}``. The embedded
scheduler is an honest stand-in for Beat (ADR 0004): it lives in the API process, runs
every entry once shortly after start and then on its schedule, and forgets its timing
on restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.jobs import RELAY_OUTBOX, InProcessJobQueue

__all__ = ["InProcessScheduler", "periodic_jobs"]

log = structlog.get_logger(__name__)

RELAY_SWEEP_SECONDS = 15.0
_FALLBACK_PERIOD = timedelta(hours=1)

Entry = Mapping[str, Any]


def periodic_jobs() -> dict[str, Entry]:
    """Every periodic job of every capability, keyed by entry name."""
    entries: dict[str, Entry] = {
        "relay-outbox": {"task": RELAY_OUTBOX, "schedule": RELAY_SWEEP_SECONDS},
    }
    for capability in CAPABILITIES:
        entries.update(capability.beat_schedule)
    return entries


def next_run_after(schedule: object, last_run: datetime) -> datetime:
    """When an entry runs next: seconds are an interval; crontab-like schedules fire on
    the minutes and hours they name (in UTC; day-of-week and day-of-month are not used by
    any SaltBitter entry and are ignored here)."""
    if isinstance(schedule, int | float):
        return last_run + timedelta(seconds=float(schedule))
    minutes = getattr(schedule, "minute", None)
    hours = getattr(schedule, "hour", None)
    if not isinstance(minutes, set) or not isinstance(hours, set):
        return last_run + _FALLBACK_PERIOD  # unknown kind: hourly rather than never
    candidate = last_run.astimezone(UTC).replace(second=0, microsecond=0)
    for _ in range(8 * 24 * 60):
        candidate += timedelta(minutes=1)
        if candidate.minute in minutes and candidate.hour in hours:
            return candidate
    return last_run + _FALLBACK_PERIOD


class InProcessScheduler:
    def __init__(
        self,
        queue: InProcessJobQueue,
        entries: Mapping[str, Entry],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tick_seconds: float = 1.0,
    ) -> None:
        self._queue = queue
        self._entries = dict(entries)
        self._clock = clock
        self._tick = tick_seconds
        self._next_run: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    async def run_due(self) -> list[str]:
        """Enqueue every entry that is due now; returns the job names enqueued."""
        now = self._clock()
        started: list[str] = []
        for name, entry in self._entries.items():
            due = self._next_run.get(name)
            if due is None or due <= now:
                self._next_run[name] = next_run_after(entry["schedule"], now)
                await self._queue.enqueue(entry["task"])
                started.append(entry["task"])
        return started

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("scheduler.tick_failed")
            await asyncio.sleep(self._tick)
