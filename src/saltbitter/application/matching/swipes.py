"""Like and pass: one decision per member and person; a like answering a like matches.

The race between two members liking each other at the same moment is settled by the
database, not by reading first: the pair is locked for the transaction, the swipe's
primary key refuses a second decision, and the match's unique pair makes creating it
idempotent (``INSERT ... ON CONFLICT DO NOTHING``, then read), so whichever like comes
second makes exactly one match and neither fails.

Decisions arriving together are decided together (ADR 0051): ``DecideSwipes`` takes a
batch, locks all its pairs and reads all its members in one round trip, then reads every
pair's state and inserts every decision the rule allows in another (ADR 0042's two
statements, for any number of likes), and commits once. Each decision still gets its
own answer: a refusal is that decision's error and leaves nothing behind, because the
insert skips a pair the rule refuses (the actor decided already, or the pair matched).
``LikeMember`` and ``PassMember`` are the same for a batch of one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import ClassVar, TypeVar, cast
from uuid import UUID

from saltbitter.application.matching.caching import forget_members
from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.views import SwipeResult
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.matching import DecisionParties, PairDecision, SwipeWriter
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import check_eligibility
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied, SaltbitterError
from saltbitter.domain.matching import (
    Decision,
    MatchPair,
    PairState,
    SwipeOutcome,
    decide,
    refuse_self,
)
from saltbitter.domain.shared import UserId

__all__ = ["DecideSwipes", "LikeMember", "PassMember"]

_Checked = TypeVar("_Checked")


@dataclass(frozen=True, slots=True)
class _Deciding:
    """What deciding needs; ``_decide_all`` is the one implementation of likes and passes."""

    transaction: Transaction
    swipes: SwipeWriter
    outbox: Outbox
    clock: Clock
    ids: IdGenerator
    cache: Cache
    policy: MatchingPolicy

    async def _decide_all(
        self, calls: Sequence[PairDecision]
    ) -> list[SwipeResult | SaltbitterError]:
        answers: list[SwipeResult | SaltbitterError | None] = [None] * len(calls)
        opened = _passing(
            range(len(calls)), answers, lambda i: refuse_self(calls[i].actor, calls[i].target)
        )
        changed: list[UserId] = []
        if opened:
            now = self.clock.now()
            async with self.transaction:
                # The pairs are locked from here on: the states read below are the
                # states the decisions act on.
                parties = await self.swipes.open_decisions(
                    [(calls[i].actor, calls[i].target) for i in opened], now
                )
                found = dict(zip(opened, parties, strict=True))
                eligible = _passing(opened, answers, lambda i: self._check_parties(found[i]))
                for round_ in _rounds(calls, eligible):
                    recorded = await self.swipes.swipe([calls[i] for i in round_], now)
                    states = dict(zip(round_, recorded, strict=True))
                    outcomes = _passing(round_, answers, partial(_outcome, calls, states))
                    await self._record(calls, outcomes, answers, now)
                    changed += [m for i in outcomes for m in (calls[i].actor, calls[i].target)]
                if changed:  # else nothing was written: the rollback is the default
                    await self.transaction.commit()
        if changed:
            # Both members' lists and daily sets now read differently (hidden, matched).
            await forget_members(self.cache, changed)
        return cast("list[SwipeResult | SaltbitterError]", answers)  # every call answered

    def _check_parties(self, parties: DecisionParties) -> None:
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

    async def _record(
        self,
        calls: Sequence[PairDecision],
        outcomes: dict[int, SwipeOutcome],
        answers: list[SwipeResult | SaltbitterError | None],
        now: datetime,
    ) -> None:
        """Answer a round's recorded decisions; its matches are made at once (distinct
        pairs: a round holds each pair once)."""
        wanted = [(i, o.match) for i, o in outcomes.items() if o.match is not None]
        made = await self.swipes.create_matches(
            [(self.ids.new_id(), pair) for _, pair in wanted], now
        )
        matched = {index: match for (index, _), match in zip(wanted, made, strict=True)}
        for index in outcomes:
            match_id: UUID | None = None
            if index in matched:
                match, created = matched[index]
                match_id = match.id
                if created:
                    self.outbox.add(
                        MatchCreated(
                            match_id=match.id, user_a=match.pair.first, user_b=match.pair.second
                        )
                    )
            answers[index] = SwipeResult(
                decision=calls[index].decision, matched=match_id is not None, match_id=match_id
            )


def _outcome(
    calls: Sequence[PairDecision], states: Mapping[int, tuple[PairState, bool]], index: int
) -> SwipeOutcome:
    """The rule on the state from before the insert; a refusal had nothing inserted."""
    call, (state, inserted) = calls[index], states[index]
    outcome = decide(call.actor, call.target, call.decision, state)
    if not inserted:
        # Unreachable while the lock holds; the primary key stays the last word.
        raise Conflict("You already decided on this member.", code="already_decided")
    return outcome


def _passing(
    indices: Iterable[int],
    answers: list[SwipeResult | SaltbitterError | None],
    check: Callable[[int], _Checked],
) -> dict[int, _Checked]:
    """The indices ``check`` lets through, with what it answered, in order; a refusal
    becomes that call's answer."""
    passed: dict[int, _Checked] = {}
    for index in indices:
        try:
            passed[index] = check(index)
        except SaltbitterError as refused:
            answers[index] = refused
    return passed


def _rounds(calls: Sequence[PairDecision], chosen: Iterable[int]) -> list[list[int]]:
    """``chosen`` split into rounds of distinct pairs, in order: a second decision on a
    pair (a double tap, or the other member's crossing like) reads the first's insert."""
    rounds: list[list[int]] = []
    seen: list[set[MatchPair]] = []
    for index in chosen:
        pair = MatchPair(calls[index].actor, calls[index].target)
        level = next((n for n, pairs in enumerate(seen) if pair not in pairs), len(seen))
        if level == len(seen):
            rounds.append([])
            seen.append(set())
        rounds[level].append(index)
        seen[level].add(pair)
    return rounds


@dataclass(frozen=True, slots=True)
class DecideSwipes(_Deciding):
    """Decide likes and passes that arrived together, in one transaction.

    Answers, in order, each decision's ``SwipeResult`` or the error ``LikeMember`` would
    raise for it; one decision's refusal changes nothing for the others.
    """

    async def __call__(self, calls: Sequence[PairDecision]) -> list[SwipeResult | SaltbitterError]:
        return await self._decide_all(calls)


@dataclass(frozen=True, slots=True)
class _Decide(_Deciding):
    """A single like or pass: a batch of one."""

    decision: ClassVar[Decision]

    async def __call__(self, principal: Principal, target: UserId) -> SwipeResult:
        (answer,) = await self._decide_all([PairDecision(principal.user_id, target, self.decision)])
        if isinstance(answer, SaltbitterError):
            raise answer
        return answer


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
