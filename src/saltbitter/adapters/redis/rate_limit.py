"""Rate-limit counters in Redis, shared by every process: one Lua script per request.

The script keeps the same moving window as the in-process limiter (``limits``' moving
window, see ``adapters.memory.rate_limit``): per key a list of the times (Redis' own
clock, milliseconds) of the hits accepted in the last window, newest first. A hit is
accepted while fewer than ``limit`` of them are younger than the window, so no span of
the window ever holds more than ``limit``; refused hits are not counted; ``Retry-After``
is the moment the ``limit``-th newest hit leaves the window. Expired times are popped
from the tail as they age out (each once), so a hit costs O(1) however high the limit.

Why our own script and not ``limits``' (ADR 0036): the library needs two round trips per
hit (the hit, then the window's statistics, which reads the whole list), and the request
path needs a third for the member's principal stamp (ADR 0032). This script answers all
three in one ``EVALSHA`` (loaded once per server and again after a ``SCRIPT FLUSH``);
concurrent requests' calls share round trips (``CoalescedScript``, ADR 0047).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

from saltbitter.adapters.redis.cache import cache_key
from saltbitter.adapters.redis.coalesced import CoalescedScript
from saltbitter.adapters.redis.principals import principal_stamp_key, stamp_from
from saltbitter.application.ports.cache import NOTHING_READ, RateDecision, RateLimiter
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.shared import UserId

__all__ = ["MOVING_WINDOW_SCRIPT", "RedisRateLimiter", "redis_rate_limiter", "retry_after"]

# KEYS[1]: the key's list of accepted hit times; KEYS[2] ("" for none): a principal
# stamp; KEYS[3...]: cache entries to read on the way (ADR 0044).
# ARGV: limit, window in ms, and (tests only) the time in ms instead of Redis' clock.
# Returns {accepted (1/0), hits in the window (this one included), ms until a slot
# frees (refused only), the stamp or false, then each cache entry or false}.
MOVING_WINDOW_SCRIPT = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
local stamp = false
if KEYS[2] ~= '' then stamp = redis.call('GET', KEYS[2]) end
local function answer(accepted, count, wait)
  local reply = {accepted, count, wait, stamp}
  for index = 3, #KEYS do reply[#reply + 1] = redis.call('GET', KEYS[index]) end
  return reply
end
local horizon = now - window
while true do
  local oldest = redis.call('LINDEX', KEYS[1], -1)
  if not oldest or tonumber(oldest) > horizon then break end
  redis.call('RPOP', KEYS[1])
end
local count = redis.call('LLEN', KEYS[1])
if count >= limit then
  local freeing = tonumber(redis.call('LINDEX', KEYS[1], limit - 1))
  return answer(0, count, freeing + window - now)
end
redis.call('LPUSH', KEYS[1], now)
redis.call('PEXPIRE', KEYS[1], window)
return answer(1, count + 1, 0)
"""


def retry_after(wait_ms: int, window_seconds: int) -> int:
    """Whole seconds a refused client waits: rounded up, at least 1, at most the window."""
    return min(max(math.ceil(wait_ms / 1000), 1), window_seconds)


class RedisRateLimiter(RateLimiter):
    """A moving-window limiter whose hit can also read a member's principal stamp.

    Its keys are ``f"{prefix}ratelimit:{window}:{key}"``; principal stamps are read at
    the principal cache's keys under the same prefix. Redis errors surface as
    ``Unavailable(code="rate_limiter_unavailable")`` (the fallback limiter counts in
    process then, ADR 0011).
    """

    __slots__ = ("_client", "_prefix", "_script")

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._script = CoalescedScript(client, MOVING_WINDOW_SCRIPT)

    async def hit(
        self,
        key: str,
        limit: int,
        window_seconds: int,
        *,
        stamp_of: UserId | None = None,
        read: Sequence[str] = (),
        now_ms: int | None = None,
    ) -> RateDecision:
        """``now_ms`` replaces Redis' clock (tests of the window's arithmetic only).
        ``read``: keys of the ``RedisCache`` with this limiter's prefix."""
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        keys = [
            f"{self._prefix}ratelimit:{window_seconds}:{key}",
            "" if stamp_of is None else principal_stamp_key(self._prefix, stamp_of),
        ]
        keys.extend(cache_key(self._prefix, key) for key in read)
        arguments = [limit, window_seconds * 1000] + ([] if now_ms is None else [now_ms])
        try:
            accepted, count, wait_ms, stamp, *entries = await self._script(
                keys=keys, args=arguments
            )
        except RedisError as error:
            raise Unavailable(
                "The rate limiter's storage is unavailable.", code="rate_limiter_unavailable"
            ) from error
        member_stamp = stamp_from(stamp) if stamp_of is not None else None
        entries_read = dict(zip(read, entries, strict=True)) if read else NOTHING_READ
        if accepted:
            return RateDecision(
                True, max(limit - int(count), 0), 0, stamp=member_stamp, read=entries_read
            )
        wait = retry_after(int(wait_ms), window_seconds)
        return RateDecision(False, 0, wait, stamp=member_stamp, read=entries_read)

    async def check(self) -> bool:
        """Whether Redis answers a PING; never raises."""
        try:
            return bool(await self._client.ping())
        except Exception:  # any failure to answer means "down" here
            return False

    async def aclose(self) -> None:
        await self._client.aclose()


def redis_rate_limiter(url: str, prefix: str) -> RedisRateLimiter:
    """A moving-window limiter on the Redis at ``url`` (``redis://`` or ``rediss://``).

    It owns a connection pool of its own (2 s timeouts, so an outage degrades quickly):
    ``await limiter.aclose()`` at shutdown releases it.
    """
    pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return RedisRateLimiter(Redis.from_pool(pool), prefix)
