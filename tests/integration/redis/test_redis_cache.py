from __future__ import annotations

import asyncio

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
            cache.get_many(["k", "l"]),
            cache.set("k", b"v", ttl_seconds=5),
            cache.delete("k"),
            cache.delete_and_set(["k"], [("l", "v")], 5),
        ):
            with pytest.raises(Unavailable) as caught:
                await operation
            assert caught.value.code == "cache_unavailable"
    finally:
        await client.aclose()


async def test_concurrent_reads_of_many_keys_share_round_trips(
    redis: Redis, redis_prefix: str
) -> None:
    """ADR 0048: a discovery page's markers are read with other requests' reads."""
    cache = RedisCache(redis, f"{redis_prefix}many:")
    for n in range(30):
        await cache.set(f"k{n}", str(n).encode(), ttl_seconds=60)
    wanted = [[f"k{n}", f"missing{n}", f"k{(n + 1) % 30}"] for n in range(30)]
    answers = await asyncio.gather(*(cache.get_many(keys) for keys in wanted))
    for n, answer in enumerate(answers):
        assert answer == [str(n).encode(), None, str((n + 1) % 30).encode()]
    assert cache.read_batches <= 2  # the first call's batch, then the rest


async def test_a_read_of_more_keys_than_a_script_takes_is_one_mget(
    redis: Redis, redis_prefix: str
) -> None:
    cache = RedisCache(redis, f"{redis_prefix}large:")
    await cache.set("k7", b"7", ttl_seconds=60)
    keys = [f"k{n}" for n in range(10_000)]
    values = await cache.get_many(keys)
    assert values[7] == b"7"
    assert values.count(None) == 9_999
