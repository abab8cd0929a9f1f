from __future__ import annotations

import pytest
from redis.asyncio import Redis

from saltbitter.adapters.redis import RedisCache, redis_client
from saltbitter.domain.errors import Unavailable
from saltbitter.testing.contracts.cache import CacheContract

pytestmark = pytest.mark.integration

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class TestRedisCache(CacheContract):
    @pytest.fixture
    def cache(self, redis: Redis, redis_prefix: str) -> RedisCache:
        return RedisCache(redis, f"{redis_prefix}cache:")


async def test_keys_are_stored_under_the_prefix(redis: Redis, redis_prefix: str) -> None:
    cache = RedisCache(redis, f"{redis_prefix}prefixed:")
    await cache.set("user:1", b"v", ttl_seconds=60)
    assert await redis.get(f"{redis_prefix}prefixed:user:1") == b"v"
    assert 0 < await redis.ttl(f"{redis_prefix}prefixed:user:1") <= 60
    assert await redis.get("user:1") is None


async def test_prefixes_isolate_caches(redis: Redis, redis_prefix: str) -> None:
    one = RedisCache(redis, f"{redis_prefix}one:")
    two = RedisCache(redis, f"{redis_prefix}two:")
    await one.set("shared-name", b"1", ttl_seconds=60)
    assert await two.get("shared-name") is None
    await two.delete("shared-name")
    assert await one.get("shared-name") == b"1"


async def test_a_dead_redis_is_unavailable_and_does_not_answer_pings() -> None:
    client = redis_client(DEAD_REDIS)
    cache = RedisCache(client, "sb:")
    try:
        assert await cache.ping() is False
        for operation in (
            cache.get("k"),
            cache.set("k", b"v", ttl_seconds=5),
            cache.delete("k"),
        ):
            with pytest.raises(Unavailable) as caught:
                await operation
            assert caught.value.code == "cache_unavailable"
    finally:
        await client.aclose()
