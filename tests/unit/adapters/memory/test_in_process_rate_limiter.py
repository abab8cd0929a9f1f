from __future__ import annotations

import pytest
from limits.aio.storage import MemoryStorage

from saltbitter.adapters.memory import LimitsRateLimiter, in_process_rate_limiter
from saltbitter.testing.contracts.cache import RateLimiterContract


class TestInProcessRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self) -> LimitsRateLimiter:
        return in_process_rate_limiter()


async def test_limits_with_different_windows_on_one_key_are_counted_apart() -> None:
    limiter = LimitsRateLimiter(MemoryStorage())
    assert (await limiter.hit("ip:203.0.113.9", limit=1, window_seconds=60)).allowed
    assert (await limiter.hit("ip:203.0.113.9", limit=1, window_seconds=3600)).allowed
    assert not (await limiter.hit("ip:203.0.113.9", limit=1, window_seconds=60)).allowed


async def test_retry_after_never_exceeds_the_window() -> None:
    limiter = in_process_rate_limiter()
    await limiter.hit("k", limit=1, window_seconds=1)
    refused = await limiter.hit("k", limit=1, window_seconds=1)
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
