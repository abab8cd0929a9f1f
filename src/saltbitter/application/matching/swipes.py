"""Like and pass: one decision per member and person; a like answering a like matches.

The race between two members liking each other at the same moment is settled by the
database, not by reading first: the pair is locked for the transaction, the swipe's
primary key refuses a second decision, and the match's unique pair makes creating it
idempotent (``INSERT ... ON CONFLICT DO NOTHING``, then read), so whichever like comes
second makes exactly one match and neither fails.

Two round trips do the common case on PostgreSQL (ADR 0042): the lock with both members
and the blocks between them, then the pair's state with the insert; a refusal on that
state rolls the insert back with the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from saltbitter.application.matching.caching import forget_members
from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.views import SwipeResult
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.matching import SwipeWriter
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import check_eligibility
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied
from saltbitter.domain.matching import Decision, decide, refuse_self
from saltbitter.domain.shared import UserId

__all__ = ["LikeMember", "PassMember"]


@dataclass(frozen=True, slots=True)
class _Decide:
    """The one implementation behind ``LikeMember`` and ``PassMember``."""

    decision: ClassVar[Decision]

    transaction: Transaction
    swipes: SwipeWriter
    outbox: Outbox
    clock: Clock
    ids: IdGenerator
    cache: Cache
    policy: MatchingPolicy

    async def __call__(self, principal: Principal, target: UserId) -> SwipeResult:
        actor, swipes = principal.user_id, self.swipes
        refuse_self(actor, target)
        now = self.clock.now()
        match_id: UUID | None = None
        async with self.transaction:
            # The pair is locked from here on: the state read below is the state the
            # decision acts on.
            parties = await swipes.open_decision(actor, target, now)
            me, them = parties.actor, parties.target
            if me is None:
                raise PermissionDenied(
                    "Create your profile before you like or pass anyone.", code="profile_required"
                )
            if me.profile.paused:
                raise PermissionDenied(
                    "Your profile is paused: make it visible to like or pass.",
                    code="profile_paused",
                )
            # Anyone the hard filters hide from the caller is "not found": unknown, without
            # a profile, paused, suspended, blocked, or outside either member's preferences.
            if (
                them is None
                or parties.blocked
                or not check_eligibility(me.profile, them.profile, policy=self.policy.compatibility)
            ):
                raise NotFound("This member is not available to you.", code="member_not_found")
            # The state from before the insert: the rule refuses a second decision or an
            # existing match, and the refusal rolls the insert back.
            state, recorded = await swipes.swipe(actor, target, self.decision, now)
            outcome = decide(actor, target, self.decision, state)
            if not recorded:
                # Unreachable while the lock holds; the primary key stays the last word.
                raise Conflict("You already decided on this member.", code="already_decided")
            if outcome.match is not None:
                match, created = await swipes.create_match(self.ids.new_id(), outcome.match, now)
                match_id = match.id
                if created:
                    self.outbox.add(
                        MatchCreated(
                            match_id=match.id,
                            user_a=match.pair.first,
                            user_b=match.pair.second,
                        )
                    )
            await self.transaction.commit()
        # Both members' lists and daily sets now read differently (hidden, matched).
        await forget_members(self.cache, (actor, target))
        return SwipeResult(decision=self.decision, matched=match_id is not None, match_id=match_id)


@dataclass(frozen=True, slots=True)
class LikeMember(_Decide):
    """Like a member shown to you; if they already liked you, that makes a match.

    422 ``decide_on_self``; 404 ``member_not_found`` for anyone hidden from the caller;
    409 ``already_decided`` for a second decision on the same person; 403
    ``profile_required`` / ``profile_paused`` when the caller cannot take part.
    """

    decision: ClassVar[Decision] = Decision.LIKE


@dataclass(frozen=True, slots=True)
class PassMember(_Decide):
    """Pass on a member: final, so they are never suggested to each other again.

    The member passed on is not told; they simply stop seeing the caller. Same errors
    as ``LikeMember``.
    """

    decision: ClassVar[Decision] = Decision.PASS
