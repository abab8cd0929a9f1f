"""Rate limiting with the ``limits`` library's moving-window strategy.

One adapter for both modes: ``limits`` async ``MemoryStorage`` when embedded
(``in_process_rate_limiter``), or its ``RedisStorage`` shared by every process in real
mode (``saltbitter.adapters.redis.redis_rate_limiter``).

Why a moving window and not a fixed one: the limits guard sign-in, code entry and
sign-up, where a fixed window lets a client spend twice the limit around a window
boundary (``limit`` hits at the end of one window, ``limit`` more at the start of the
next). The moving window remembers the time of each of the last ``limit`` hits, so no
span of ``window_seconds`` ever holds more than ``limit`` of them, and ``Retry-After`` is
exact: the moment the oldest hit leaves the window. Its cost is one timestamp per
counted hit (at most ``limit`` per key), cheap for the small limits it is used with;
for very large limits (thousands per window) a sliding-window counter would be leaner.
Refused hits are not counted, so a client that keeps hammering is let back in once the
window has moved past its earlier, accepted hits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from saltbitter.application.ports.cache import RateDecision, RateLimiter
from saltbitter.domain.errors import Unavailable

__all__ = ["LimitsRateLimiter", "in_process_rate_limiter"]


class LimitsRateLimiter(RateLimiter):
    """``storage`` must support moving windows (memory, Redis, Valkey, MongoDB do).

    Create the storage with ``wrap_exceptions=True`` so a storage outage surfaces as
    ``Unavailable(code="rate_limiter_unavailable")``. ``close`` releases what the storage
    holds (a connection pool) when ``aclose`` is awaited at shutdown.
    """

    def __init__(
        self, storage: Storage, *, close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        if not isinstance(storage, MovingWindowSupport):
            raise TypeError(f"{type(storage).__name__} does not support moving windows")
        self._strategy = MovingWindowRateLimiter(storage)
        self._close = close

    async def aclose(self) -> None:
        if self._close is not None:
            await self._close()

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        item = RateLimitItemPerSecond(limit, window_seconds)
        try:
            allowed = await self._strategy.hit(item, key)
            stats = await self._strategy.get_window_stats(item, key)
        except StorageError as error:
            raise Unavailable(
                "The rate limiter's storage is unavailable.", code="rate_limiter_unavailable"
            ) from error
        if allowed:
            return RateDecision(
                allowed=True, remaining=max(stats.remaining, 0), retry_after_seconds=0
            )
        wait = math.ceil(stats.reset_time - time.time())
        return RateDecision(
            allowed=False, remaining=0, retry_after_seconds=min(max(wait, 1), window_seconds)
        )


def in_process_rate_limiter() -> LimitsRateLimiter:
    """Counters in this process only: right for one process, approximate for several."""
    return LimitsRateLimiter(MemoryStorage(wrap_exceptions=True))
