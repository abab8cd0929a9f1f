from __future__ import annotations

import pytest

from saltbitter.adapters.memory import InProcessCache
from saltbitter.testing.contracts.cache import CacheContract, LetTimePass


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestInProcessCache(CacheContract):
    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def cache(self, clock: ManualClock) -> InProcessCache:
        return InProcessCache(monotonic=clock)

    @pytest.fixture
    def let_time_pass(self, clock: ManualClock) -> LetTimePass:
        async def move_the_clock(seconds: float) -> None:
            clock.now += seconds

        return move_the_clock


async def test_an_entry_lives_exactly_its_ttl() -> None:
    clock = ManualClock()
    cache = InProcessCache(monotonic=clock)
    await cache.set("k", b"v", ttl_seconds=30)
    clock.now += 29.999
    assert await cache.get("k") == b"v"
    clock.now += 0.001
    assert await cache.get("k") is None


async def test_expired_entries_are_swept_by_later_writes() -> None:
    clock = ManualClock()
    cache = InProcessCache(monotonic=clock)
    for number in range(1000):
        await cache.set(f"old{number}", b"x", ttl_seconds=1)
    clock.now += 2
    for number in range(100):
        await cache.set(f"new{number}", b"y", ttl_seconds=60)
    assert len(cache) == 100  # the sweep ran at the 1024th write
    assert await cache.get("new99") == b"y"


async def test_stored_values_are_copies() -> None:
    cache = InProcessCache()
    value = bytearray(b"abc")
    await cache.set("k", value, ttl_seconds=60)  # type: ignore[arg-type]
    value[0] = ord("z")
    assert await cache.get("k") == b"abc"
