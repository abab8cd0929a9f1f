"""Ports of the matching capability: small, role-shaped, all on the request's connection.

A use case receives the few it uses (ADR 0019):

- ``CandidateReader``: members as matching sees them, their main photos, interest
  rarity and pair histories (the cross-capability read matching owns; the SQL adapter
  joins accounts', profiles' and assessments' tables behind it);
- ``BlockedMembers``: who is blocked (safety owns blocks; this is matching's read of them);
- ``SwipeWriter``: decisions on pairs (many at once), and the matches they make;
- ``MatchStore``: matches as their members list and end them;
- ``ReceivedLikes``: likes awaiting an answer;
- ``DailySetStore``: daily sets and the exposure they give;
- ``DiscoverAllowance``: discovery's daily allowance, counted in the database.

Writes that decide a race (a swipe, a match, a daily set, an allotment) run at once, not
staged, so their outcome is known inside the transaction.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.compatibility import (
    CandidateProfile,
    CompatibilityPolicy,
    ComponentScores,
    DocumentFrequencies,
    PairHistory,
)
from saltbitter.domain.matching import Decision, MatchPair, PairState
from saltbitter.domain.shared import UserId

__all__ = [
    "BlockedMembers",
    "CandidateReader",
    "DailySet",
    "DailySetEntry",
    "DailySetStore",
    "DecisionParties",
    "DiscoverAllowance",
    "LikeReceived",
    "MatchStore",
    "MemberRecord",
    "PageRead",
    "PairDecision",
    "PhotoRef",
    "ReceivedLikes",
    "StoredMatch",
    "SwipeWriter",
]


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member as matching sees them: the scoring profile plus what a card shows.

    Only members with a profile and an active or suspended account are members here
    (suspended ones carry ``profile.suspended``). ``profile.age`` is counted on the
    member's own local date; ``profile.attachment`` is set only while the member's
    current ``sensitive_data`` consent is granted.
    """

    profile: CandidateProfile
    display_name: str
    timezone: str
    bio: str
    interests: tuple[str, ...]
    """The interests in the member's own order (``profile.interests`` is a set)."""
    relationship_goal: str | None
    updated_at: datetime

    @property
    def user_id(self) -> UserId:
        return self.profile.user_id


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A member's main photo as stored (its storage key, unsigned) and its size."""

    key: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page of members as one viewer sees them now: the members found (the viewer
    among them when asked for), each one's main photo and their history with the viewer
    (pairs with nothing between them are absent from both mappings' keys)."""

    members: Sequence[MemberRecord]
    photos: Mapping[UserId, PhotoRef]
    histories: Mapping[UserId, PairHistory]


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A row of ``matches``: the pair, when it formed and whether it has ended."""

    id: UUID
    pair: MatchPair
    created_at: datetime
    unmatched_at: datetime | None = None
    unmatched_by: UserId | None = None

    @property
    def active(self) -> bool:
        return self.unmatched_at is None


@dataclass(frozen=True, slots=True)
class LikeReceived:
    """Someone liked the member and is still waiting for an answer."""

    liker: UserId
    liked_at: datetime


@dataclass(frozen=True, slots=True)
class DailySetEntry:
    """One candidate of a daily set with the score and reasons it was chosen with."""

    candidate_id: UserId
    total: float
    components: ComponentScores
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DailySet:
    """A member's daily set for one local date, best first (``daily_set_runs`` + entries)."""

    user_id: UserId
    local_date: date
    entries: tuple[DailySetEntry, ...]
    created_at: datetime

    @property
    def size(self) -> int:
        return len(self.entries)


class BlockedMembers(Protocol):
    """Matching's read port onto blocks, which another capability owns (safety).

    Every read that shows members to a caller filters through it (daily sets, cached
    ones included, discovery, likes received, matches, like and pass), so a block hides
    both members from each other everywhere at once. Until blocking arrives
    (docs/product-rules.md 7) no pair is blocked.
    """

    @abstractmethod
    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        """The targets that ``viewer_id`` blocked or was blocked by."""

    @abstractmethod
    async def blocked_pairs(self, members: Collection[UserId]) -> frozenset[frozenset[UserId]]:
        """Every blocked pair, either direction, with at least one member in ``members``.

        One batch read for the daily sweep, which excludes these pairs before allotting
        (so a blocked member never takes a slot another candidate could fill).
        """


class CandidateReader(Protocol):
    """Members as matching sees them (accounts, profiles, photos, assessments, consents)
    and the swipes and matches between them, for scoring and for cards."""

    @abstractmethod
    async def members(
        self, now: datetime, user_ids: Collection[UserId] | None = None
    ) -> Sequence[MemberRecord]:
        """Members (see ``MemberRecord``) among ``user_ids``, or all of them when None."""

    @abstractmethod
    async def available_timezones(self, now: datetime) -> Sequence[tuple[UserId, str]]:
        """(id, timezone) of every available member (``profile.available``): who may be
        due for a daily set, read without building member records (the sweep's plan)."""

    @abstractmethod
    async def nearby_members(
        self, viewer: CandidateProfile, now: datetime, policy: CompatibilityPolicy
    ) -> Sequence[MemberRecord]:
        """Available members who may pass the viewer's hard profile filters.

        A superset is allowed (callers still run ``check_eligibility``); leaving out
        anyone who would pass is not.
        """

    @abstractmethod
    async def main_photos(self, user_ids: Collection[UserId]) -> Mapping[UserId, PhotoRef]:
        """Each member's main photo: their approved photo with the lowest position
        (members without an approved photo are absent)."""

    @abstractmethod
    async def interest_frequencies(self) -> DocumentFrequencies:
        """How many profiles list each interest tag, over every profile."""

    @abstractmethod
    async def pair_histories(
        self, viewers: Collection[UserId], candidates: Collection[UserId] | None = None
    ) -> Sequence[tuple[UserId, UserId, PairHistory]]:
        """(viewer, other, history from the viewer's side) for every pair with a swipe
        or a match between a viewer and anyone (or anyone in ``candidates``)."""

    async def page(self, now: datetime, viewer: UserId, user_ids: Collection[UserId]) -> PageRead:
        """``members(now, user_ids)``, their ``main_photos`` and their ``pair_histories``
        with ``viewer``, as those say; an adapter may read them in one statement (the SQL
        one does: a discovery page's one round trip)."""
        members = await self.members(now, user_ids)
        ids = [member.user_id for member in members]
        photos = await self.main_photos(ids) if ids else {}
        others = [other for other in ids if other != viewer]
        histories = (
            {other: h for _, other, h in await self.pair_histories([viewer], others)}
            if others
            else {}
        )
        return PageRead(members, photos, histories)


@dataclass(frozen=True, slots=True)
class DecisionParties:
    """What a like or pass checks before it decides: both members as
    ``CandidateReader.members`` reads them (None: no such member) and whether either
    blocked the other."""

    actor: MemberRecord | None
    target: MemberRecord | None
    blocked: bool


@dataclass(frozen=True, slots=True)
class PairDecision:
    """One like or pass to record: ``actor`` decides ``decision`` on ``target``."""

    actor: UserId
    target: UserId
    decision: Decision


class SwipeWriter(Protocol):
    """Likes and passes (table ``swipes``) and the match a mutual like makes.

    Likes and passes arriving together are decided together (ADR 0051): the use case
    calls ``open_decisions`` once, then ``swipe`` once per round of distinct pairs (on
    PostgreSQL a statement each, whatever their number); ``lock_pair``, ``pair_state``
    and ``record_swipe`` are the same steps one at a time.
    """

    @abstractmethod
    async def open_decisions(
        self, pairs: Sequence[tuple[UserId, UserId]], now: datetime
    ) -> list[DecisionParties]:
        """``lock_pair`` for every (actor, target) pair, then, per pair in the order
        given, both members (``CandidateReader.members`` at ``now``) and whether a block
        stands between them, either way. The locks are taken in one fixed order, so two
        callers locking overlapping pairs never wait on each other in a cycle."""

    async def swipe(
        self, decisions: Sequence[PairDecision], at: datetime
    ) -> list[tuple[PairState, bool]]:
        """Per decision (their pairs distinct): the pair's state from before this call
        and whether the decision was inserted. It is inserted only when the actor has
        not decided on the target yet and the pair has no match, so a decision the rule
        refuses on that state leaves nothing behind; with the pairs locked the states
        are current. Here from the single steps (``pair_state``, then ``record_swipe``
        unless the pair matched); an adapter may do it in one statement."""
        results: list[tuple[PairState, bool]] = []
        for decision in decisions:
            state = await self.pair_state(decision.actor, decision.target)
            inserted = state.match_status is None and await self.record_swipe(
                decision.actor, decision.target, decision.decision, at
            )
            results.append((state, inserted))
        return results

    @abstractmethod
    async def lock_pair(self, pair: MatchPair) -> None:
        """Serialise swipe decisions on one pair until the transaction ends."""

    @abstractmethod
    async def pair_state(self, actor: UserId, target: UserId) -> PairState:
        """Both decisions on the pair and its match status, from the actor's side."""

    @abstractmethod
    async def record_swipe(
        self, actor: UserId, target: UserId, decision: Decision, at: datetime
    ) -> bool:
        """Insert the actor's decision; False (and no change) when one exists already."""

    @abstractmethod
    async def create_match(
        self, match_id: UUID, pair: MatchPair, at: datetime
    ) -> tuple[StoredMatch, bool]:
        """The pair's match, inserted unless it exists: (match, whether this call made it).

        The unique pair decides, so concurrent callers get the same match.
        """

    async def create_matches(
        self, wanted: Sequence[tuple[UUID, MatchPair]], at: datetime
    ) -> list[tuple[StoredMatch, bool]]:
        """``create_match`` for each (new id, pair) of distinct pairs, in order (one
        statement where the store can: a batch's matches, ADR 0051)."""
        return [await self.create_match(match_id, pair, at) for match_id, pair in wanted]


class MatchStore(Protocol):
    """Matches (table ``matches``) as their members list and end them."""

    @abstractmethod
    async def get_match(self, match_id: UUID) -> StoredMatch | None: ...

    @abstractmethod
    async def end_match(self, match_id: UUID, by: UserId, at: datetime) -> None:
        """Mark the match unmatched by ``by`` at ``at`` (no change once it has ended)."""

    @abstractmethod
    async def active_matches(
        self, user: UserId, limit: int, before: tuple[datetime, UUID] | None = None
    ) -> Sequence[StoredMatch]:
        """The member's active matches, newest first, strictly after the keyset
        ``before`` = (created_at, id) of the previous page's last item."""


class ReceivedLikes(Protocol):
    """Likes on a member that still await their answer (table ``swipes``)."""

    @abstractmethod
    async def likes_received(
        self, user: UserId, limit: int, before: tuple[datetime, UserId] | None = None
    ) -> Sequence[LikeReceived]:
        """Likes on the member that they have not answered (nor matched), newest first."""


class DailySetStore(Protocol):
    """Daily sets (tables ``daily_set_runs``, ``daily_set_entries``)."""

    @abstractmethod
    async def daily_set(self, user: UserId, local_date: date) -> DailySet | None: ...

    @abstractmethod
    async def runs_on(self, local_dates: Collection[date]) -> set[tuple[UserId, date]]:
        """(member, local date) of every daily set already made for one of the dates."""

    @abstractmethod
    async def save_daily_sets(self, sets: Sequence[DailySet]) -> set[UserId]:
        """Store each set unless its (member, local date) has one: returns who got theirs.

        The primary key on (member, local date) decides, so reruns and concurrent runs
        never make a second set.
        """

    @abstractmethod
    async def recent_exposure(
        self, since: datetime, until: datetime | None = None
    ) -> dict[UserId, int]:
        """In how many daily sets made since ``since`` (and before ``until``, when given)
        each member appears."""

    @abstractmethod
    async def exposure_from(
        self, viewers: Collection[UserId], since: datetime
    ) -> dict[UserId, int]:
        """In how many of ``viewers``' daily sets made since ``since`` each member appears
        (a shard's own placements so far, ADR 0034)."""

    @abstractmethod
    async def daily_set_holders(
        self, candidate: UserId, since: date
    ) -> Sequence[tuple[UserId, date]]:
        """(member, local date) of sets from ``since`` on that include ``candidate``."""


class DiscoverAllowance(Protocol):
    """Who discovery has handed each member per local day (table ``discover_allotments``)."""

    @abstractmethod
    async def allot_discover(
        self, user: UserId, local_date: date, offered: Sequence[UserId], allowance: int
    ) -> set[UserId]:
        """Everyone discovery has handed ``user`` on ``local_date``, after handing out
        more of ``offered`` (best first, skipping those already handed out) while fewer
        than ``allowance`` are.

        Atomic per member: concurrent calls never hand out more than ``allowance`` in
        total, and what is handed out stays until the day is over (it survives restarts).
        Allotments of days before the day before ``local_date`` are dropped.
        """
