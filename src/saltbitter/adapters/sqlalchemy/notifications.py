"""Notifications on SQL (tables ``notifications`` and ``scheduled_emails``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Row, Table, and_, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_members import notifications, scheduled_emails
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    EmailStatus,
    Notification,
    NotificationInbox,
    NotificationRecipients,
    PagePosition,
    Recipient,
    ScheduledEmail,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.shared import UserId

__all__ = [
    "SqlaEmailSchedule",
    "SqlaNotificationInbox",
    "SqlaNotificationRecipients",
]


def _notification(row: Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        user_id=UserId(row.user_id),
        kind=NotificationKind(row.kind),
        payload=dict(row.payload),
        created_at=row.created_at,
        read_at=row.read_at,
    )


def _email(row: Row[Any]) -> ScheduledEmail:
    return ScheduledEmail(
        id=row.id,
        user_id=UserId(row.user_id),
        kind=row.kind,
        subject=row.subject,
        body=row.body,
        send_after=row.send_after,
        created_at=row.created_at,
        status=EmailStatus(row.status),
        done_at=row.done_at,
    )


class _OnConnection:
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db


async def _insert_new(db: StagedConnection, table: Table, row: Mapping[str, Any]) -> bool:
    """INSERT ... ON CONFLICT (id) DO NOTHING: one statement, safe under concurrency.

    RETURNING tells whether a row went in (psycopg reports no rowcount for it).
    """
    statement: Executable
    dialect = db.dialect_name
    if dialect == "postgresql":
        pg_insert = postgresql.insert(table).values(dict(row))
        statement = pg_insert.on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    elif dialect == "sqlite":
        lite_insert = sqlite.insert(table).values(dict(row))
        statement = lite_insert.on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    else:
        raise NotImplementedError(f"no idempotent insert for the {dialect} dialect")
    return (await db.execute(statement)).first() is not None


class SqlaNotificationInbox(_OnConnection, NotificationInbox):
    __slots__ = ()

    async def add(self, notification: Notification) -> bool:
        return await _insert_new(
            self._db,
            notifications,
            {
                "id": notification.id,
                "user_id": notification.user_id,
                "kind": notification.kind.value,
                "payload": dict(notification.payload),
                "created_at": notification.created_at,
                "read_at": notification.read_at,
            },
        )

    async def page(
        self, user_id: UserId, *, after: PagePosition | None, limit: int
    ) -> Sequence[Notification]:
        columns = notifications.c
        statement = (
            select(notifications)
            .where(columns.user_id == user_id)
            .order_by(columns.created_at.desc(), columns.id.desc())
            .limit(limit)
        )
        if after is not None:
            # Keyset paging: stable while new notifications arrive at the top.
            statement = statement.where(
                or_(
                    columns.created_at < after.created_at,
                    and_(columns.created_at == after.created_at, columns.id < after.id),
                )
            )
        return [_notification(row) for row in await self._db.execute(statement)]

    async def mark_read(self, user_id: UserId, ids: Collection[UUID], now: datetime) -> int:
        if not ids:
            return 0
        statement = (
            update(notifications)
            .where(
                notifications.c.user_id == user_id,  # another member's ids match nothing
                notifications.c.id.in_(set(ids)),
                notifications.c.read_at.is_(None),
            )
            .values(read_at=now)
        )
        return (await self._db.execute(statement)).rowcount


class SqlaEmailSchedule(_OnConnection, EmailSchedule):
    __slots__ = ()

    async def schedule_email(self, email: ScheduledEmail) -> bool:
        return await _insert_new(
            self._db,
            scheduled_emails,
            {
                "id": email.id,
                "user_id": email.user_id,
                "kind": email.kind,
                "subject": email.subject,
                "body": email.body,
                "send_after": email.send_after,
                "status": email.status.value,
                "created_at": email.created_at,
                "done_at": email.done_at,
            },
        )

    async def claim_due_emails(self, now: datetime, limit: int) -> Sequence[ScheduledEmail]:
        columns = scheduled_emails.c
        statement = (
            select(scheduled_emails)
            .where(columns.status == EmailStatus.PENDING.value, columns.send_after <= now)
            .order_by(columns.send_after, columns.id)
            .limit(limit)
        )
        if self._db.dialect_name == "postgresql":
            # Emails another sender holds are skipped, not waited for (as in the outbox).
            statement = statement.with_for_update(skip_locked=True)
        else:
            # SQLite has no row locks: an empty write takes the database's write lock, so
            # a second sender waits for this one's commit and then sees its emails done.
            await self._db.execute(text("UPDATE scheduled_emails SET id = id WHERE 0 = 1"))
        return [_email(row) for row in await self._db.execute(statement)]

    async def finish_emails(
        self, ids: Collection[UUID], status: EmailStatus, now: datetime
    ) -> None:
        if not ids:
            return
        statement = (
            update(scheduled_emails)
            .where(
                scheduled_emails.c.id.in_(set(ids)),
                scheduled_emails.c.status == EmailStatus.PENDING.value,
            )
            .values(status=status.value, done_at=now)
        )
        await self._db.execute(statement)

    async def postpone_email(self, email_id: UUID, send_after: datetime) -> None:
        statement = (
            update(scheduled_emails)
            .where(
                scheduled_emails.c.id == email_id,
                scheduled_emails.c.status == EmailStatus.PENDING.value,
            )
            .values(send_after=send_after)
        )
        await self._db.execute(statement)

    async def emails_for(self, user_id: UserId) -> Sequence[ScheduledEmail]:
        statement = (
            select(scheduled_emails)
            .where(scheduled_emails.c.user_id == user_id)
            .order_by(scheduled_emails.c.send_after, scheduled_emails.c.id)
        )
        return [_email(row) for row in await self._db.execute(statement)]


class SqlaNotificationRecipients(NotificationRecipients):
    """Reads the ``users`` table."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def get(self, user_id: UserId) -> Recipient | None:
        columns = users.c
        statement = select(
            columns.id, columns.display_name, columns.email, columns.status, columns.timezone
        ).where(columns.id == user_id)
        row = (await self._db.execute(statement)).one_or_none()
        if row is None:
            return None
        return Recipient(
            user_id=UserId(row.id),
            display_name=row.display_name,
            email=row.email,
            status=AccountStatus(row.status),
            timezone=row.timezone,
        )
