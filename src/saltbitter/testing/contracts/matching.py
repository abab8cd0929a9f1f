"""The matching repository contract, plus builders that seed members for matching tests.

Subclass :class:`MatchingRepositoryContract` with a ``uow_factory`` fixture (fresh units
of work on one empty store). The in-memory fake, SQLite and PostgreSQL run these tests.
``seed_member`` writes a member the way the other capabilities would (account, profile,
assessment, consent) through the unit of work, so matching tests need none of their use
cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.assessments import StoredAssessment
from saltbitter.application.ports.matching import DailySet, DailySetEntry
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import AccountStatus, ConsentPurpose, ConsentRecord
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    ComponentScores,
    Gender,
    PairHistory,
    SchwartzValue,
    ValueRatings,
    check_eligibility,
)
from saltbitter.domain.matching import Decision, MatchPair, MatchStatus, PairState
from saltbitter.domain.profiles import Location, Profile, Visibility
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.builders import a_user

__all__ = ["T0", "MatchingRepositoryContract", "UowFactory", "a_profile", "seed_member"]

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
BERLIN = (52.52, 13.405)


def a_profile(
    user_id: UserId,
    *,
    gender: Gender = Gender.WOMAN,
    seeks: Iterable[Gender] = (Gender.MAN,),
    age_min: int = 18,
    age_max: int = 99,
    at: tuple[float, float] = BERLIN,
    max_distance_km: float = 50.0,
    interests: Iterable[str] = ("hiking", "jazz", "cooking"),
    values: dict[SchwartzValue, float] | None = None,
    visibility: Visibility = Visibility.VISIBLE,
    bio: str = "Curious about people.",
    updated_at: datetime = T0,
) -> Profile:
    return Profile(
        user_id=user_id,
        gender=gender,
        genders_sought=frozenset(seeks),
        age_min=age_min,
        age_max=age_max,
        bio=bio,
        interests=tuple(interests),
        relationship_goal=None,
        values=None if values is None else ValueRatings.from_mapping(values),
        location=Location(*at),
        max_distance_km=max_distance_km,
        visibility=visibility,
        updated_at=updated_at,
    )


async def seed_member(
    uow: UnitOfWork,
    *,
    birthdate: date = date(1995, 5, 17),
    timezone: str = "Europe/Berlin",
    tier: Tier = Tier.FREE,
    status: AccountStatus = AccountStatus.ACTIVE,
    display_name: str = "Sam",
    attachment: tuple[float, float] | None = None,
    consent: bool | None = True,
    with_profile: bool = True,
    **profile: object,
) -> UserId:
    """Add a member (inside an open unit of work; the caller commits)."""
    user = replace(
        a_user(status=status),
        birthdate=birthdate,
        timezone=timezone,
        tier=tier,
        display_name=display_name,
    )
    uow.users.add(user)
    if with_profile:
        await uow.profiles.save(a_profile(user.id, **profile))  # type: ignore[arg-type]
    if attachment is not None:
        uow.assessments.add(
            StoredAssessment(
                id=uuid4(),
                user_id=user.id,
                instrument="ecr-r",
                instrument_version="1",
                answers={},
                anxiety=attachment[0],
                avoidance=attachment[1],
                style=AttachmentStyle.SECURE,
                near_boundary=False,
                taken_at=T0,
            )
        )
    if consent is not None:
        uow.consents.append(
            ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, consent, "2026-01", T0)
        )
    return user.id


def _entry(candidate: UserId, total: float) -> DailySetEntry:
    return DailySetEntry(
        candidate_id=candidate,
        total=total,
        components=ComponentScores(0.5, 0.25, 0.75, 1.0),
        reasons=("3 shared interests", "about 5 km apart"),
    )


class MatchingRepositoryContract:
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        raise NotImplementedError("provide a factory of units of work on one empty store")

    # Blocks ------------------------------------------------------------------------

    async def test_no_pair_is_blocked_before_blocking_exists(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            ada = await seed_member(uow)
            bob = await seed_member(uow, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            await uow.commit()
        async with uow_factory() as uow:
            blocked = await uow.matching.blocked_between(ada, [bob, UserId(uuid4())])
            nobody = await uow.matching.blocked_between(ada, [])
        assert blocked == frozenset()
        assert nobody == frozenset()

    # Candidate reads ---------------------------------------------------------------

    async def test_members_are_accounts_with_a_profile_as_the_scorer_sees_them(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            ada = await seed_member(
                uow,
                tier=Tier.PREMIUM,
                display_name="Ada",
                interests=("Jazz", "hiking", "chess"),
                values={value: 1.0 + index % 7 for index, value in enumerate(SchwartzValue)},
                max_distance_km=25.0,
            )
            paused = await seed_member(uow, visibility=Visibility.PAUSED)
            suspended = await seed_member(uow, status=AccountStatus.SUSPENDED)
            pending = await seed_member(uow, status=AccountStatus.PENDING_VERIFICATION)
            closed = await seed_member(uow, status=AccountStatus.DEACTIVATED)
            no_profile = await seed_member(uow, with_profile=False)
            await uow.commit()
        async with uow_factory() as uow:
            everyone = {m.user_id: m for m in await uow.matching.members(T0)}
            some = await uow.matching.members(T0, [ada, no_profile, pending, uuid4()])  # type: ignore[list-item]
        assert set(everyone) == {ada, paused, suspended}
        assert [m.user_id for m in some] == [ada]
        member = everyone[ada]
        assert member.display_name == "Ada"
        assert member.timezone == "Europe/Berlin"
        assert member.interests == ("jazz", "hiking", "chess")
        profile = member.profile
        assert profile.interests == frozenset({"jazz", "hiking", "chess"})
        assert profile.tier is Tier.PREMIUM
        assert profile.gender is Gender.WOMAN
        assert profile.genders_sought == frozenset({Gender.MAN})
        assert (profile.latitude, profile.longitude) == BERLIN
        assert profile.max_distance_km == 25.0
        assert profile.values is not None
        assert profile.values.self_direction == 1.0
        assert profile.values.universalism == 3.0
        assert profile.available
        assert everyone[paused].profile.paused
        assert everyone[suspended].profile.suspended
        assert closed not in everyone
        assert pending not in everyone

    async def test_age_counts_on_the_members_own_local_date(self, uow_factory: UowFactory) -> None:
        # 23:30 UTC on 16 May: already 17 May (the birthday) in Tokyo, not yet in Lima.
        now = datetime(2026, 5, 16, 23, 30, tzinfo=UTC)
        async with uow_factory() as uow:
            tokyo = await seed_member(uow, birthdate=date(1990, 5, 17), timezone="Asia/Tokyo")
            lima = await seed_member(uow, birthdate=date(1990, 5, 17), timezone="America/Lima")
            await uow.commit()
        async with uow_factory() as uow:
            ages = {m.user_id: m.profile.age for m in await uow.matching.members(now)}
        assert ages == {tokyo: 36, lima: 35}

    async def test_attachment_counts_only_with_the_current_sensitive_data_consent(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            granted = await seed_member(uow, attachment=(2.5, 3.0), consent=True)
            never = await seed_member(uow, attachment=(2.5, 3.0), consent=None)
            withdrawn = await seed_member(uow, attachment=(2.5, 3.0), consent=True)
            uow.consents.append(
                ConsentRecord(
                    withdrawn,
                    ConsentPurpose.SENSITIVE_DATA,
                    False,
                    "2026-01",
                    T0 + timedelta(days=1),
                )
            )
            uow.assessments.add(
                StoredAssessment(
                    uuid4(),
                    granted,
                    "ecr-r",
                    "1",
                    {},
                    4.0,
                    5.5,
                    AttachmentStyle.FEARFUL,
                    False,
                    T0 + timedelta(days=40),
                )
            )
            await uow.commit()
        async with uow_factory() as uow:
            found = {m.user_id: m.profile.attachment for m in await uow.matching.members(T0)}
        latest = found[granted]
        assert latest is not None
        assert (latest.anxiety, latest.avoidance) == (4.0, 5.5)  # the latest assessment
        assert found[never] is None
        assert found[withdrawn] is None

    async def test_nearby_members_include_everyone_the_hard_filters_let_through(
        self, uow_factory: UowFactory
    ) -> None:
        places = [
            (52.52, 13.405),
            (52.60, 13.50),
            (53.55, 9.99),  # Hamburg, about 255 km away
            (48.14, 11.58),  # Munich, about 505 km away
            (-0.5, 179.9),  # across the antimeridian from the next one
            (-0.5, -179.9),
            (89.9, 0.0),  # near the pole
            (89.9, 120.0),
        ]
        async with uow_factory() as uow:
            ids: list[UserId] = []
            for index in range(48):
                place = places[index % len(places)]
                gender = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY)[index % 3]
                seeks = [(Gender.MAN,), (Gender.WOMAN,), tuple(Gender)][index % 5 % 3]
                ids.append(
                    await seed_member(
                        uow,
                        birthdate=date(1960 + index % 40, 1 + index % 12, 1 + index % 27),
                        gender=gender,
                        seeks=seeks,
                        age_min=18 + index % 20,
                        age_max=40 + index % 50,
                        at=place,
                        max_distance_km=(30.0, 300.0, 500.0)[index % 3],
                        visibility=Visibility.PAUSED if index % 11 == 0 else Visibility.VISIBLE,
                    )
                )
            await uow.commit()
        async with uow_factory() as uow:
            members = {m.user_id: m for m in await uow.matching.members(T0)}
            for viewer in members.values():
                if not viewer.profile.available:
                    continue
                nearby = await uow.matching.nearby_members(viewer.profile, T0, DEFAULT_POLICY)
                near_ids = {m.user_id for m in nearby}
                assert viewer.user_id not in near_ids
                assert all(m.profile.available for m in nearby)
                eligible = {
                    other.user_id
                    for other in members.values()
                    if check_eligibility(viewer.profile, other.profile)
                }
                assert eligible <= near_ids, (viewer.profile, eligible - near_ids)

    async def test_interest_frequencies_count_each_profile_once(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            await seed_member(uow, interests=("jazz", "hiking", "chess"))
            await seed_member(uow, interests=("jazz", "Hiking", "falconry"))
            await seed_member(uow, interests=("jazz", "tea", "go"), visibility=Visibility.PAUSED)
            await uow.commit()
        async with uow_factory() as uow:
            frequencies = await uow.matching.interest_frequencies()
        assert frequencies.total_users == 3
        assert dict(frequencies.counts) == {
            "jazz": 3,
            "hiking": 2,
            "chess": 1,
            "falconry": 1,
            "tea": 1,
            "go": 1,
        }

    # Swipes and matches ------------------------------------------------------------

    async def _pair(self, uow_factory: UowFactory) -> tuple[UserId, UserId]:
        async with uow_factory() as uow:
            ada = await seed_member(uow)
            bo = await seed_member(uow, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            await uow.commit()
        return ada, bo

    async def test_a_swipe_is_recorded_once_and_seen_from_both_sides(
        self, uow_factory: UowFactory
    ) -> None:
        ada, bo = await self._pair(uow_factory)
        async with uow_factory() as uow:
            await uow.matching.lock_pair(MatchPair(ada, bo))
            assert await uow.matching.record_swipe(ada, bo, Decision.LIKE, T0)
            assert not await uow.matching.record_swipe(ada, bo, Decision.PASS, T0)
            assert await uow.matching.pair_state(ada, bo) == PairState(actor_decision=Decision.LIKE)
            await uow.commit()
        async with uow_factory() as uow:
            assert not await uow.matching.record_swipe(ada, bo, Decision.LIKE, T0)
            assert await uow.matching.pair_state(bo, ada) == PairState(
                target_decision=Decision.LIKE
            )
            assert await uow.matching.record_swipe(bo, ada, Decision.PASS, T0)
        async with uow_factory() as uow:  # left without commit: rolled back
            assert await uow.matching.pair_state(bo, ada) == PairState(
                target_decision=Decision.LIKE
            )

    async def test_a_match_exists_once_per_pair_and_ends_once(
        self, uow_factory: UowFactory
    ) -> None:
        ada, bo = await self._pair(uow_factory)
        first_id, second_id = uuid4(), uuid4()
        async with uow_factory() as uow:
            match, created = await uow.matching.create_match(first_id, MatchPair(bo, ada), T0)
            again, created_again = await uow.matching.create_match(
                second_id, MatchPair(ada, bo), T0 + timedelta(seconds=1)
            )
            await uow.commit()
        assert created
        assert not created_again
        assert match == again
        assert match.id == first_id
        assert match.pair == MatchPair(ada, bo)
        assert match.created_at == T0
        assert match.active
        async with uow_factory() as uow:
            assert await uow.matching.get_match(first_id) == match
            assert await uow.matching.get_match(second_id) is None
            state = await uow.matching.pair_state(ada, bo)
            assert state.match_status is MatchStatus.ACTIVE
            await uow.matching.end_match(first_id, bo, T0 + timedelta(hours=1))
            await uow.matching.end_match(first_id, ada, T0 + timedelta(hours=2))  # no-op
            await uow.commit()
        async with uow_factory() as uow:
            ended = await uow.matching.get_match(first_id)
            state = await uow.matching.pair_state(bo, ada)
            listed = await uow.matching.active_matches(ada, 10)
        assert ended is not None
        assert ended.unmatched_at == T0 + timedelta(hours=1)
        assert ended.unmatched_by == bo
        assert not ended.active
        assert state.match_status is MatchStatus.ENDED
        assert listed == []

    async def test_active_matches_page_newest_first(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            me = await seed_member(uow)
            others = [await seed_member(uow) for _ in range(5)]
            stranger = await seed_member(uow)
            await uow.commit()
        async with uow_factory() as uow:
            for index, other in enumerate(others):
                # Two share a time: the id breaks the tie.
                at = T0 + timedelta(minutes=min(index, 3))
                await uow.matching.create_match(uuid4(), MatchPair(me, other), at)
            await uow.matching.create_match(uuid4(), MatchPair(others[0], stranger), T0)
            await uow.commit()
        async with uow_factory() as uow:
            everything = await uow.matching.active_matches(me, 10)
            first = await uow.matching.active_matches(me, 2)
            last = first[-1]
            rest = await uow.matching.active_matches(me, 10, (last.created_at, last.id))
        assert len(everything) == 5
        keys = [(m.created_at, m.id) for m in everything]
        assert keys == sorted(keys, reverse=True)
        assert [m.id for m in [*first, *rest]] == [m.id for m in everything]
        assert all(me in m.pair for m in everything)

    async def test_likes_received_are_those_still_unanswered(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            me = await seed_member(uow)
            fans = [await seed_member(uow) for _ in range(4)]
            await uow.commit()
        async with uow_factory() as uow:
            for index, fan in enumerate(fans):
                decision = Decision.PASS if index == 3 else Decision.LIKE
                await uow.matching.record_swipe(fan, me, decision, T0 + timedelta(minutes=index))
            await uow.matching.record_swipe(me, fans[0], Decision.PASS, T0)  # answered
            await uow.matching.record_swipe(me, fans[3], Decision.LIKE, T0)  # not a like in
            await uow.commit()
        async with uow_factory() as uow:
            waiting = await uow.matching.likes_received(me, 10)
            page = await uow.matching.likes_received(me, 1)
            rest = await uow.matching.likes_received(me, 10, (page[0].liked_at, page[0].liker))
        assert [like.liker for like in waiting] == [fans[2], fans[1]]
        assert waiting[0].liked_at == T0 + timedelta(minutes=2)
        assert [like.liker for like in [*page, *rest]] == [fans[2], fans[1]]

    async def test_pair_histories_describe_each_relation_from_the_viewers_side(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            me, liked, passer, matched, other = [await seed_member(uow) for _ in range(5)]
            await uow.commit()
        async with uow_factory() as uow:
            await uow.matching.record_swipe(me, liked, Decision.LIKE, T0)
            await uow.matching.record_swipe(passer, me, Decision.PASS, T0)
            await uow.matching.record_swipe(me, matched, Decision.LIKE, T0)
            await uow.matching.record_swipe(matched, me, Decision.LIKE, T0)
            await uow.matching.create_match(uuid4(), MatchPair(me, matched), T0)
            await uow.matching.record_swipe(other, liked, Decision.LIKE, T0)
            await uow.commit()
        async with uow_factory() as uow:
            mine = {(v, o): h for v, o, h in await uow.matching.pair_histories([me])}
            narrowed = await uow.matching.pair_histories([me], [passer])
        assert mine == {
            (me, liked): PairHistory(viewer_liked=True),
            (me, passer): PairHistory(candidate_passed=True),
            (me, matched): PairHistory(matched=True, viewer_liked=True, candidate_liked=True),
        }
        assert list(narrowed) == [(me, passer, PairHistory(candidate_passed=True))]

    # Daily sets ----------------------------------------------------------------------

    async def test_a_daily_set_is_stored_once_per_member_and_date(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            me, a, b, c = [await seed_member(uow) for _ in range(4)]
            await uow.commit()
        day = date(2026, 3, 1)
        first = DailySet(me, day, (_entry(b, 0.9), _entry(a, 0.7)), T0)
        other_day = DailySet(me, day + timedelta(days=1), (), T0 + timedelta(days=1))
        theirs = DailySet(a, day, (_entry(b, 0.8),), T0)
        async with uow_factory() as uow:
            assert await uow.matching.save_daily_sets([first, theirs]) == {me, a}
            await uow.commit()
        async with uow_factory() as uow:
            late = DailySet(me, day, (_entry(c, 0.99),), T0 + timedelta(hours=1))
            assert await uow.matching.save_daily_sets([late, other_day]) == {me}
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.matching.daily_set(me, day)
            empty = await uow.matching.daily_set(me, day + timedelta(days=1))
            missing = await uow.matching.daily_set(b, day)
            runs = await uow.matching.runs_on([day, day + timedelta(days=1), date(2030, 1, 1)])
            exposure = await uow.matching.recent_exposure(T0)
            later = await uow.matching.recent_exposure(T0 + timedelta(minutes=1))
            holders = await uow.matching.daily_set_holders(b, day)
            none_since = await uow.matching.daily_set_holders(b, day + timedelta(days=1))
        assert stored == first
        assert stored is not None
        assert stored.entries[0].components == ComponentScores(0.5, 0.25, 0.75, 1.0)
        assert stored.entries[0].reasons == ("3 shared interests", "about 5 km apart")
        assert empty == other_day
        assert missing is None
        assert runs == {(me, day), (a, day), (me, day + timedelta(days=1))}
        assert exposure == {b: 2, a: 1}
        assert later == {}
        assert sorted(holders) == sorted([(me, day), (a, day)])
        assert list(none_since) == []
        assert math.isclose(stored.entries[1].total, 0.7)

    # Discovery -----------------------------------------------------------------------

    async def test_discover_allotments_count_the_allowance_per_member_and_day(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            me, other, a, b, c, d = [await seed_member(uow) for _ in range(6)]
            await uow.commit()
        day = date(2026, 3, 1)
        async with uow_factory() as uow:
            # Best first, while the allowance lasts; repeats count once.
            assert await uow.matching.allot_discover(me, day, [a, a, b, c, d], 3) == {a, b, c}
            assert await uow.matching.allot_discover(other, day, [d], 3) == {d}
            await uow.commit()
        async with uow_factory() as uow:  # a later unit of work (a restart) sees them
            assert await uow.matching.allot_discover(me, day, [d, a], 3) == {a, b, c}
            assert await uow.matching.allot_discover(me, day, [d], 4) == {a, b, c, d}
            # Not committed: handed out nothing.
        async with uow_factory() as uow:
            assert await uow.matching.allot_discover(me, day, [], 10) == {a, b, c}
            assert await uow.matching.allot_discover(me, day + timedelta(days=1), [d], 1) == {d}
            # Two days on, the first day's allotment is gone (nobody asks for it again).
            assert await uow.matching.allot_discover(me, day + timedelta(days=2), [], 5) == set()
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.matching.allot_discover(me, day, [], 0) == set()
            assert await uow.matching.allot_discover(me, day + timedelta(days=1), [], 0) == {d}
            assert await uow.matching.allot_discover(other, day, [], 0) == {d}
