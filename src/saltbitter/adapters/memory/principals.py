"""Principals kept in this process for a few seconds (ADR 0032).

``LocalPrincipalCache`` keeps its stamps in this process too, which is right for the
embedded mode (one process). ``adapters.redis.principals`` keeps them in Redis, shared by
every process, and reuses the per-process store below.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from typing import Generic, TypeVar

from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["KeptPrincipals", "KeptViews", "LocalPrincipalCache", "new_stamp"]

_NO_STAMP = "-"
T = TypeVar("T")
K = TypeVar("K")


def new_stamp() -> str:
    return uuid.uuid4().hex


class _Stamped(Generic[K]):
    """key -> (stamp, kept until, value), oldest first, at most ``limit``: a value is
    given back only under the stamp it was kept with and within ``ttl_seconds``."""

    __slots__ = ("_entries", "_limit", "_now", "_ttl")

    def __init__(
        self, ttl_seconds: float, limit: int = 50_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._limit = limit
        self._now = now
        self._entries: OrderedDict[K, tuple[str, float, object]] = OrderedDict()

    def _get(self, key: K, stamp: str) -> object | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        kept_stamp, until, value = entry
        if kept_stamp != stamp or until <= self._now():
            del self._entries[key]
            return None
        return value

    def _keep(self, key: K, stamp: str, value: object) -> None:
        if self._ttl <= 0:
            return
        self._entries[key] = (stamp, self._now() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def _drop_where(self, gone: Callable[[K, object], bool]) -> None:
        for key in [key for key, (_, _, value) in self._entries.items() if gone(key, value)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class KeptPrincipals(_Stamped[SessionId]):
    """session id -> (stamp, kept until, principal), oldest first, at most ``limit``."""

    __slots__ = ()

    def get(self, session_id: SessionId, stamp: str) -> Principal | None:
        principal = self._get(session_id, stamp)
        return principal if isinstance(principal, Principal) else None

    def keep(self, principal: Principal, stamp: str) -> None:
        self._keep(principal.session_id, stamp, principal)

    def drop(self, user_ids: Collection[UserId]) -> None:
        gone = set(user_ids)
        self._drop_where(lambda _, principal: getattr(principal, "user_id", None) in gone)


class KeptViews(_Stamped[tuple[UserId, type]]):
    """(member, kind) -> (stamp, kept until, view), oldest first, at most ``limit``."""

    __slots__ = ()

    def get(self, user_id: UserId, stamp: str, kind: type[T]) -> T | None:
        view = self._get((user_id, kind), stamp)
        if view is None or not isinstance(view, kind):
            self._entries.pop((user_id, kind), None)
            return None
        return view

    def keep(self, user_id: UserId, stamp: str, view: object) -> None:
        self._keep((user_id, type(view)), stamp, view)

    def drop(self, user_ids: Collection[UserId]) -> None:
        gone = set(user_ids)
        self._drop_where(lambda key, _: key[0] in gone)


class LocalPrincipalCache(PrincipalCache):
    """Stamps and principals in this process: the embedded mode's single API process."""

    __slots__ = ("_kept", "_stamps", "_views")

    def __init__(self, ttl_seconds: float, limit: int = 50_000) -> None:
        self._kept = KeptPrincipals(ttl_seconds, limit)
        self._views = KeptViews(ttl_seconds, limit)
        self._stamps: dict[UserId, str] = {}

    async def stamp(self, user_id: UserId) -> str:
        return self._stamps.get(user_id, _NO_STAMP)

    def get(self, session_id: SessionId, stamp: str) -> Principal | None:
        return self._kept.get(session_id, stamp)

    def keep(self, principal: Principal, stamp: str) -> None:
        self._kept.keep(principal, stamp)

    async def forget(self, user_ids: Collection[UserId]) -> None:
        for user_id in user_ids:
            self._stamps[user_id] = new_stamp()
        self._kept.drop(user_ids)
        self._views.drop(user_ids)

    def kept_view(self, user_id: UserId, stamp: str, kind: type[T]) -> T | None:
        return self._views.get(user_id, stamp, kind)

    def keep_view(self, user_id: UserId, stamp: str, view: object) -> None:
        self._views.keep(user_id, stamp, view)
