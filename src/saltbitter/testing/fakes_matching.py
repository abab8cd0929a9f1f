"""In-memory fakes of matching's ports, one class per port, on the request's connection.

Candidate reads look at the same in-memory database's users, profiles, photos,
assessments and consent ledger, through the same ``member_record`` rule as the SQL
adapter, so both pass ``saltbitter.testing.contracts.matching``. Blocks are a port of
their own (``saltbitter.testing.fakes_blocked_members``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID

from saltbitter.application.matching.members import member_record
from saltbitter.application.ports.matching import (
    CandidateReader,
    DailySet,
    DailySetStore,
    DecisionParties,
    DiscoverAllowance,
    LikeReceived,
    MatchStore,
    MemberRecord,
    PhotoRef,
    ReceivedLikes,
    StoredMatch,
    SwipeWriter,
)
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.compatibility import (
    CandidateProfile,
    CompatibilityPolicy,
    DocumentFrequencies,
    PairHistory,
    SchwartzValue,
)
from saltbitter.domain.matching import Decision, MatchPair, MatchStatus, PairState
from saltbitter.domain.profiles import ModerationStatus
from saltbitter.domain.shared import DELETED_MEMBER, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.fakes_blocked_members import InMemoryBlockedMembers
from saltbitter.testing.fakes_profiles import ProfilesState
from saltbitter.testing.matching_state import MatchingState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryCandidateReader",
    "InMemoryDailySetStore",
    "InMemoryDiscoverAllowance",
    "InMemoryMatchStore",
    "InMemoryReceivedLikes",
    "InMemorySwipeWriter",
    "MatchingState",
]


class _OnMatching(InMemoryRepository):
    @property
    def _state(self) -> MatchingState:
        return self._connection.state(MatchingState)


class InMemoryCandidateReader(_OnMatching, CandidateReader):
    """Reads accounts, profiles and assessments from the same database."""

    def _member(self, user_id: UserId, now: datetime) -> MemberRecord | None:
        accounts = self._connection.state(AccountsState)
        user = accounts.users.get(user_id)
        profile = self._connection.state(ProfilesState).profiles.get(user_id)
        if user is None or profile is None:
            return None
        records = self._connection.state(AssessmentsState).records
        mine = [r for r in records if r.user_id == user_id]
        latest = max(mine, key=lambda record: (record.taken_at, record.id), default=None)
        consents = [
            c
            for c in accounts.consents
            if c.user_id == user_id and c.purpose is ConsentPurpose.SENSITIVE_DATA
        ]
        # The ledger is append-only: the newest record wins, later appends on ties.
        consent = max(
            enumerate(consents), key=lambda item: (item[1].recorded_at, item[0]), default=None
        )
        values = None
        if profile.values is not None:
            names = (value.value for value in SchwartzValue)
            values = dict(zip(names, profile.values.as_tuple(), strict=True))
        return member_record(
            user_id=user_id,
            status=user.status.value,
            tier=user.tier.value,
            display_name=user.display_name,
            birthdate=user.birthdate,
            timezone=user.timezone,
            gender=profile.gender.value,
            genders_sought=[gender.value for gender in profile.genders_sought],
            age_min=profile.age_min,
            age_max=profile.age_max,
            bio=profile.bio,
            interests=profile.interests,
            relationship_goal=(
                None if profile.relationship_goal is None else profile.relationship_goal.value
            ),
            values=values,
            latitude=profile.location.lat,
            longitude=profile.location.lon,
            max_distance_km=profile.max_distance_km,
            paused=profile.paused,
            updated_at=profile.updated_at,
            attachment=None if latest is None else (latest.anxiety, latest.avoidance),
            sensitive_data_consent=consent is not None and consent[1].granted,
            now=now,
        )

    async def members(
        self, now: datetime, user_ids: Collection[UserId] | None = None
    ) -> Sequence[MemberRecord]:
        wanted = (
            list(self._connection.state(ProfilesState).profiles)
            if user_ids is None
            else list(dict.fromkeys(user_ids))
        )
        found = (self._member(user_id, now) for user_id in wanted)
        return [member for member in found if member is not None]

    async def available_timezones(self, now: datetime) -> Sequence[tuple[UserId, str]]:
        return [
            (member.user_id, member.timezone)
            for member in await self.members(now)
            if member.profile.available
        ]

    async def nearby_members(
        self,
        viewer: CandidateProfile,
        now: datetime,
        policy: CompatibilityPolicy,  # noqa: ARG002 - the SQL adapter narrows with it
    ) -> Sequence[MemberRecord]:
        # A superset is allowed: every available member but the viewer.
        return [
            member
            for member in await self.members(now)
            if member.profile.available and member.user_id != viewer.user_id
        ]

    async def main_photos(self, user_ids: Collection[UserId]) -> Mapping[UserId, PhotoRef]:
        photos = self._connection.state(ProfilesState).photos
        wanted = set(user_ids)
        found: dict[UserId, PhotoRef] = {}
        approved = (
            photo
            for photo in photos.values()
            if photo.user_id in wanted and photo.moderation is ModerationStatus.APPROVED
        )
        for photo in sorted(approved, key=lambda photo: photo.position):
            found.setdefault(photo.user_id, PhotoRef(photo.storage_key, photo.width, photo.height))
        return found

    async def interest_frequencies(self) -> DocumentFrequencies:
        return DocumentFrequencies.from_interest_sets(
            profile.interests for profile in self._connection.state(ProfilesState).profiles.values()
        )

    async def pair_histories(
        self, viewers: Collection[UserId], candidates: Collection[UserId] | None = None
    ) -> Sequence[tuple[UserId, UserId, PairHistory]]:
        wanted = set(viewers)
        others = None if candidates is None else set(candidates)
        facts: dict[tuple[UserId, UserId], dict[str, bool]] = {}

        def note(viewer: UserId, other: UserId, fact: str) -> None:
            if viewer in wanted and (others is None or other in others):
                facts.setdefault((viewer, other), {})[fact] = True

        for (actor, target), (decision, _) in self._state.swipes.items():
            liked = decision is Decision.LIKE
            note(actor, target, "viewer_liked" if liked else "viewer_passed")
            note(target, actor, "candidate_liked" if liked else "candidate_passed")
        for match in self._state.matches.values():
            if DELETED_MEMBER in match.pair:  # kept only for its history (ADR 0035)
                continue
            note(match.pair.first, match.pair.second, "matched")
            note(match.pair.second, match.pair.first, "matched")
        return [(viewer, other, PairHistory(**flags)) for (viewer, other), flags in facts.items()]


class InMemorySwipeWriter(_OnMatching, SwipeWriter):
    async def open_decisions(
        self, pairs: Sequence[tuple[UserId, UserId]], now: datetime
    ) -> list[DecisionParties]:
        people = {member for pair in pairs for member in pair}
        found = await InMemoryCandidateReader(self._connection).members(now, people)
        by_id = {member.user_id: member for member in found}
        blocks = InMemoryBlockedMembers(self._connection)
        return [
            DecisionParties(
                by_id.get(actor),
                by_id.get(target),
                target in await blocks.blocked_between(actor, [target]),
            )
            for actor, target in pairs
        ]

    async def lock_pair(self, pair: MatchPair) -> None:
        """Nothing to do: an in-memory transaction publishes a whole snapshot at commit."""

    async def record_swipe(
        self, actor: UserId, target: UserId, decision: Decision, at: datetime
    ) -> bool:
        if (actor, target) in self._state.swipes:
            return False
        self._state.swipes[(actor, target)] = (decision, at)
        return True

    async def pair_state(self, actor: UserId, target: UserId) -> PairState:
        mine = self._state.swipes.get((actor, target))
        theirs = self._state.swipes.get((target, actor))
        pair = MatchPair(actor, target)
        match = next((m for m in self._state.matches.values() if m.pair == pair), None)
        status = None
        if match is not None:
            status = MatchStatus.ACTIVE if match.active else MatchStatus.ENDED
        return PairState(
            actor_decision=None if mine is None else mine[0],
            target_decision=None if theirs is None else theirs[0],
            match_status=status,
        )

    async def create_match(
        self, match_id: UUID, pair: MatchPair, at: datetime
    ) -> tuple[StoredMatch, bool]:
        existing = next((m for m in self._state.matches.values() if m.pair == pair), None)
        if existing is not None:
            return existing, False
        match = StoredMatch(id=match_id, pair=pair, created_at=at)
        self._state.matches[match_id] = match
        return match, True


class InMemoryMatchStore(_OnMatching, MatchStore):
    async def get_match(self, match_id: UUID) -> StoredMatch | None:
        return self._state.matches.get(match_id)

    async def end_match(self, match_id: UUID, by: UserId, at: datetime) -> None:
        match = self._state.matches.get(match_id)
        if match is not None and match.active:
            self._state.matches[match_id] = replace(match, unmatched_at=at, unmatched_by=by)

    async def active_matches(
        self, user: UserId, limit: int, before: tuple[datetime, UUID] | None = None
    ) -> Sequence[StoredMatch]:
        mine = [
            m
            for m in self._state.matches.values()
            if user in m.pair and m.active and DELETED_MEMBER not in m.pair
        ]
        if before is not None:
            mine = [m for m in mine if (m.created_at, m.id) < before]
        mine.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return mine[:limit]


class InMemoryReceivedLikes(_OnMatching, ReceivedLikes):
    async def likes_received(
        self, user: UserId, limit: int, before: tuple[datetime, UserId] | None = None
    ) -> Sequence[LikeReceived]:
        swipes = self._state.swipes
        waiting = [
            LikeReceived(liker=actor, liked_at=at)
            for (actor, target), (decision, at) in swipes.items()
            if target == user and decision is Decision.LIKE and (user, actor) not in swipes
        ]
        if before is not None:
            waiting = [like for like in waiting if (like.liked_at, like.liker) < before]
        waiting.sort(key=lambda like: (like.liked_at, like.liker), reverse=True)
        return waiting[:limit]


class InMemoryDailySetStore(_OnMatching, DailySetStore):
    async def daily_set(self, user: UserId, local_date: date) -> DailySet | None:
        return self._state.daily_sets.get((user, local_date))

    async def runs_on(self, local_dates: Collection[date]) -> set[tuple[UserId, date]]:
        dates = set(local_dates)
        return {key for key in self._state.daily_sets if key[1] in dates}

    async def save_daily_sets(self, sets: Sequence[DailySet]) -> set[UserId]:
        saved: set[UserId] = set()
        for daily in sets:
            key = (daily.user_id, daily.local_date)
            if key not in self._state.daily_sets:
                self._state.daily_sets[key] = daily
                saved.add(daily.user_id)
        return saved

    async def recent_exposure(
        self, since: datetime, until: datetime | None = None
    ) -> dict[UserId, int]:
        return self._exposure(
            lambda daily: since <= daily.created_at and (until is None or daily.created_at < until)
        )

    async def exposure_from(
        self, viewers: Collection[UserId], since: datetime
    ) -> dict[UserId, int]:
        wanted = set(viewers)
        return self._exposure(lambda daily: daily.user_id in wanted and daily.created_at >= since)

    def _exposure(self, counted: Callable[[DailySet], bool]) -> dict[UserId, int]:
        exposure: dict[UserId, int] = {}
        for daily in self._state.daily_sets.values():
            if counted(daily):
                for entry in daily.entries:
                    exposure[entry.candidate_id] = exposure.get(entry.candidate_id, 0) + 1
        return exposure

    async def daily_set_holders(
        self, candidate: UserId, since: date
    ) -> Sequence[tuple[UserId, date]]:
        return [
            key
            for key, daily in self._state.daily_sets.items()
            if key[1] >= since and any(e.candidate_id == candidate for e in daily.entries)
        ]


class InMemoryDiscoverAllowance(_OnMatching, DiscoverAllowance):
    async def allot_discover(
        self, user: UserId, local_date: date, offered: Sequence[UserId], allowance: int
    ) -> set[UserId]:
        allotments = self._state.discover_allotments
        oldest = local_date - timedelta(days=1)
        for key in [key for key in allotments if key[0] == user and key[1] < oldest]:
            del allotments[key]
        allotted = allotments.setdefault((user, local_date), [])
        for candidate in offered:
            if len(allotted) >= allowance:
                break
            if candidate not in allotted:
                allotted.append(candidate)
        return set(allotted)
