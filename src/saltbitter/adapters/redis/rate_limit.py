"""Rate-limit counters in Redis, shared by every process (``limits`` + redis-py)."""

from __future__ import annotations

from limits.aio.storage import RedisStorage
from redis.asyncio import ConnectionPool

from saltbitter.adapters.memory.rate_limit import LimitsRateLimiter

__all__ = ["redis_rate_limiter"]


def redis_rate_limiter(url: str, prefix: str) -> LimitsRateLimiter:
    """A moving-window limiter on the Redis at ``url`` (``redis://`` or ``rediss://``).

    Its keys start with ``f"{prefix}ratelimit:"``. It owns a connection pool of its own:
    ``await limiter.aclose()`` at shutdown releases it.
    """
    pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    storage = RedisStorage(
        url,
        implementation="redispy",
        key_prefix=f"{prefix}ratelimit",
        wrap_exceptions=True,
        connection_pool=pool,  # type: ignore[arg-type]  # limits' kwargs are typed narrowly
    )
    return LimitsRateLimiter(storage, close=pool.aclose)
