"""Redis adapters share the run's Redis with other tests: everything lives under the run's
prefix, and the keys written here are removed when the session ends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from saltbitter.adapters.redis import redis_client


@pytest.fixture(scope="session")
async def redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    client = redis_client(redis_url)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*", count=500)]
    if keys:
        await client.delete(*keys)
    await client.aclose()
