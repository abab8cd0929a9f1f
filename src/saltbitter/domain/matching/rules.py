"""Like, pass, match and unmatch as pure rules (docs/product-rules.md 6).

- Nobody can like or pass themselves, and nobody acts twice on the same person: a
  decision is final, so a pass cannot be turned into a like later and a like cannot be
  repeated to re-trigger a match.
- A like on someone who already liked you makes a match. ``MatchPair`` is the unordered
  pair with the smaller id first, so "A and B" and "B and A" are the same key and a store
  can hold each match exactly once (a unique key on the pair makes concurrent mutual
  likes create one match, not two).
- Either member can unmatch, once. The likes stay recorded, so the pair is never
  suggested again and can never re-match.
- Blocks hide both ways: nobody can act on someone in a block.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.compatibility import PairHistory
from saltbitter.domain.errors import Conflict, DomainRuleViolated, PermissionDenied
from saltbitter.domain.shared import UserId

__all__ = [
    "Decision",
    "Match",
    "MatchPair",
    "MatchStatus",
    "PairState",
    "SwipeOutcome",
    "decide",
    "refuse_self",
]


class Decision(StrEnum):
    LIKE = "like"
    PASS = "pass"


class MatchStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True, order=True)
class MatchPair:
    """Two distinct members as an unordered pair, stored with the smaller id first."""

    first: UserId
    second: UserId

    def __post_init__(self) -> None:
        if self.first == self.second:
            raise DomainRuleViolated("A member cannot match themselves.", code="match_with_self")
        if self.second < self.first:
            first, second = self.second, self.first
            object.__setattr__(self, "first", first)
            object.__setattr__(self, "second", second)

    def __contains__(self, member: object) -> bool:
        return member in (self.first, self.second)

    def other(self, member: UserId) -> UserId:
        """The other member of the pair; PermissionDenied for someone outside it."""
        if member == self.first:
            return self.second
        if member == self.second:
            return self.first
        raise PermissionDenied(
            "Only the two members of a match can act on it.", code="not_in_match"
        )


@dataclass(frozen=True, slots=True)
class PairState:
    """What already happened between an actor and a target, from the actor's side."""

    actor_decision: Decision | None = None
    target_decision: Decision | None = None
    match_status: MatchStatus | None = None
    """None when the two never matched."""
    blocked: bool = False
    """Either member blocked the other."""

    def history(self) -> PairHistory:
        """The same facts as the hard filters read them (``check_eligibility``)."""
        return PairHistory(
            blocked=self.blocked,
            matched=self.match_status is not None,
            viewer_liked=self.actor_decision is Decision.LIKE,
            viewer_passed=self.actor_decision is Decision.PASS,
            candidate_liked=self.target_decision is Decision.LIKE,
            candidate_passed=self.target_decision is Decision.PASS,
        )


@dataclass(frozen=True, slots=True)
class SwipeOutcome:
    """The decision to record and, for a mutual like, the match it creates."""

    actor: UserId
    target: UserId
    decision: Decision
    match: MatchPair | None = None

    @property
    def is_match(self) -> bool:
        return self.match is not None


def refuse_self(actor: UserId, target: UserId) -> None:
    """Nobody likes or passes themselves (DomainRuleViolated); checked before any lookup."""
    if actor == target:
        raise DomainRuleViolated("You cannot like or pass yourself.", code="decide_on_self")


def decide(actor: UserId, target: UserId, decision: Decision, state: PairState) -> SwipeOutcome:
    """Apply a like or a pass; a like answering a like makes a match.

    Raises DomainRuleViolated for yourself, PermissionDenied across a block, and Conflict
    for a second decision on the same person or a pair that already matched.
    """
    refuse_self(actor, target)
    if state.blocked:
        raise PermissionDenied("This member is not available.", code="blocked")
    if state.actor_decision is not None:
        raise Conflict("You already decided on this member.", code="already_decided")
    if state.match_status is not None:
        raise Conflict("You are already matched with this member.", code="already_matched")
    mutual = decision is Decision.LIKE and state.target_decision is Decision.LIKE
    return SwipeOutcome(
        actor=actor,
        target=target,
        decision=decision,
        match=MatchPair(actor, target) if mutual else None,
    )


@dataclass(frozen=True, slots=True)
class Match:
    """A match between two members, active until either of them unmatches."""

    pair: MatchPair
    status: MatchStatus = MatchStatus.ACTIVE
    ended_by: UserId | None = None

    @property
    def is_active(self) -> bool:
        return self.status is MatchStatus.ACTIVE

    def unmatch(self, by: UserId) -> Match:
        """End the match. Only its members may, and only once (Conflict after that)."""
        self.pair.other(by)  # PermissionDenied for anyone outside the pair
        if not self.is_active:
            raise Conflict("This match has already ended.", code="already_unmatched")
        return Match(pair=self.pair, status=MatchStatus.ENDED, ended_by=by)
