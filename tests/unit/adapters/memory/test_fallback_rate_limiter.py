"""With its Redis dead, the limiter keeps limiting in this process and says so once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from structlog.testing import capture_logs

from saltbitter.adapters.memory import FallbackRateLimiter, in_process_rate_limiter
from saltbitter.adapters.redis import redis_rate_limiter
from saltbitter.testing.contracts.cache import RateLimiterContract

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class Ticks:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def degraded() -> AsyncIterator[FallbackRateLimiter]:
    limiter = FallbackRateLimiter(
        redis_rate_limiter(DEAD_REDIS, "sbtest:"), in_process_rate_limiter(), monotonic=Ticks()
    )
    yield limiter
    await limiter.aclose()


class TestFallbackRateLimiterWithItsRedisDead(RateLimiterContract):
    @pytest.fixture
    def limiter(self, degraded: FallbackRateLimiter) -> FallbackRateLimiter:
        return degraded

    async def test_a_working_limiter_counts_where_it_should(
        self, limiter: FallbackRateLimiter
    ) -> None:
        # Every other rule holds while degraded; this one says it is degraded.
        assert await limiter.check() is False


async def test_a_dead_redis_degrades_to_counting_in_process_and_is_logged_once() -> None:
    ticks = Ticks()
    limiter = FallbackRateLimiter(
        redis_rate_limiter(DEAD_REDIS, "sbtest:"),
        in_process_rate_limiter(),
        retry_seconds=5,
        monotonic=ticks,
    )
    try:
        assert not limiter.degraded
        with capture_logs() as logs:
            decisions = [await limiter.hit("ip:203.0.113.9", 2, 60) for _ in range(3)]
            ticks.now += 6  # past the retry delay: Redis is tried again, still dead
            later = await limiter.hit("ip:203.0.113.9", 2, 60)
            assert not await limiter.check()
    finally:
        await limiter.aclose()

    assert [d.allowed for d in decisions] == [True, True, False]  # still limited
    assert not later.allowed
    assert limiter.degraded
    assert [(e["event"], e["log_level"]) for e in logs] == [("rate_limiter.degraded", "warning")]
