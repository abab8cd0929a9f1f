"""The rate limiter's Lua script against real Redis: the moving window's law, Retry-After,
the member's principal stamp and a route's cache entry read in the same round trip (ADR
0036, ADR 0044)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from tests.support.hypothesis_budget import budget

from saltbitter.adapters.redis import RedisCache, RedisRateLimiter, redis_rate_limiter
from saltbitter.adapters.redis.principals import RedisPrincipalCache
from saltbitter.domain.shared import UserId

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def limiter(redis_url: str, redis_prefix: str) -> AsyncIterator[RedisRateLimiter]:
    shared = redis_rate_limiter(redis_url, redis_prefix)
    yield shared
    await shared.aclose()


def _accepted_in_window(accepted: list[int], now: int, window_ms: int) -> int:
    return sum(1 for at in accepted if at > now - window_ms)


@settings(
    max_examples=budget(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    limit=st.integers(min_value=1, max_value=5),
    window_seconds=st.integers(min_value=1, max_value=3),
    steps=st.lists(st.integers(min_value=0, max_value=1_500), min_size=1, max_size=30),
)
async def test_the_script_is_a_moving_window(
    limiter: RedisRateLimiter, limit: int, window_seconds: int, steps: list[int]
) -> None:
    """Against a model: a hit is accepted iff fewer than ``limit`` accepted hits are
    younger than the window; refused ones wait exactly until the limit-th newest one
    leaves it; so no span of the window ever holds more than ``limit`` accepted hits."""
    key = f"law:{uuid.uuid4().hex}"
    window_ms = window_seconds * 1000
    now = 1_000_000_000
    accepted: list[int] = []
    for step in steps:
        now += step
        decision = await limiter.hit(key, limit, window_seconds, now_ms=now)
        in_window = _accepted_in_window(accepted, now, window_ms)
        assert decision.allowed == (in_window < limit)
        if decision.allowed:
            accepted.append(now)
            assert decision.remaining == limit - in_window - 1
            assert decision.retry_after_seconds == 0
        else:
            freeing = sorted((at for at in accepted if at > now - window_ms), reverse=True)
            wait_ms = freeing[limit - 1] + window_ms - now
            assert decision.remaining == 0
            assert decision.retry_after_seconds == max(1, -(-wait_ms // 1000))
            assert decision.retry_after_seconds <= window_seconds
    for start in accepted:
        assert sum(1 for at in accepted if start <= at < start + window_ms) <= limit


async def test_a_refused_client_is_let_in_once_the_retry_after_has_passed(
    limiter: RedisRateLimiter,
) -> None:
    key = f"retry:{uuid.uuid4().hex}"
    start = 2_000_000_000
    assert (await limiter.hit(key, 2, 60, now_ms=start)).allowed
    assert (await limiter.hit(key, 2, 60, now_ms=start + 10_000)).allowed
    refused = await limiter.hit(key, 2, 60, now_ms=start + 20_000)
    assert (refused.allowed, refused.retry_after_seconds) == (False, 40)
    assert not (await limiter.hit(key, 2, 60, now_ms=start + 59_999)).allowed
    assert (await limiter.hit(key, 2, 60, now_ms=start + 60_000)).allowed


async def test_a_huge_limit_keeps_only_the_hits_of_the_window(
    limiter: RedisRateLimiter, redis: Redis, redis_prefix: str
) -> None:
    # The benchmark raises the limits to 100,000,000 a minute: the list must still hold
    # only the last minute's hits, and each hit must stay cheap.
    key = f"huge:{uuid.uuid4().hex}"
    start = 3_000_000_000
    for second in range(0, 180, 3):
        decision = await limiter.hit(key, 100_000_000, 60, now_ms=start + second * 1000)
        assert decision.allowed
    assert await redis.llen(f"{redis_prefix}ratelimit:60:{key}") == 20


async def test_the_hit_reads_the_members_stamp_as_the_principal_cache_does(
    limiter: RedisRateLimiter, redis: Redis, redis_prefix: str
) -> None:
    member = UserId(uuid.uuid4())
    principals = RedisPrincipalCache(redis, redis_prefix, ttl_seconds=30)
    fresh = await limiter.hit(f"user:{member}", 100, 60, stamp_of=member)
    assert fresh.stamp == "-" == await principals.stamp(member)
    await principals.forget([member])
    renewed = await limiter.hit(f"user:{member}", 100, 60, stamp_of=member)
    assert renewed.stamp == await principals.stamp(member)
    assert renewed.stamp not in (None, "-")
    anonymous = await limiter.hit(f"user:{member}", 100, 60)
    assert anonymous.stamp is None


async def test_a_refused_hit_still_reads_the_stamp(
    limiter: RedisRateLimiter,
) -> None:
    member = UserId(uuid.uuid4())
    await limiter.hit(f"busy:{member}", 1, 60, stamp_of=member)
    refused = await limiter.hit(f"busy:{member}", 1, 60, stamp_of=member)
    assert not refused.allowed
    assert refused.stamp == "-"


async def test_windows_of_one_key_are_counted_apart(limiter: RedisRateLimiter) -> None:
    key = f"windows:{uuid.uuid4().hex}"
    assert (await limiter.hit(key, 1, 60)).allowed
    assert (await limiter.hit(key, 1, 3600)).allowed
    assert not (await limiter.hit(key, 1, 60)).allowed


async def test_the_hit_reads_cache_entries_as_the_cache_stores_them(
    limiter: RedisRateLimiter, redis: Redis, redis_prefix: str
) -> None:
    """ADR 0044: the route's cache entries come back with the decision, refused or not,
    with or without the stamp, exactly as ``RedisCache.get`` would have read them."""
    member = UserId(uuid.uuid4())
    cache = RedisCache(redis, redis_prefix)
    daily, other = f"matching:daily:{member}", f"matching:other:{member}"
    missing = await limiter.hit(f"read:{member}", 1, 60, stamp_of=member, read=[daily])
    assert missing.read == {daily: None}
    assert missing.stamp == "-"
    await cache.set(daily, b'{"items": []}', 60)
    refused = await limiter.hit(f"read:{member}", 1, 60, stamp_of=member, read=[daily, other])
    assert not refused.allowed
    assert refused.read == {daily: await cache.get(daily), other: None}
    anonymous = await limiter.hit(f"other:{member}", 5, 60, read=[other, daily])
    assert anonymous.read == {other: None, daily: b'{"items": []}'}
    assert anonymous.stamp is None
    assert (await limiter.hit(f"other:{member}", 5, 60, stamp_of=member)).read == {}
