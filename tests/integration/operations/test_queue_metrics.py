"""The task queue's depth, read from the real Redis broker and published to CloudWatch
(moto's server over HTTP, as boto3 would reach AWS): what the workers' autoscaling follows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer
from redis.asyncio import Redis

from saltbitter.adapters.celery.queue_depth import celery_queue_depth, celery_queue_keys
from saltbitter.entrypoints.queue_metrics import publish_queue_depth
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for

NAMESPACE = "SaltBitterTest"


@pytest.fixture(scope="module")
def cloudwatch_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def queue_settings(redis_url: str, cloudwatch_endpoint: str) -> Iterator[Settings]:
    queue = f"sbtest-queue-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        redis_url=redis_url,
        task_queue=queue,
        queue_metric_namespace=NAMESPACE,
        cloudwatch_endpoint_url=cloudwatch_endpoint,
        jwt_secret="queue-metrics-test",
    )
    yield settings
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(*celery_queue_keys(queue))
    client.close()


def _enqueue(settings: Settings, count: int, priority: int | None = None) -> None:
    """Tasks sent to the queue with no worker consuming it: they wait there."""
    celery = celery_app_for(settings)
    try:
        for _ in range(count):
            celery.send_task(
                "saltbitter.tests.never_consumed", queue=settings.task_queue, priority=priority
            )
    finally:
        celery.close()


def _published(endpoint: str, queue: str) -> list[float]:
    cloudwatch = boto3.client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    now = datetime.now(UTC)
    answer = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="QueueDepth",
        Dimensions=[{"Name": "Queue", "Value": queue}],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )
    return [point["Maximum"] for point in answer["Datapoints"]]


def test_waiting_tasks_of_every_priority_are_counted(queue_settings: Settings) -> None:
    _enqueue(queue_settings, 3)
    _enqueue(queue_settings, 2, priority=9)

    async def depth() -> int:
        broker = Redis.from_url(queue_settings.redis_url or "")
        try:
            return await celery_queue_depth(broker, queue_settings.task_queue)
        finally:
            await broker.aclose()

    assert asyncio.run(depth()) == 5


def test_the_depth_reaches_cloudwatch(
    queue_settings: Settings, cloudwatch_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    _enqueue(queue_settings, 4)
    seen: list[int] = []

    asyncio.run(publish_queue_depth(queue_settings, every_seconds=0, rounds=1, echo=seen.append))

    assert seen == [4]
    assert _published(cloudwatch_endpoint, queue_settings.task_queue) == [4.0]


def test_an_empty_queue_is_published_as_zero_not_skipped(
    queue_settings: Settings, cloudwatch_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Missing data would read as "the publisher stopped", which the queue alarm treats
    # as an outage.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    seen: list[int] = []

    asyncio.run(publish_queue_depth(queue_settings, every_seconds=0, rounds=2, echo=seen.append))

    assert seen == [0, 0]
    assert _published(cloudwatch_endpoint, queue_settings.task_queue) == [0.0]


def test_without_a_redis_broker_the_command_refuses() -> None:
    with pytest.raises(ValueError, match="SALTBITTER_REDIS_URL"):
        asyncio.run(publish_queue_depth(Settings(), every_seconds=0, rounds=1, echo=lambda _: None))
