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
from typing import TypeVar

from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["KeptPrincipals", "KeptViews", "LocalPrincipalCache", "new_stamp"]

_NO_STAMP = "-"
T = TypeVar("T")


def new_stamp() -> str:
    return uuid.uuid4().hex


class KeptPrincipals:
    """session id -> (stamp, kept until, principal), oldest first, at most ``limit``."""

    __slots__ = ("_entries", "_limit", "_now", "_ttl")

    def __init__(
        self, ttl_seconds: float, limit: int = 50_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._limit = limit
        self._now = now
        self._entries: OrderedDict[SessionId, tuple[str, float, Principal]] = OrderedDict()

    def get(self, session_id: SessionId, stamp: str) -> Principal | None:
        entry = self._entries.get(session_id)
        if entry is None:
            return None
        kept_stamp, until, principal = entry
        if kept_stamp != stamp or until <= self._now():
            del self._entries[session_id]
            return None
        return principal

    def keep(self, principal: Principal, stamp: str) -> None:
        if self._ttl <= 0:
            return
        self._entries[principal.session_id] = (stamp, self._now() + self._ttl, principal)
        self._entries.move_to_end(principal.session_id)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def drop(self, user_ids: Collection[UserId]) -> None:
        gone = set(user_ids)
        for session_id in [s for s, (_, _, p) in self._entries.items() if p.user_id in gone]:
            del self._entries[session_id]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class KeptViews:
    """(member, kind) -> (stamp, kept until, view), oldest first, at most ``limit``."""

    __slots__ = ("_entries", "_limit", "_now", "_ttl")

    def __init__(
        self, ttl_seconds: float, limit: int = 50_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._limit = limit
        self._now = now
        self._entries: OrderedDict[tuple[UserId, type], tuple[str, float, object]] = OrderedDict()

    def get(self, user_id: UserId, stamp: str, kind: type[T]) -> T | None:
        key = (user_id, kind)
        entry = self._entries.get(key)
        if entry is None:
            return None
        kept_stamp, until, view = entry
        if kept_stamp != stamp or until <= self._now() or not isinstance(view, kind):
            del self._entries[key]
            return None
        return view

    def keep(self, user_id: UserId, stamp: str, view: object) -> None:
        if self._ttl <= 0:
            return
        key = (user_id, type(view))
        self._entries[key] = (stamp, self._now() + self._ttl, view)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def drop(self, user_ids: Collection[UserId]) -> None:
        gone = set(user_ids)
        for key in [key for key in self._entries if key[0] in gone]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


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
