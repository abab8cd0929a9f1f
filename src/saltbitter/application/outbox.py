"""The outbox relay: hands committed events to the job queue, at least once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from saltbitter.application.accounts import topics as accounts_topics
from saltbitter.application.assessments import topics as assessments_topics
from saltbitter.application.matching import topics as matching_topics
from saltbitter.application.notifications import topics as notifications_topics
from saltbitter.application.ports.events import JobQueue
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.application.profiles import topics as profiles_topics

__all__ = ["JOBS_BY_TOPIC", "RelayOutbox"]


def _merged(*tables: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Several capabilities may react to one topic (matching's own event triggers both
    its cache invalidation and notifications): their jobs add up, none replaces another."""
    merged: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for topic, jobs in table.items():
            merged[topic] = merged.get(topic, ()) + jobs
    return merged


# Which job each event topic triggers. Jobs are idempotent, because a crash between
# enqueueing and marking a message dispatched hands the same event over again.
JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = _merged(
    {
        accounts_topics.VERIFICATION_REQUESTED: (accounts_topics.SEND_VERIFICATION_CODE,),
        accounts_topics.PASSWORD_RESET_REQUESTED: (accounts_topics.SEND_PASSWORD_RESET_CODE,),
        accounts_topics.REGISTRATION_ATTEMPTED: (accounts_topics.SEND_REGISTRATION_NOTICE,),
    },
    profiles_topics.JOBS_BY_TOPIC,
    assessments_topics.JOBS_BY_TOPIC,
    matching_topics.JOBS_BY_TOPIC,
    notifications_topics.JOBS_BY_TOPIC,
)


@dataclass(frozen=True, slots=True)
class RelayOutbox:
    """Dispatch up to ``BATCH_SIZE`` pending events; returns how many were dispatched."""

    BATCH_SIZE: ClassVar[int] = 100

    uow: UnitOfWork
    queue: JobQueue
    clock: Clock

    async def __call__(self) -> int:
        async with self.uow as uow:
            messages = await uow.outbox.claim_pending(self.BATCH_SIZE)
            for message in messages:
                for job in JOBS_BY_TOPIC.get(message.event.topic, ()):
                    await self.queue.enqueue(job, message.event.payload)
            await uow.outbox.mark_dispatched([m.id for m in messages], self.clock.now())
            await uow.commit()
        return len(messages)
