"""The cached daily set's kept view (ADR 0036, 0049): served from the process only for
the very entry it was built from (its version token), the same stamp and tier, the same
local day, and for less than 60 s; the edge asks ``KeptDailySets`` with what it read on
the way, without building ``GetDailySet``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.memory.cache import InProcessCache
from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.application.matching.caching import (
    CachedDailySet,
    daily_key,
    daily_version_key,
    forget_daily_sets,
    forget_members,
    store_daily_sets,
)
from saltbitter.application.matching.daily import KeptDailySets
from saltbitter.application.matching.views import DailySetView
from saltbitter.application.ports.cache import NOTHING_READ
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.fakes import InMemoryClock

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 12:00 in UTC: past 06:00, the set is today's
TODAY = date(2026, 3, 2)


def _principal(user: UserId, stamp: str | None, tier: Tier = Tier.FREE) -> Principal:
    return Principal(user, SessionId(uuid4()), frozenset({Role.MEMBER}), tier, True, stamp=stamp)


def _kept(
    clock: InMemoryClock, principal: Principal, version: bytes = b"v1"
) -> tuple[KeptDailySets, DailySetView]:
    kept = KeptDailySets(LocalPrincipalCache(30.0), clock)
    view = DailySetView(TODAY, [])
    kept.keep(principal, version, "UTC", clock.now(), view)
    return kept, view


@given(
    same_version=st.booleans(),
    same_stamp=st.booleans(),
    same_tier=st.booleans(),
    seconds=st.integers(min_value=0, max_value=24 * 3600),
)
def test_a_kept_view_is_served_exactly_while_everything_it_was_built_for_holds(
    same_version: bool, same_stamp: bool, same_tier: bool, seconds: int
) -> None:
    clock = InMemoryClock(NOON)
    me = UserId(uuid4())
    kept, view = _kept(clock, _principal(me, "s1"))
    clock.advance(timedelta(seconds=seconds))
    asking = _principal(me, "s1" if same_stamp else "s2", Tier.FREE if same_tier else Tier.PREMIUM)
    read = {daily_version_key(me): b"v1" if same_version else b"v2"}
    expected = same_version and same_stamp and same_tier and seconds < 60
    served = kept.served(asking, read)
    assert (served is view) if expected else served is None
    assert kept.view_for(asking, read[daily_version_key(me)], clock.now()) is served


def test_a_kept_view_of_yesterday_ends_at_six_in_the_members_timezone() -> None:
    """Before 06:00 yesterday's set is still the member's; a kept view of it ends then."""
    clock = InMemoryClock(datetime(2026, 3, 2, 5, 59, 30, tzinfo=UTC))
    me = UserId(uuid4())
    principal = _principal(me, "s1")
    kept = KeptDailySets(LocalPrincipalCache(30.0), clock)
    view = DailySetView(date(2026, 3, 1), [])
    kept.keep(principal, b"v1", "UTC", clock.now(), view)
    read = {daily_version_key(me): b"v1"}
    assert kept.served(principal, read) is view
    clock.advance(timedelta(seconds=31))  # 06:00:01
    assert kept.served(principal, read) is None


def test_nothing_is_served_or_kept_without_a_stamp_or_a_token_read_on_the_way() -> None:
    clock = InMemoryClock(NOON)
    me = UserId(uuid4())
    kept, _view = _kept(clock, _principal(me, None))
    assert kept.served(_principal(me, None), {daily_version_key(me): b"v1"}) is None
    kept, _view = _kept(clock, _principal(me, "s1"))
    for read in (NOTHING_READ, {daily_version_key(me): None}, {daily_key(me): b"v1"}):
        assert kept.served(_principal(me, "s1"), read) is None


async def test_every_write_of_a_set_brings_a_new_token_and_every_deletion_drops_it() -> None:
    cache = InProcessCache()
    ada, bo = UserId(uuid4()), UserId(uuid4())
    empty = CachedDailySet(TODAY, "UTC", ())
    tokens: set[bytes] = set()
    for _ in range(3):  # the very same set written again still gets a new token
        await store_daily_sets(cache, [(ada, empty), (bo, empty)], 60)
        raw, ada_token, bo_token = await cache.get_many(
            [daily_key(ada), daily_version_key(ada), daily_version_key(bo)]
        )
        assert raw is not None
        assert ada_token is not None
        assert bo_token is not None
        assert ada_token != bo_token
        tokens |= {ada_token, bo_token}
    assert len(tokens) == 6
    await forget_daily_sets(cache, [ada])
    await forget_members(cache, [bo])
    for member in (ada, bo):
        assert await cache.get_many([daily_key(member), daily_version_key(member)]) == [
            None,
            None,
        ]
