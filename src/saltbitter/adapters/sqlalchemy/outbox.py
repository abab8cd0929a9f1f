"""The transactional outbox on the database the changes themselves go to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, select, text, update

from saltbitter.adapters.events import EventCodec, UnknownEvent
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.application.ports.events import Event, Outbox, OutboxMessage
from saltbitter.application.ports.system import Clock, IdGenerator

__all__ = ["SqlaOutbox"]

_TICK = timedelta(microseconds=1)


class SqlaOutbox(Outbox):
    """Stores each event as its tag (``topic``) and its encoded fields (``payload``)."""

    __slots__ = ("_clock", "_codec", "_db", "_ids", "_last_created_at")

    def __init__(
        self, db: StagedConnection, clock: Clock, ids: IdGenerator, codec: EventCodec
    ) -> None:
        self._db = db
        self._codec = codec
        self._clock = clock
        self._ids = ids
        self._last_created_at: datetime | None = None

    def add(self, event: Event) -> None:
        created_at = self._clock.now()
        # Relays hand messages out in created_at order; nudging equal timestamps (a fixed
        # clock, or two calls within one microsecond) keeps the order they were added in.
        if self._last_created_at is not None and created_at <= self._last_created_at:
            created_at = self._last_created_at + _TICK
        self._last_created_at = created_at
        _, fields = self._codec.encode(event)
        self._db.stage(
            outbox,
            {
                "id": self._ids.new_id(),
                "topic": event.name,
                "payload": fields,
                "created_at": created_at,
                "dispatched_at": None,
            },
        )
        self._db.announced += 1  # a commit with messages wakes the relay

    async def claim_pending(self, limit: int) -> Sequence[OutboxMessage]:
        if self._db.dialect_name == "postgresql":
            # Rows another relay holds are skipped, not waited for: relays share the work.
            rows = await self._db.execute(_CLAIM_LOCKED, {"limit": limit})
        else:
            # SQLite has no row locks. A write that matches nothing still takes the
            # database's write lock, so a second relay waits until this one commits and
            # then sees its messages dispatched: serialised, never handed out twice.
            await self._db.execute(text("UPDATE outbox SET id = id WHERE 0 = 1"))
            rows = await self._db.execute(_CLAIM, {"limit": limit})
        return [self._message(row) for row in rows]

    async def dispatch_pending(self, limit: int, now: datetime) -> Sequence[OutboxMessage]:
        if self._db.dialect_name != "postgresql":
            return await super().dispatch_pending(limit, now)
        # One round trip: the claim (rows other relays hold skipped) is the UPDATE's target.
        rows = await self._db.execute(_DISPATCH_LOCKED, {"limit": limit, "now": now})
        # RETURNING's order is not the claim's: back to the claim's order.
        return sorted(map(self._message, rows), key=lambda m: (m.created_at, m.id))

    def _message(self, row: Row[Any]) -> OutboxMessage:
        return OutboxMessage(
            row.id, row.topic, self._decoded(row.topic, row.payload), row.created_at
        )

    def _decoded(self, topic: str, payload: dict[str, object]) -> Event | None:
        try:
            return self._codec.decode(topic, payload)
        except UnknownEvent:
            return None  # the relay reports it

    async def mark_dispatched(self, message_ids: Sequence[UUID], now: datetime) -> None:
        if not message_ids:
            return
        await self._db.execute(_MARK_DISPATCHED, {"ids": list(message_ids), "now": now})


# Built once, parameters bound at execution: the relay runs after every commit with events.
_CLAIM = (
    select(outbox.c.id, outbox.c.topic, outbox.c.payload, outbox.c.created_at)
    .where(outbox.c.dispatched_at.is_(None))
    .order_by(outbox.c.created_at, outbox.c.id)
    .limit(bindparam("limit"))
)
_CLAIM_LOCKED = _CLAIM.with_for_update(skip_locked=True)
# The claim is a materialised CTE: as "id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)"
# PostgreSQL may run the subquery again per row and update more than ``limit`` rows.
_CLAIMED = _CLAIM_LOCKED.with_only_columns(outbox.c.id).cte("claimed").prefix_with("MATERIALIZED")
_DISPATCH_LOCKED = (
    update(outbox)
    .where(outbox.c.id == _CLAIMED.c.id, outbox.c.dispatched_at.is_(None))
    .values(dispatched_at=bindparam("now"))
    .returning(outbox.c.id, outbox.c.topic, outbox.c.payload, outbox.c.created_at)
)
_MARK_DISPATCHED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("ids", expanding=True)), outbox.c.dispatched_at.is_(None))
    .values(dispatched_at=bindparam("now"))
)
