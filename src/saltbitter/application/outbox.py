"""The outbox relay: hands committed events to the job queue, at least once.

It knows no capability: each one registers which jobs its events (or other capabilities'
events) trigger, and the composition root hands the merged table in as ``EventHandlers``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from saltbitter.application.ports.events import Event, JobQueue, Outbox
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction

__all__ = ["EventHandlers", "RelayOutbox"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventHandlers:
    """Which jobs each event type triggers. Jobs are idempotent, because a crash between
    enqueueing and marking a message dispatched hands the same event over again."""

    jobs_by_event: Mapping[type[Event], tuple[str, ...]]

    @classmethod
    def merged(cls, *tables: Mapping[type[Event], tuple[str, ...]]) -> EventHandlers:
        """Several capabilities may react to one event (a match triggers notifications,
        a profile change matching's cache invalidation): their jobs add up."""
        merged: dict[type[Event], tuple[str, ...]] = {}
        for table in tables:
            for event_type, jobs in table.items():
                merged[event_type] = merged.get(event_type, ()) + jobs
        return cls(merged)

    def jobs_for(self, event: Event) -> tuple[str, ...]:
        return self.jobs_by_event.get(type(event), ())


@dataclass(frozen=True, slots=True)
class RelayOutbox:
    """Dispatch up to ``BATCH_SIZE`` pending events; returns how many were dispatched."""

    BATCH_SIZE: ClassVar[int] = 100

    transaction: Transaction
    outbox: Outbox
    queue: JobQueue
    clock: Clock
    handlers: EventHandlers

    async def __call__(self) -> int:
        async with self.transaction:
            # Marked in the claim: a failed enqueue rolls the marks back with the claim.
            messages = await self.outbox.dispatch_pending(self.BATCH_SIZE, self.clock.now())
            # Each job gets its events together, in order: a burst of matches is then one
            # notification job, not one per match (ADR 0054).
            together: dict[str, list[Event]] = {}
            for message in messages:
                if message.event is None:
                    # Kept in the table for an operator, but not retried forever: an
                    # undecodable message at the head would otherwise block every batch.
                    log.error("outbox.undecodable_event id=%s topic=%s", message.id, message.topic)
                    continue
                for job in self.handlers.jobs_for(message.event):
                    together.setdefault(job, []).append(message.event)
            for job, events in together.items():
                await self.queue.enqueue_together(job, events)
            await self.transaction.commit()
        return len(messages)
