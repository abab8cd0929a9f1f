"""The task queue's depth as a CloudWatch metric, which the workers' autoscaling and the
queue alarm follow (infra/terraform, docs/operations.md).

boto3 is synchronous, so the call runs in a worker thread; it is imported when first
used, so this module imports without the ``aws`` extra.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

__all__ = ["QUEUE_DEPTH_METRIC", "CloudWatchApi", "CloudWatchQueueDepth", "cloudwatch_client"]

QUEUE_DEPTH_METRIC = "QueueDepth"


class CloudWatchApi(Protocol):
    """The one call made on a boto3 CloudWatch client."""

    def put_metric_data(self, *, Namespace: str, MetricData: Any) -> object: ...


def cloudwatch_client(region_name: str, *, endpoint_url: str | None = None) -> CloudWatchApi:
    """A CloudWatch client with bounded timeouts and retries (credentials: boto3's chain)."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard"})
    client: CloudWatchApi = boto3.client(
        "cloudwatch", region_name=region_name, endpoint_url=endpoint_url, config=config
    )
    return client


class CloudWatchQueueDepth:
    """Publishes ``QueueDepth`` (dimension ``Queue``) in ``namespace``."""

    def __init__(self, client: CloudWatchApi, namespace: str) -> None:
        self._client = client
        self._namespace = namespace

    async def publish(self, queue: str, depth: int) -> None:
        await asyncio.to_thread(
            self._client.put_metric_data,
            Namespace=self._namespace,
            MetricData=[
                {
                    "MetricName": QUEUE_DEPTH_METRIC,
                    "Dimensions": [{"Name": "Queue", "Value": queue}],
                    "Value": float(depth),
                    "Unit": "Count",
                }
            ],
        )
