"""How many tasks wait in a Celery queue on the Redis broker.

Kombu keeps one Redis list per queue and priority step: the queue's own name for
priority 0 and ``<queue>\\x06\\x16<step>`` for steps 3, 6 and 9. The depth is the sum of
their lengths, read in one round trip. Reading the broker directly (rather than asking
a worker) keeps the figure honest when every worker is busy or gone.
"""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ["celery_queue_depth", "celery_queue_keys"]

_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


def celery_queue_keys(queue: str) -> list[str]:
    """The Redis lists that hold ``queue``'s waiting tasks, one per priority step."""
    return [
        queue if step == 0 else f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS
    ]


async def celery_queue_depth(broker: Redis, queue: str) -> int:
    """Tasks waiting in ``queue`` (not yet taken by a worker)."""
    async with broker.pipeline(transaction=False) as pipeline:
        for key in celery_queue_keys(queue):
            pipeline.llen(key)
        lengths: list[int] = await pipeline.execute()
    return sum(lengths)
