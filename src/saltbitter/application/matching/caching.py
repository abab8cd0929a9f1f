"""Matching's cache entries: keys, their JSON forms, and tolerant access.

The cache only ever saves work: every entry can be rebuilt from the database, so a
cache that is down makes reads slower, never wrong, and never fails a request. Entries:

- ``matching:daily:<user>``: the rendered daily set (24 h), photo keys unsigned;
- ``matching:discover:<user>``: the ranked discovery list for the member's local day
  (10 minutes);
- ``matching:interest-frequencies``: the rarity table of interests (1 h).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from saltbitter.application.matching.cards import CardData, PhotoRef
from saltbitter.application.matching.views import CompatibilityView
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.matching import MatchingRepository
from saltbitter.domain.compatibility import ComponentScores, DocumentFrequencies, Gender
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = [
    "FREQUENCIES_KEY",
    "CachedDailyItem",
    "CachedDailySet",
    "DiscoverRanking",
    "cached_frequencies",
    "daily_key",
    "discover_key",
    "forget_daily_sets",
    "forget_members",
    "store_frequencies",
    "tolerant_get",
    "tolerant_set",
]

FREQUENCIES_KEY = "matching:interest-frequencies"


def daily_key(user: UserId) -> str:
    return f"matching:daily:{user}"


def discover_key(user: UserId) -> str:
    return f"matching:discover:{user}"


async def tolerant_get(cache: Cache, key: str) -> bytes | None:
    try:
        return await cache.get(key)
    except Unavailable:
        return None  # rebuilt from the database instead


async def tolerant_set(cache: Cache, key: str, value: bytes, ttl_seconds: int) -> None:
    try:
        await cache.set(key, value, ttl_seconds)
    except Unavailable:
        return  # the next read rebuilds it


async def forget_members(cache: Cache, users: Iterable[UserId]) -> None:
    """Drop the members' discovery lists and daily sets (after a like, pass, match...).

    Runs after the commit, so a cache that is down must not turn a done deed into an
    error: the entries then expire on their own (10 minutes, 24 hours).
    """
    await _delete(cache, [k for u in users for k in (discover_key(u), daily_key(u))])


async def forget_daily_sets(cache: Cache, users: Iterable[UserId]) -> None:
    """Drop the members' cached daily sets only (same tolerance as ``forget_members``)."""
    await _delete(cache, [daily_key(user) for user in users])


async def _delete(cache: Cache, keys: list[str]) -> None:
    if not keys:
        return
    try:
        await cache.delete(*dict.fromkeys(keys))
    except Unavailable:
        return


async def cached_frequencies(
    cache: Cache, repository: MatchingRepository, ttl_seconds: int
) -> DocumentFrequencies:
    """The interest rarity table, from the cache or counted afresh (one aggregate)."""
    raw = await tolerant_get(cache, FREQUENCIES_KEY)
    if raw is not None:
        document = json.loads(raw)
        return DocumentFrequencies(total_users=document["total"], counts=document["counts"])
    frequencies = await repository.interest_frequencies()
    await store_frequencies(cache, frequencies, ttl_seconds)
    return frequencies


async def store_frequencies(
    cache: Cache, frequencies: DocumentFrequencies, ttl_seconds: int
) -> None:
    document = {"total": frequencies.total_users, "counts": dict(frequencies.counts)}
    await tolerant_set(cache, FREQUENCIES_KEY, json.dumps(document).encode(), ttl_seconds)


def _dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class DiscoverRanking:
    """One member's discovery list for a local day: (candidate, total), best first."""

    local_date: date
    ranking: tuple[tuple[UserId, float], ...]

    def to_bytes(self) -> bytes:
        return _dumps(
            {"date": self.local_date.isoformat(), "ranking": [[str(u), t] for u, t in self.ranking]}
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> DiscoverRanking:
        document = json.loads(raw)
        return cls(
            local_date=date.fromisoformat(document["date"]),
            ranking=tuple((UserId(UUID(u)), float(t)) for u, t in document["ranking"]),
        )


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

    def to_bytes(self) -> bytes:
        return _dumps(
            {
                "date": self.local_date.isoformat(),
                "timezone": self.timezone,
                "items": [_item_document(item) for item in self.items],
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> CachedDailySet:
        document = json.loads(raw)
        return cls(
            local_date=date.fromisoformat(document["date"]),
            timezone=document["timezone"],
            items=tuple(_item(entry) for entry in document["items"]),
        )


def _item_document(item: CachedDailyItem) -> dict[str, Any]:
    card, score = item.card, item.compatibility
    components = score.components
    return {
        "user_id": str(card.user_id),
        "display_name": card.display_name,
        "age": card.age,
        "gender": card.gender.value,
        "distance_km": card.distance_km,
        "bio": card.bio,
        "interests": list(card.interests),
        "goal": card.relationship_goal,
        "photo": None
        if card.photo is None
        else [card.photo.key, card.photo.width, card.photo.height],
        "total": score.total,
        "components": [
            components.attachment,
            components.interests,
            components.values,
            components.demographics,
        ],
        "reasons": score.reasons,
        "decision": None if item.decision is None else item.decision.value,
        "matched": item.matched,
    }


def _item(entry: dict[str, Any]) -> CachedDailyItem:
    photo = entry["photo"]
    attachment, interests, values, demographics = entry["components"]
    return CachedDailyItem(
        card=CardData(
            user_id=UserId(UUID(entry["user_id"])),
            display_name=entry["display_name"],
            age=entry["age"],
            gender=Gender(entry["gender"]),
            distance_km=entry["distance_km"],
            bio=entry["bio"],
            interests=tuple(entry["interests"]),
            relationship_goal=entry["goal"],
            photo=None if photo is None else PhotoRef(photo[0], photo[1], photo[2]),
        ),
        compatibility=CompatibilityView(
            total=entry["total"],
            components=ComponentScores(attachment, interests, values, demographics),
            reasons=list(entry["reasons"]),
        ),
        decision=None if entry["decision"] is None else Decision(entry["decision"]),
        matched=entry["matched"],
    )
