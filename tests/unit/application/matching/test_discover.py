"""Discovery through the in-memory fakes: finite, best first, rechecked page by page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from saltbitter.adapters.memory import InProcessCache
from saltbitter.application.matching.caching import discover_key
from saltbitter.application.matching.daily import GetDailySet
from saltbitter.application.matching.discover import Discover
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.application.matching.views import DiscoverPage
from saltbitter.application.ports.cache import Cache, T
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import PermissionDenied, Unavailable, ValidationFailed
from saltbitter.domain.profiles import Visibility
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.builders_profiles import a_photo
from support.matching_ports import in_memory_requests

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}
TAGS = ["hiking", "jazz", "cooking", "chess", "falconry", "tea", "go", "climbing"]


async def _men(world: MatchingWorld, count: int, **extra: Any) -> list[UserId]:
    # Interest overlap with the default profile (hiking, jazz, cooking) varies, so scores do.
    return [
        await world.seed(display_name=f"M{n}", interests=TAGS[n % 4 : n % 4 + 3], **MAN, **extra)
        for n in range(count)
    ]


async def _browse(world: MatchingWorld, me: UserId) -> list[DiscoverPage]:
    pages = [await (await world.get(Discover))(world.principal(me))]
    while pages[-1].next_cursor is not None:
        pages.append(await (await world.get(Discover))(world.principal(me), pages[-1].next_cursor))
    return pages


async def test_pages_of_twenty_best_first_up_to_the_daily_allowance(
    world: MatchingWorld,
) -> None:
    men = await _men(world, 70)
    await world.seed(display_name="Woman")  # not sought by a woman seeking men
    await world.seed(display_name="Far", at=(48.14, 11.58), **MAN)
    premium = await world.seed(tier=Tier.PREMIUM)
    pages = await _browse(world, premium)
    assert [len(page.items) for page in pages] == [20, 20, 20]  # Premium: 60 a day
    shown = [item.member.user_id for page in pages for item in page.items]
    assert len(set(shown)) == 60
    assert set(shown) <= set(men)
    totals = [item.compatibility.total for page in pages for item in page.items]
    assert totals == sorted(totals, reverse=True)
    item = pages[0].items[0]
    assert item.compatibility.reasons
    assert item.member.distance_km == 1

    free = await world.seed()
    [only] = await _browse(world, free)
    assert len(only.items) == 20
    assert only.next_cursor is None


async def test_liked_and_passed_members_leave_and_the_allowance_is_not_refilled(
    world: MatchingWorld,
) -> None:
    await _men(world, 25)
    me = await world.seed()
    [first] = await _browse(world, me)
    liked, passed = first.items[0].member.user_id, first.items[1].member.user_id
    await (await world.get(LikeMember))(world.principal(me), liked)
    await (await world.get(PassMember))(world.principal(me), passed)
    [after] = await _browse(world, me)
    remaining = [item.member.user_id for item in after.items]
    assert liked not in remaining
    assert passed not in remaining
    # Free: twenty people a day; the two decided on are not replaced by new ones.
    assert len(remaining) == 18
    assert set(remaining) <= {item.member.user_id for item in first.items}


async def test_a_restart_keeps_the_allowance_used(world: MatchingWorld) -> None:
    await _men(world, 25)
    me = await world.seed()
    [first] = await _browse(world, me)
    handed_out = {item.member.user_id for item in first.items}
    await (await world.get(PassMember))(world.principal(me), first.items[0].member.user_id)
    # A new process over the same database: its cache (embedded mode) starts empty.
    world.cache = InProcessCache()
    [after] = await _browse(world, me)
    shown = {item.member.user_id for item in after.items}
    assert len(shown) == 19  # the one passed on is not replaced by someone new
    assert shown < handed_out


async def test_without_a_cache_the_allowance_still_holds() -> None:
    world = MatchingWorld(cache=_DownCache())
    await _men(world, 25)
    me = await world.seed()
    [first] = await _browse(world, me)
    await (await world.get(PassMember))(world.principal(me), first.items[0].member.user_id)
    [after] = await _browse(world, me)
    assert {item.member.user_id for item in after.items} < {
        item.member.user_id for item in first.items
    }


async def test_someone_who_passed_you_disappears_from_your_list(world: MatchingWorld) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    await _browse(world, me)
    await (await world.get(PassMember))(world.principal(men[0]), me)
    [page] = await _browse(world, me)
    assert men[0] not in [item.member.user_id for item in page.items]


async def test_each_page_shows_candidates_as_they_are_now(world: MatchingWorld) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    await _browse(world, me)
    assert await world.cache.get(discover_key(me)) is not None
    # Changes elsewhere do not touch the caller's cached list, yet the page is current.
    await world.save_profile(replace(world.profile(men[0]), visibility=Visibility.PAUSED))
    await world.save_profile(replace(world.profile(men[1]), bio="Changed my bio."))
    [page] = await _browse(world, me)
    by_id = {item.member.user_id: item for item in page.items}
    assert men[0] not in by_id
    assert by_id[men[1]].member.bio == "Changed my bio."


async def test_bad_cursors_and_callers_who_cannot_discover(world: MatchingWorld) -> None:
    me = await world.seed()
    with pytest.raises(ValidationFailed) as bad:
        await (await world.get(Discover))(world.principal(me), "bm90IGEgY3Vyc29y")
    assert bad.value.errors[0].field == "cursor"
    paused = await world.seed(visibility=Visibility.PAUSED)
    without = await world.seed(with_profile=False)
    for who, code in ((paused, "profile_paused"), (without, "profile_required")):
        with pytest.raises(PermissionDenied) as refused:
            await (await world.get(Discover))(world.principal(who))
        assert refused.value.code == code


async def test_the_list_is_rebuilt_on_a_new_local_day(world: MatchingWorld) -> None:
    await _men(world, 25)
    me = await world.seed()
    [first] = await _browse(world, me)
    for item in first.items[:5]:
        await (await world.get(PassMember))(world.principal(me), item.member.user_id)
    world.clock.advance(timedelta(days=1))
    [tomorrow] = await _browse(world, me)
    assert len(tomorrow.items) == 20  # a fresh allowance: 20 of the 20 still undecided


class _DownCache(Cache):
    """A cache whose server is unreachable, as the Redis adapter reports it."""

    async def get(self, key: str) -> bytes | None:
        raise Unavailable("down", code="cache_unavailable")

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        raise Unavailable("down", code="cache_unavailable")

    async def delete(self, *keys: str) -> None:
        raise Unavailable("down", code="cache_unavailable")

    async def get_value(self, key: str, kind: type[T]) -> T | None:
        raise Unavailable("down", code="cache_unavailable")

    def decoded(self, raw: bytes, kind: type[T]) -> T | None:
        raise AssertionError("nothing was read to decode")

    async def set_value(self, key: str, value: object, ttl_seconds: int) -> None:
        raise Unavailable("down", code="cache_unavailable")

    async def ping(self) -> bool:
        return False


async def test_a_cache_that_is_down_slows_matching_down_but_never_fails_it() -> None:
    world = MatchingWorld(cache=_DownCache())
    men = await _men(world, 3)
    me = await world.seed()
    [page] = await _browse(world, me)
    assert len(page.items) == 3
    assert (await (await world.get(LikeMember))(world.principal(me), men[0])).matched is False
    assert len((await (await world.get(GetDailySet))(world.principal(me))).items) == 2
    assert await (await world.get(ForgetMemberCaches))(me) == 1


async def _add_photo(world: MatchingWorld, user_id: UserId) -> None:
    async with in_memory_requests(world.database)() as request:
        request.writers.photos.add(a_photo(user_id, position=0))
        await request.transaction.commit()


async def _first_page(world: MatchingWorld, me: UserId) -> DiscoverPage:
    return await (await world.get(Discover))(world.principal(me))


async def test_an_unchanged_page_is_the_one_rendered_before(world: MatchingWorld) -> None:
    await _men(world, 3)
    me = await world.seed()
    first = await _first_page(world, me)
    assert await _first_page(world, me) is first  # kept: nothing it shows has changed


async def test_a_kept_page_shows_a_swipe_its_cached_list_does_not(world: MatchingWorld) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    first = await _first_page(world, me)
    assert men[0] in {item.member.user_id for item in first.items}
    listed = await world.cache.get(discover_key(me))
    assert listed is not None
    await (await world.get(PassMember))(world.principal(men[0]), me)
    # As if dropping the caller's list had failed after the pass: only the page's own
    # read of the pair's history can hide them.
    await world.cache.set(discover_key(me), listed, 600)
    after = await _first_page(world, me)
    assert {item.member.user_id for item in after.items} == {
        item.member.user_id for item in first.items
    } - {men[0]}


async def test_a_kept_page_shows_a_new_main_photo_and_the_callers_own_move(
    world: MatchingWorld,
) -> None:
    men = await _men(world, 3)
    me = await world.seed()
    first = {item.member.user_id: item.member for item in (await _first_page(world, me)).items}
    assert first[men[0]].photo is None
    assert first[men[0]].distance_km == 1
    await _add_photo(world, men[0])
    photographed = {i.member.user_id: i.member for i in (await _first_page(world, me)).items}
    assert photographed[men[0]].photo is not None
    # The caller moves 30 km north: every card's distance follows at once.
    mine = world.profile(me)
    moved = replace(mine, location=replace(mine.location, lat=mine.location.lat + 0.27))
    await world.save_profile(moved)
    after = {item.member.user_id: item.member for item in (await _first_page(world, me)).items}
    assert after[men[1]].distance_km != first[men[1]].distance_km


async def test_a_kept_pages_photo_links_are_signed_afresh_after_a_minute(
    world: MatchingWorld,
) -> None:
    men = await _men(world, 1)
    await _add_photo(world, men[0])
    me = await world.seed()
    first = await _first_page(world, me)
    world.clock.advance(timedelta(seconds=59))
    assert await _first_page(world, me) is first
    world.clock.advance(timedelta(seconds=2))
    later = await _first_page(world, me)
    assert later is not first
    [before], [now] = first.items, later.items
    assert before.member.photo is not None
    assert now.member.photo is not None
    assert now.member.photo.url != before.member.photo.url
