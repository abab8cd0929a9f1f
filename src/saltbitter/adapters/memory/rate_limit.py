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
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import structlog
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from saltbitter.application.ports.cache import RateDecision, RateLimiter
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.shared import UserId

__all__ = [
    "ClosableRateLimiter",
    "FallbackRateLimiter",
    "LimitsRateLimiter",
    "in_process_rate_limiter",
]

log = structlog.get_logger(__name__)


class ClosableRateLimiter(RateLimiter, Protocol):
    async def aclose(self) -> None:
        """Release what the limiter holds (a connection pool)."""


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
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._close = close

    async def check(self) -> bool:
        """Whether the storage answers (a PING for Redis); never raises."""
        try:
            return bool(await self._storage.check())
        except Exception:  # any failure to answer means "down" here
            return False

    async def aclose(self) -> None:
        if self._close is not None:
            await self._close()

    async def hit(
        self,
        key: str,
        limit: int,
        window_seconds: int,
        *,
        stamp_of: UserId | None = None,  # noqa: ARG002  # no stamps here: authentication reads them
        read: Sequence[str] = (),  # noqa: ARG002  # nor cache entries: the use case reads them
    ) -> RateDecision:
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


class FallbackRateLimiter(RateLimiter):
    """Counts in ``primary`` (Redis, shared by every process); while it is unreachable,
    in ``fallback`` (this process's memory), and back in ``primary`` once it answers.

    Failing closed would turn a Redis outage into a whole-API outage (503 everywhere,
    login included); failing open would drop the guard on sign-in and code entry. While
    degraded each process enforces the limits on its own, so N processes let up to N
    times a limit through. The outage is logged once, as a warning, and its end once.
    While degraded the primary is tried again at most every ``retry_seconds`` (or when
    ``check`` is called, as readiness does), so requests do not each wait for a connect
    timeout.
    """

    def __init__(
        self,
        primary: ClosableRateLimiter,
        fallback: ClosableRateLimiter,
        *,
        retry_seconds: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._retry_at: float | None = None  # set while degraded

    @property
    def degraded(self) -> bool:
        """True while the counts are kept in this process only."""
        return self._retry_at is not None

    async def hit(
        self,
        key: str,
        limit: int,
        window_seconds: int,
        *,
        stamp_of: UserId | None = None,
        read: Sequence[str] = (),
    ) -> RateDecision:
        if self._retry_at is None or self._monotonic() >= self._retry_at:
            try:
                decision = await self._primary.hit(
                    key, limit, window_seconds, stamp_of=stamp_of, read=read
                )
            except Unavailable as outage:
                self._went_down(outage)
            else:
                self._came_back()
                return decision
        return await self._fallback.hit(key, limit, window_seconds)

    async def check(self) -> bool:
        """Whether the primary answers now; switches back to it when it does."""
        if await self._primary.check():
            self._came_back()
            return True
        self._went_down(None)
        return False

    async def aclose(self) -> None:
        try:
            await self._primary.aclose()
        finally:
            await self._fallback.aclose()

    def _went_down(self, outage: Unavailable | None) -> None:
        if self._retry_at is None:
            log.warning(
                "rate_limiter.degraded",
                detail="shared rate-limit storage unreachable; counting in this process",
                error=None if outage is None else str(outage.__cause__ or outage),
            )
        self._retry_at = self._monotonic() + self._retry_seconds

    def _came_back(self) -> None:
        if self._retry_at is not None:
            log.warning("rate_limiter.recovered", detail="counting in shared storage again")
            self._retry_at = None
