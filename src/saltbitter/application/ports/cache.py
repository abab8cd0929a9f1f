"""Short-lived shared state: a key-value cache and rate-limit counters."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, TypeVar

from saltbitter.domain.shared import UserId

__all__ = ["NOTHING_READ", "Cache", "CacheReads", "RateDecision", "RateLimiter"]

T = TypeVar("T")


class Cache(Protocol):
    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    @abstractmethod
    async def delete(self, *keys: str) -> None: ...

    @abstractmethod
    async def get_value(self, key: str, kind: type[T]) -> T | None:
        """The entry read as ``kind``; None when missing or no longer readable as ``kind``
        (written by an older release), so the caller rebuilds it."""

    @abstractmethod
    def decoded(self, raw: bytes, kind: type[T]) -> T | None:
        """``raw`` (as ``get`` returned it) read as ``kind``, as ``get_value`` would: lets a
        caller compare an entry's bytes with what it kept before paying for decoding."""

    @abstractmethod
    async def set_value(self, key: str, value: object, ttl_seconds: int) -> None:
        """Store plain data (dataclasses, enums, dates, UUIDs, numbers, strings, tuples,
        lists, dicts); the adapter chooses the encoding."""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the cache answers (readiness)."""

    def with_hole(self, value: Mapping[str, object], hole: str) -> Callable[[int], object]:
        """``value`` made ready for many entries that differ only in the whole number at
        its key ``hole``: the function returned gives, for a number, what to put in a
        value given to ``set_value`` (or its kin), stored exactly as ``{**value, hole:
        number}`` (same key order) would be. An adapter may encode ``value`` once here
        and copy bytes per use: the daily job's cards are the same in every set but for
        the distance (one per candidate, in up to 30 sets each). This default copies the
        mapping."""
        if hole not in value:
            raise KeyError(hole)

        def filled(number: int) -> object:
            copy = dict(value)
            copy[hole] = number
            return copy

        return filled

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """``get`` for each key, in order; an adapter may read them in one round trip."""
        return [await self.get(key) for key in keys]

    async def set_values(self, items: Sequence[tuple[str, object]], ttl_seconds: int) -> None:
        """``set_value`` for many keys; an adapter may send them in one round trip."""
        for key, value in items:
            await self.set_value(key, value, ttl_seconds)

    async def delete_and_set(
        self, deleted: Sequence[str], written: Sequence[tuple[str, object]], ttl_seconds: int
    ) -> None:
        """``delete(*deleted)`` then ``set_values(written, ...)``; an adapter may send the
        two in one round trip (a like drops two members' entries and renews their
        discovery markers after its commit, ADR 0048)."""
        if deleted:
            await self.delete(*deleted)
        if written:
            await self.set_values(written, ttl_seconds)

    async def set_groups(
        self, groups: Sequence[Sequence[tuple[str, object]]], ttl_seconds: int
    ) -> None:
        """``set_value`` for each group's keys, each group at once: no reader sees some
        of a group's entries written and others not yet (an entry and its version, ADR
        0049). This default is right for a cache in one process whose writes do not
        wait (nothing runs between them); a cache shared between processes overrides it.
        """
        await self.set_values([item for group in groups for item in group], ttl_seconds)


# Cache entries read on the way, by key (None: no such entry); a key that is not in
# it was not read.
CacheReads = Mapping[str, bytes | None]
NOTHING_READ: CacheReads = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_seconds: int
    # The member's principal stamp (ADR 0032), when ``hit`` was asked for it and the
    # limiter shares the principal cache's store; None otherwise (ADR 0036).
    stamp: str | None = None
    # The cache entries ``hit(read=...)`` asked for, when the limiter shares the cache's
    # store and read them in the same round trip; nothing otherwise (ADR 0044).
    read: CacheReads = field(default_factory=lambda: NOTHING_READ)


class RateLimiter(Protocol):
    @abstractmethod
    async def hit(
        self,
        key: str,
        limit: int,
        window_seconds: int,
        *,
        stamp_of: UserId | None = None,
        read: Sequence[str] = (),
    ) -> RateDecision:
        """Count one request for ``key``; refuse once ``limit`` is reached in the window.

        With ``stamp_of``, a limiter that can read ``stamp_of``'s principal stamp in the
        same round trip returns it in the decision (the request path's one Redis call,
        ADR 0036); others leave it None and authentication reads it itself. Likewise
        ``read``, keys of the shared ``Cache`` the request will need, come back in
        ``RateDecision.read`` from a limiter that can read them on the way (ADR 0044)."""

    @abstractmethod
    async def check(self) -> bool:
        """Whether the limits are counted where they are meant to be (the shared store,
        or this process for a process-local limiter); False while a limiter has fallen
        back from an unreachable shared store. Never raises."""
