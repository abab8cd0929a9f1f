from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from saltbitter.adapters.redis import RedisRateLimiter, redis_rate_limiter
from saltbitter.domain.errors import Unavailable
from saltbitter.testing.contracts.cache import RateLimiterContract

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def shared_limiter(redis_url: str, redis_prefix: str) -> AsyncIterator[RedisRateLimiter]:
    limiter = redis_rate_limiter(redis_url, redis_prefix)
    yield limiter
    await limiter.aclose()


class TestRedisRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self, shared_limiter: RedisRateLimiter) -> RedisRateLimiter:
        return shared_limiter


async def test_counters_are_shared_between_limiters_on_one_redis(
    redis_url: str, redis_prefix: str, shared_limiter: RedisRateLimiter
) -> None:
    # Two processes (two limiters, two connection pools) see one count.
    other = redis_rate_limiter(redis_url, redis_prefix)
    try:
        assert (await shared_limiter.hit("shared:ip", limit=2, window_seconds=60)).allowed
        assert (await other.hit("shared:ip", limit=2, window_seconds=60)).remaining == 0
        assert not (await shared_limiter.hit("shared:ip", limit=2, window_seconds=60)).allowed
    finally:
        await other.aclose()


async def test_counters_live_under_the_prefix(
    redis: Redis, redis_prefix: str, shared_limiter: RedisRateLimiter
) -> None:
    await shared_limiter.hit("where:am:i", limit=5, window_seconds=60)
    keys = [key async for key in redis.scan_iter(match=f"{redis_prefix}ratelimit:*where:am:i*")]
    assert len(keys) == 1
    assert 0 < await redis.ttl(keys[0]) <= 60


async def test_a_dead_redis_is_unavailable() -> None:
    limiter = redis_rate_limiter("redis://127.0.0.1:1/0", "sb:")
    try:
        with pytest.raises(Unavailable) as caught:
            await limiter.hit("k", limit=5, window_seconds=60)
        assert caught.value.code == "rate_limiter_unavailable"
    finally:
        await limiter.aclose()
