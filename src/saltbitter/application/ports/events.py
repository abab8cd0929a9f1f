"""Events leave a transaction through the outbox and come back as idempotent jobs.

Each capability defines its events as frozen dataclasses deriving from :class:`Event`, in
its own ``application/<cap>/events.py``; ``name`` is the stable tag stored with the
event (the outbox adapter encodes every registered event type with one tagged union).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol
from uuid import UUID

__all__ = ["Event", "JobInput", "JobParameters", "JobQueue", "Outbox", "OutboxMessage"]

JsonScalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened. Subclasses set ``name`` (never renamed once stored) and
    hold ids and plain values only: never secrets."""

    name: ClassVar[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class JobParameters:
    """What a scheduled or hand-started job accepts (subclasses add typed fields)."""


JobInput = Event | JobParameters


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A stored event. ``event`` is None when its ``topic`` (the tag) or its fields are not
    understood by this process, for example a newer release's event mid-deploy."""

    id: UUID
    topic: str
    event: Event | None
    created_at: datetime


class Outbox(Protocol):
    """Written in the same transaction as the change it announces."""

    @abstractmethod
    def add(self, event: Event) -> None: ...

    @abstractmethod
    async def claim_pending(self, limit: int) -> Sequence[OutboxMessage]:
        """Oldest undispatched messages; concurrent relays never claim the same one."""

    @abstractmethod
    async def mark_dispatched(self, message_ids: Sequence[UUID], now: datetime) -> None: ...

    async def dispatch_pending(self, limit: int, now: datetime) -> Sequence[OutboxMessage]:
        """``claim_pending`` and ``mark_dispatched`` at ``now`` together (one statement
        where the store can): the messages are dispatched once this transaction commits,
        and handed out again if it rolls back."""
        messages = await self.claim_pending(limit)
        await self.mark_dispatched([m.id for m in messages], now)
        return messages


class JobQueue(Protocol):
    """Runs a named job later: Celery in real mode, in-process tasks when embedded. The
    queue carries ``job_input`` encoded and hands the job the decoded instance."""

    @abstractmethod
    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None: ...

    async def fan_out(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """One ``job`` per input, to run in parallel where the queue has workers (Celery:
        one group, returns once queued; embedded: one after the other in this process,
        returns when they are done). The default enqueues them one by one."""
        for job_input in job_inputs:
            await self.enqueue(job, job_input)

    async def enqueue_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """``job`` for each input, which the queue may run as one call of the job's batch
        form where it has one (ADR 0054). The default enqueues them one by one."""
        for job_input in job_inputs:
            await self.enqueue(job, job_input)
