"""Discovery pages kept under their members' markers (ADR 0048).

Where markers are shared (Redis: every process renews them after its commits), a page
whose caller's and members' markers, entries, blocks and rarity table are unchanged is
answered without reading the members again. The in-memory fakes renew no markers on
their own, which lets these tests show exactly when the members are read: a change that
no marker announces stays unseen (for the page's minute at most), one that does is seen
on the next page.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.application.matching.caching import (
    DiscoverRanking,
    MemberMarkers,
    discover_key,
    member_marker_key,
    renew_member_markers,
)
from saltbitter.application.matching.discover import (
    NO_FILTERS,
    Discover,
    DiscoverFilters,
    discover_reads,
)
from saltbitter.application.matching.kept import KeptPages
from saltbitter.application.matching.members import local_day_end
from saltbitter.application.matching.swipes import PassMember
from saltbitter.application.matching.views import DiscoverPage
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import UserId

from .conftest import MatchingWorld
from .test_discover import _DownCache

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}


async def _men(world: MatchingWorld, count: int) -> list[UserId]:
    return [await world.seed(display_name=f"M{n}", **MAN) for n in range(count)]


async def _page(world: MatchingWorld, me: UserId, *, shared: bool = True) -> DiscoverPage:
    discover = await world.get(Discover)
    markers = MemberMarkers(world.cache, shared=shared)
    marked = replace(discover, by_markers=replace(discover.by_markers, markers=markers))
    return await marked(world.principal(me))


async def _kept(world: MatchingWorld, me: UserId) -> DiscoverPage:
    """The page built (its list ranked and cached), then read from the cached list: only
    a page of a cached list is kept under markers, read before its members are."""
    built = await _page(world, me)
    assert await _page(world, me) is built
    return built


def _bios(page: DiscoverPage) -> dict[UserId, str]:
    return {item.member.user_id: item.member.bio for item in page.items}


async def test_a_change_is_read_once_its_marker_is_renewed(world: MatchingWorld) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    first = await _kept(world, me)
    await world.save_profile(replace(world.profile(men[0]), bio="Now a sailor."))
    # No marker renewed (the SQL transaction renews it after such a commit): not read.
    assert await _page(world, me) is first
    await renew_member_markers(world.cache, [men[0]])
    after = await _page(world, me)
    assert _bios(after)[men[0]] == "Now a sailor."
    assert await _page(world, me) is after  # kept again, under the new marker


async def test_the_callers_own_marker_counts(world: MatchingWorld) -> None:
    men = await _men(world, 2)
    me = await world.seed()
    first = {item.member.user_id: item.member for item in (await _kept(world, me)).items}
    mine = world.profile(me)
    moved = replace(mine, location=replace(mine.location, lat=mine.location.lat + 0.27))
    await world.save_profile(moved)
    await renew_member_markers(world.cache, [me])
    after = {item.member.user_id: item.member for item in (await _page(world, me)).items}
    assert after[men[0]].distance_km != first[men[0]].distance_km


async def test_a_swipe_renews_both_members_markers(world: MatchingWorld) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    first = await _kept(world, me)
    listed = await world.cache.get(discover_key(me))
    assert listed is not None
    await (await world.get(PassMember))(world.principal(men[0]), me)
    # As if dropping the caller's list had failed after the pass: the markers did change.
    await world.cache.set(discover_key(me), listed, 600)
    after = await _page(world, me)
    assert set(_bios(after)) == set(_bios(first)) - {men[0]}


async def test_a_page_under_markers_is_read_again_after_its_minute(world: MatchingWorld) -> None:
    men = await _men(world, 1)
    me = await world.seed()
    first = await _kept(world, me)
    await world.save_profile(replace(world.profile(men[0]), bio="Unannounced."))
    world.clock.advance(timedelta(seconds=59))
    assert await _page(world, me) is first
    world.clock.advance(timedelta(seconds=2))
    assert _bios(await _page(world, me))[men[0]] == "Unannounced."


async def test_a_page_under_markers_ends_with_the_callers_local_day(world: MatchingWorld) -> None:
    berlin = ZoneInfo("Europe/Berlin")  # the seeded members' timezone
    late = datetime(2026, 12, 7, 23, 59, 40, tzinfo=berlin).astimezone(UTC)
    world.clock.advance(late - world.clock.now())
    men = await _men(world, 1)
    me = await world.seed()
    first = await _kept(world, me)
    assert await _page(world, me) is first
    world.clock.advance(timedelta(seconds=30))  # 00:00:10 in Berlin: a new day's list
    await world.save_profile(replace(world.profile(men[0]), bio="A new day."))
    assert _bios(await _page(world, me))[men[0]] == "A new day."


async def test_markers_that_are_not_shared_are_never_trusted(world: MatchingWorld) -> None:
    men = await _men(world, 1)
    me = await world.seed()
    await _page(world, me, shared=False)
    await world.save_profile(replace(world.profile(men[0]), bio="Seen at once."))
    assert _bios(await _page(world, me, shared=False))[men[0]] == "Seen at once."


async def test_markers_are_read_in_order_and_renewed_afresh(world: MatchingWorld) -> None:
    a, b = await _men(world, 2)
    markers = MemberMarkers(world.cache, shared=True)
    assert await markers.read([a, b]) == (None, None)  # missing is a value too
    await renew_member_markers(world.cache, [b])
    first = await markers.read([a, b])
    assert first is not None
    assert first[0] is None
    assert first[1] == await world.cache.get(member_marker_key(b))
    await renew_member_markers(world.cache, [b])
    second = await markers.read([a, b])
    assert second is not None
    assert second[1] != first[1]  # random, never a counter that could come back
    assert await MemberMarkers(world.cache, shared=False).read([a]) is None


async def test_a_cache_that_is_down_gives_no_markers() -> None:
    assert await MemberMarkers(_DownCache(), shared=True).read([UserId(uuid4())]) is None


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    st.sampled_from(["Europe/Berlin", "America/Santiago", "Asia/Kolkata", "Pacific/Apia", "UTC"]),
)
def test_a_local_day_ends_at_the_next_local_midnight(now: datetime, timezone: str) -> None:
    end = local_day_end(timezone, now)
    zone = ZoneInfo(timezone)
    assert now < end <= now + timedelta(hours=25)
    assert end.astimezone(zone).date() > now.astimezone(zone).date()
    # Every instant before it is still on now's local date.
    assert (end - timedelta(microseconds=1)).astimezone(zone).date() == now.astimezone(zone).date()


def test_a_cached_list_is_decoded_once_for_the_same_bytes() -> None:
    pages = KeptPages(limit=2)
    decoded: list[bytes] = []
    me, other, third = (UserId(uuid4()) for _ in range(3))

    def decode(raw: bytes) -> DiscoverRanking:
        decoded.append(raw)
        return DiscoverRanking(date(2026, 12, 7), ((other, float(len(raw))),))

    first = pages.ranking(me, b"list-1", decode)
    assert pages.ranking(me, b"list-1", decode) is first
    assert decoded == [b"list-1"]
    changed = pages.ranking(me, b"list-22", decode)  # another list: decoded afresh
    assert changed is not first
    assert changed == DiscoverRanking(date(2026, 12, 7), ((other, 7.0),))
    pages.ranking(other, b"a", decode)
    pages.ranking(third, b"b", decode)  # the limit: the least recently used goes
    pages.ranking(me, b"list-22", decode)
    assert decoded == [b"list-1", b"list-22", b"a", b"b", b"list-22"]


async def test_the_edge_serves_a_kept_page_with_process_wide_objects_only(
    world: MatchingWorld,
) -> None:
    """``KeptDiscovery.served`` answers what ``Discover`` kept, under the same rule, from
    what the edge read (the list, the rarity table) and what this process keeps (the
    blocks under the caller's stamp, the table), or says it cannot (None)."""
    men = await _men(world, 3)
    me = await world.seed()
    principals = LocalPrincipalCache(ttl_seconds=30)
    discover = await world.get(Discover)
    edge = replace(
        discover.by_markers,
        markers=MemberMarkers(world.cache, shared=True),
        principals=principals,
    )
    discover = replace(discover, principals=principals, by_markers=edge)
    caller = replace(world.principal(me), stamp="stamp-1")
    await discover(caller)  # ranked and cached
    kept = await discover(caller)  # read from the cached list: kept under its markers
    keys = discover_reads(me)
    read = dict(zip(keys, await world.cache.get_many(keys), strict=True))
    assert await edge.served(caller, None, NO_FILTERS, read) is kept
    # What the edge cannot answer alone, Discover does.
    assert await edge.served(replace(caller, stamp=None), None, NO_FILTERS, read) is None
    assert await edge.served(caller, None, NO_FILTERS, {}) is None
    goal = DiscoverFilters(relationship_goal="long_term")
    assert await edge.served(caller, None, goal, read) is None
    assert await edge.served(caller, "not a cursor", NO_FILTERS, read) is None
    # A member's new marker: the page is not served until Discover renders it again.
    await renew_member_markers(world.cache, [men[1]])
    assert await edge.served(caller, None, NO_FILTERS, read) is None
    again = await discover(caller)
    assert await edge.served(caller, None, NO_FILTERS, read) is again
