"""SQL adapters of the safety capability's ports, on the request's ``StagedConnection``.

Safety's reads and writes of other capabilities' tables (``users``, ``sessions``,
``matches``) stay behind ports safety owns: ``MemberDirectory``, ``MemberStanding``,
``RoleAssignments`` and ``SafetyMatches``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Insert,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from saltbitter.adapters.sqlalchemy.block_reads import blocked_between
from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import sessions, users
from saltbitter.adapters.sqlalchemy.tables_members import matches
from saltbitter.adapters.sqlalchemy.tables_safety import (
    appeals,
    blocks,
    check_ins,
    held_messages,
    moderation_audit,
    reports,
    suspensions,
)
from saltbitter.application.ports.safety import (
    Appeal,
    AppealStore,
    AuditEntry,
    Block,
    BlockStore,
    CheckIn,
    CheckInStore,
    HeldMessage,
    HeldMessageStore,
    MemberDirectory,
    MemberStanding,
    ModerationAudit,
    QueuedReport,
    Report,
    ReportStore,
    RoleAssignments,
    SafetyMatches,
)
from saltbitter.domain.accounts import AccountStatus, EmailAddress
from saltbitter.domain.errors import Conflict
from saltbitter.domain.safety import (
    ESCALATION_REPORTERS,
    ModerationAction,
    ReportReason,
    ReportStatus,
)
from saltbitter.domain.shared import Role, UserId

__all__ = [
    "SqlaAppealStore",
    "SqlaBlockStore",
    "SqlaCheckInStore",
    "SqlaHeldMessageStore",
    "SqlaMemberDirectory",
    "SqlaMemberStanding",
    "SqlaModerationAudit",
    "SqlaReportStore",
    "SqlaRoleAssignments",
    "SqlaSafetyMatches",
]


# The partial unique indexes' names, so PostgreSQL's violations read as conflicts.
CONFLICTS["uq_reports_open_pair"] = (
    "You already reported this member; a moderator will look at it.",
    "report_exists",
)
CONFLICTS["uq_appeals_report_id"] = ("This decision was already appealed.", "appeal_exists")


class _OnConnection:
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def _insert(self, table: Any) -> Insert:
        if self._db.dialect_name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    @property
    def _locks(self) -> bool:
        return self._db.dialect_name == "postgresql"


class SqlaBlockStore(_OnConnection, BlockStore):
    async def add(self, block: Block) -> tuple[Block, bool]:
        inserted = await self._db.execute(
            self._insert(blocks)
            .values(
                blocker_id=block.blocker_id,
                blocked_id=block.blocked_id,
                created_at=block.created_at,
            )
            .returning(blocks.c.blocker_id)
        )
        if inserted.first() is not None:
            self._blocks_changed(block.blocker_id, block.blocked_id)
            if self._locks:
                # Closing a conversation holds its match row until commit, as an
                # unmatch's UPDATE does: a message being sent in it right now (which
                # holds the row shared, conversations' ``lock``) either commits first or
                # waits and then finds the block.
                await self._db.execute(
                    select(matches.c.id)
                    .where(
                        or_(
                            and_(
                                matches.c.user_low == block.blocker_id,
                                matches.c.user_high == block.blocked_id,
                            ),
                            and_(
                                matches.c.user_low == block.blocked_id,
                                matches.c.user_high == block.blocker_id,
                            ),
                        )
                    )
                    .with_for_update(key_share=True)
                )
            return block, True
        row = (
            await self._db.execute(
                select(blocks.c.created_at).where(
                    blocks.c.blocker_id == block.blocker_id,
                    blocks.c.blocked_id == block.blocked_id,
                )
            )
        ).one()
        return Block(block.blocker_id, block.blocked_id, row.created_at), False

    async def remove(self, blocker_id: UserId, blocked_id: UserId) -> bool:
        result = await self._db.execute(
            delete(blocks).where(
                blocks.c.blocker_id == blocker_id, blocks.c.blocked_id == blocked_id
            )
        )
        if not result.rowcount:
            return False
        self._blocks_changed(blocker_id, blocked_id)
        return True

    def _blocks_changed(self, blocker_id: UserId, blocked_id: UserId) -> None:
        # Views kept under a member's stamp hide blocked members both ways (the daily
        # set's, ADR 0036): the commit renews both members' stamps.
        self._db.principal_changed(blocker_id)
        self._db.principal_changed(blocked_id)

    async def page(
        self, blocker_id: UserId, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Block]:
        statement = select(blocks).where(blocks.c.blocker_id == blocker_id)
        if after is not None:
            statement = statement.where(
                tuple_(blocks.c.created_at, blocks.c.blocked_id) < tuple_(*after)
                if self._locks
                else or_(
                    blocks.c.created_at < after[0],
                    and_(blocks.c.created_at == after[0], blocks.c.blocked_id < after[1]),
                )
            )
        statement = statement.order_by(blocks.c.created_at.desc(), blocks.c.blocked_id.desc())
        rows = await self._db.execute(statement.limit(limit))
        return [Block(UserId(r.blocker_id), UserId(r.blocked_id), r.created_at) for r in rows]

    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        if not target_ids:
            return frozenset()
        return await blocked_between(self._db, viewer_id, target_ids)


class SqlaMemberDirectory(_OnConnection, MemberDirectory):
    async def exists(self, member_id: UserId) -> bool:
        found = await self._db.execute(select(users.c.id).where(users.c.id == member_id))
        return found.first() is not None


def _report(row: Any) -> Report:
    return Report(
        id=row.id,
        reporter_id=UserId(row.reporter_id),
        reported_id=UserId(row.reported_id),
        reason=ReportReason(row.reason),
        details=row.details,
        severity=row.severity,
        created_at=row.created_at,
        message_id=row.message_id,
        status=ReportStatus(row.status),
        resolved_at=row.resolved_at,
        resolved_by=None if row.resolved_by is None else UserId(row.resolved_by),
        action=None if row.action is None else ModerationAction(row.action),
        note=row.note,
    )


def _report_exists() -> Conflict:
    return Conflict(
        "You already reported this member; a moderator will look at it.", code="report_exists"
    )


class SqlaReportStore(_OnConnection, ReportStore):
    async def add(self, report: Report) -> None:
        values = {
            "id": report.id,
            "reporter_id": report.reporter_id,
            "reported_id": report.reported_id,
            "reason": report.reason.value,
            "severity": report.severity,
            "details": report.details,
            "message_id": report.message_id,
            "status": report.status.value,
            "created_at": report.created_at,
        }
        try:
            await self._db.execute(reports.insert().values(**values))
        except IntegrityError as error:  # SQLite names no index; PostgreSQL is translated
            raise _report_exists() from error
        except Conflict as error:
            raise _report_exists() from error

    async def get(self, report_id: UUID) -> Report | None:
        row = (await self._db.execute(select(reports).where(reports.c.id == report_id))).first()
        return None if row is None else _report(row)

    async def open_reporters(self, reported_id: UserId) -> frozenset[UserId]:
        rows = await self._db.execute(
            select(reports.c.reporter_id)
            .where(reports.c.reported_id == reported_id, reports.c.status == "open")
            .distinct()
        )
        return frozenset(UserId(r.reporter_id) for r in rows)

    async def resolve(
        self,
        report_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> Report | None:
        row = (
            await self._db.execute(
                update(reports)
                .where(reports.c.id == report_id, reports.c.status == ReportStatus.OPEN.value)
                .values(
                    status=ReportStatus.RESOLVED.value,
                    resolved_at=now,
                    resolved_by=by,
                    action=action.value,
                    note=note,
                )
                .returning(*reports.c)
            )
        ).first()
        return None if row is None else _report(row)

    async def queue(self, offset: int, limit: int) -> Sequence[QueuedReport]:
        open_reports = reports.c.status == ReportStatus.OPEN.value
        counts = (
            select(
                reports.c.reported_id.label("member"),
                func.count(reports.c.reporter_id.distinct()).label("reporters"),
            )
            .where(open_reports)
            .group_by(reports.c.reported_id)
            .subquery()
        )
        escalated = case((counts.c.reporters >= ESCALATION_REPORTERS, 0), else_=1)
        statement = (
            select(reports, counts.c.reporters)
            .join(counts, counts.c.member == reports.c.reported_id)
            .where(open_reports)
            .order_by(
                escalated,
                reports.c.severity.desc(),
                reports.c.created_at,
                reports.c.id,
            )
            .offset(offset)
            .limit(limit)
        )
        rows = await self._db.execute(statement)
        return [QueuedReport(_report(r), int(r.reporters)) for r in rows]


def _held(row: Any) -> HeldMessage:
    return HeldMessage(
        message_id=row.message_id,
        match_id=row.match_id,
        sender_id=UserId(row.sender_id),
        recipient_id=UserId(row.recipient_id),
        decision=row.decision,
        reasons=tuple(r for r in row.reasons.split(",") if r),
        severity=row.severity,
        created_at=row.created_at,
        status=ReportStatus(row.status),
        resolved_at=row.resolved_at,
        resolved_by=None if row.resolved_by is None else UserId(row.resolved_by),
        action=None if row.action is None else ModerationAction(row.action),
        note=row.note,
    )


class SqlaHeldMessageStore(_OnConnection, HeldMessageStore):
    async def add(self, held: HeldMessage) -> bool:
        inserted = await self._db.execute(
            self._insert(held_messages)
            .values(
                message_id=held.message_id,
                match_id=held.match_id,
                sender_id=held.sender_id,
                recipient_id=held.recipient_id,
                decision=held.decision,
                reasons=",".join(held.reasons),
                severity=held.severity,
                status=held.status.value,
                created_at=held.created_at,
            )
            .returning(held_messages.c.message_id)
        )
        return inserted.first() is not None

    async def resolve(
        self,
        message_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> HeldMessage | None:
        row = (
            await self._db.execute(
                update(held_messages)
                .where(
                    held_messages.c.message_id == message_id,
                    held_messages.c.status == ReportStatus.OPEN.value,
                )
                .values(
                    status=ReportStatus.RESOLVED.value,
                    resolved_at=now,
                    resolved_by=by,
                    action=action.value,
                    note=note,
                )
                .returning(*held_messages.c)
            )
        ).first()
        return None if row is None else _held(row)

    async def queue(self, limit: int) -> Sequence[HeldMessage]:
        rows = await self._db.execute(
            select(held_messages)
            .where(held_messages.c.status == ReportStatus.OPEN.value)
            .order_by(
                held_messages.c.severity.desc(),
                held_messages.c.created_at,
                held_messages.c.message_id,
            )
            .limit(limit)
        )
        return [_held(r) for r in rows]


class SqlaModerationAudit(_OnConnection, ModerationAudit):
    def append(self, entry: AuditEntry) -> None:
        self._db.stage(
            moderation_audit,
            {
                "id": entry.id,
                "actor_id": entry.actor_id,
                "action": entry.action,
                "subject_id": entry.subject_id,
                "object_id": entry.object_id,
                "detail": entry.detail,
                "created_at": entry.created_at,
            },
        )

    async def page(self, offset: int, limit: int) -> Sequence[AuditEntry]:
        rows = await self._db.execute(
            select(moderation_audit)
            .order_by(moderation_audit.c.created_at.desc(), moderation_audit.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [
            AuditEntry(
                r.id,
                None if r.actor_id is None else UserId(r.actor_id),
                r.action,
                None if r.subject_id is None else UserId(r.subject_id),
                r.object_id,
                r.detail,
                r.created_at,
            )
            for r in rows
        ]


def _appeal(row: Any) -> Appeal:
    return Appeal(
        id=row.id,
        member_id=UserId(row.member_id),
        report_id=row.report_id,
        text=row.text,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=None if row.resolved_by is None else UserId(row.resolved_by),
        upheld=row.upheld,
        note=row.note,
    )


class SqlaAppealStore(_OnConnection, AppealStore):
    async def add(self, appeal: Appeal) -> None:
        values = {
            "id": appeal.id,
            "member_id": appeal.member_id,
            "report_id": appeal.report_id,
            "text": appeal.text,
            "created_at": appeal.created_at,
        }
        inserted = await self._db.execute(
            self._insert(appeals).values(**values).returning(appeals.c.id)
        )
        if inserted.first() is None:
            raise Conflict("This decision was already appealed.", code="appeal_exists")

    async def get(self, appeal_id: UUID) -> Appeal | None:
        row = (await self._db.execute(select(appeals).where(appeals.c.id == appeal_id))).first()
        return None if row is None else _appeal(row)

    async def resolve(
        self, appeal_id: UUID, *, by: UserId, upheld: bool, note: str, now: datetime
    ) -> Appeal | None:
        row = (
            await self._db.execute(
                update(appeals)
                .where(appeals.c.id == appeal_id, appeals.c.resolved_at.is_(None))
                .values(resolved_at=now, resolved_by=by, upheld=upheld, note=note)
                .returning(*appeals.c)
            )
        ).first()
        return None if row is None else _appeal(row)


class SqlaMemberStanding(_OnConnection, MemberStanding):
    async def _set_status(self, member_id: UserId, status: AccountStatus) -> None:
        await self._db.execute(
            update(users)
            .where(users.c.id == member_id, users.c.status != AccountStatus.DEACTIVATED.value)
            .values(status=status.value)
        )
        self._db.principal_changed(member_id)

    async def _upsert(self, member_id: UserId, until: datetime | None, now: datetime) -> None:
        current = (
            await self._db.execute(
                select(suspensions.c.until).where(suspensions.c.member_id == member_id)
            )
        ).first()
        if current is None:
            await self._db.execute(
                suspensions.insert().values(member_id=member_id, until=until, created_at=now)
            )
            return
        if current.until is None:
            return  # banned: nothing shortens a ban
        new_until = None if until is None else max(until, current.until)
        await self._db.execute(
            update(suspensions).where(suspensions.c.member_id == member_id).values(until=new_until)
        )

    async def suspend(self, member_id: UserId, until: datetime, now: datetime) -> None:
        await self._upsert(member_id, until, now)
        await self._set_status(member_id, AccountStatus.SUSPENDED)

    async def ban(self, member_id: UserId, now: datetime) -> int:
        await self._upsert(member_id, None, now)
        await self._set_status(member_id, AccountStatus.SUSPENDED)
        revoked = await self._db.execute(
            update(sessions)
            .where(sessions.c.user_id == member_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        self._db.principal_changed(member_id)
        return int(revoked.rowcount)

    async def reinstate(self, member_id: UserId) -> None:
        await self._db.execute(delete(suspensions).where(suspensions.c.member_id == member_id))
        await self._db.execute(
            update(users)
            .where(users.c.id == member_id, users.c.status == AccountStatus.SUSPENDED.value)
            .values(status=AccountStatus.ACTIVE.value)
        )
        self._db.principal_changed(member_id)

    async def lift_expired(self, now: datetime) -> Sequence[UserId]:
        statement = select(suspensions.c.member_id).where(
            suspensions.c.until.is_not(None), suspensions.c.until <= now
        )
        if self._locks:
            statement = statement.with_for_update(skip_locked=True)
        due = [UserId(r.member_id) for r in await self._db.execute(statement)]
        for member in due:
            await self.reinstate(member)
        return due

    async def suspended_until(self, member_id: UserId) -> datetime | None:
        row = (
            await self._db.execute(
                select(suspensions.c.until).where(suspensions.c.member_id == member_id)
            )
        ).first()
        return None if row is None else row.until


class SqlaRoleAssignments(_OnConnection, RoleAssignments):
    async def set_role(self, email: EmailAddress, role: Role, *, granted: bool) -> UserId | None:
        statement = select(users.c.id, users.c.roles).where(users.c.email == email.value)
        if self._locks:
            statement = statement.with_for_update()
        row = (await self._db.execute(statement)).first()
        if row is None:
            return None
        roles = {r for r in row.roles.split(",") if r}
        if granted:
            roles.add(role.value)
        else:
            roles.discard(role.value)
        await self._db.execute(
            update(users).where(users.c.id == row.id).values(roles=",".join(sorted(roles)))
        )
        self._db.principal_changed(UserId(row.id))
        return UserId(row.id)


class SqlaSafetyMatches(_OnConnection, SafetyMatches):
    async def partner(self, member_id: UserId, match_id: UUID) -> UserId | None:
        row = (
            await self._db.execute(
                select(matches.c.user_low, matches.c.user_high).where(
                    matches.c.id == match_id,
                    matches.c.unmatched_at.is_(None),
                    matches.c.user_low.is_not(None),
                    matches.c.user_high.is_not(None),
                    or_(matches.c.user_low == member_id, matches.c.user_high == member_id),
                )
            )
        ).first()
        if row is None:
            return None
        return UserId(row.user_high if row.user_low == member_id else row.user_low)


def _check_in(row: Any) -> CheckIn:
    return CheckIn(
        id=row.id,
        member_id=UserId(row.member_id),
        match_id=row.match_id,
        starts_at=row.starts_at,
        check_in_by=row.due_at,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        created_at=row.created_at,
        ok_at=row.ok_at,
        alerted_at=row.alerted_at,
    )


class SqlaCheckInStore(_OnConnection, CheckInStore):
    def add(self, check_in: CheckIn) -> None:
        self._db.stage(
            check_ins,
            {
                "id": check_in.id,
                "member_id": check_in.member_id,
                "match_id": check_in.match_id,
                "starts_at": check_in.starts_at,
                "due_at": check_in.check_in_by,
                "contact_name": check_in.contact_name,
                "contact_email": check_in.contact_email,
                "created_at": check_in.created_at,
                "ok_at": check_in.ok_at,
                "alerted_at": check_in.alerted_at,
            },
        )

    async def get(self, check_in_id: UUID) -> CheckIn | None:
        row = (
            await self._db.execute(select(check_ins).where(check_ins.c.id == check_in_id))
        ).first()
        return None if row is None else _check_in(row)

    async def mark_ok(self, check_in_id: UUID, now: datetime) -> bool:
        result = await self._db.execute(
            update(check_ins)
            .where(check_ins.c.id == check_in_id, check_ins.c.ok_at.is_(None))
            .values(ok_at=now)
        )
        return bool(result.rowcount)

    async def of_member(self, member_id: UserId) -> Sequence[CheckIn]:
        rows = await self._db.execute(
            select(check_ins)
            .where(check_ins.c.member_id == member_id)
            .order_by(check_ins.c.created_at.desc(), check_ins.c.id.desc())
        )
        return [_check_in(r) for r in rows]

    async def claim_overdue(self, now: datetime, limit: int) -> Sequence[CheckIn]:
        due = and_(
            check_ins.c.alerted_at.is_(None),
            check_ins.c.ok_at.is_(None),
            check_ins.c.contact_email.is_not(None),
            check_ins.c.due_at <= now,
        )
        candidates = select(check_ins.c.id).where(due).order_by(check_ins.c.due_at)
        candidates = candidates.limit(limit)
        if self._locks:
            candidates = candidates.with_for_update(skip_locked=True)
        # The outer condition is checked again on the locked row: of two sweeps, only
        # the one that changes alerted_at from NULL gets the row back.
        rows = await self._db.execute(
            update(check_ins)
            .where(check_ins.c.id.in_(candidates.scalar_subquery()), due)
            .values(alerted_at=now)
            .returning(*check_ins.c)
        )
        return [_check_in(r) for r in rows]

    async def current(self, member_id: UserId, now: datetime) -> CheckIn | None:  # noqa: ARG002
        row = (
            await self._db.execute(
                select(check_ins)
                .where(
                    check_ins.c.member_id == member_id,
                    check_ins.c.ok_at.is_(None),
                    check_ins.c.contact_email.is_not(None),
                )
                .order_by(check_ins.c.starts_at.desc(), check_ins.c.id.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _check_in(row)

    async def forget_contacts(self, before: datetime) -> int:
        result = await self._db.execute(
            update(check_ins)
            .where(check_ins.c.due_at <= before, check_ins.c.contact_email.is_not(None))
            .values(contact_name=None, contact_email=None)
        )
        return int(result.rowcount)
