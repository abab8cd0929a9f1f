"""The contracts of matching's ports, plus builders that seed members for matching tests.

One contract class per port (``CandidateReaderContract``, ``BlockedMembersContract``,
``SwipeWriterContract``, ``MatchStoreContract``, ``ReceivedLikesContract``,
``DailySetStoreContract``, ``DiscoverAllowanceContract``). Each needs a
``matching_request`` fixture: a factory of ``MatchingRequest``, one request's ports built
on one fresh connection to one empty store, yielded inside its open transaction (leaving
without ``commit`` rolls back). The in-memory fakes, SQLite and PostgreSQL run them.
``seed_member`` writes a member the way the other capabilities would (account, profile,
assessment, consent) through their ports, so matching tests need none of their use cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from uuid import uuid4

import pytest

from saltbitter.application.ports.accounts import ConsentLedger, UserRepository
from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    DailySet,
    DailySetEntry,
    DailySetStore,
    DecisionParties,
    DiscoverAllowance,
    MatchStore,
    PairDecision,
    PhotoRef,
    ReceivedLikes,
    SwipeWriter,
)
from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository
from saltbitter.application.ports.safety import Block, BlockStore
from saltbitter.application.ports.transaction import Transaction
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
from saltbitter.domain.profiles import (
    Location,
    ModerationStatus,
    Profile,
    RelationshipGoal,
    Visibility,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_photo

__all__ = [
    "T0",
    "BlockedMembersContract",
    "CandidateReaderContract",
    "DailySetStoreContract",
    "DiscoverAllowanceContract",
    "MatchStoreContract",
    "MatchingRequest",
    "MemberWriters",
    "ReceivedLikesContract",
    "RequestFactory",
    "SwipeWriterContract",
    "a_profile",
    "seed_member",
]

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
    relationship_goal: RelationshipGoal | None = None,
) -> Profile:
    return Profile(
        user_id=user_id,
        gender=gender,
        genders_sought=frozenset(seeks),
        age_min=age_min,
        age_max=age_max,
        bio=bio,
        interests=tuple(interests),
        relationship_goal=relationship_goal,
        values=None if values is None else ValueRatings.from_mapping(values),
        location=Location(*at),
        max_distance_km=max_distance_km,
        visibility=visibility,
        updated_at=updated_at,
    )


class MemberWriters(Protocol):
    """The other capabilities' ports that seed a member (used by tests only)."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def profiles(self) -> ProfileRepository: ...

    @property
    def photos(self) -> PhotoRepository: ...

    @property
    def assessments(self) -> AssessmentRepository: ...

    @property
    def consents(self) -> ConsentLedger: ...

    @property
    def blocks(self) -> BlockStore: ...


@dataclass(frozen=True, slots=True)
class MatchingRequest:
    """One request's matching ports on one connection, and writers to seed members."""

    transaction: Transaction
    writers: MemberWriters
    candidates: CandidateReader
    blocked: BlockedMembers
    swipes: SwipeWriter
    matches: MatchStore
    likes: ReceivedLikes
    daily_sets: DailySetStore
    allowance: DiscoverAllowance


RequestFactory = Callable[[], AbstractAsyncContextManager[MatchingRequest]]
"""A fresh request (connection) on the same store, inside its open transaction."""


async def seed_member(
    writers: MemberWriters,
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
    """Add a member (inside an open transaction; the caller commits)."""
    user = replace(
        a_user(status=status),
        birthdate=birthdate,
        timezone=timezone,
        tier=tier,
        display_name=display_name,
    )
    writers.users.add(user)
    if with_profile:
        await writers.profiles.save(a_profile(user.id, **profile))  # type: ignore[arg-type]
    if attachment is not None:
        writers.assessments.add(
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
        writers.consents.append(
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


class _MatchingContract:
    @pytest.fixture
    def matching_request(self) -> RequestFactory:
        raise NotImplementedError("provide fresh requests (connections) on one empty store")


async def _pair(matching_request: RequestFactory) -> tuple[UserId, UserId]:
    async with matching_request() as r:
        ada = await seed_member(r.writers)
        bo = await seed_member(r.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
        await r.transaction.commit()
    return ada, bo


class BlockedMembersContract(_MatchingContract):
    async def test_no_pair_is_blocked_before_blocking_exists(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada = await seed_member(r.writers)
            bob = await seed_member(r.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            await r.transaction.commit()
        async with matching_request() as r:
            blocked = await r.blocked.blocked_between(ada, [bob, UserId(uuid4())])
            nobody = await r.blocked.blocked_between(ada, [])
        assert blocked == frozenset()
        assert nobody == frozenset()
        async with matching_request() as r:
            assert await r.blocked.blocked_pairs([ada, bob]) == frozenset()
            assert await r.blocked.blocked_pairs([]) == frozenset()

    async def test_a_block_hides_both_members_in_either_direction(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada, bob, cy, dee = [await seed_member(r.writers) for _ in range(4)]
            await r.writers.blocks.add(Block(ada, bob, T0))
            await r.writers.blocks.add(Block(cy, ada, T0))
            await r.transaction.commit()
        async with matching_request() as r:
            assert await r.blocked.blocked_between(ada, [bob, cy, dee]) == {bob, cy}
            assert await r.blocked.blocked_between(bob, [ada, cy]) == {ada}
            assert await r.blocked.blocked_between(dee, [ada, bob, cy]) == frozenset()

    async def test_blocked_pairs_are_every_block_touching_the_members_either_way(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada, bob, cy, dee, eve = [await seed_member(r.writers) for _ in range(5)]
            await r.writers.blocks.add(Block(ada, bob, T0))
            await r.writers.blocks.add(Block(bob, ada, T0))  # both ways: one pair
            await r.writers.blocks.add(Block(cy, ada, T0))
            await r.writers.blocks.add(Block(dee, eve, T0))
            await r.transaction.commit()
        async with matching_request() as r:
            pairs = await r.blocked.blocked_pairs([ada])
            among = await r.blocked.blocked_pairs([bob, cy, eve, bob])
            outside = await r.blocked.blocked_pairs([UserId(uuid4())])
        assert pairs == {frozenset((ada, bob)), frozenset((ada, cy))}
        assert among == {frozenset((ada, bob)), frozenset((ada, cy)), frozenset((dee, eve))}
        assert outside == frozenset()

    async def test_blocked_pairs_read_many_members_in_chunks(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada, bob = [await seed_member(r.writers) for _ in range(2)]
            await r.writers.blocks.add(Block(bob, ada, T0))
            await r.transaction.commit()
        strangers = [UserId(uuid4()) for _ in range(12_000)]
        async with matching_request() as r:
            pairs = await r.blocked.blocked_pairs([*strangers, ada])
        assert pairs == {frozenset((ada, bob))}


class CandidateReaderContract(_MatchingContract):
    async def test_members_are_accounts_with_a_profile_as_the_scorer_sees_them(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada = await seed_member(
                r.writers,
                tier=Tier.PREMIUM,
                display_name="Ada",
                interests=("Jazz", "hiking", "chess"),
                values={value: 1.0 + index % 7 for index, value in enumerate(SchwartzValue)},
                max_distance_km=25.0,
            )
            paused = await seed_member(r.writers, visibility=Visibility.PAUSED)
            suspended = await seed_member(r.writers, status=AccountStatus.SUSPENDED)
            pending = await seed_member(r.writers, status=AccountStatus.PENDING_VERIFICATION)
            closed = await seed_member(r.writers, status=AccountStatus.DEACTIVATED)
            no_profile = await seed_member(r.writers, with_profile=False)
            await r.transaction.commit()
        async with matching_request() as r:
            everyone = {m.user_id: m for m in await r.candidates.members(T0)}
            some = await r.candidates.members(T0, [ada, no_profile, pending, uuid4()])  # type: ignore[list-item]
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

    async def test_available_timezones_are_the_members_who_may_be_due(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            berlin = await seed_member(r.writers)
            tokyo = await seed_member(r.writers, timezone="Asia/Tokyo")
            await seed_member(r.writers, visibility=Visibility.PAUSED)
            await seed_member(r.writers, status=AccountStatus.SUSPENDED)
            await seed_member(r.writers, status=AccountStatus.PENDING_VERIFICATION)
            await seed_member(r.writers, with_profile=False)
            await r.transaction.commit()
        async with matching_request() as r:
            found = await r.candidates.available_timezones(T0)
            members = await r.candidates.members(T0)
        assert sorted(found) == sorted([(berlin, "Europe/Berlin"), (tokyo, "Asia/Tokyo")])
        assert sorted(found) == sorted(
            (m.user_id, m.timezone) for m in members if m.profile.available
        )

    async def test_age_counts_on_the_members_own_local_date(
        self, matching_request: RequestFactory
    ) -> None:
        # 23:30 UTC on 16 May: already 17 May (the birthday) in Tokyo, not yet in Lima.
        now = datetime(2026, 5, 16, 23, 30, tzinfo=UTC)
        async with matching_request() as r:
            tokyo = await seed_member(r.writers, birthdate=date(1990, 5, 17), timezone="Asia/Tokyo")
            lima = await seed_member(
                r.writers, birthdate=date(1990, 5, 17), timezone="America/Lima"
            )
            await r.transaction.commit()
        async with matching_request() as r:
            ages = {m.user_id: m.profile.age for m in await r.candidates.members(now)}
        assert ages == {tokyo: 36, lima: 35}

    async def test_members_read_by_id_again_are_as_they_are_now(
        self, matching_request: RequestFactory
    ) -> None:
        # Read twice (an adapter may reuse what it built), then changed: the next read
        # shows the change; and the age moves on with the member's local date.
        before = datetime(2026, 5, 16, 12, 0, tzinfo=UTC)
        birthday = datetime(2026, 5, 17, 12, 0, tzinfo=UTC)
        async with matching_request() as r:
            ada = await seed_member(
                r.writers, birthdate=date(1990, 5, 17), interests=("jazz", "hiking", "cooking")
            )
            await r.transaction.commit()
        for _ in range(2):
            async with matching_request() as r:
                [read] = await r.candidates.members(before, [ada])
        assert "jazz" in read.profile.interests
        assert read.profile.age == 35
        async with matching_request() as r:
            [older] = await r.candidates.members(birthday, [ada])
        assert older.profile.age == 36
        async with matching_request() as r:
            await r.writers.profiles.save(
                a_profile(
                    ada, interests=("chess", "hiking", "cooking"), visibility=Visibility.PAUSED
                )
            )
            await r.transaction.commit()
        async with matching_request() as r:
            [changed] = await r.candidates.members(before, [ada])
        assert "chess" in changed.profile.interests
        assert changed.profile.paused

    async def test_attachment_counts_only_with_the_current_sensitive_data_consent(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            granted = await seed_member(r.writers, attachment=(2.5, 3.0), consent=True)
            never = await seed_member(r.writers, attachment=(2.5, 3.0), consent=None)
            withdrawn = await seed_member(r.writers, attachment=(2.5, 3.0), consent=True)
            r.writers.consents.append(
                ConsentRecord(
                    withdrawn,
                    ConsentPurpose.SENSITIVE_DATA,
                    False,
                    "2026-01",
                    T0 + timedelta(days=1),
                )
            )
            r.writers.assessments.add(
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
            await r.transaction.commit()
        async with matching_request() as r:
            found = {m.user_id: m.profile.attachment for m in await r.candidates.members(T0)}
        latest = found[granted]
        assert latest is not None
        assert (latest.anxiety, latest.avoidance) == (4.0, 5.5)  # the latest assessment
        assert found[never] is None
        assert found[withdrawn] is None

    async def test_nearby_members_include_everyone_the_hard_filters_let_through(
        self, matching_request: RequestFactory
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
        async with matching_request() as r:
            ids: list[UserId] = []
            for index in range(48):
                place = places[index % len(places)]
                gender = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY)[index % 3]
                seeks = [(Gender.MAN,), (Gender.WOMAN,), tuple(Gender)][index % 5 % 3]
                ids.append(
                    await seed_member(
                        r.writers,
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
            await r.transaction.commit()
        async with matching_request() as r:
            members = {m.user_id: m for m in await r.candidates.members(T0)}
            for viewer in members.values():
                if not viewer.profile.available:
                    continue
                nearby = await r.candidates.nearby_members(viewer.profile, T0, DEFAULT_POLICY)
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
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            await seed_member(r.writers, interests=("jazz", "hiking", "chess"))
            await seed_member(r.writers, interests=("jazz", "Hiking", "falconry"))
            await seed_member(
                r.writers, interests=("jazz", "tea", "go"), visibility=Visibility.PAUSED
            )
            await r.transaction.commit()
        async with matching_request() as r:
            frequencies = await r.candidates.interest_frequencies()
        assert frequencies.total_users == 3
        assert dict(frequencies.counts) == {
            "jazz": 3,
            "hiking": 2,
            "chess": 1,
            "falconry": 1,
            "tea": 1,
            "go": 1,
        }

    async def test_main_photos_are_each_members_lowest_approved_photo(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada, bo, cy = [await seed_member(r.writers) for _ in range(3)]
            pending = replace(a_photo(ada, position=0), moderation=ModerationStatus.PENDING)
            second = a_photo(ada, position=1)
            third = a_photo(ada, position=2)
            bos = a_photo(bo, position=0)
            for photo in (third, pending, second, bos):
                r.writers.photos.add(photo)
            await r.transaction.commit()
        async with matching_request() as r:
            found = await r.candidates.main_photos([ada, bo, cy, UserId(uuid4())])
            nobody = await r.candidates.main_photos([])
        assert dict(found) == {
            ada: PhotoRef(second.storage_key, second.width, second.height),
            bo: PhotoRef(bos.storage_key, bos.width, bos.height),
        }
        assert dict(nobody) == {}

    async def test_pair_histories_describe_each_relation_from_the_viewers_side(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            me, liked, passer, matched, other = [await seed_member(r.writers) for _ in range(5)]
            await r.transaction.commit()
        async with matching_request() as r:
            await r.swipes.record_swipe(me, liked, Decision.LIKE, T0)
            await r.swipes.record_swipe(passer, me, Decision.PASS, T0)
            await r.swipes.record_swipe(me, matched, Decision.LIKE, T0)
            await r.swipes.record_swipe(matched, me, Decision.LIKE, T0)
            await r.swipes.create_match(uuid4(), MatchPair(me, matched), T0)
            await r.swipes.record_swipe(other, liked, Decision.LIKE, T0)
            await r.transaction.commit()
        async with matching_request() as r:
            mine = {(v, o): h for v, o, h in await r.candidates.pair_histories([me])}
            narrowed = await r.candidates.pair_histories([me], [passer])
        assert mine == {
            (me, liked): PairHistory(viewer_liked=True),
            (me, passer): PairHistory(candidate_passed=True),
            (me, matched): PairHistory(matched=True, viewer_liked=True, candidate_liked=True),
        }
        assert list(narrowed) == [(me, passer, PairHistory(candidate_passed=True))]

    async def test_a_page_is_the_members_their_main_photos_and_histories_with_the_viewer(
        self, matching_request: RequestFactory
    ) -> None:
        """``page`` (discovery's one read) says exactly what the three reads say."""
        async with matching_request() as r:
            me, liked, passer, matched, plain = [await seed_member(r.writers) for _ in range(5)]
            paused = await seed_member(r.writers, visibility=Visibility.PAUSED)
            suspended = await seed_member(r.writers, status=AccountStatus.SUSPENDED)
            gone = await seed_member(r.writers, status=AccountStatus.PENDING_DELETION)
            no_profile = await seed_member(r.writers, with_profile=False)
            for photo in (
                replace(a_photo(liked, position=0), moderation=ModerationStatus.PENDING),
                a_photo(liked, position=2),
                a_photo(liked, position=1),
                a_photo(passer, position=0),
                a_photo(me, position=0),
            ):
                r.writers.photos.add(photo)
            await r.transaction.commit()
        async with matching_request() as r:
            await r.swipes.record_swipe(me, liked, Decision.LIKE, T0)
            await r.swipes.record_swipe(passer, me, Decision.PASS, T0)
            await r.swipes.record_swipe(me, passer, Decision.PASS, T0)
            await r.swipes.record_swipe(me, matched, Decision.LIKE, T0)
            await r.swipes.record_swipe(matched, me, Decision.LIKE, T0)
            await r.swipes.create_match(uuid4(), MatchPair(me, matched), T0)
            await r.swipes.record_swipe(plain, liked, Decision.LIKE, T0)
            await r.transaction.commit()
        wanted = [me, liked, passer, matched, plain, paused, suspended, gone, no_profile]
        async with matching_request() as r:
            page = await r.candidates.page(T0, me, [*wanted, UserId(uuid4())])
            members = await r.candidates.members(T0, wanted)
            ids = [member.user_id for member in members]
            photos = await r.candidates.main_photos(ids)
            histories = await r.candidates.pair_histories([me], [i for i in ids if i != me])
            for_plain = await r.candidates.page(T0, plain, [liked, me])
        assert sorted(page.members, key=lambda m: m.user_id) == sorted(
            members, key=lambda m: m.user_id
        )
        assert {m.user_id for m in page.members} == {
            me,
            liked,
            passer,
            matched,
            plain,
            paused,
            suspended,
        }
        assert dict(page.photos) == dict(photos)
        assert set(page.photos) == {me, liked, passer}
        assert dict(page.histories) == {other: h for _, other, h in histories}
        assert dict(page.histories) == {
            liked: PairHistory(viewer_liked=True),
            passer: PairHistory(viewer_passed=True, candidate_passed=True),
            matched: PairHistory(matched=True, viewer_liked=True, candidate_liked=True),
        }
        assert dict(for_plain.histories) == {liked: PairHistory(viewer_liked=True)}


class SwipeWriterContract(_MatchingContract):
    async def test_a_swipe_is_recorded_once_and_seen_from_both_sides(
        self, matching_request: RequestFactory
    ) -> None:
        ada, bo = await _pair(matching_request)
        async with matching_request() as r:
            await r.swipes.lock_pair(MatchPair(ada, bo))
            assert await r.swipes.record_swipe(ada, bo, Decision.LIKE, T0)
            assert not await r.swipes.record_swipe(ada, bo, Decision.PASS, T0)
            assert await r.swipes.pair_state(ada, bo) == PairState(actor_decision=Decision.LIKE)
            await r.transaction.commit()
        async with matching_request() as r:
            assert not await r.swipes.record_swipe(ada, bo, Decision.LIKE, T0)
            assert await r.swipes.pair_state(bo, ada) == PairState(target_decision=Decision.LIKE)
            assert await r.swipes.record_swipe(bo, ada, Decision.PASS, T0)
        async with matching_request() as r:  # left without commit: rolled back
            assert await r.swipes.pair_state(bo, ada) == PairState(target_decision=Decision.LIKE)

    async def test_swipe_answers_the_state_from_before_and_inserts_once(
        self, matching_request: RequestFactory
    ) -> None:
        ada, bo = await _pair(matching_request)

        def one(actor: UserId, target: UserId, decision: Decision) -> list[PairDecision]:
            return [PairDecision(actor, target, decision)]

        async with matching_request() as r:
            await r.swipes.open_decisions([(ada, bo)], T0)
            assert await r.swipes.swipe(one(ada, bo, Decision.LIKE), T0) == [(PairState(), True)]
            again = await r.swipes.swipe(one(ada, bo, Decision.PASS), T0)
            assert again == [(PairState(actor_decision=Decision.LIKE), False)]
            await r.transaction.commit()
        async with matching_request() as r:  # not committed: rolled back
            answer = await r.swipes.swipe(one(bo, ada, Decision.PASS), T0)
            assert answer == [(PairState(target_decision=Decision.LIKE), True)]
        async with matching_request() as r:
            answer = await r.swipes.swipe(one(bo, ada, Decision.LIKE), T0)
            assert answer == [(PairState(target_decision=Decision.LIKE), True)]
            await r.swipes.create_match(uuid4(), MatchPair(ada, bo), T0)
            await r.transaction.commit()
        matched = PairState(
            actor_decision=Decision.LIKE,
            target_decision=Decision.LIKE,
            match_status=MatchStatus.ACTIVE,
        )
        async with matching_request() as r:
            assert await r.swipes.pair_state(ada, bo) == matched
            assert await r.swipes.swipe(one(ada, bo, Decision.LIKE), T0) == [(matched, False)]

    async def test_swipe_decides_many_pairs_at_once_each_with_its_own_state(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada = await seed_member(r.writers)
            bo, cy, di = [
                await seed_member(r.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
                for _ in range(3)
            ]
            await r.swipes.record_swipe(bo, ada, Decision.LIKE, T0)
            await r.swipes.record_swipe(ada, cy, Decision.PASS, T0)
            await r.transaction.commit()
        decisions = [
            PairDecision(ada, bo, Decision.LIKE),  # answers bo's like
            PairDecision(ada, cy, Decision.LIKE),  # ada passed already
            PairDecision(di, ada, Decision.PASS),  # nothing yet
        ]
        async with matching_request() as r:
            await r.swipes.open_decisions([(d.actor, d.target) for d in decisions], T0)
            answers = await r.swipes.swipe(decisions, T0)
            await r.transaction.commit()
        assert answers == [
            (PairState(target_decision=Decision.LIKE), True),
            (PairState(actor_decision=Decision.PASS), False),
            (PairState(), True),
        ]
        async with matching_request() as r:
            assert await r.swipes.pair_state(ada, di) == PairState(target_decision=Decision.PASS)
            assert await r.swipes.pair_state(cy, ada) == PairState(target_decision=Decision.PASS)

    async def test_a_pair_with_a_match_gets_no_decision(
        self, matching_request: RequestFactory
    ) -> None:
        """A match without the actor's decision (as data can hold it) is refused by the
        rule; the insert must not have happened, since a batch cannot roll one back."""
        ada, bo = await _pair(matching_request)
        async with matching_request() as r:
            await r.swipes.create_match(uuid4(), MatchPair(ada, bo), T0)
            await r.transaction.commit()
        async with matching_request() as r:
            answer = await r.swipes.swipe([PairDecision(ada, bo, Decision.LIKE)], T0)
            await r.transaction.commit()
        assert answer == [(PairState(match_status=MatchStatus.ACTIVE), False)]
        async with matching_request() as r:
            assert await r.swipes.pair_state(ada, bo) == PairState(match_status=MatchStatus.ACTIVE)

    async def test_many_matches_at_once_each_new_or_the_one_there_before(
        self, matching_request: RequestFactory
    ) -> None:
        ada, bo = await _pair(matching_request)
        cy, di = await _pair(matching_request)
        eve, _ = await _pair(matching_request)
        before_id = uuid4()
        async with matching_request() as r:
            before, _ = await r.swipes.create_match(before_id, MatchPair(cy, di), T0)
            await r.transaction.commit()
        wanted = [(uuid4(), MatchPair(bo, ada)), (uuid4(), MatchPair(di, cy))]
        wanted.append((uuid4(), MatchPair(ada, eve)))
        later = T0 + timedelta(minutes=5)
        async with matching_request() as r:
            made = await r.swipes.create_matches(wanted, later)
            assert await r.swipes.create_matches([], later) == []
            await r.transaction.commit()
        assert [created for _, created in made] == [True, False, True]
        assert [match.pair for match, _ in made] == [pair for _, pair in wanted]
        assert [match.id for match, _ in made] == [wanted[0][0], before_id, wanted[2][0]]
        assert made[1][0] == before
        assert [match.created_at for match, _ in made] == [later, T0, later]
        async with matching_request() as r:
            for match, _ in made:
                assert await r.matches.get_match(match.id) == match

    async def test_open_decisions_read_both_members_and_a_block_either_way(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            ada = await seed_member(r.writers, display_name="Ada")
            bo = await seed_member(r.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            cy = await seed_member(r.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            profileless = await seed_member(r.writers, with_profile=False)
            await r.writers.blocks.add(Block(cy, ada, T0))
            await r.transaction.commit()
        stranger = UserId(uuid4())
        async with matching_request() as r:
            read = {m.user_id: m for m in await r.candidates.members(T0, [ada, bo, cy])}
            (free,) = await r.swipes.open_decisions([(ada, bo)], T0)
        async with matching_request() as r:
            (nobody,) = await r.swipes.open_decisions([(stranger, profileless)], T0)
        async with matching_request() as r:  # many pairs at once, in the order given
            together = await r.swipes.open_decisions(
                [(ada, cy), (ada, bo), (cy, ada), (ada, stranger), (bo, ada)], T0
            )
        assert free == DecisionParties(read[ada], read[bo], blocked=False)
        assert free.actor is not None
        assert free.actor.display_name == "Ada"
        assert nobody == DecisionParties(None, None, blocked=False)
        assert together == [
            DecisionParties(read[ada], read[cy], blocked=True),
            free,
            DecisionParties(read[cy], read[ada], blocked=True),
            DecisionParties(read[ada], None, blocked=False),
            DecisionParties(read[bo], read[ada], blocked=False),
        ]


class MatchStoreContract(_MatchingContract):
    async def test_a_match_exists_once_per_pair_and_ends_once(
        self, matching_request: RequestFactory
    ) -> None:
        ada, bo = await _pair(matching_request)
        first_id, second_id = uuid4(), uuid4()
        async with matching_request() as r:
            match, created = await r.swipes.create_match(first_id, MatchPair(bo, ada), T0)
            again, created_again = await r.swipes.create_match(
                second_id, MatchPair(ada, bo), T0 + timedelta(seconds=1)
            )
            await r.transaction.commit()
        assert created
        assert not created_again
        assert match == again
        assert match.id == first_id
        assert match.pair == MatchPair(ada, bo)
        assert match.created_at == T0
        assert match.active
        async with matching_request() as r:
            assert await r.matches.get_match(first_id) == match
            assert await r.matches.get_match(second_id) is None
            state = await r.swipes.pair_state(ada, bo)
            assert state.match_status is MatchStatus.ACTIVE
            await r.matches.end_match(first_id, bo, T0 + timedelta(hours=1))
            await r.matches.end_match(first_id, ada, T0 + timedelta(hours=2))  # no-op
            await r.transaction.commit()
        async with matching_request() as r:
            ended = await r.matches.get_match(first_id)
            state = await r.swipes.pair_state(bo, ada)
            listed = await r.matches.active_matches(ada, 10)
        assert ended is not None
        assert ended.unmatched_at == T0 + timedelta(hours=1)
        assert ended.unmatched_by == bo
        assert not ended.active
        assert state.match_status is MatchStatus.ENDED
        assert listed == []

    async def test_active_matches_page_newest_first(self, matching_request: RequestFactory) -> None:
        async with matching_request() as r:
            me = await seed_member(r.writers)
            others = [await seed_member(r.writers) for _ in range(5)]
            stranger = await seed_member(r.writers)
            await r.transaction.commit()
        async with matching_request() as r:
            for index, other in enumerate(others):
                # Two share a time: the id breaks the tie.
                at = T0 + timedelta(minutes=min(index, 3))
                await r.swipes.create_match(uuid4(), MatchPair(me, other), at)
            await r.swipes.create_match(uuid4(), MatchPair(others[0], stranger), T0)
            await r.transaction.commit()
        async with matching_request() as r:
            everything = await r.matches.active_matches(me, 10)
            first = await r.matches.active_matches(me, 2)
            last = first[-1]
            rest = await r.matches.active_matches(me, 10, (last.created_at, last.id))
        assert len(everything) == 5
        keys = [(m.created_at, m.id) for m in everything]
        assert keys == sorted(keys, reverse=True)
        assert [m.id for m in [*first, *rest]] == [m.id for m in everything]
        assert all(me in m.pair for m in everything)


class ReceivedLikesContract(_MatchingContract):
    async def test_likes_received_are_those_still_unanswered(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            me = await seed_member(r.writers)
            fans = [await seed_member(r.writers) for _ in range(4)]
            await r.transaction.commit()
        async with matching_request() as r:
            for index, fan in enumerate(fans):
                decision = Decision.PASS if index == 3 else Decision.LIKE
                await r.swipes.record_swipe(fan, me, decision, T0 + timedelta(minutes=index))
            await r.swipes.record_swipe(me, fans[0], Decision.PASS, T0)  # answered
            await r.swipes.record_swipe(me, fans[3], Decision.LIKE, T0)  # not a like in
            await r.transaction.commit()
        async with matching_request() as r:
            waiting = await r.likes.likes_received(me, 10)
            page = await r.likes.likes_received(me, 1)
            rest = await r.likes.likes_received(me, 10, (page[0].liked_at, page[0].liker))
        assert [like.liker for like in waiting] == [fans[2], fans[1]]
        assert waiting[0].liked_at == T0 + timedelta(minutes=2)
        assert [like.liker for like in [*page, *rest]] == [fans[2], fans[1]]


class DailySetStoreContract(_MatchingContract):
    async def test_a_daily_set_is_stored_once_per_member_and_date(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            me, a, b, c = [await seed_member(r.writers) for _ in range(4)]
            await r.transaction.commit()
        day = date(2026, 3, 1)
        first = DailySet(me, day, (_entry(b, 0.9), _entry(a, 0.7)), T0)
        other_day = DailySet(me, day + timedelta(days=1), (), T0 + timedelta(days=1))
        theirs = DailySet(a, day, (_entry(b, 0.8),), T0)
        async with matching_request() as r:
            assert await r.daily_sets.save_daily_sets([first, theirs]) == {me, a}
            await r.transaction.commit()
        async with matching_request() as r:
            late = DailySet(me, day, (_entry(c, 0.99),), T0 + timedelta(hours=1))
            assert await r.daily_sets.save_daily_sets([late, other_day]) == {me}
            await r.transaction.commit()
        async with matching_request() as r:
            stored = await r.daily_sets.daily_set(me, day)
            empty = await r.daily_sets.daily_set(me, day + timedelta(days=1))
            missing = await r.daily_sets.daily_set(b, day)
            runs = await r.daily_sets.runs_on([day, day + timedelta(days=1), date(2030, 1, 1)])
            exposure = await r.daily_sets.recent_exposure(T0)
            later = await r.daily_sets.recent_exposure(T0 + timedelta(minutes=1))
            before = await r.daily_sets.recent_exposure(T0, T0 + timedelta(hours=1))
            bounded = await r.daily_sets.recent_exposure(T0 - timedelta(hours=1), T0)
            mine = await r.daily_sets.exposure_from([me], T0)
            mine_later = await r.daily_sets.exposure_from([me, c], T0 + timedelta(minutes=1))
            of_others = await r.daily_sets.exposure_from([a, b], T0)
            holders = await r.daily_sets.daily_set_holders(b, day)
            none_since = await r.daily_sets.daily_set_holders(b, day + timedelta(days=1))
        assert stored == first
        assert stored is not None
        assert stored.entries[0].components == ComponentScores(0.5, 0.25, 0.75, 1.0)
        assert stored.entries[0].reasons == ("3 shared interests", "about 5 km apart")
        assert empty == other_day
        assert missing is None
        assert runs == {(me, day), (a, day), (me, day + timedelta(days=1))}
        assert exposure == {b: 2, a: 1}
        assert later == {}
        assert before == {b: 2, a: 1}
        assert bounded == {}  # ``until`` is exclusive: made at T0, not before it
        assert mine == {b: 1, a: 1}
        assert mine_later == {}
        assert of_others == {b: 1}
        assert sorted(holders) == sorted([(me, day), (a, day)])
        assert list(none_since) == []
        assert math.isclose(stored.entries[1].total, 0.7)

    async def test_stored_entries_keep_every_character_and_digit(
        self, matching_request: RequestFactory
    ) -> None:
        # PostgreSQL streams entries with COPY: its text format's escapes must not leak.
        async with matching_request() as r:
            me, other = [await seed_member(r.writers) for _ in range(2)]
            await r.transaction.commit()
        awkward = (
            'tab\there, new\nline, back\\slash \\N, "quoted", zoë ☕',
            "\\.",
            "",
        )
        entry = DailySetEntry(
            candidate_id=other,
            total=0.1 + 0.2,
            components=ComponentScores(1 / 3, 2 / 3, 0.0, 1e-300),
            reasons=awkward,
        )
        daily = DailySet(me, date(2026, 3, 2), (entry,), T0)
        async with matching_request() as r:
            assert await r.daily_sets.save_daily_sets([daily]) == {me}
            await r.transaction.commit()
        async with matching_request() as r:
            stored = await r.daily_sets.daily_set(me, date(2026, 3, 2))
        assert stored is not None
        assert stored.entries == (entry,)


class DiscoverAllowanceContract(_MatchingContract):
    async def test_discover_allotments_count_the_allowance_per_member_and_day(
        self, matching_request: RequestFactory
    ) -> None:
        async with matching_request() as r:
            me, other, a, b, c, d = [await seed_member(r.writers) for _ in range(6)]
            await r.transaction.commit()
        day = date(2026, 3, 1)
        async with matching_request() as r:
            # Best first, while the allowance lasts; repeats count once.
            assert await r.allowance.allot_discover(me, day, [a, a, b, c, d], 3) == {a, b, c}
            assert await r.allowance.allot_discover(other, day, [d], 3) == {d}
            await r.transaction.commit()
        async with matching_request() as r:  # a later request (a restart) sees them
            assert await r.allowance.allot_discover(me, day, [d, a], 3) == {a, b, c}
            assert await r.allowance.allot_discover(me, day, [d], 4) == {a, b, c, d}
            # Not committed: handed out nothing.
        async with matching_request() as r:
            assert await r.allowance.allot_discover(me, day, [], 10) == {a, b, c}
            assert await r.allowance.allot_discover(me, day + timedelta(days=1), [d], 1) == {d}
            # Two days on, the first day's allotment is gone (nobody asks for it again).
            assert await r.allowance.allot_discover(me, day + timedelta(days=2), [], 5) == set()
            await r.transaction.commit()
        async with matching_request() as r:
            assert await r.allowance.allot_discover(me, day, [], 0) == set()
            assert await r.allowance.allot_discover(me, day + timedelta(days=1), [], 0) == {d}
            assert await r.allowance.allot_discover(other, day, [], 0) == {d}
