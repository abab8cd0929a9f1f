"""Swipes and matches on SQL: one decision per pair, one match per pair, likes waiting.

Writes that decide a race run at once with ``INSERT ... ON CONFLICT DO NOTHING`` and
report whether they took effect, so the database's keys, not a prior read, decide.

On PostgreSQL the likes and passes a batch decides (ADR 0042, ADR 0051) are two
statements inside its transaction, whatever their number: the pairs' advisory locks
together with the members and the blocks between them, then the pairs' states together
with the inserts. They cannot be one: a statement reads one snapshot, taken before it
starts, so a state read in the locks' statement would miss a crossing like committed
while this one waited for a lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Row,
    and_,
    bindparam,
    column,
    exists,
    func,
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
    PairDecision,
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


def _open_decisions_statement() -> tuple[Any, int]:
    """PostgreSQL: take the pairs' locks (``lock_pair``'s keys, in the order given), read
    the members (the columns of ``members_by_id``, then ``blocked_positions``) and which
    pairs (1-based positions in ``actors``/``targets``) have a block either way. The
    locks' one-row side is the outer side of a left join, so they are taken (and a row
    comes back) even when nobody is a member. Built once: compiled once."""
    found = members_by_id("postgresql").subquery("found")
    keys = (
        func.unnest(bindparam("lock_keys", type_=postgresql.ARRAY(BigInteger)))
        .table_valued("key")
        .render_derived(name="pair_keys")
    )
    lock = select(func.count(func.pg_advisory_xact_lock(keys.c.key)).label("locked")).subquery(
        "pair_locks"
    )
    member_ids = postgresql.ARRAY(blocks.c.blocker_id.type)
    asked = (
        func.unnest(bindparam("actors", type_=member_ids), bindparam("targets", type_=member_ids))
        .table_valued("actor", "target", with_ordinality="position")
        .render_derived(name="asked")
    )
    blocked = (
        select(func.array_agg(asked.c.position))
        .where(
            exists().where(
                or_(
                    and_(
                        blocks.c.blocker_id == asked.c.actor, blocks.c.blocked_id == asked.c.target
                    ),
                    and_(
                        blocks.c.blocker_id == asked.c.target, blocks.c.blocked_id == asked.c.actor
                    ),
                )
            )
        )
        .scalar_subquery()
    )
    statement = (
        select(*found.c, blocked.label("blocked_positions"), lock.c.locked)
        .select_from(lock.outerjoin(found, true()))
        .execution_options(**{NEEDS_TRANSACTION: True})
    )
    return statement, len(found.c)


def _pair_reads(actor: Any, target: Any, low: Any, high: Any) -> tuple[Any, Any]:
    """The pair's decisions (a row per member who decided) and its match (a row without
    a member), as ``_pair_state`` reads them."""
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
    ).where(matches.c.user_low == low, matches.c.user_high == high)
    return decisions, match


# PostgreSQL: per decision (``position`` in the arrays), the pair's decisions (a row per
# member who decided) and match (a row without a member) from before the insert, and a
# row if the insert happened: one snapshot. A pair with a match gets no insert.
_SWIPE = (
    text(
        """
WITH asked AS (
    SELECT * FROM unnest(:actors, :targets, :decisions, :lows, :highs)
        WITH ORDINALITY AS asked (actor, target, decision, low, high, position)
), inserted AS (
    INSERT INTO swipes (actor_id, target_id, decision, created_at)
    SELECT actor, target, decision, :at FROM asked
    WHERE NOT EXISTS (
        SELECT FROM matches WHERE matches.user_low = asked.low AND matches.user_high = asked.high
    )
    ON CONFLICT DO NOTHING
    RETURNING actor_id, target_id
)
SELECT asked.position, swipes.actor_id AS member, swipes.decision,
       NULL::timestamptz AS unmatched_at, false AS inserted
    FROM asked JOIN swipes ON swipes.actor_id = asked.actor AND swipes.target_id = asked.target
UNION ALL
SELECT asked.position, swipes.actor_id, swipes.decision, NULL, false
    FROM asked JOIN swipes ON swipes.actor_id = asked.target AND swipes.target_id = asked.actor
UNION ALL
SELECT asked.position, NULL, NULL, matches.unmatched_at, false
    FROM asked JOIN matches ON matches.user_low = asked.low AND matches.user_high = asked.high
UNION ALL
SELECT asked.position, NULL, NULL, NULL, true
    FROM asked JOIN inserted ON inserted.actor_id = asked.actor
        AND inserted.target_id = asked.target
"""
    )
    .bindparams(
        bindparam("actors", type_=postgresql.ARRAY(swipes.c.actor_id.type)),
        bindparam("targets", type_=postgresql.ARRAY(swipes.c.target_id.type)),
        bindparam("decisions", type_=postgresql.ARRAY(swipes.c.decision.type)),
        bindparam("lows", type_=postgresql.ARRAY(matches.c.user_low.type)),
        bindparam("highs", type_=postgresql.ARRAY(matches.c.user_high.type)),
        bindparam("at", type_=swipes.c.created_at.type),
    )
    .execution_options(**{NEEDS_TRANSACTION: True})
)
_OPEN_DECISIONS, _MEMBER_WIDTH = _open_decisions_statement()


# PostgreSQL: each of distinct pairs' match, inserted unless the pair has one, with
# ``created``. The statement's snapshot is from before its insert, so exactly one of its
# two arms gives a row per pair.
_CREATE_MATCHES = (
    text(
        """
WITH wanted AS (
    SELECT * FROM unnest(:ids, :lows, :highs) AS wanted (id, low, high)
), new_match AS (
    INSERT INTO matches (id, user_low, user_high, created_at)
    SELECT id, low, high, :at FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING id, user_low, user_high, created_at, unmatched_at, unmatched_by
)
SELECT new_match.*, true AS created FROM new_match
UNION ALL
SELECT matches.id, matches.user_low, matches.user_high, matches.created_at,
       matches.unmatched_at, matches.unmatched_by, false
    FROM wanted JOIN matches ON matches.user_low = wanted.low AND matches.user_high = wanted.high
"""
    )
    .bindparams(
        bindparam("ids", type_=postgresql.ARRAY(matches.c.id.type)),
        bindparam("lows", type_=postgresql.ARRAY(matches.c.user_low.type)),
        bindparam("highs", type_=postgresql.ARRAY(matches.c.user_high.type)),
        bindparam("at", type_=matches.c.created_at.type),
    )
    .columns(
        matches.c.id,
        matches.c.user_low,
        matches.c.user_high,
        matches.c.created_at,
        matches.c.unmatched_at,
        matches.c.unmatched_by,
        column("created", Boolean()),
    )
    .execution_options(**{NEEDS_TRANSACTION: True})
)


def _pair_state(actor: UserId, target: UserId, rows: Iterable[Any]) -> tuple[PairState, bool]:
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

    async def open_decisions(
        self, pairs: Sequence[tuple[UserId, UserId]], now: datetime
    ) -> list[DecisionParties]:
        if self._dialect != "postgresql":
            return await self._open_decisions_step_by_step(pairs, now)
        lock_keys = sorted({_pair_lock_key(MatchPair(actor, target)) for actor, target in pairs})
        rows: list[Row[Any]] = list(
            await self._db.execute(
                _OPEN_DECISIONS,
                {
                    "lock_keys": lock_keys,
                    "user_ids": list({member for pair in pairs for member in pair}),
                    "actors": [actor for actor, _ in pairs],
                    "targets": [target for _, target in pairs],
                },
            )
        )
        members = {}
        for row in rows:
            if row.id is not None:  # the left join's row when nobody is a member
                record = kept_member(row, now, _MEMBER_WIDTH)
                if record is not None:
                    members[record.user_id] = record
        blocked = set(rows[0].blocked_positions or ()) if rows else set()
        return [
            DecisionParties(members.get(actor), members.get(target), position in blocked)
            for position, (actor, target) in enumerate(pairs, start=1)
        ]

    async def _open_decisions_step_by_step(
        self, pairs: Sequence[tuple[UserId, UserId]], now: datetime
    ) -> list[DecisionParties]:
        for pair in sorted(
            {MatchPair(actor, target) for actor, target in pairs}, key=_pair_lock_key
        ):
            await self.lock_pair(pair)
        people = {member for pair in pairs for member in pair}
        found = await SqlaCandidateReader(self._db).members(now, people)
        by_id = {member.user_id: member for member in found}
        targets: dict[UserId, list[UserId]] = {}
        for actor, target in pairs:
            targets.setdefault(actor, []).append(target)
        blocked = {  # one read per actor of the batch, not per pair
            (actor, target)
            for actor, theirs in targets.items()
            for target in await blocked_between(self._db, actor, theirs)
        }
        return [
            DecisionParties(by_id.get(actor), by_id.get(target), (actor, target) in blocked)
            for actor, target in pairs
        ]

    async def swipe(
        self, decisions: Sequence[PairDecision], at: datetime
    ) -> list[tuple[PairState, bool]]:
        if self._dialect != "postgresql":
            return await super().swipe(decisions, at)
        pairs = [MatchPair(d.actor, d.target) for d in decisions]
        rows = await self._db.execute(
            _SWIPE,
            {
                "actors": [d.actor for d in decisions],
                "targets": [d.target for d in decisions],
                "decisions": [d.decision.value for d in decisions],
                "lows": [pair.first for pair in pairs],
                "highs": [pair.second for pair in pairs],
                "at": at,
            },
        )
        by_position: dict[int, list[Any]] = {}
        for row in rows:
            by_position.setdefault(row.position, []).append(row)
        return [
            _pair_state(d.actor, d.target, by_position.get(position, ()))
            for position, d in enumerate(decisions, start=1)
        ]

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
        if self._dialect == "postgresql":  # one round trip
            [made] = await self.create_matches([(match_id, pair)], at)
            return made
        values = {"id": match_id, "user_low": pair.first, "user_high": pair.second}
        inserted = await self._db.execute(
            self._insert(matches).values(**values, created_at=at).returning(matches.c.id)
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

    async def create_matches(
        self, wanted: Sequence[tuple[UUID, MatchPair]], at: datetime
    ) -> list[tuple[StoredMatch, bool]]:
        if self._dialect != "postgresql":
            return await super().create_matches(wanted, at)
        if not wanted:
            return []
        rows = await self._db.execute(
            _CREATE_MATCHES,
            {
                "ids": [match_id for match_id, _ in wanted],
                "lows": [pair.first for _, pair in wanted],
                "highs": [pair.second for _, pair in wanted],
                "at": at,
            },
        )
        # The statement's snapshot is from before its insert: one row per pair.
        by_pair = {(row.user_low, row.user_high): row for row in rows}
        found = [by_pair[(pair.first, pair.second)] for _, pair in wanted]
        return [(stored_match(row), row.created) for row in found]


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
