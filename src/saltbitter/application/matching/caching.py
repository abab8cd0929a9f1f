"""Matching's cache entries: keys, their typed values, and tolerant access.

The cache only ever saves work: every entry can be rebuilt from the database, so a
cache that is down makes reads slower, never wrong, and never fails a request. Entries:

- ``matching:daily:<user>``: the rendered daily set (24 h), photo keys unsigned;
- ``matching:daily-version:<user>``: a random token written with the daily set, in the
  same atomic write, and deleted with it (ADR 0049): equal tokens mean the very same
  entry, so a process that kept the set's view checks the few bytes of the token;
- ``matching:discover:<user>``: the ranked discovery list for the member's local day
  (10 minutes);
- ``matching:interest-frequencies``: the rarity table of interests (1 h);
- ``matching:member:<user>``: the member's marker, a random token renewed after every
  commit that changed what a discovery card or its re-check reads about them (their
  account, profile, photos, consent, assessment, swipes and matches either way; ADR
  0048). A missing marker is a value too; a renewal lives ``MEMBER_MARKER_SECONDS``,
  far longer than a page is kept, so an expired marker can match no kept page.

The entries are plain dataclasses; the cache adapter encodes them (``Cache.set_value``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
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
    "MEMBER_MARKER_SECONDS",
    "CachedDailyItem",
    "CachedDailySet",
    "CachedFrequencies",
    "DiscoverRanking",
    "MemberMarkers",
    "cached_frequencies",
    "daily_key",
    "daily_version_key",
    "discover_key",
    "forget_daily_sets",
    "forget_members",
    "frequencies_of",
    "member_marker_key",
    "renew_member_markers",
    "store_daily_sets",
    "store_frequencies",
    "tolerant_get",
    "tolerant_get_many",
    "tolerant_set",
    "tolerant_set_many",
]

FREQUENCIES_KEY = "matching:interest-frequencies"
# Ten minutes: a kept discovery page lives one (KeptPages' max_age), so a marker that
# expires back to "missing" cannot bring a page kept before its renewal back to life.
MEMBER_MARKER_SECONDS = 600

T = TypeVar("T")


def daily_key(user: UserId) -> str:
    return f"matching:daily:{user}"


def discover_key(user: UserId) -> str:
    return f"matching:discover:{user}"


@lru_cache(maxsize=65_536)
def daily_version_key(user: UserId) -> str:
    # Memoized like member_marker_key: read twice per daily request (edge, kept view).
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
        ((daily_key(user), value), (daily_version_key(user), secrets.token_hex(16)))
        for user, value in sets
    ]
    try:
        await cache.set_groups(groups, ttl_seconds)
    except Unavailable:
        return  # the next reads rebuild them


@lru_cache(maxsize=65_536)
def member_marker_key(user: UserId) -> str:
    # Memoized: a page reads 21 markers, and formatting a UUID is most of a key's cost.
    return f"matching:member:{user}"


async def renew_member_markers(cache: Cache, users: Iterable[UserId]) -> None:
    """New markers for ``users``: every process's kept discovery pages showing them (or
    shown to them) are made afresh (ADR 0048). After the commit, like ``forget_members``;
    a cache that is down leaves kept pages to their minute."""
    items = _new_markers(users)
    if items:
        await tolerant_set_many(cache, items, MEMBER_MARKER_SECONDS)


def _new_markers(users: Iterable[UserId]) -> list[tuple[str, object]]:
    return [(member_marker_key(user), secrets.token_hex(8)) for user in dict.fromkeys(users)]


@dataclass(frozen=True, slots=True)
class MemberMarkers:
    """Members' markers as a discovery page reads them (ADR 0048).

    ``shared``: every process that changes members renews markers in this cache (Redis).
    A process-local cache is not (the CLI and a worker change members from processes of
    their own), so it reads no markers and a page is checked against the database.
    """

    cache: Cache
    shared: bool

    async def read(self, users: Sequence[UserId]) -> tuple[bytes | None, ...] | None:
        """Each member's marker (None: missing), in order; None when they cannot be
        trusted here: the cache is not shared or is down."""
        if not self.shared:
            return None
        try:
            return tuple(await self.cache.get_many([member_marker_key(user) for user in users]))
        except Unavailable:
            return None


async def forget_members(cache: Cache, users: Iterable[UserId]) -> None:
    """Drop the members' discovery lists and daily sets (after a like, pass, match...)
    and renew their markers.

    Runs after the commit, so a cache that is down must not turn a done deed into an
    error: the entries then expire on their own (10 minutes, 24 hours).
    """
    members = list(dict.fromkeys(users))
    # The daily set's version token goes with the set (ADR 0049).
    dropped = [k for u in members for k in (discover_key(u), daily_key(u), daily_version_key(u))]
    try:  # one round trip
        await cache.delete_and_set(dropped, _new_markers(members), MEMBER_MARKER_SECONDS)
    except Unavailable:
        return


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
