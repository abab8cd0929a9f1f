"""The cache in Redis (redis-py's asyncio client), shared by every process.

Every key is prefixed (for example ``"saltbitter:"``), so several deployments or test
runs can share one Redis. Values are raw bytes; entries expire with Redis' own ``EX``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from saltbitter.adapters.cache_values import decode_value, encode_value, with_hole
from saltbitter.adapters.redis.coalesced import CoalescedScript
from saltbitter.application.ports.cache import Cache, T
from saltbitter.domain.errors import Unavailable

__all__ = ["RedisCache", "cache_key", "redis_client"]


def cache_key(prefix: str, key: str) -> str:
    """Where the cache keeps ``key`` (the rate limiter reads entries there too, ADR 0044)."""
    return prefix + key


def redis_client(url: str) -> Redis:
    """A pooled client for ``redis://`` / ``rediss://`` URLs with bounded timeouts; close it
    with ``await client.aclose()`` at shutdown."""
    return Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
        decode_responses=False,
    )


# SET each key to its value with the TTL (the last argument), in one atomic script run.
_SET_TOGETHER = """
local ttl = ARGV[#ARGV]
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[i], 'EX', ttl)
end
return #KEYS
"""


# DEL the first ARGV[1] keys, then SET each other key to its value with the TTL (the last
# argument): one command, whose one reply costs far less to read than a pipeline's reply
# per SET (ADR 0054's follow-up: a batch of likes renews up to 128 markers).
_DELETE_AND_SET = """
local deleted = tonumber(ARGV[1])
local ttl = ARGV[#ARGV]
for i = 1, deleted do
  redis.call('DEL', KEYS[i])
end
for i = deleted + 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i - deleted + 1], 'EX', ttl)
end
return #KEYS
"""

# ``get_many`` as a script, so that concurrent requests' reads share round trips
# (CoalescedScript, ADR 0047): a discovery page reads its members' markers this way
# (ADR 0048). Lua's unpack takes a few thousand values at most: larger reads use MGET.
_MGET = "return redis.call('MGET', unpack(KEYS))"
_COALESCED_KEYS = 1_000


def _unavailable(error: RedisError) -> Unavailable:
    return Unavailable(f"The cache is unavailable: {error}", code="cache_unavailable")


class RedisCache(Cache):
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self.prefix = prefix
        self._mget = CoalescedScript(client, _MGET)
        self._delete_and_set = client.register_script(_DELETE_AND_SET)  # EVALSHA

    @property
    def read_batches(self) -> int:
        """Pipelines of ``get_many`` reads sent so far (what tests observe)."""
        return self._mget.batches_sent

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._client.get(cache_key(self.prefix, key))
        except RedisError as error:
            raise _unavailable(error) from error
        if value is None:
            return None
        return value.encode() if isinstance(value, str) else bytes(value)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One ``MGET``, sent in one pipeline with other requests' reads made meanwhile."""
        if not keys:
            return []
        prefixed = [self.prefix + key for key in keys]
        try:
            if len(prefixed) <= _COALESCED_KEYS:
                values = await self._mget(prefixed, ())
            else:
                values = await self._client.mget(prefixed)
        except RedisError as error:
            raise _unavailable(error) from error
        return [
            None if value is None else value.encode() if isinstance(value, str) else bytes(value)
            for value in values
        ]

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        try:
            await self._client.set(cache_key(self.prefix, key), value, ex=ttl_seconds)
        except RedisError as error:
            raise _unavailable(error) from error

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self._client.delete(*(cache_key(self.prefix, key) for key in keys))
        except RedisError as error:
            raise _unavailable(error) from error

    async def get_value(self, key: str, kind: type[T]) -> T | None:
        raw = await self.get(key)
        return None if raw is None else decode_value(raw, kind)

    def decoded(self, raw: bytes, kind: type[T]) -> T | None:
        return decode_value(raw, kind)

    async def set_value(self, key: str, value: object, ttl_seconds: int) -> None:
        await self.set(key, encode_value(value), ttl_seconds)

    def with_hole(self, value: Mapping[str, object], hole: str) -> Callable[[int], object]:
        return with_hole(value, hole)

    async def set_values(self, items: Sequence[tuple[str, object]], ttl_seconds: int) -> None:
        """One pipelined round trip (no MULTI): the daily job caches sets chunk by chunk."""
        await self.delete_and_set((), items, ttl_seconds)

    async def delete_and_set(
        self, deleted: Sequence[str], written: Sequence[tuple[str, object]], ttl_seconds: int
    ) -> None:
        """One script call: the deletions, then a ``SET`` per entry, atomically."""
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        if not deleted and not written:
            return
        keys = [cache_key(self.prefix, key) for key in (*deleted, *(k for k, _ in written))]
        values = [encode_value(value) for _, value in written]
        try:
            await self._delete_and_set(keys=keys, args=[len(deleted), *values, ttl_seconds])
        except RedisError as error:
            raise _unavailable(error) from error

    async def set_groups(
        self, groups: Sequence[Sequence[tuple[str, object]]], ttl_seconds: int
    ) -> None:
        """One pipelined round trip (no MULTI) of one script call per group: each call
        runs atomically in Redis, so a group's entries appear together (ADR 0049)."""
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        if not any(groups):
            return
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for group in groups:
                    if not group:
                        continue
                    keys = [cache_key(self.prefix, key) for key, _ in group]
                    values = [encode_value(value) for _, value in group]
                    pipe.eval(_SET_TOGETHER, len(keys), *keys, *values, ttl_seconds)
                await pipe.execute()
        except RedisError as error:
            raise _unavailable(error) from error

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False
