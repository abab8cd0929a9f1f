"""Conversations on SQL: the message log and the read port onto matches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    RowMapping,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ColumnElement

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_conversations import messages
from saltbitter.adapters.sqlalchemy.tables_members import matches
from saltbitter.adapters.sqlalchemy.tables_safety import blocks
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    ConversationMembers,
    ConversationPeer,
    ConversationSummary,
    Delivered,
    DeliveryReceipt,
    MessageRepository,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.conversations import (
    Message,
    MessageCursor,
    MessageStatus,
    ModerationDecision,
    PhotoAttachment,
    Screening,
    status_after_screening,
)
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import DELETED_MEMBER, Tier, UserId

__all__ = [
    "SqlaConversationAccess",
    "SqlaMessageRepository",
    "conversation_is_open",
    "history_kept",
]

_DELIVERING = [d.value for d in ModerationDecision if d.delivers]
_REVIEWED = [d.value for d in ModerationDecision if d.needs_review]


def conversation_is_open() -> ColumnElement[bool]:
    """THE rule for "this match's conversation is open", on ``matches``' columns.

    Every query of this module that needs it uses this one clause: not unmatched, and
    no block (safety's ``blocks``) between the two members in either direction, and
    neither account awaiting erasure.
    """
    blocked = exists().where(
        or_(
            and_(
                blocks.c.blocker_id == matches.c.user_low,
                blocks.c.blocked_id == matches.c.user_high,
            ),
            and_(
                blocks.c.blocker_id == matches.c.user_high,
                blocks.c.blocked_id == matches.c.user_low,
            ),
        )
    )
    # A member awaiting erasure is invisible: their conversations close until they cancel.
    # An alias: the inbox joins ``users`` itself, which would otherwise be correlated.
    accounts = users.alias("leaving_accounts")
    leaving = exists().where(
        accounts.c.id.in_((matches.c.user_low, matches.c.user_high)),
        accounts.c.status == AccountStatus.PENDING_DELETION.value,
    )
    return and_(
        matches.c.unmatched_at.is_(None),
        matches.c.user_low.is_not(None),
        matches.c.user_high.is_not(None),
        ~blocked,
        ~leaving,
    )


def history_kept() -> ColumnElement[bool]:
    """One member was erased and the match was open then (ADR 0035): closed for good,
    but the remaining member still reads the history (until they unmatch it)."""
    return and_(
        matches.c.unmatched_at.is_(None),
        or_(matches.c.user_low.is_(None), matches.c.user_high.is_(None)),
    )


def _member(value: UUID | None) -> UserId:
    """A member column as read: null is an erased member."""
    return DELETED_MEMBER if value is None else UserId(value)


def _visible_to(member: UserId) -> ColumnElement[bool]:
    return or_(messages.c.sender_id == member, messages.c.moderation_decision.in_(_DELIVERING))


def _message(row: RowMapping) -> Message:
    reasons = row["moderation_reasons"]
    return Message(
        id=row["id"],
        match_id=row["match_id"],
        sender_id=_member(row["sender_id"]),
        recipient_id=_member(row["recipient_id"]),
        body=row["body"],
        client_message_id=row["client_message_id"],
        created_at=row["created_at"],
        decision=ModerationDecision(row["moderation_decision"]),
        reasons=tuple(reasons.split(",")) if reasons else (),
        delivered_at=row["delivered_at"],
        read_at=row["read_at"],
        attachment=None
        if row["attachment_key"] is None
        else PhotoAttachment(
            row["attachment_key"],
            row["attachment_type"],
            row["attachment_width"],
            row["attachment_height"],
        ),
    )


def _older_than(cursor: MessageCursor) -> ColumnElement[bool]:
    return or_(
        messages.c.created_at < cursor.created_at,
        and_(messages.c.created_at == cursor.created_at, messages.c.id < cursor.id),
    )


def _newer_than(cursor: MessageCursor) -> ColumnElement[bool]:
    return or_(
        messages.c.created_at > cursor.created_at,
        and_(messages.c.created_at == cursor.created_at, messages.c.id > cursor.id),
    )


class SqlaMessageRepository(MessageRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def get(self, message_id: UUID) -> Message | None:
        row = (
            (await self._db.execute(select(messages).where(messages.c.id == message_id)))
            .mappings()
            .first()
        )
        return None if row is None else _message(row)

    async def by_client_id(self, sender: UserId, client_message_id: str) -> Message | None:
        row = (
            (
                await self._db.execute(
                    select(messages).where(
                        messages.c.sender_id == sender,
                        messages.c.client_message_id == client_message_id,
                    )
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _message(row)

    async def history(
        self, match_id: UUID, viewer: UserId, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        statement = select(messages).where(messages.c.match_id == match_id, _visible_to(viewer))
        if before is not None:
            statement = statement.where(_older_than(before))
        statement = statement.order_by(messages.c.created_at.desc(), messages.c.id.desc()).limit(
            limit
        )
        rows = (await self._db.execute(statement)).mappings().all()
        return [_message(row) for row in rows]

    async def since(self, member: UserId, after: MessageCursor, limit: int) -> list[Message]:
        statement = (
            select(messages)
            .where(
                or_(messages.c.sender_id == member, messages.c.recipient_id == member),
                _visible_to(member),
                _newer_than(after),
            )
            .order_by(messages.c.created_at, messages.c.id)
            .limit(limit)
        )
        rows = (await self._db.execute(statement)).mappings().all()
        return [_message(row) for row in rows]

    async def unscreened(self, limit: int) -> list[Message]:
        statement = (
            select(messages)
            .where(messages.c.moderation_decision == ModerationDecision.UNSCREENED.value)
            .order_by(messages.c.created_at, messages.c.id)
            .limit(limit)
        )
        rows = (await self._db.execute(statement)).mappings().all()
        return [_message(row) for row in rows]

    async def record_screening(self, message_id: UUID, screening: Screening) -> bool:
        values: dict[str, object] = {
            "moderation_decision": screening.decision.value,
            "moderation_reasons": ",".join(screening.reasons),
        }
        if not screening.decision.delivers:
            values["status"] = status_after_screening(screening.decision).value
        result = await self._db.execute(
            update(messages)
            .where(
                messages.c.id == message_id,
                messages.c.moderation_decision == ModerationDecision.UNSCREENED.value,
            )
            .values(values)
        )
        return result.rowcount == 1

    async def release(self, message_id: UUID) -> Message | None:
        result = await self._db.execute(
            update(messages)
            .where(messages.c.id == message_id, messages.c.moderation_decision.in_(_REVIEWED))
            .values(
                moderation_decision=ModerationDecision.RELEASED.value,
                status=MessageStatus.SENT.value,
            )
        )
        return await self.get(message_id) if result.rowcount == 1 else None

    async def add_once(self, message: Message) -> tuple[Message, bool]:
        row = {
            "id": message.id,
            "match_id": message.match_id,
            "sender_id": message.sender_id,
            "recipient_id": message.recipient_id,
            "body": message.body,
            "client_message_id": message.client_message_id,
            "created_at": message.created_at,
            "delivered_at": message.delivered_at,
            "read_at": message.read_at,
            "status": message.status.value,
            "moderation_decision": message.decision.value,
            "moderation_reasons": ",".join(message.reasons),
        }
        photo = message.attachment
        if photo is not None:
            row |= {
                "attachment_key": photo.key,
                "attachment_type": photo.content_type,
                "attachment_width": photo.width,
                "attachment_height": photo.height,
            }
        insert = (
            postgresql.insert(messages)
            if self._db.dialect_name == "postgresql"
            else sqlite.insert(messages)
        )
        statement = (
            insert.values(row)
            .on_conflict_do_nothing(
                index_elements=[messages.c.sender_id, messages.c.client_message_id]
            )
            .returning(messages.c.id)
        )
        inserted = (await self._db.execute(statement)).first() is not None
        if inserted:
            return message, True
        stored = await self.by_client_id(message.sender_id, message.client_message_id)
        assert stored is not None, "the conflicting row is committed and visible"
        return stored, False

    async def mark_delivered(
        self, receipts: Sequence[DeliveryReceipt], at: datetime
    ) -> list[Delivered]:
        if not receipts:
            return []
        # One UPDATE for the whole batch; RETURNING names the rows it changed, so the
        # caller needs no second read to tell their senders.
        pairs = list({(r.message_id, r.recipient) for r in receipts})
        result = await self._db.execute(
            update(messages)
            .where(
                tuple_(messages.c.id, messages.c.recipient_id).in_(pairs),
                messages.c.delivered_at.is_(None),
                messages.c.moderation_decision.in_(_DELIVERING),
            )
            .values(
                delivered_at=at,
                status=case(
                    (messages.c.read_at.is_(None), MessageStatus.DELIVERED.value),
                    else_=MessageStatus.READ.value,
                ),
            )
            .returning(messages.c.id, messages.c.match_id, messages.c.sender_id)
        )
        return [Delivered(row.id, row.match_id, UserId(row.sender_id)) for row in result]

    async def mark_read(
        self, match_id: UUID, reader: UserId, up_to: MessageCursor, at: datetime
    ) -> int:
        result = await self._db.execute(
            update(messages)
            .where(
                messages.c.match_id == match_id,
                messages.c.recipient_id == reader,
                messages.c.read_at.is_(None),
                messages.c.moderation_decision.in_(_DELIVERING),
                or_(_older_than(up_to), messages.c.id == up_to.id),
            )
            .values(
                read_at=at,
                delivered_at=func.coalesce(messages.c.delivered_at, at),
                status=MessageStatus.READ.value,
            )
        )
        return int(result.rowcount)


class SqlaConversationAccess(ConversationAccess):
    """Reads ``matches`` (matching's table), ``blocks`` (safety's) and ``users`` behind
    conversations' port."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def conversation(self, match_id: UUID) -> ConversationMembers | None:
        return (await self.conversations([match_id])).get(match_id)

    async def lock(self, match_id: UUID) -> ConversationMembers | None:
        if self._db.dialect_name == "postgresql":
            # FOR SHARE conflicts with the row lock an unmatch's UPDATE and a block
            # (SqlaBlockStore.add) take on the match: whichever comes second waits for
            # the first to commit. The check below is a new statement, so under READ
            # COMMITTED it sees what the first committed. (SQLite runs one writer at a
            # time already.)
            await self._db.execute(
                select(matches.c.id).where(matches.c.id == match_id).with_for_update(read=True)
            )
        return await self.conversation(match_id)

    async def conversations(self, match_ids: Collection[UUID]) -> dict[UUID, ConversationMembers]:
        if not match_ids:
            return {}
        rows = await self._db.execute(
            select(
                matches.c.id,
                matches.c.user_low,
                matches.c.user_high,
                case((conversation_is_open(), true()), else_=False).label("is_open"),
                case((history_kept(), true()), else_=False).label("history_kept"),
            ).where(matches.c.id.in_(list(match_ids)))
        )
        return {
            row.id: ConversationMembers(
                row.id,
                (_member(row.user_low), _member(row.user_high)),
                bool(row.is_open),
                bool(row.history_kept),
            )
            for row in rows
        }

    async def tiers(self, members: Collection[UserId]) -> dict[UserId, Tier]:
        if not members:
            return {}
        rows = await self._db.execute(
            select(users.c.id, users.c.tier).where(users.c.id.in_(list(members)))
        )
        return {UserId(row.id): Tier(row.tier) for row in rows}

    async def match_between(self, first: UserId, second: UserId) -> UUID | None:
        if first == second:
            return None
        pair = MatchPair(first, second)
        row = (
            await self._db.execute(
                select(matches.c.id).where(
                    matches.c.user_low == pair.first,
                    matches.c.user_high == pair.second,
                    matches.c.unmatched_at.is_(None),
                )
            )
        ).first()
        if row is None:
            return None
        found: UUID = row.id
        return found

    async def inbox(self, member: UserId) -> list[ConversationSummary]:
        other = case(
            (matches.c.user_low == member, matches.c.user_high), else_=matches.c.user_low
        ).label("other_id")
        rows = (
            await self._db.execute(
                select(matches.c.id, matches.c.created_at, other, users.c.display_name)
                .outerjoin(users, users.c.id == other)
                .where(
                    or_(matches.c.user_low == member, matches.c.user_high == member),
                    or_(conversation_is_open(), history_kept()),
                )
            )
        ).all()
        if not rows:
            return []
        match_ids = [row.id for row in rows]
        ranked = (
            select(
                messages,
                func.row_number()
                .over(
                    partition_by=messages.c.match_id,
                    order_by=(messages.c.created_at.desc(), messages.c.id.desc()),
                )
                .label("rank"),
            )
            .where(messages.c.match_id.in_(match_ids), _visible_to(member))
            .subquery()
        )
        last = {
            row["match_id"]: _message(row)
            for row in (await self._db.execute(select(ranked).where(ranked.c.rank == 1)))
            .mappings()
            .all()
        }
        unread_rows = await self._db.execute(
            select(messages.c.match_id, func.count().label("unread"))
            .where(
                messages.c.match_id.in_(match_ids),
                messages.c.recipient_id == member,
                messages.c.read_at.is_(None),
                messages.c.moderation_decision.in_(_DELIVERING),
            )
            .group_by(messages.c.match_id)
        )
        unread: dict[UUID, int] = {row.match_id: int(row.unread) for row in unread_rows}
        summaries = []
        for row in rows:
            message = last.get(row.id)
            summaries.append(
                ConversationSummary(
                    row.id,
                    ConversationPeer.of(_member(row.other_id), row.display_name),
                    message,
                    int(unread.get(row.id, 0)),
                    row.created_at if message is None else message.created_at,
                )
            )
        return summaries
