"""Contracts of the short-lived shared state ports: ``Cache`` and ``RateLimiter``.

Subclass :class:`CacheContract` with a ``cache`` fixture, and :class:`RateLimiterContract`
with a ``limiter`` fixture. The in-process and the Redis adapters run the same tests; keys
are unique per test, so a shared store (one Redis for the whole run) is fine. Expiry tests
wait through the ``let_time_pass`` fixture: a real sleep by default (a server's clock
cannot be moved); an adapter that takes its clock as an argument overrides it to move a
manual clock instead, so its run waits for nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import pytest

from saltbitter.application.matching.caching import (
    CachedDailyItem,
    CachedDailySet,
    DiscoverRanking,
)
from saltbitter.application.matching.cards import CardData, PhotoRef
from saltbitter.application.matching.views import CompatibilityView
from saltbitter.application.ports.cache import Cache, RateLimiter
from saltbitter.domain.compatibility import ComponentScores, Gender
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = ["CacheContract", "LetTimePass", "RateLimiterContract"]

LetTimePass = Callable[[float], Awaitable[None]]


def _unique(name: str) -> str:
    return f"contract:{name}:{uuid.uuid4().hex}"


def _daily_item(photo: PhotoRef | None, decision: Decision | None) -> CachedDailyItem:
    return CachedDailyItem(
        card=CardData(
            user_id=UserId(uuid.uuid4()),
            display_name="Zoë",
            age=31,
            gender=Gender.WOMAN,
            distance_km=None if photo is None else 12,
            bio="Tea ☕ and hills.",
            interests=("hiking", "tea"),
            relationship_goal=None,
            photo=photo,
        ),
        compatibility=CompatibilityView(
            total=0.8125,
            components=ComponentScores(0.5, 0.75, 1.0, 0.25),
            reasons=["You both like tea."],
        ),
        decision=decision,
        matched=decision is Decision.LIKE,
    )


class CacheContract:
    @pytest.fixture
    def cache(self) -> Cache:
        raise NotImplementedError("provide the Cache under test")

    @pytest.fixture
    def let_time_pass(self) -> LetTimePass:
        return asyncio.sleep

    async def test_set_then_get_returns_the_same_bytes(self, cache: Cache) -> None:
        key = _unique("round-trip")
        value = bytes(range(256)) + "zoë ☕".encode()
        await cache.set(key, value, ttl_seconds=60)
        assert await cache.get(key) == value

    async def test_missing_key_is_none(self, cache: Cache) -> None:
        assert await cache.get(_unique("missing")) is None

    async def test_empty_value_is_not_missing(self, cache: Cache) -> None:
        key = _unique("empty")
        await cache.set(key, b"", ttl_seconds=60)
        assert await cache.get(key) == b""

    async def test_get_many_reads_each_key_in_order(self, cache: Cache) -> None:
        a, b, c = _unique("many-a"), _unique("many-b"), _unique("many-c")
        await cache.set(a, b"1", ttl_seconds=60)
        await cache.set(c, b"", ttl_seconds=60)
        assert await cache.get_many([c, b, a]) == [b"", None, b"1"]
        assert await cache.get_many([]) == []

    async def test_set_overwrites(self, cache: Cache) -> None:
        key = _unique("overwrite")
        await cache.set(key, b"first", ttl_seconds=60)
        await cache.set(key, b"second", ttl_seconds=60)
        assert await cache.get(key) == b"second"

    async def test_delete_and_set_drops_some_keys_and_writes_others(self, cache: Cache) -> None:
        gone, kept, renewed = _unique("dropped"), _unique("kept"), _unique("renewed")
        for key in (gone, kept, renewed):
            await cache.set(key, b"old", ttl_seconds=60)
        await cache.delete_and_set([gone, _unique("never-set")], [(renewed, "new")], 60)
        assert await cache.get(gone) is None
        assert await cache.get(kept) == b"old"
        assert await cache.get_value(renewed, str) == "new"
        await cache.delete_and_set([], [], 60)  # nothing to do is fine

    async def test_delete_and_set_many_keys_each_write_with_its_ttl(
        self, cache: Cache, let_time_pass: LetTimePass
    ) -> None:
        # A batch of likes drops three keys and renews a marker per member, 2 x 64 members.
        doomed = [_unique("doomed") for _ in range(384)]
        for key in doomed:
            await cache.set(key, b"old", ttl_seconds=60)
        written = [(_unique("marker"), f"token-{n}") for n in range(128)]
        await cache.delete_and_set(doomed, written, 1)
        assert await cache.get_many(doomed) == [None] * len(doomed)
        assert [await cache.get_value(key, str) for key, _ in written] == [
            value for _, value in written
        ]
        only_deleted, only_written = _unique("only-deleted"), _unique("only-written")
        await cache.set(only_deleted, b"x", ttl_seconds=60)
        await cache.delete_and_set([only_deleted], [], 60)
        await cache.delete_and_set([], [(only_written, "y")], 60)
        assert await cache.get(only_deleted) is None
        assert await cache.get_value(only_written, str) == "y"
        await let_time_pass(1.1)
        assert await cache.get_many([key for key, _ in written]) == [None] * len(written)
        assert await cache.get_value(only_written, str) == "y"

    async def test_delete_removes_several_keys_and_ignores_unknown_ones(self, cache: Cache) -> None:
        kept, gone_one, gone_two = _unique("kept"), _unique("gone"), _unique("gone")
        for key in (kept, gone_one, gone_two):
            await cache.set(key, b"x", ttl_seconds=60)
        await cache.delete(gone_one, gone_two, _unique("never-set"))
        await cache.delete()
        assert await cache.get(gone_one) is None
        assert await cache.get(gone_two) is None
        assert await cache.get(kept) == b"x"

    async def test_entries_expire_after_their_ttl(
        self, cache: Cache, let_time_pass: LetTimePass
    ) -> None:
        short, long = _unique("short"), _unique("long")
        await cache.set(short, b"x", ttl_seconds=1)
        await cache.set(long, b"y", ttl_seconds=60)
        assert await cache.get(short) == b"x"
        await let_time_pass(1.1)
        assert await cache.get(short) is None
        assert await cache.get(long) == b"y"

    async def test_a_ttl_below_one_second_is_refused(self, cache: Cache) -> None:
        with pytest.raises(ValueError, match="ttl"):
            await cache.set(_unique("zero"), b"x", ttl_seconds=0)

    async def test_typed_values_come_back_equal(self, cache: Cache) -> None:
        daily = CachedDailySet(
            date(2026, 3, 1),
            "Europe/Berlin",
            (_daily_item(PhotoRef("p/1.jpg", 640, 480), Decision.LIKE), _daily_item(None, None)),
        )
        ranking = DiscoverRanking(date(2026, 3, 1), ((UserId(uuid.uuid4()), 0.5),))
        for value in (daily, ranking, CachedDailySet(date(2026, 3, 2), "UTC", ())):
            key = _unique("typed")
            await cache.set_value(key, value, ttl_seconds=60)
            assert await cache.get_value(key, type(value)) == value
            raw = await cache.get(key)
            assert raw is not None
            assert cache.decoded(raw, type(value)) == value
        assert await cache.get_value(_unique("missing"), DiscoverRanking) is None

    async def test_set_values_stores_every_entry_with_its_ttl(
        self, cache: Cache, let_time_pass: LetTimePass
    ) -> None:
        days = [CachedDailySet(date(2026, 3, day), "UTC", ()) for day in (1, 2, 3)]
        keys = [_unique("many") for _ in days]
        await cache.set_values(list(zip(keys, days, strict=True)), ttl_seconds=60)
        await cache.set_values([], ttl_seconds=60)
        for key, value in zip(keys, days, strict=True):
            assert await cache.get_value(key, CachedDailySet) == value
        short = _unique("many-short")
        await cache.set_values([(short, days[0])], ttl_seconds=1)
        await let_time_pass(1.1)
        assert await cache.get_value(short, CachedDailySet) is None

    async def test_set_groups_stores_every_entry_with_its_ttl(
        self, cache: Cache, let_time_pass: LetTimePass
    ) -> None:
        days = [CachedDailySet(date(2026, 3, day), "UTC", ()) for day in (1, 2, 3)]
        keys = [_unique("group") for _ in days]
        await cache.set_groups(
            [[(keys[0], days[0]), (keys[1], days[1])], [], [(keys[2], days[2])]], ttl_seconds=60
        )
        await cache.set_groups([], ttl_seconds=60)
        for key, value in zip(keys, days, strict=True):
            assert await cache.get_value(key, CachedDailySet) == value
        short = _unique("group-short")
        await cache.set_groups([[(short, days[0])]], ttl_seconds=1)
        await let_time_pass(1.1)
        assert await cache.get_value(short, CachedDailySet) is None
        with pytest.raises(ValueError, match="ttl"):
            await cache.set_groups([[(short, days[0])]], ttl_seconds=0)

    async def test_readers_see_a_group_whole(self, cache: Cache) -> None:
        """ADR 0049: an entry and its version token are written as one group; a reader
        reading both at once (``get_many``) never sees one without the other."""
        entry, version = _unique("entry"), _unique("version")
        await cache.set_groups([[(entry, 0), (version, 0)]], ttl_seconds=60)
        seen: list[list[bytes | None]] = []

        async def write(round_: int) -> None:
            await cache.set_groups([[(entry, round_), (version, round_)]], ttl_seconds=60)

        async def read() -> None:
            seen.append(await cache.get_many([entry, version]))

        await asyncio.gather(*(job for n in range(1, 16) for job in (write(n), read())))
        assert seen
        assert all(first == second and first is not None for first, second in seen)

    async def test_a_value_with_a_hole_is_stored_as_the_filled_value(self, cache: Cache) -> None:
        """``with_hole``: what the filled hole stores is byte for byte what the mapping
        with that number stores, wherever the hole sits and whatever surrounds it."""
        photo = PhotoRef("p/1.jpg", 640, 480)
        user = UserId(uuid.uuid4())
        values: list[dict[str, object]] = [
            {"user_id": user, "name": "Zoë ☕", "distance_km": 0, "photo": photo, "tags": ("a",)},
            {"distance_km": 0, "gender": Gender.WOMAN, "bio": 'say "hi"\n'},
            {"bio": None, "nested": {"x": [1, 2.5]}, "distance_km": 0},
            {"distance_km": 0},
        ]
        for value in values:
            filled = cache.with_hole(value, "distance_km")
            for number in (0, 7, 12_345, -3, 10**20, True):
                via_hole, direct = _unique("hole"), _unique("filled")
                await cache.set_groups(
                    [
                        [(via_hole, {"items": [filled(number), filled(1)], "n": number})],
                        [
                            (
                                direct,
                                {
                                    "items": [
                                        {**value, "distance_km": number},
                                        {**value, "distance_km": 1},
                                    ],
                                    "n": number,
                                },
                            )
                        ],
                    ],
                    ttl_seconds=60,
                )
                stored = await cache.get(via_hole)
                assert stored is not None
                assert stored == await cache.get(direct)
        with pytest.raises(KeyError):
            cache.with_hole({"a": 1}, "distance_km")

    async def test_an_entry_unreadable_as_the_type_asked_for_is_missing(self, cache: Cache) -> None:
        # Garbage, another type's entry, or one written by an older release: rebuilt.
        older = b'{"date":"2026-03-01","ranking":[]}'
        for raw in (b"not json", b"", older):
            key = _unique("unreadable")
            await cache.set(key, raw, ttl_seconds=60)
            assert await cache.get_value(key, DiscoverRanking) is None
            assert cache.decoded(raw, DiscoverRanking) is None
        key = _unique("other-type")
        await cache.set_value(key, DiscoverRanking(date(2026, 3, 1), ()), ttl_seconds=60)
        assert await cache.get_value(key, CachedDailySet) is None

    async def test_ping_answers_true(self, cache: Cache) -> None:
        assert await cache.ping() is True


class RateLimiterContract:
    @pytest.fixture
    def limiter(self) -> RateLimiter:
        raise NotImplementedError("provide the RateLimiter under test")

    async def test_allows_the_limit_then_refuses_with_a_retry_after(
        self, limiter: RateLimiter
    ) -> None:
        key = _unique("limit")
        decisions = [await limiter.hit(key, limit=3, window_seconds=60) for _ in range(3)]
        assert all(decision.allowed for decision in decisions)
        refused = await limiter.hit(key, limit=3, window_seconds=60)
        assert not refused.allowed
        assert refused.remaining == 0
        assert 1 <= refused.retry_after_seconds <= 60

    async def test_a_working_limiter_counts_where_it_should(self, limiter: RateLimiter) -> None:
        assert await limiter.check() is True

    async def test_remaining_counts_down(self, limiter: RateLimiter) -> None:
        key = _unique("remaining")
        remaining = [(await limiter.hit(key, limit=3, window_seconds=60)).remaining for _ in "abc"]
        assert remaining == [2, 1, 0]

    async def test_keys_are_independent(self, limiter: RateLimiter) -> None:
        busy, calm = _unique("busy"), _unique("calm")
        await limiter.hit(busy, limit=1, window_seconds=60)
        assert not (await limiter.hit(busy, limit=1, window_seconds=60)).allowed
        calm_decision = await limiter.hit(calm, limit=1, window_seconds=60)
        assert calm_decision.allowed
        assert calm_decision.remaining == 0

    async def test_refused_hits_keep_being_refused(self, limiter: RateLimiter) -> None:
        key = _unique("hammer")
        await limiter.hit(key, limit=1, window_seconds=30)
        for _ in range(3):
            decision = await limiter.hit(key, limit=1, window_seconds=30)
            assert not decision.allowed
            assert 1 <= decision.retry_after_seconds <= 30

    async def test_invalid_limits_are_refused(self, limiter: RateLimiter) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            await limiter.hit(_unique("bad"), limit=0, window_seconds=60)
        with pytest.raises(ValueError, match="at least 1"):
            await limiter.hit(_unique("bad"), limit=5, window_seconds=0)
