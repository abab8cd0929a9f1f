"""SQL adapters of the AI capability's ports, one class per port, on the request's
connection. ``SqlaAiQuotaCounter`` counts in one statement: an upsert whose update only
happens while the count is below the limit (PostgreSQL and SQLite alike), so concurrent
messages can never count past it (ADR 0024)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import consents
from saltbitter.adapters.sqlalchemy.tables_ai import ai_conversations, ai_messages, ai_quota_usage
from saltbitter.adapters.sqlalchemy.tables_members import assessments, matches, profiles
from saltbitter.application.ports.ai import (
    AiAssessmentReader,
    AiConsentReader,
    AiHistoryStore,
    AiMatchReader,
    AiQuotaCounter,
    AssessmentResult,
    Conversation,
    ConversationKind,
    MessageRole,
    SharedGround,
    StoredMessage,
)
from saltbitter.domain.accounts.model import ConsentPurpose
from saltbitter.domain.ai.icebreakers import shared_interests, shared_values
from saltbitter.domain.shared import UserId

__all__ = [
    "SqlaAiAssessmentReader",
    "SqlaAiConsentReader",
    "SqlaAiHistoryStore",
    "SqlaAiMatchReader",
    "SqlaAiQuotaCounter",
]


class SqlaAiConsentReader(AiConsentReader):
    """Reads accounts' consent ledger (the latest ai_features record wins)."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def ai_features_granted(self, user: UserId) -> bool:
        statement = (
            select(consents.c.granted)
            .where(
                consents.c.user_id == user, consents.c.purpose == ConsentPurpose.AI_FEATURES.value
            )
            .order_by(consents.c.recorded_at.desc(), consents.c.id.desc())
            .limit(1)
        )
        return bool((await self._db.execute(statement)).scalar_one_or_none())


class SqlaAiQuotaCounter(AiQuotaCounter):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def try_spend(self, user: UserId, day: date, limit: int) -> int | None:
        if limit <= 0:
            return None
        dialect = postgresql if self._db.dialect_name == "postgresql" else sqlite
        insert = dialect.insert(ai_quota_usage).values(user_id=user, day=day, used=1)
        statement = insert.on_conflict_do_update(
            index_elements=[ai_quota_usage.c.user_id, ai_quota_usage.c.day],
            set_={"used": ai_quota_usage.c.used + 1},
            where=ai_quota_usage.c.used < limit,
        ).returning(ai_quota_usage.c.used)
        row = (await self._db.execute(statement)).first()
        return None if row is None else int(row[0])

    async def give_back(self, user: UserId, day: date) -> None:
        await self._db.execute(
            update(ai_quota_usage)
            .where(
                ai_quota_usage.c.user_id == user,
                ai_quota_usage.c.day == day,
                ai_quota_usage.c.used > 0,
            )
            .values(used=ai_quota_usage.c.used - 1)
        )

    async def used(self, user: UserId, day: date) -> int:
        statement = select(ai_quota_usage.c.used).where(
            ai_quota_usage.c.user_id == user, ai_quota_usage.c.day == day
        )
        return int((await self._db.execute(statement)).scalar_one_or_none() or 0)


def _conversation(row: Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        user_id=UserId(row.user_id),
        kind=ConversationKind(row.kind),
        persona=row.persona,
        started_at=row.started_at,
    )


class SqlaAiHistoryStore(AiHistoryStore):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def start(self, conversation: Conversation) -> None:
        self._db.stage(
            ai_conversations,
            {
                "id": conversation.id,
                "user_id": conversation.user_id,
                "kind": conversation.kind.value,
                "persona": conversation.persona,
                "started_at": conversation.started_at,
            },
        )

    def add(self, message: StoredMessage) -> None:
        self._db.stage(
            ai_messages,
            {
                "id": message.id,
                "conversation_id": message.conversation_id,
                "role": message.role.value,
                "body": message.body,
                "crisis": message.crisis,
                "created_at": message.created_at,
            },
        )

    async def latest_conversation(
        self, user: UserId, kind: ConversationKind, persona: str | None
    ) -> Conversation | None:
        statement = (
            select(ai_conversations)
            .where(
                ai_conversations.c.user_id == user,
                ai_conversations.c.kind == kind.value,
                ai_conversations.c.persona.is_(None)
                if persona is None
                else ai_conversations.c.persona == persona,
            )
            .order_by(ai_conversations.c.started_at.desc(), ai_conversations.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(statement)).first()
        return None if row is None else _conversation(row)

    async def conversation(self, user: UserId, conversation_id: UUID) -> Conversation | None:
        statement = select(ai_conversations).where(
            ai_conversations.c.id == conversation_id, ai_conversations.c.user_id == user
        )
        row = (await self._db.execute(statement)).first()
        return None if row is None else _conversation(row)

    async def messages(self, conversation_id: UUID, limit: int) -> Sequence[StoredMessage]:
        statement = (
            select(ai_messages)
            .where(ai_messages.c.conversation_id == conversation_id)
            .order_by(ai_messages.c.created_at.desc(), ai_messages.c.id.desc())
            .limit(limit)
        )
        rows = list(await self._db.execute(statement))
        return [
            StoredMessage(
                id=row.id,
                conversation_id=row.conversation_id,
                role=MessageRole(row.role),
                body=row.body,
                created_at=row.created_at,
                crisis=row.crisis,
            )
            for row in reversed(rows)
        ]

    async def conversations(self, user: UserId) -> Sequence[Conversation]:
        statement = (
            select(ai_conversations)
            .where(ai_conversations.c.user_id == user)
            .order_by(ai_conversations.c.started_at.desc(), ai_conversations.c.id.desc())
        )
        return [_conversation(row) for row in await self._db.execute(statement)]

    async def delete_all(self, user: UserId) -> int:
        mine = select(ai_conversations.c.id).where(ai_conversations.c.user_id == user)
        # Messages first: SQLite enforces the cascade only with foreign keys switched on.
        await self._db.execute(delete(ai_messages).where(ai_messages.c.conversation_id.in_(mine)))
        result = await self._db.execute(
            delete(ai_conversations).where(ai_conversations.c.user_id == user)
        )
        return int(result.rowcount)

    async def delete(self, user: UserId, conversation_id: UUID) -> bool:
        if await self.conversation(user, conversation_id) is None:
            return False
        await self._db.execute(
            delete(ai_messages).where(ai_messages.c.conversation_id == conversation_id)
        )
        await self._db.execute(
            delete(ai_conversations).where(
                ai_conversations.c.id == conversation_id, ai_conversations.c.user_id == user
            )
        )
        return True


class SqlaAiMatchReader(AiMatchReader):
    """Reads matching's ``matches`` and profiles' ``profiles`` (interests, values)."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def shared_ground(self, user: UserId, match_id: UUID) -> SharedGround | None:
        statement = select(matches.c.user_low, matches.c.user_high).where(
            matches.c.id == match_id,
            matches.c.unmatched_at.is_(None),
            matches.c.user_low.is_not(None),
            matches.c.user_high.is_not(None),
            or_(matches.c.user_low == user, matches.c.user_high == user),
        )
        pair = (await self._db.execute(statement)).first()
        if pair is None:
            return None
        other = pair.user_high if pair.user_low == user else pair.user_low
        rows = {
            row.user_id: row
            for row in await self._db.execute(
                select(profiles.c.user_id, profiles.c.interests, profiles.c["values"]).where(
                    or_(profiles.c.user_id == user, profiles.c.user_id == other)
                )
            )
        }
        mine, theirs = rows.get(user), rows.get(other)
        if mine is None or theirs is None:
            return SharedGround((), ())
        return SharedGround(
            shared_interests(mine.interests or (), theirs.interests or ()),
            shared_values(mine[2], theirs[2]),
        )


class SqlaAiAssessmentReader(AiAssessmentReader):
    """Reads the member's own latest row of assessments' ``assessments``."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def latest_result(self, user: UserId) -> AssessmentResult | None:
        statement = (
            select(assessments.c.style, assessments.c.near_boundary)
            .where(assessments.c.user_id == user)
            .order_by(assessments.c.taken_at.desc())
            .limit(1)
        )
        row = (await self._db.execute(statement)).first()
        return None if row is None else AssessmentResult(row.style, bool(row.near_boundary))
