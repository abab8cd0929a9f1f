"""SQL side of account deletion and erasure (docs/privacy.md): the schedule on ``users``'
erasure columns, the payment customers, and the outbox purge.

Each claim is one ``UPDATE ... RETURNING``: on PostgreSQL a second worker's update waits
for the first one's row locks and then re-checks its condition, so a row is returned to
exactly one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, delete, or_, select, update

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import outbox, users
from saltbitter.adapters.sqlalchemy.tables_payments import payment_subscriptions
from saltbitter.application.ports.erasure import (
    ErasureReminder,
    ErasureSchedule,
    OutboxPurge,
    PaymentCustomers,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.shared import UserId

__all__ = ["SqlaErasureSchedule", "SqlaOutboxPurge", "SqlaPaymentCustomers"]

_PENDING = AccountStatus.PENDING_DELETION.value


class SqlaErasureSchedule(ErasureSchedule):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def mark_reminders(self, now: datetime, days: int) -> Sequence[ErasureReminder]:
        statement = (
            update(users)
            .where(
                users.c.status == _PENDING,
                users.c.erasure_due_at > now,
                users.c.erasure_due_at <= now + timedelta(days=days),
                or_(
                    users.c.erasure_reminded_days.is_(None),
                    users.c.erasure_reminded_days > days,
                ),
            )
            .values(erasure_reminded_days=days)
            .returning(users.c.id, users.c.erasure_due_at)
        )
        rows = (await self._db.execute(statement)).all()
        return [ErasureReminder(UserId(row.id), row.erasure_due_at, days) for row in rows]

    async def claim_due(self, now: datetime, lease: timedelta) -> Sequence[UserId]:
        statement = (
            update(users)
            .where(
                users.c.status == _PENDING,
                users.c.erasure_due_at <= now,
                or_(
                    users.c.erasure_claimed_at.is_(None),
                    users.c.erasure_claimed_at < now - lease,
                ),
            )
            .values(erasure_claimed_at=now)
            .returning(users.c.id)
        )
        return [UserId(row.id) for row in (await self._db.execute(statement)).all()]

    async def claim_now(self, member: UserId, now: datetime) -> bool:
        statement = (
            update(users)
            .where(users.c.id == member)
            .values(status=_PENDING, erasure_due_at=now, erasure_claimed_at=now)
            .returning(users.c.id)
        )
        claimed = (await self._db.execute(statement)).first() is not None
        if claimed:
            self._db.principal_changed(member)  # the account's status changed
        return claimed

    async def holds_claim(self, member: UserId, claimed_at: datetime) -> bool:
        statement = select(users.c.id).where(
            users.c.id == member,
            users.c.status == _PENDING,
            users.c.erasure_claimed_at == claimed_at,
        )
        if self._db.dialect_name == "postgresql":
            statement = statement.with_for_update()
        return (await self._db.execute(statement)).first() is not None


class SqlaPaymentCustomers(PaymentCustomers):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def customer_ids(self, member: UserId) -> Sequence[str]:
        statement = select(payment_subscriptions.c.customer_id).where(
            payment_subscriptions.c.user_id == member
        )
        return [row.customer_id for row in (await self._db.execute(statement)).all()]


class SqlaOutboxPurge(OutboxPurge):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def purge_naming(self, member: UserId) -> int:
        text = cast(outbox.c.payload, Text)
        statement = delete(outbox).where(or_(text.contains(str(member)), text.contains(member.hex)))
        return (await self._db.execute(statement)).rowcount
