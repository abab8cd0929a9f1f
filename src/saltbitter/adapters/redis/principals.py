"""Principal stamps in Redis, shared by every API process (ADR 0032).

Each member who changed has a key ``<prefix>principal:<user id>`` holding a random
stamp; a missing key is the stamp ``"-"``. ``forget`` writes a new random stamp (never a
counter: an expired counter could come back to a value a kept entry still holds) that
lives longer than any kept entry. Without Redis a stamp cannot be read: the request then
reads the database and this process drops what it kept, since a revocation may have
happened meanwhile that it could not learn of.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from saltbitter.adapters.memory.principals import KeptPrincipals, KeptViews, new_stamp
from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["RedisPrincipalCache", "principal_stamp_key", "stamp_from"]

log = structlog.get_logger(__name__)
_NO_STAMP = "-"
T = TypeVar("T")


def principal_stamp_key(prefix: str, user_id: UserId) -> str:
    """Where a member's stamp lives (the rate limiter reads it too, ADR 0036)."""
    return f"{prefix}principal:{user_id}"


def stamp_from(value: bytes | str | None) -> str:
    """A stamp as Redis returned it; a missing key is the stamp ``"-"``."""
    if value is None:
        return _NO_STAMP
    return value if isinstance(value, str) else value.decode()


class RedisPrincipalCache(PrincipalCache):
    __slots__ = ("_client", "_kept", "_lifetime", "_prefix", "_views")

    def __init__(self, client: Redis, prefix: str, ttl_seconds: float, limit: int = 50_000) -> None:
        self._client = client
        self._prefix = prefix
        self._kept = KeptPrincipals(ttl_seconds, limit)
        self._views = KeptViews(ttl_seconds, limit)
        # Far longer than a kept entry, so that an expired stamp can matter to nobody.
        self._lifetime = max(60, int(ttl_seconds * 4) + 60)

    async def stamp(self, user_id: UserId) -> str:
        try:
            value = await self._client.get(principal_stamp_key(self._prefix, user_id))
        except RedisError:
            self._kept.clear()
            self._views.clear()
            return new_stamp()  # matches nothing kept: read the database
        return stamp_from(value)

    def get(self, session_id: SessionId, stamp: str) -> Principal | None:
        return self._kept.get(session_id, stamp)

    def keep(self, principal: Principal, stamp: str) -> None:
        self._kept.keep(principal, stamp)

    def kept_view(self, user_id: UserId, stamp: str, kind: type[T]) -> T | None:
        return self._views.get(user_id, stamp, kind)

    def keep_view(self, user_id: UserId, stamp: str, view: object) -> None:
        self._views.keep(user_id, stamp, view)

    async def forget(self, user_ids: Collection[UserId]) -> None:
        self._kept.drop(user_ids)
        self._views.drop(user_ids)
        if not user_ids:
            return
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.set(
                        principal_stamp_key(self._prefix, user_id), new_stamp(), ex=self._lifetime
                    )
                await pipe.execute()
        except RedisError:
            # Other processes keep what they kept for at most the cache's lifetime.
            log.warning("principal stamps not renewed", members=len(user_ids), exc_info=True)
