"""Notifications on SQL (tables ``notifications`` and ``scheduled_emails``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import (
    JSON,
    Executable,
    Result,
    Row,
    Table,
    Text,
    and_,
    bindparam,
    or_,
    select,
    text,
    update,
)
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

_Values = Mapping[str, Any]  # one row's column values

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


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)  # JSONB on PostgreSQL (a variant)


def _unnest_insert(table: Table) -> Executable:
    """PostgreSQL: the rows as one array per column, unnested into the table. Its text
    is the same for any number of rows, so the driver converts and prepares it once;
    a multi-row VALUES is another statement for every row count (and psycopg does not
    cache the conversion of long ones: a fifth of a burst of match notifications' CPU).
    JSON documents travel as text and are cast in the statement."""
    names = [column.name for column in table.c]
    arrays = ", ".join(
        f"CAST(:{name} AS text[])" if _is_json(table, name) else f":{name}" for name in names
    )
    values = ", ".join(f"{name}::jsonb" if _is_json(table, name) else name for name in names)
    columns = ", ".join(names)  # the table's own metadata; every value is bound
    statement = " ".join(
        (
            f"INSERT INTO {table.name} ({columns})",
            f"SELECT {values} FROM unnest({arrays}) AS given ({columns})",  # noqa: S608
            "ON CONFLICT (id) DO NOTHING RETURNING id",
        )
    )
    return (
        text(statement)
        .bindparams(
            *(
                bindparam(
                    name,
                    type_=postgresql.ARRAY(Text() if _is_json(table, name) else table.c[name].type),
                )
                for name in names
            )
        )
        .columns(table.c.id)
    )


def _as_arrays(table: Table, rows: Sequence[_Values]) -> dict[str, list[Any]]:
    """``_unnest_insert``'s parameters: each column's values in row order."""
    arrays: dict[str, list[Any]] = {}
    for column in table.c:
        values = [row[column.name] for row in rows]
        if _is_json(table, column.name):
            values = [msgspec.json.encode(value).decode() for value in values]
        arrays[column.name] = values
    return arrays


def _idempotent_insert(table: Table, dialect: str) -> Executable:
    """INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id, for rows given at execution.

    RETURNING tells which rows went in (psycopg reports no rowcount for it). On SQLite,
    several rows go as one multi-row INSERT ("insertmanyvalues"); on PostgreSQL as
    arrays (``_unnest_insert``).
    """
    if dialect == "postgresql":
        return _unnest_insert(table)
    if dialect == "sqlite":
        lite_insert = sqlite.insert(table)
        return lite_insert.on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    raise NotImplementedError(f"no idempotent insert for the {dialect} dialect")


# Built once per table and dialect: a job pays for executing them, not for building them.
_INSERTS: dict[tuple[str, str], Executable] = {}


async def _insert_new(db: StagedConnection, table: Table, rows: Sequence[_Values]) -> int:
    """Insert the rows whose id is new, in one statement safe under concurrency; returns
    how many went in."""
    if not rows:
        return 0
    key = (table.name, db.dialect_name)
    statement = _INSERTS.get(key)
    if statement is None:
        statement = _INSERTS[key] = _idempotent_insert(table, db.dialect_name)
    if db.dialect_name == "postgresql":
        result = await db.execute(statement, _as_arrays(table, rows))
    else:
        result = await db.execute(statement, rows[0] if len(rows) == 1 else list(rows))
    return len(result.all())


def _notification_row(notification: Notification) -> _Values:
    return {
        "id": notification.id,
        "user_id": notification.user_id,
        "kind": notification.kind.value,
        "payload": dict(notification.payload),
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _email_row(email: ScheduledEmail) -> _Values:
    return {
        "id": email.id,
        "user_id": email.user_id,
        "kind": email.kind,
        "subject": email.subject,
        "body": email.body,
        "send_after": email.send_after,
        "status": email.status.value,
        "created_at": email.created_at,
        "done_at": email.done_at,
    }


class SqlaNotificationInbox(_OnConnection, NotificationInbox):
    __slots__ = ()

    async def add(self, notification: Notification) -> bool:
        return await _insert_new(self._db, notifications, [_notification_row(notification)]) > 0

    async def add_all(self, notifications_: Sequence[Notification]) -> int:
        return await _insert_new(
            self._db, notifications, [_notification_row(n) for n in notifications_]
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
        return await _insert_new(self._db, scheduled_emails, [_email_row(email)]) > 0

    async def schedule_emails(self, emails: Sequence[ScheduledEmail]) -> int:
        return await _insert_new(self._db, scheduled_emails, [_email_row(e) for e in emails])

    async def claim_due_emails(self, now: datetime, limit: int) -> Sequence[ScheduledEmail]:
        rows = await self._claim(_CLAIM_DUE_LOCKED, _CLAIM_DUE, now, limit)
        return [_email(row) for row in rows]

    async def claim_due_with_recipients(
        self, now: datetime, limit: int
    ) -> Sequence[tuple[ScheduledEmail, Recipient | None]]:
        rows = await self._claim(
            _CLAIM_DUE_WITH_RECIPIENTS_LOCKED, _CLAIM_DUE_WITH_RECIPIENTS, now, limit
        )
        return [(_email(row), _joined_recipient(row)) for row in rows]

    async def _claim(
        self, locked: Executable, unlocked: Executable, now: datetime, limit: int
    ) -> Result[Any]:
        parameters = {"now": now, "limit": limit}
        if self._db.dialect_name == "postgresql":
            # Emails another sender holds are skipped, not waited for (as in the outbox).
            return await self._db.execute(locked, parameters)
        # SQLite has no row locks: an empty write takes the database's write lock, so a
        # second sender waits for this one's commit and then sees its emails done.
        await self._db.execute(text("UPDATE scheduled_emails SET id = id WHERE 0 = 1"))
        return await self._db.execute(unlocked, parameters)

    async def finish_emails(
        self, ids: Collection[UUID], status: EmailStatus, now: datetime
    ) -> None:
        if not ids:
            return
        parameters = {"ids": list(set(ids)), "outcome": status.value, "finished_at": now}
        await self._db.execute(_FINISH, parameters)

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
        row = (await self._db.execute(_RECIPIENT, {"id": user_id})).one_or_none()
        return None if row is None else _recipient(row)

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, Recipient]:
        if not user_ids:
            return {}
        rows = await self._db.execute(_RECIPIENTS, {"ids": list(set(user_ids))})
        return {recipient.user_id: recipient for recipient in map(_recipient, rows)}


def _recipient(row: Row[Any]) -> Recipient:
    """A row of ``_RECIPIENT_COLUMNS``."""
    return _recipient_of(row.id, row.display_name, row.email, row.status, row.timezone)


def _joined_recipient(row: Row[Any]) -> Recipient | None:
    """The member joined to a claimed email (None: the member is gone)."""
    if row.recipient_id is None:
        return None
    return _recipient_of(
        row.recipient_id, row.display_name, row.address, row.account_status, row.timezone
    )


def _recipient_of(
    user_id: Any, display_name: str, email: str, status: str, timezone: str
) -> Recipient:
    return Recipient(
        user_id=UserId(user_id),
        display_name=display_name,
        email=email,
        status=AccountStatus(status),
        timezone=timezone,
    )


# The hot statements, built once with their parameters bound at execution.
_RECIPIENT_COLUMNS = select(
    users.c.id, users.c.display_name, users.c.email, users.c.status, users.c.timezone
)
_RECIPIENT = _RECIPIENT_COLUMNS.where(users.c.id == bindparam("id"))
_RECIPIENTS = _RECIPIENT_COLUMNS.where(users.c.id.in_(bindparam("ids", expanding=True)))
_CLAIM_DUE = (
    select(scheduled_emails)
    .where(
        scheduled_emails.c.status == EmailStatus.PENDING.value,
        scheduled_emails.c.send_after <= bindparam("now"),
    )
    .order_by(scheduled_emails.c.send_after, scheduled_emails.c.id)
    .limit(bindparam("limit"))
)
_CLAIM_DUE_LOCKED = _CLAIM_DUE.with_for_update(skip_locked=True)
_CLAIM_DUE_WITH_RECIPIENTS = _CLAIM_DUE.add_columns(
    users.c.id.label("recipient_id"),
    users.c.display_name,
    users.c.email.label("address"),
    users.c.status.label("account_status"),
    users.c.timezone,
).select_from(scheduled_emails.outerjoin(users, users.c.id == scheduled_emails.c.user_id))
# Only the emails are locked (and skipped when held): the members' rows are just read.
_CLAIM_DUE_WITH_RECIPIENTS_LOCKED = _CLAIM_DUE_WITH_RECIPIENTS.with_for_update(
    skip_locked=True, of=scheduled_emails
)
_FINISH = (
    update(scheduled_emails)
    .where(
        scheduled_emails.c.id.in_(bindparam("ids", expanding=True)),
        scheduled_emails.c.status == EmailStatus.PENDING.value,
    )
    .values(status=bindparam("outcome"), done_at=bindparam("finished_at"))
)
