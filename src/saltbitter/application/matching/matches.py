"""Mutual matches, unmatching, and the likes a member has received."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.matching.caching import forget_members
from saltbitter.application.matching.cards import card_data, signed
from saltbitter.application.matching.cursors import decode_time_cursor, encode_cursor
from saltbitter.application.matching.events import Unmatched
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.views import (
    LikeReceivedView,
    LikesReceivedPage,
    MatchesPage,
    MatchView,
)
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    MatchStore,
    ReceivedLikes,
)
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound, PermissionDenied
from saltbitter.domain.matching import Match, MatchStatus
from saltbitter.domain.shared import UserId
from saltbitter.domain.subscriptions import entitlements_for

__all__ = ["ListLikesReceived", "ListMatches", "Unmatch"]


@dataclass(frozen=True, slots=True)
class ListMatches:
    """The caller's active matches, newest first, 20 a page.

    A match stays listed while the other member is paused (pausing hides a member from
    new people, not from their matches); suspended or blocked members drop out.
    """

    matches: MatchStore
    candidates: CandidateReader
    blocked: BlockedMembers
    clock: Clock
    policy: MatchingPolicy
    store: PhotoStore

    async def __call__(self, principal: Principal, cursor: str | None = None) -> MatchesPage:
        me = principal.user_id
        before = None if cursor is None else decode_time_cursor(cursor)
        size = self.policy.page_size
        now = self.clock.now()
        rows = await self.matches.active_matches(me, size + 1, before)
        page = list(rows[:size])
        others = [match.pair.other(me) for match in page]
        blocked = await self.blocked.blocked_between(me, others) if others else frozenset()
        found = {m.user_id: m for m in await self.candidates.members(now, [me, *others])}
        shown = [
            found[other]
            for other in others
            if other in found and not found[other].profile.suspended and other not in blocked
        ]
        cards = await card_data(self.candidates, found.get(me), shown)
        items = [
            MatchView(
                match_id=match.id,
                member=await signed(self.store, cards[other]),
                matched_at=match.created_at,
            )
            for match, other in zip(page, others, strict=True)
            if other in cards
        ]
        last = page[-1] if page else None
        more = len(rows) > size and last is not None
        return MatchesPage(
            items=items,
            next_cursor=encode_cursor(last.created_at, last.id) if more and last else None,
        )


@dataclass(frozen=True, slots=True)
class Unmatch:
    """End one of the caller's matches. Someone else's match, or an unknown id, is 404.

    Both members stop seeing each other as a match; the likes stay recorded, so the two
    are never suggested to each other again.
    """

    transaction: Transaction
    matches: MatchStore
    outbox: Outbox
    clock: Clock
    cache: Cache

    async def __call__(self, principal: Principal, match_id: UUID) -> None:
        me = principal.user_id
        async with self.transaction:
            stored = await self.matches.get_match(match_id)
            if stored is None or me not in stored.pair:
                raise NotFound("No such match.", code="match_not_found")
            status = MatchStatus.ACTIVE if stored.active else MatchStatus.ENDED
            Match(stored.pair, status).unmatch(me)  # Conflict once it has ended
            now = self.clock.now()
            await self.matches.end_match(match_id, me, now)
            self.outbox.add(
                Unmatched(
                    match_id=match_id,
                    user_a=stored.pair.first,
                    user_b=stored.pair.second,
                    by=me,
                )
            )
            await self.transaction.commit()
        await forget_members(self.cache, (stored.pair.first, stored.pair.second))


@dataclass(frozen=True, slots=True)
class ListLikesReceived:
    """Who liked the caller and awaits an answer, newest first: Premium and Elite only.

    The tier's entitlement (``see_who_liked_you``) decides; Free gets 403
    ``upgrade_required``. Likers who are no longer shown (paused, suspended, blocked)
    are left out.
    """

    likes: ReceivedLikes
    candidates: CandidateReader
    blocked: BlockedMembers
    clock: Clock
    policy: MatchingPolicy
    store: PhotoStore

    async def __call__(self, principal: Principal, cursor: str | None = None) -> LikesReceivedPage:
        if not entitlements_for(principal.tier).see_who_liked_you:
            raise PermissionDenied(
                "Seeing who liked you comes with Premium and Elite.", code="upgrade_required"
            )
        me = principal.user_id
        before = None
        if cursor is not None:
            at, liker = decode_time_cursor(cursor)
            before = (at, UserId(liker))
        size = self.policy.page_size
        now = self.clock.now()
        rows = await self.likes.likes_received(me, size + 1, before)
        page = list(rows[:size])
        likers = [like.liker for like in page]
        blocked = await self.blocked.blocked_between(me, likers) if likers else frozenset()
        found = {m.user_id: m for m in await self.candidates.members(now, [me, *likers])}
        shown = [
            found[liker]
            for liker in likers
            if liker in found and found[liker].profile.available and liker not in blocked
        ]
        cards = await card_data(self.candidates, found.get(me), shown)
        items = [
            LikeReceivedView(
                member=await signed(self.store, cards[like.liker]), liked_at=like.liked_at
            )
            for like in page
            if like.liker in cards
        ]
        final = page[-1] if page else None
        more = len(rows) > size and final is not None
        return LikesReceivedPage(
            items=items,
            next_cursor=encode_cursor(final.liked_at, final.liker) if more and final else None,
        )
