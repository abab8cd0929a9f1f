"""Likes, passes, matches, unmatching and likes received, through the in-memory fakes."""

from __future__ import annotations

from uuid import uuid4

import pytest

from saltbitter.application.matching.caching import daily_key, discover_key
from saltbitter.application.matching.events import MatchCreated, Unmatched
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches, Unmatch
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import (
    Conflict,
    DomainRuleViolated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from saltbitter.domain.matching import Decision
from saltbitter.domain.profiles import Visibility
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes_matching import MatchingState

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}


async def _couple(world: MatchingWorld) -> tuple[UserId, UserId]:
    return await world.seed(display_name="Ada"), await world.seed(display_name="Bo", **MAN)


async def test_a_like_answering_a_like_makes_one_match_and_announces_it(
    world: MatchingWorld,
) -> None:
    ada, bo = await _couple(world)
    first = await (await world.get(LikeMember))(world.principal(ada), bo)
    assert (first.decision, first.matched, first.match_id) == (Decision.LIKE, False, None)
    assert world.events(MatchCreated) == []

    second = await (await world.get(LikeMember))(world.principal(bo), ada)
    assert second.matched
    assert second.match_id is not None
    [event] = world.events(MatchCreated)
    low, high = sorted([ada, bo])
    assert event == MatchCreated(match_id=second.match_id, user_a=low, user_b=high)
    assert len(world.database[MatchingState].matches) == 1


async def test_a_pass_never_matches_even_after_a_like(world: MatchingWorld) -> None:
    ada, bo = await _couple(world)
    await (await world.get(LikeMember))(world.principal(ada), bo)
    result = await (await world.get(PassMember))(world.principal(bo), ada)
    assert (result.decision, result.matched) == (Decision.PASS, False)
    assert world.database[MatchingState].matches == {}


async def test_liking_yourself_is_refused(world: MatchingWorld) -> None:
    ada = await world.seed()
    with pytest.raises(DomainRuleViolated) as refused:
        await (await world.get(LikeMember))(world.principal(ada), ada)
    assert refused.value.code == "decide_on_self"


async def test_a_second_decision_on_the_same_member_is_a_conflict(world: MatchingWorld) -> None:
    ada, bo = await _couple(world)
    await (await world.get(LikeMember))(world.principal(ada), bo)
    for act in (await world.get(LikeMember), await world.get(PassMember)):
        with pytest.raises(Conflict) as conflict:
            await act(world.principal(ada), bo)
        assert conflict.value.code == "already_decided"
    # Both liked: the match exists and neither can decide again.
    await (await world.get(LikeMember))(world.principal(bo), ada)
    with pytest.raises(Conflict):
        await (await world.get(LikeMember))(world.principal(bo), ada)
    assert len(world.database[MatchingState].swipes) == 2


@pytest.mark.parametrize(
    "hidden",
    [
        {"with_profile": False},
        {"visibility": Visibility.PAUSED},
        {"status": AccountStatus.SUSPENDED},
        {"status": AccountStatus.PENDING_VERIFICATION},
        {"gender": Gender.WOMAN, "seeks": (Gender.MAN,)},  # Ada seeks men
        {"gender": Gender.MAN, "seeks": (Gender.MAN,)},  # he does not seek women
        {"gender": Gender.MAN, "seeks": (Gender.WOMAN,), "at": (48.14, 11.58)},  # 500 km
        {"gender": Gender.MAN, "seeks": (Gender.WOMAN,), "age_max": 20},  # Ada is 30
    ],
)
async def test_members_hidden_from_the_caller_are_not_found(
    world: MatchingWorld, hidden: dict[str, object]
) -> None:
    ada = await world.seed()
    other = await world.seed(**hidden)
    for act in (await world.get(LikeMember), await world.get(PassMember)):
        with pytest.raises(NotFound) as missing:
            await act(world.principal(ada), other)
        assert missing.value.code == "member_not_found"
    with pytest.raises(NotFound):
        await (await world.get(LikeMember))(world.principal(ada), UserId(uuid4()))
    assert world.database[MatchingState].swipes == {}


async def test_the_caller_needs_a_visible_profile(world: MatchingWorld) -> None:
    bo = await world.seed(**MAN)
    without = await world.seed(with_profile=False)
    paused = await world.seed(visibility=Visibility.PAUSED)
    with pytest.raises(PermissionDenied) as no_profile:
        await (await world.get(LikeMember))(world.principal(without), bo)
    assert no_profile.value.code == "profile_required"
    with pytest.raises(PermissionDenied) as is_paused:
        await (await world.get(LikeMember))(world.principal(paused), bo)
    assert is_paused.value.code == "profile_paused"


async def test_liking_someone_who_passed_you_is_quietly_accepted(world: MatchingWorld) -> None:
    ada, bo = await _couple(world)
    await (await world.get(PassMember))(world.principal(bo), ada)
    # No error and no match: the pass is never revealed.
    result = await (await world.get(LikeMember))(world.principal(ada), bo)
    assert (result.matched, result.match_id) == (False, None)


async def test_swipes_drop_both_members_cached_views(world: MatchingWorld) -> None:
    ada, bo = await _couple(world)
    for user in (ada, bo):
        await world.cache.set(discover_key(user), b"stale", 60)
        await world.cache.set(daily_key(user), b"stale", 60)
    await (await world.get(LikeMember))(world.principal(ada), bo)
    for user in (ada, bo):
        assert await world.cache.get(discover_key(user)) is None
        assert await world.cache.get(daily_key(user)) is None


async def _matched(world: MatchingWorld, a: UserId, b: UserId) -> None:
    await (await world.get(LikeMember))(world.principal(a), b)
    result = await (await world.get(LikeMember))(world.principal(b), a)
    assert result.matched


async def test_matches_list_the_other_member_as_a_card_newest_first(
    world: MatchingWorld,
) -> None:
    world.with_policy(page_size=2)
    ada = await world.seed(display_name="Ada", at=(52.52, 13.405))
    others = [await world.seed(display_name=f"M{n}", at=(52.52, 13.505), **MAN) for n in range(3)]
    for minutes, other in enumerate(others):
        await _matched(world, ada, other)
        world.clock.current = world.clock.current.replace(minute=minutes + 1)

    first = await (await world.get(ListMatches))(world.principal(ada))
    assert [item.member.display_name for item in first.items] == ["M2", "M1"]
    assert first.next_cursor is not None
    rest = await (await world.get(ListMatches))(world.principal(ada), first.next_cursor)
    assert [item.member.display_name for item in rest.items] == ["M0"]
    assert rest.next_cursor is None

    card = first.items[0].member
    assert card.age == 30
    assert card.distance_km == 7  # about 6.8 km, rounded on the public grid
    assert card.gender is Gender.MAN
    assert card.interests == ["hiking", "jazz", "cooking"]
    assert not hasattr(card, "latitude")
    # The other side sees Ada.
    theirs = await (await world.get(ListMatches))(world.principal(others[0]))
    assert [item.member.user_id for item in theirs.items] == [ada]

    with pytest.raises(ValidationFailed) as bad:
        await (await world.get(ListMatches))(world.principal(ada), "not-a-cursor")
    assert bad.value.errors[0].code == "invalid_cursor"


async def test_unmatch_ends_only_your_own_match_once(world: MatchingWorld) -> None:
    ada, bo = await _couple(world)
    stranger = await world.seed()
    await _matched(world, ada, bo)
    [match_id] = world.database[MatchingState].matches

    for who, which in ((stranger, match_id), (ada, uuid4())):
        with pytest.raises(NotFound) as missing:
            await (await world.get(Unmatch))(world.principal(who), which)
        assert missing.value.code == "match_not_found"

    await (await world.get(Unmatch))(world.principal(bo), match_id)
    assert (await (await world.get(ListMatches))(world.principal(ada))).items == []
    [event] = world.events(Unmatched)
    assert event.by == bo
    with pytest.raises(Conflict) as again:
        await (await world.get(Unmatch))(world.principal(ada), match_id)
    assert again.value.code == "already_unmatched"
    # The likes stay: no second match is possible.
    with pytest.raises(Conflict):
        await (await world.get(LikeMember))(world.principal(ada), bo)


async def test_likes_received_need_premium_or_elite(world: MatchingWorld) -> None:
    free = await world.seed()
    with pytest.raises(PermissionDenied) as refused:
        await (await world.get(ListLikesReceived))(world.principal(free))
    assert refused.value.code == "upgrade_required"

    premium = await world.seed(tier=Tier.PREMIUM)
    fans = [await world.seed(display_name=f"F{n}", **MAN) for n in range(3)]
    for minutes, fan in enumerate(fans):
        world.clock.current = world.clock.current.replace(minute=minutes)
        await (await world.get(LikeMember))(world.principal(fan), premium)
    await (await world.get(PassMember))(world.principal(premium), fans[0])
    await (await world.get(LikeMember))(
        world.principal(premium), fans[1]
    )  # a match now: no longer waiting

    page = await (await world.get(ListLikesReceived))(world.principal(premium))
    assert [item.member.display_name for item in page.items] == ["F2"]
    assert page.items[0].liked_at == world.clock.current.replace(minute=2)
    assert page.next_cursor is None
    elite = await world.seed(tier=Tier.ELITE)
    assert (await (await world.get(ListLikesReceived))(world.principal(elite))).items == []
