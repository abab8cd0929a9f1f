"""Events leave a transaction through the outbox and come back as idempotent jobs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

__all__ = ["Event", "JobQueue", "Outbox", "OutboxMessage"]

JsonScalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened; ``payload`` holds JSON scalars and never secrets."""

    topic: str
    payload: Mapping[str, JsonScalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: UUID
    event: Event
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


class JobQueue(Protocol):
    """Runs a named job later: Celery in real mode, in-process tasks when embedded."""

    @abstractmethod
    async def enqueue(self, job: str, payload: Mapping[str, JsonScalar]) -> None: ...
