"""Redis adapters: the shared cache and the shared rate-limit counters."""

from saltbitter.adapters.redis.cache import RedisCache, redis_client
from saltbitter.adapters.redis.rate_limit import RedisRateLimiter, redis_rate_limiter

__all__ = ["RedisCache", "RedisRateLimiter", "redis_client", "redis_rate_limiter"]
