"""`saltbitter queue-metrics`: the Celery queue's depth, read from the Redis broker every
minute and published to CloudWatch, where the workers' autoscaling and the queue alarm
read it. It runs beside Beat (a second container of the beat task), not as a task in the
queue it measures: a backlog must not delay its own measurement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from saltbitter.adapters.celery.queue_depth import celery_queue_depth
from saltbitter.adapters.metrics.cloudwatch import CloudWatchQueueDepth, cloudwatch_client
from saltbitter.adapters.redis import redis_client
from saltbitter.entrypoints.settings import Settings

__all__ = ["publish_queue_depth"]

log = structlog.get_logger(__name__)


async def publish_queue_depth(
    settings: Settings, *, every_seconds: float, rounds: int | None, echo: Callable[[int], None]
) -> None:
    """Measure (and publish, when a namespace is set) ``rounds`` times, or for ever."""
    broker_url = settings.effective_broker_url
    if broker_url is None or not broker_url.startswith(("redis://", "rediss://")):
        raise ValueError("queue-metrics reads a Redis broker: set SALTBITTER_REDIS_URL")
    publisher = None
    if settings.queue_metric_namespace:
        publisher = CloudWatchQueueDepth(
            cloudwatch_client(
                settings.cloudwatch_region, endpoint_url=settings.cloudwatch_endpoint_url
            ),
            settings.queue_metric_namespace,
        )
    broker = redis_client(broker_url)
    try:
        done = 0
        while rounds is None or done < rounds:
            if done:
                await asyncio.sleep(every_seconds)
            depth = await celery_queue_depth(broker, settings.task_queue)
            echo(depth)
            if publisher is not None:
                try:
                    await publisher.publish(settings.task_queue, depth)
                except Exception:  # one failed publication must not stop the next ones
                    log.exception("queue_depth_not_published", queue=settings.task_queue)
            done += 1
    finally:
        await broker.aclose()
