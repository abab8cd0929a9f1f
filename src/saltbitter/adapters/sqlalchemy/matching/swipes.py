"""Swipes and matches on SQL: one decision per pair, one match per pair, likes waiting.

Writes that decide a race run at once with ``INSERT ... ON CONFLICT DO NOTHING`` and
report whether they took effect, so the database's keys, not a prior read, decide.

On PostgreSQL a like or pass is two statements inside its transaction (ADR 0042): the
pair's advisory lock together with both members and the blocks between them, then the
pair's state together with the insert. They cannot be one: a statement reads one
snapshot, taken before it starts, so a state read in the lock's statement would miss a
crossing like committed while this one waited for the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Row,
    and_,
    bindparam,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    text,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql

from saltbitter.adapters.sqlalchemy.block_reads import blocked_between
from saltbitter.adapters.sqlalchemy.matching._shared import OnConnection, stored_match
from saltbitter.adapters.sqlalchemy.matching.candidates import (
    SqlaCandidateReader,
    kept_member,
    members_by_id,
)
from saltbitter.adapters.sqlalchemy.shared_reads import advisory_key, advisory_lock
from saltbitter.adapters.sqlalchemy.staging import NEEDS_TRANSACTION
from saltbitter.adapters.sqlalchemy.tables_members import matches, swipes
from saltbitter.adapters.sqlalchemy.tables_safety import blocks
from saltbitter.application.ports.matching import (
    DecisionParties,
    LikeReceived,
    MatchStore,
    ReceivedLikes,
    StoredMatch,
    SwipeWriter,
)
from saltbitter.domain.matching import Decision, MatchPair, MatchStatus, PairState
from saltbitter.domain.shared import UserId

__all__ = ["SqlaMatchStore", "SqlaReceivedLikes", "SqlaSwipeWriter"]


def _pair_lock_key(pair: MatchPair) -> int:
    """The key ``lock_pair`` locks: one lock per pair, whoever decides."""
    return advisory_key(b"", pair.first, pair.second)


def _open_decision_statement() -> tuple[Any, int]:
    """PostgreSQL: take the pair's lock (``lock_pair``'s key), read both members (the
    columns of ``members_by_id``, then ``blocked``) and whether a block stands between
    them. The lock's one-row side is the outer side of a left join, so it is taken (and a
    row comes back) even when neither is a member. Built once: compiled once."""
    found = members_by_id("postgresql").subquery("found")
    lock = select(
        func.pg_advisory_xact_lock(bindparam("lock_key", type_=BigInteger)).label("locked")
    ).subquery("pair_lock")
    actor = bindparam("actor", type_=blocks.c.blocker_id.type)
    target = bindparam("target", type_=blocks.c.blocker_id.type)
    blocked = exists().where(
        or_(
            and_(blocks.c.blocker_id == actor, blocks.c.blocked_id == target),
            and_(blocks.c.blocker_id == target, blocks.c.blocked_id == actor),
        )
    )
    statement = (
        select(*found.c, blocked.label("blocked"), lock.c.locked)
        .select_from(lock.outerjoin(found, true()))
        .execution_options(**{NEEDS_TRANSACTION: True})
    )
    return statement, len(found.c)


def _pair_reads(actor: Any, target: Any, low: Any, high: Any, *extra: Any) -> tuple[Any, Any]:
    """The pair's decisions (a row per member who decided) and its match (a row without
    a member), as ``_pair_state`` reads them; ``extra`` columns end both."""
    decisions = select(
        swipes.c.actor_id.label("member"),
        swipes.c.decision,
        type_coerce(null(), matches.c.unmatched_at.type).label("unmatched_at"),
        *extra,
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
        *extra,
    ).where(matches.c.user_low == low, matches.c.user_high == high)
    return decisions, match


def _swipe_statement() -> Any:
    """PostgreSQL: the pair's state as ``pair_state`` reads it (one row per decision, one
    for a match) and a row for the insert if it happened: one snapshot, so the state is
    from before the insert."""
    actor = bindparam("actor", type_=swipes.c.actor_id.type)
    target = bindparam("target", type_=swipes.c.target_id.type)
    inserted = (
        postgresql.insert(swipes)
        .values(
            actor_id=actor,
            target_id=target,
            decision=bindparam("decision", type_=swipes.c.decision.type),
            created_at=bindparam("at", type_=swipes.c.created_at.type),
        )
        .on_conflict_do_nothing()
        .returning(swipes.c.actor_id)
        .cte("inserted")
    )
    decisions, match = _pair_reads(
        actor,
        target,
        bindparam("low", type_=matches.c.user_low.type),
        bindparam("high", type_=matches.c.user_high.type),
        literal(False).label("inserted"),
    )
    was_inserted = select(
        type_coerce(null(), swipes.c.actor_id.type),
        type_coerce(null(), swipes.c.decision.type),
        type_coerce(null(), matches.c.unmatched_at.type),
        literal(True),
    ).select_from(inserted)
    return union_all(decisions, match, was_inserted).execution_options(**{NEEDS_TRANSACTION: True})


_OPEN_DECISION, _MEMBER_COLUMNS = _open_decision_statement()
_SWIPE = _swipe_statement()


def _pair_state(actor: UserId, target: UserId, rows: Any) -> tuple[PairState, bool]:
    """The state in ``pair_state``'s rows (and whether one says a swipe was inserted)."""
    found: dict[UserId, Decision] = {}
    status = None
    inserted = False
    for row in rows:
        if row.member is not None:
            found[UserId(row.member)] = Decision(row.decision)
        elif getattr(row, "inserted", False):
            inserted = True
        else:
            status = MatchStatus.ACTIVE if row.unmatched_at is None else MatchStatus.ENDED
    state = PairState(
        actor_decision=found.get(actor),
        target_decision=found.get(target),
        match_status=status,
    )
    return state, inserted


class SqlaSwipeWriter(OnConnection, SwipeWriter):
    __slots__ = ()

    async def open_decision(self, actor: UserId, target: UserId, now: datetime) -> DecisionParties:
        if self._dialect != "postgresql":
            await self.lock_pair(MatchPair(actor, target))
            found = await SqlaCandidateReader(self._db).members(now, [actor, target])
            by_id = {member.user_id: member for member in found}
            blocked = target in await blocked_between(self._db, actor, [target])
            return DecisionParties(by_id.get(actor), by_id.get(target), blocked)
        rows: list[Row[Any]] = list(
            await self._db.execute(
                _OPEN_DECISION,
                {
                    "lock_key": _pair_lock_key(MatchPair(actor, target)),
                    "user_ids": [actor, target],
                    "actor": actor,
                    "target": target,
                },
            )
        )
        members = {}
        for row in rows:
            if row.id is not None:  # the left join's row when neither is a member
                record = kept_member(row, now, _MEMBER_COLUMNS)
                if record is not None:
                    members[record.user_id] = record
        return DecisionParties(
            members.get(actor), members.get(target), bool(rows and rows[0].blocked)
        )

    async def swipe(
        self, actor: UserId, target: UserId, decision: Decision, at: datetime
    ) -> tuple[PairState, bool]:
        if self._dialect != "postgresql":
            state = await self.pair_state(actor, target)
            return state, await self.record_swipe(actor, target, decision, at)
        pair = MatchPair(actor, target)
        rows = await self._db.execute(
            _SWIPE,
            {
                "actor": actor,
                "target": target,
                "decision": decision.value,
                "at": at,
                "low": pair.first,
                "high": pair.second,
            },
        )
        return _pair_state(actor, target, rows)

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
        decisions, match = _pair_reads(actor, target, pair.first, pair.second)
        rows = await self._db.execute(union_all(decisions, match))
        state, _ = _pair_state(actor, target, rows)
        return state

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
