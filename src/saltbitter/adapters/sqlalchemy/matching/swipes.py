"""Swipes and matches on SQL: one decision per pair, one match per pair, likes waiting.

Writes that decide a race run at once with ``INSERT ... ON CONFLICT DO NOTHING`` and
report whether they took effect, so the database's keys, not a prior read, decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, null, or_, select, text, type_coerce, union_all, update

from saltbitter.adapters.sqlalchemy.matching._shared import OnConnection, stored_match
from saltbitter.adapters.sqlalchemy.shared_reads import advisory_lock
from saltbitter.adapters.sqlalchemy.tables_members import matches, swipes
from saltbitter.application.ports.matching import (
    LikeReceived,
    MatchStore,
    ReceivedLikes,
    StoredMatch,
    SwipeWriter,
)
from saltbitter.domain.matching import Decision, MatchPair, MatchStatus, PairState
from saltbitter.domain.shared import UserId

__all__ = ["SqlaMatchStore", "SqlaReceivedLikes", "SqlaSwipeWriter"]


class SqlaSwipeWriter(OnConnection, SwipeWriter):
    __slots__ = ()

    async def lock_pair(self, pair: MatchPair) -> None:
        if self._dialect == "postgresql":
            # Held until commit or rollback: the second of two crossing likes waits here,
            # then sees the first one's committed like.
            await self._db.execute(advisory_lock(b"", pair.first, pair.second))
        else:
            # SQLite has one writer at a time: a write that matches nothing takes the
            # database's write lock now, so later reads in this transaction are current.
            await self._db.execute(text("UPDATE swipes SET decision = decision WHERE 0 = 1"))

    async def record_swipe(
        self, actor: UserId, target: UserId, decision: Decision, at: datetime
    ) -> bool:
        statement = (
            self._insert(swipes)
            .values(actor_id=actor, target_id=target, decision=decision.value, created_at=at)
            .returning(swipes.c.actor_id)
        )
        # A row comes back only when the insert happened (not on conflict).
        return (await self._db.execute(statement)).first() is not None

    async def pair_state(self, actor: UserId, target: UserId) -> PairState:
        pair = MatchPair(actor, target)
        # One round trip: both swipes (a member each) and the match (no member), if any.
        decisions = select(
            swipes.c.actor_id.label("member"),
            swipes.c.decision,
            type_coerce(null(), matches.c.unmatched_at.type).label("unmatched_at"),
        ).where(
            or_(
                and_(swipes.c.actor_id == actor, swipes.c.target_id == target),
                and_(swipes.c.actor_id == target, swipes.c.target_id == actor),
            )
        )
        match = select(
            type_coerce(null(), swipes.c.actor_id.type),
            type_coerce(null(), swipes.c.decision.type),
            matches.c.unmatched_at,
        ).where(matches.c.user_low == pair.first, matches.c.user_high == pair.second)
        found: dict[UserId, Decision] = {}
        status = None
        for row in await self._db.execute(union_all(decisions, match)):
            if row.member is not None:
                found[UserId(row.member)] = Decision(row.decision)
            else:
                status = MatchStatus.ACTIVE if row.unmatched_at is None else MatchStatus.ENDED
        return PairState(
            actor_decision=found.get(actor),
            target_decision=found.get(target),
            match_status=status,
        )

    async def create_match(
        self, match_id: UUID, pair: MatchPair, at: datetime
    ) -> tuple[StoredMatch, bool]:
        inserted = await self._db.execute(
            self._insert(matches)
            .values(id=match_id, user_low=pair.first, user_high=pair.second, created_at=at)
            .returning(matches.c.id)
        )
        created = inserted.first() is not None
        row = (
            await self._db.execute(
                select(matches).where(
                    matches.c.user_low == pair.first, matches.c.user_high == pair.second
                )
            )
        ).one()
        return stored_match(row), created


class SqlaMatchStore(OnConnection, MatchStore):
    __slots__ = ()

    async def get_match(self, match_id: UUID) -> StoredMatch | None:
        row = (
            await self._db.execute(select(matches).where(matches.c.id == match_id))
        ).one_or_none()
        return None if row is None else stored_match(row)

    async def end_match(self, match_id: UUID, by: UserId, at: datetime) -> None:
        await self._db.execute(
            update(matches)
            .where(matches.c.id == match_id, matches.c.unmatched_at.is_(None))
            .values(unmatched_at=at, unmatched_by=by)
        )

    async def active_matches(
        self, user: UserId, limit: int, before: tuple[datetime, UUID] | None = None
    ) -> Sequence[StoredMatch]:
        statement = select(matches).where(
            or_(matches.c.user_low == user, matches.c.user_high == user),
            matches.c.unmatched_at.is_(None),
            # A match whose other member was erased is no match any more (ADR 0035);
            # only its conversation's history stays.
            matches.c.user_low.is_not(None),
            matches.c.user_high.is_not(None),
        )
        if before is not None:
            at, last = before
            statement = statement.where(
                or_(
                    matches.c.created_at < at,
                    and_(matches.c.created_at == at, matches.c.id < last),
                )
            )
        statement = statement.order_by(matches.c.created_at.desc(), matches.c.id.desc()).limit(
            limit
        )
        return [stored_match(row) for row in await self._db.execute(statement)]


class SqlaReceivedLikes(OnConnection, ReceivedLikes):
    __slots__ = ()

    async def likes_received(
        self, user: UserId, limit: int, before: tuple[datetime, UserId] | None = None
    ) -> Sequence[LikeReceived]:
        answer = swipes.alias("answer")
        statement = select(swipes.c.actor_id, swipes.c.created_at).where(
            swipes.c.target_id == user,
            swipes.c.decision == Decision.LIKE.value,
            ~select(answer.c.actor_id)
            .where(answer.c.actor_id == user, answer.c.target_id == swipes.c.actor_id)
            .exists(),
        )
        if before is not None:
            at, last = before
            statement = statement.where(
                or_(
                    swipes.c.created_at < at,
                    and_(swipes.c.created_at == at, swipes.c.actor_id < last),
                )
            )
        statement = statement.order_by(swipes.c.created_at.desc(), swipes.c.actor_id.desc()).limit(
            limit
        )
        return [
            LikeReceived(liker=UserId(row.actor_id), liked_at=row.created_at)
            for row in await self._db.execute(statement)
        ]
