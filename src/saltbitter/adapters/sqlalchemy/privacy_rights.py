"""SQL adapters of members' privacy rights: export requests, the breach register and
its append-only log, and the member lookups they need (on the request's connection)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import RowMapping, case, func, insert, select, update

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_privacy import (
    breach_log,
    breach_members,
    breaches,
    data_exports,
)
from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    ExportRequests,
    MemberContact,
    MemberContacts,
)
from saltbitter.domain.privacy.breaches import Breach, BreachAction, BreachLogEntry
from saltbitter.domain.privacy.exports import DataExport, ExportStatus
from saltbitter.domain.shared import UserId

__all__ = [
    "SqlaBreachAudience",
    "SqlaBreachLog",
    "SqlaBreachMembers",
    "SqlaBreachRegister",
    "SqlaExportRequests",
    "SqlaMemberContacts",
]


class _Adapter:
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db


def _export(row: RowMapping) -> DataExport:
    return DataExport(
        id=row["id"],
        member_id=UserId(row["member_id"]),
        requested_at=row["requested_at"],
        status=ExportStatus(row["status"]),
        archive_key=row["archive_key"],
        ready_at=row["ready_at"],
        expires_at=row["expires_at"],
    )


class SqlaExportRequests(_Adapter, ExportRequests):
    __slots__ = ()

    def add(self, export: DataExport) -> None:
        self._db.stage(
            data_exports,
            {
                "id": export.id,
                "member_id": export.member_id,
                "requested_at": export.requested_at,
                "status": export.status.value,
                "archive_key": export.archive_key,
                "ready_at": export.ready_at,
                "expires_at": export.expires_at,
            },
        )

    async def get(self, export_id: UUID) -> DataExport | None:
        result = await self._db.execute(select(data_exports).where(data_exports.c.id == export_id))
        row = result.mappings().first()
        return None if row is None else _export(row)

    async def last_requested_at(self, member: UserId) -> datetime | None:
        result = await self._db.execute(
            select(func.max(data_exports.c.requested_at)).where(data_exports.c.member_id == member)
        )
        value: datetime | None = result.scalar()
        return value

    async def save(self, export: DataExport) -> None:
        await self._db.execute(
            update(data_exports)
            .where(data_exports.c.id == export.id)
            .values(
                status=export.status.value,
                archive_key=export.archive_key,
                ready_at=export.ready_at,
                expires_at=export.expires_at,
            )
        )


class SqlaMemberContacts(_Adapter, MemberContacts):
    __slots__ = ()

    async def contact(self, member: UserId) -> MemberContact | None:
        result = await self._db.execute(
            select(users.c.email, users.c.display_name).where(users.c.id == member)
        )
        row = result.first()
        return None if row is None else MemberContact(member, row.email, row.display_name)


class SqlaBreachAudience(_Adapter, BreachAudience):
    __slots__ = ()

    async def by_emails(self, emails: Sequence[str]) -> dict[str, UserId]:
        wanted = sorted({email.strip().lower() for email in emails if email.strip()})
        if not wanted:
            return {}
        result = await self._db.execute(
            select(users.c.email, users.c.id).where(users.c.email.in_(wanted))
        )
        return {row.email: UserId(row.id) for row in result}

    async def existing(self, members: Sequence[UserId]) -> list[UserId]:
        if not members:
            return []
        result = await self._db.execute(select(users.c.id).where(users.c.id.in_(set(members))))
        found = {UserId(value) for value in result.scalars()}
        return [member for member in dict.fromkeys(members) if member in found]

    async def registered_since(self, since: datetime | None) -> list[UserId]:
        statement = select(users.c.id).order_by(users.c.created_at, users.c.id)
        if since is not None:
            statement = statement.where(users.c.created_at >= since)
        return [UserId(value) for value in (await self._db.execute(statement)).scalars()]


def _counts() -> Any:
    affected = (
        select(func.count()).where(breach_members.c.breach_id == breaches.c.id).scalar_subquery()
    )
    notified = (
        select(func.count())
        .where(
            breach_members.c.breach_id == breaches.c.id,
            breach_members.c.notified_at.is_not(None),
        )
        .scalar_subquery()
    )
    return select(breaches, affected.label("affected_members"), notified.label("notified_members"))


def _breach(row: RowMapping) -> Breach:
    return Breach(
        id=row["id"],
        scope=row["scope"],
        data_classes=tuple(row["data_classes"]),
        aware_at=row["aware_at"],
        recorded_at=row["recorded_at"],
        affected_members=int(row["affected_members"]),
        notified_members=int(row["notified_members"]),
        authority_notified_at=row["authority_notified_at"],
        authority_channel=row["authority_channel"],
        authority_reference=row["authority_reference"],
    )


class SqlaBreachRegister(_Adapter, BreachRegister):
    __slots__ = ()

    def add(self, breach: Breach) -> None:
        self._db.stage(
            breaches,
            {
                "id": breach.id,
                "scope": breach.scope,
                "data_classes": list(breach.data_classes),
                "aware_at": breach.aware_at,
                "recorded_at": breach.recorded_at,
                "authority_notified_at": breach.authority_notified_at,
                "authority_channel": breach.authority_channel,
                "authority_reference": breach.authority_reference,
            },
        )

    async def get(self, breach_id: UUID) -> Breach | None:
        result = await self._db.execute(_counts().where(breaches.c.id == breach_id))
        row = result.mappings().first()
        return None if row is None else _breach(row)

    async def list_all(self) -> list[Breach]:
        statement = _counts().order_by(breaches.c.aware_at.desc(), breaches.c.id)
        return [_breach(row) for row in (await self._db.execute(statement)).mappings()]

    async def record_authority_notice(
        self, breach_id: UUID, at: datetime, channel: str, reference: str | None
    ) -> None:
        await self._db.execute(
            update(breaches)
            .where(breaches.c.id == breach_id)
            .values(
                authority_notified_at=at,
                authority_channel=channel,
                authority_reference=reference,
            )
        )


class SqlaBreachMembers(_Adapter, BreachMembers):
    __slots__ = ()

    async def add(self, breach_id: UUID, members: Sequence[UserId]) -> int:
        present = set(
            (
                await self._db.execute(
                    select(breach_members.c.member_id).where(
                        breach_members.c.breach_id == breach_id
                    )
                )
            ).scalars()
        )
        new = [member for member in dict.fromkeys(members) if member not in present]
        if new:
            await self._db.execute(
                insert(breach_members),
                [{"id": uuid4(), "breach_id": breach_id, "member_id": member} for member in new],
            )
        return len(new)

    async def claim_unnotified(self, breach_id: UUID, at: datetime, limit: int) -> list[UserId]:
        waiting = (
            select(breach_members.c.id)
            .where(
                breach_members.c.breach_id == breach_id,
                breach_members.c.notified_at.is_(None),
                breach_members.c.member_id.is_not(None),
            )
            .order_by(breach_members.c.id)
            .limit(limit)
        )
        if self._db.dialect_name == "postgresql":
            waiting = waiting.with_for_update(skip_locked=True)
        # The outer condition re-checks under the row lock: a concurrent run that claimed
        # a row first leaves it out here.
        statement = (
            update(breach_members)
            .where(breach_members.c.id.in_(waiting), breach_members.c.notified_at.is_(None))
            .values(notified_at=at)
            .returning(breach_members.c.member_id)
        )
        claimed = (await self._db.execute(statement)).scalars()
        return sorted((UserId(value) for value in claimed), key=str)

    async def unnotified(self, breach_id: UUID) -> int:
        result = await self._db.execute(
            select(func.count()).where(
                breach_members.c.breach_id == breach_id,
                breach_members.c.notified_at.is_(None),
                breach_members.c.member_id.is_not(None),
            )
        )
        return int(result.scalar_one())


class SqlaBreachLog(_Adapter, BreachLog):
    """Append and read only; the table's triggers refuse updates and deletes as well."""

    __slots__ = ()

    def append(self, entry: BreachLogEntry) -> None:
        self._db.stage(
            breach_log,
            {
                "id": entry.id,
                "breach_id": entry.breach_id,
                "action": entry.action.value,
                "at": entry.at,
                "actor": entry.actor,
                "details": dict(entry.details),
            },
        )

    async def entries(self, breach_id: UUID | None) -> list[BreachLogEntry]:
        # Entries of one transaction share a time: the workflow's order breaks the tie.
        rank = case(
            {action.value: index for index, action in enumerate(BreachAction)},
            value=breach_log.c.action,
            else_=len(BreachAction),
        )
        statement = select(breach_log).order_by(breach_log.c.at, rank, breach_log.c.id)
        if breach_id is not None:
            statement = statement.where(breach_log.c.breach_id == breach_id)
        return [
            BreachLogEntry(
                id=row["id"],
                breach_id=row["breach_id"],
                action=BreachAction(row["action"]),
                at=row["at"],
                actor=row["actor"],
                details=dict(row["details"]),
            )
            for row in (await self._db.execute(statement)).mappings()
        ]
