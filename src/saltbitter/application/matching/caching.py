"""Matching's cache entries: keys, their typed values, and tolerant access.

The cache only ever saves work: every entry can be rebuilt from the database, so a
cache that is down makes reads slower, never wrong, and never fails a request. Entries:

- ``matching:daily:<user>``: the rendered daily set (24 h), photo keys unsigned;
- ``matching:daily-version:<user>``: a random token written with the daily set, in the
  same atomic write, and deleted with it (ADR 0049): equal tokens mean the very same
  entry, so a process that kept the set's view checks the few bytes of the token;
- ``matching:discover:<user>``: the ranked discovery list for the member's local day
  (10 minutes);
- ``matching:interest-frequencies``: the rarity table of interests (1 h).

The entries are plain dataclasses; the cache adapter encodes them (``Cache.set_value``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from saltbitter.application.matching.cards import CardData
from saltbitter.application.matching.views import CompatibilityView
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.matching import CandidateReader
from saltbitter.domain.compatibility import DocumentFrequencies
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = [
    "FREQUENCIES_KEY",
    "CachedDailyItem",
    "CachedDailySet",
    "CachedFrequencies",
    "DiscoverRanking",
    "cached_frequencies",
    "daily_key",
    "daily_version_key",
    "discover_key",
    "forget_daily_sets",
    "forget_members",
    "frequencies_of",
    "store_daily_sets",
    "store_frequencies",
    "tolerant_get",
    "tolerant_get_many",
    "tolerant_set",
    "tolerant_set_many",
]

FREQUENCIES_KEY = "matching:interest-frequencies"

T = TypeVar("T")


def daily_key(user: UserId) -> str:
    return f"matching:daily:{user}"


def discover_key(user: UserId) -> str:
    return f"matching:discover:{user}"


def daily_version_key(user: UserId) -> str:
    return f"matching:daily-version:{user}"


async def tolerant_get(cache: Cache, key: str, kind: type[T]) -> T | None:
    try:
        return await cache.get_value(key, kind)
    except Unavailable:
        return None  # rebuilt from the database instead


async def tolerant_set(cache: Cache, key: str, value: object, ttl_seconds: int) -> None:
    try:
        await cache.set_value(key, value, ttl_seconds)
    except Unavailable:
        return  # the next read rebuilds it


async def tolerant_set_many(
    cache: Cache, items: Sequence[tuple[str, object]], ttl_seconds: int
) -> None:
    try:
        await cache.set_values(items, ttl_seconds)
    except Unavailable:
        return  # the next reads rebuild them


async def tolerant_get_many(cache: Cache, keys: Sequence[str]) -> list[bytes | None]:
    """The entries' bytes, read at once (Redis: one ``MGET``); all None while the cache
    is down (rebuilt from the database instead)."""
    try:
        return await cache.get_many(keys)
    except Unavailable:
        return [None] * len(keys)


async def store_daily_sets(
    cache: Cache, sets: Sequence[tuple[UserId, object]], ttl_seconds: int
) -> None:
    """Cache each member's rendered daily set with a new version token, the two in one
    atomic write per member (``Cache.set_groups``): a reader that reads both at once
    (``get_many``) gets a token that stands for exactly the bytes beside it, and no
    other bytes are ever stored under that token (ADR 0049). Tolerant like
    ``tolerant_set_many``."""
    if not sets:
        return
    groups = [
        ((daily_key(user), value), (daily_version_key(user), uuid.uuid4().hex))
        for user, value in sets
    ]
    try:
        await cache.set_groups(groups, ttl_seconds)
    except Unavailable:
        return  # the next reads rebuild them


async def forget_members(cache: Cache, users: Iterable[UserId]) -> None:
    """Drop the members' discovery lists and daily sets (after a like, pass, match...).

    Runs after the commit, so a cache that is down must not turn a done deed into an
    error: the entries then expire on their own (10 minutes, 24 hours).
    """
    await _delete(
        cache,
        # The daily set's version token goes with the set (ADR 0049).
        [k for u in users for k in (discover_key(u), daily_key(u), daily_version_key(u))],
    )


async def forget_daily_sets(cache: Cache, users: Iterable[UserId]) -> None:
    """Drop the members' cached daily sets only (same tolerance as ``forget_members``)."""
    # The daily set's version token goes with the set (ADR 0049).
    await _delete(cache, [k for u in users for k in (daily_key(u), daily_version_key(u))])


async def _delete(cache: Cache, keys: list[str]) -> None:
    if not keys:
        return
    try:
        await cache.delete(*dict.fromkeys(keys))
    except Unavailable:
        return


@dataclass(frozen=True, slots=True)
class CachedFrequencies:
    total: int
    counts: dict[str, int]


async def cached_frequencies(
    cache: Cache, candidates: CandidateReader, ttl_seconds: int
) -> DocumentFrequencies:
    """The interest rarity table, from the cache or counted afresh (one aggregate)."""
    cached = await tolerant_get(cache, FREQUENCIES_KEY, CachedFrequencies)
    if cached is not None:
        return frequencies_of(cached)
    frequencies = await candidates.interest_frequencies()
    await store_frequencies(cache, frequencies, ttl_seconds)
    return frequencies


def frequencies_of(cached: CachedFrequencies) -> DocumentFrequencies:
    return DocumentFrequencies(total_users=cached.total, counts=cached.counts)


async def store_frequencies(
    cache: Cache, frequencies: DocumentFrequencies, ttl_seconds: int
) -> None:
    cached = CachedFrequencies(frequencies.total_users, dict(frequencies.counts))
    await tolerant_set(cache, FREQUENCIES_KEY, cached, ttl_seconds)


@dataclass(frozen=True, slots=True)
class DiscoverRanking:
    """One member's discovery list for a local day: (candidate, total), best first."""

    local_date: date
    ranking: tuple[tuple[UserId, float], ...]


@dataclass(frozen=True, slots=True)
class CachedDailyItem:
    card: CardData
    compatibility: CompatibilityView
    decision: Decision | None
    matched: bool


@dataclass(frozen=True, slots=True)
class CachedDailySet:
    """A rendered daily set, with the timezone that says which local day it is for."""

    local_date: date
    timezone: str
    items: tuple[CachedDailyItem, ...]
