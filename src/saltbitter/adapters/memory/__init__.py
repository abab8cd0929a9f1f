"""In-process stand-ins for shared state (embedded mode) and the ``limits`` rate limiter."""

from saltbitter.adapters.memory.cache import InProcessCache
from saltbitter.adapters.memory.rate_limit import (
    ClosableRateLimiter,
    FallbackRateLimiter,
    LimitsRateLimiter,
    in_process_rate_limiter,
)

__all__ = [
    "ClosableRateLimiter",
    "FallbackRateLimiter",
    "InProcessCache",
    "LimitsRateLimiter",
    "in_process_rate_limiter",
]
