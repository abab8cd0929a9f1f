"""In-memory fakes of the safety capability's ports, over ``SafetyState`` (and the
accounts and matching states they read or write, as the SQL adapters do their tables)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.safety import (
    Appeal,
    AppealStore,
    AuditEntry,
    Block,
    BlockReads,
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
    ModerationAction,
    ReportStatus,
    is_escalated,
    queue_key,
)
from saltbitter.domain.shared import DELETED_MEMBER, Role, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.matching_state import MatchingState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryAppealStore",
    "InMemoryBlockReads",
    "InMemoryBlockStore",
    "InMemoryCheckInStore",
    "InMemoryHeldMessageStore",
    "InMemoryMemberDirectory",
    "InMemoryMemberStanding",
    "InMemoryModerationAudit",
    "InMemoryReportStore",
    "InMemoryRoleAssignments",
    "InMemorySafetyMatches",
    "SafetyState",
]


@dataclass
class SafetyState:
    """Safety's tables: blocks, reports, appeals, the audit log, suspensions, check-ins."""

    blocks: dict[tuple[UserId, UserId], Block] = field(default_factory=dict)
    reports: dict[UUID, Report] = field(default_factory=dict)
    appeals: dict[UUID, Appeal] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    suspensions: dict[UserId, datetime | None] = field(default_factory=dict)  # None: ban
    check_ins: dict[UUID, CheckIn] = field(default_factory=dict)
    held_messages: dict[UUID, HeldMessage] = field(default_factory=dict)

    def check(self) -> None:
        """The partial unique index: one open report per reporter and member."""
        pairs = [
            (r.reporter_id, r.reported_id)
            for r in self.reports.values()
            if r.status is ReportStatus.OPEN
        ]
        if len(pairs) != len(set(pairs)):
            raise Conflict("You already reported this member.", code="report_exists")


class _OnSafety(InMemoryRepository):
    @property
    def _state(self) -> SafetyState:
        return self._connection.state(SafetyState)


def _blocked_between(
    state: SafetyState, viewer_id: UserId, target_ids: Collection[UserId]
) -> frozenset[UserId]:
    return frozenset(
        target
        for target in target_ids
        if (viewer_id, target) in state.blocks or (target, viewer_id) in state.blocks
    )


class InMemoryBlockReads(_OnSafety, BlockReads):
    """The fake of ``SqlaBlockReads``: blocks in either direction."""

    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        return _blocked_between(self._state, viewer_id, target_ids)


class InMemoryBlockStore(_OnSafety, BlockStore):
    async def add(self, block: Block) -> tuple[Block, bool]:
        key = (block.blocker_id, block.blocked_id)
        existing = self._state.blocks.get(key)
        if existing is not None:
            return existing, False
        self._state.blocks[key] = block
        return block, True

    async def remove(self, blocker_id: UserId, blocked_id: UserId) -> bool:
        return self._state.blocks.pop((blocker_id, blocked_id), None) is not None

    async def page(
        self, blocker_id: UserId, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Block]:
        mine = sorted(
            (b for b in self._state.blocks.values() if b.blocker_id == blocker_id),
            key=lambda b: (b.created_at, b.blocked_id),
            reverse=True,
        )
        if after is not None:
            mine = [b for b in mine if (b.created_at, b.blocked_id) < after]
        return mine[:limit]

    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        return _blocked_between(self._state, viewer_id, target_ids)


class InMemoryMemberDirectory(InMemoryRepository, MemberDirectory):
    async def exists(self, member_id: UserId) -> bool:
        return member_id in self._connection.state(AccountsState).users


class InMemoryReportStore(_OnSafety, ReportStore):
    async def add(self, report: Report) -> None:
        state = self._state
        if any(
            r.reporter_id == report.reporter_id
            and r.reported_id == report.reported_id
            and r.status is ReportStatus.OPEN
            for r in state.reports.values()
        ):
            raise Conflict(
                "You already reported this member; a moderator will look at it.",
                code="report_exists",
            )
        state.reports[report.id] = report

    async def get(self, report_id: UUID) -> Report | None:
        return self._state.reports.get(report_id)

    async def open_reporters(self, reported_id: UserId) -> frozenset[UserId]:
        return frozenset(
            r.reporter_id
            for r in self._state.reports.values()
            if r.reported_id == reported_id and r.status is ReportStatus.OPEN
        )

    async def resolve(
        self,
        report_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> Report | None:
        report = self._state.reports.get(report_id)
        if report is None or report.status is not ReportStatus.OPEN:
            return None
        resolved = dataclasses.replace(
            report,
            status=ReportStatus.RESOLVED,
            resolved_at=now,
            resolved_by=by,
            action=action,
            note=note,
        )
        self._state.reports[report_id] = resolved
        return resolved

    async def queue(self, offset: int, limit: int) -> Sequence[QueuedReport]:
        open_reports = [r for r in self._state.reports.values() if r.status is ReportStatus.OPEN]
        reporters: dict[UserId, set[UserId]] = {}
        for report in open_reports:
            reporters.setdefault(report.reported_id, set()).add(report.reporter_id)
        queued = [QueuedReport(r, len(reporters[r.reported_id])) for r in open_reports]
        queued.sort(
            key=lambda q: queue_key(
                escalated=is_escalated(reporters[q.report.reported_id]),
                severity=q.report.severity,
                created_at=q.report.created_at,
                report_id=q.report.id,
            )
        )
        return queued[offset : offset + limit]


class InMemoryModerationAudit(_OnSafety, ModerationAudit):
    def append(self, entry: AuditEntry) -> None:
        self._state.audit.append(entry)

    async def page(self, offset: int, limit: int) -> Sequence[AuditEntry]:
        ordered = sorted(self._state.audit, key=lambda e: (e.created_at, e.id), reverse=True)
        return ordered[offset : offset + limit]


class InMemoryAppealStore(_OnSafety, AppealStore):
    async def add(self, appeal: Appeal) -> None:
        if any(a.report_id == appeal.report_id for a in self._state.appeals.values()):
            raise Conflict("This decision was already appealed.", code="appeal_exists")
        self._state.appeals[appeal.id] = appeal

    async def get(self, appeal_id: UUID) -> Appeal | None:
        return self._state.appeals.get(appeal_id)

    async def resolve(
        self, appeal_id: UUID, *, by: UserId, upheld: bool, note: str, now: datetime
    ) -> Appeal | None:
        appeal = self._state.appeals.get(appeal_id)
        if appeal is None or appeal.resolved_at is not None:
            return None
        resolved = dataclasses.replace(
            appeal, resolved_at=now, resolved_by=by, upheld=upheld, note=note
        )
        self._state.appeals[appeal_id] = resolved
        return resolved


class InMemoryMemberStanding(_OnSafety, MemberStanding):
    def _set_status(
        self, member_id: UserId, status: AccountStatus, *, only: AccountStatus | None = None
    ) -> None:
        accounts = self._connection.state(AccountsState)
        user = accounts.users.get(member_id)
        if user is None or user.status is AccountStatus.DEACTIVATED:
            return
        if only is not None and user.status is not only:
            return
        accounts.users[member_id] = dataclasses.replace(user, status=status)

    def _upsert(self, member_id: UserId, until: datetime | None) -> None:
        suspensions = self._state.suspensions
        if member_id not in suspensions:
            suspensions[member_id] = until
            return
        current = suspensions[member_id]
        if current is None:
            return
        suspensions[member_id] = None if until is None else max(until, current)

    async def suspend(self, member_id: UserId, until: datetime, now: datetime) -> None:  # noqa: ARG002
        self._upsert(member_id, until)
        self._set_status(member_id, AccountStatus.SUSPENDED)

    async def ban(self, member_id: UserId, now: datetime) -> int:
        self._upsert(member_id, None)
        self._set_status(member_id, AccountStatus.SUSPENDED)
        accounts = self._connection.state(AccountsState)
        revoked = 0
        for session in accounts.sessions.values():
            if session.user_id == member_id and session.active:
                session.revoke(now)
                revoked += 1
        return revoked

    async def reinstate(self, member_id: UserId) -> None:
        self._state.suspensions.pop(member_id, None)
        self._set_status(member_id, AccountStatus.ACTIVE, only=AccountStatus.SUSPENDED)

    async def lift_expired(self, now: datetime) -> Sequence[UserId]:
        due = [
            m for m, until in self._state.suspensions.items() if until is not None and until <= now
        ]
        for member in due:
            await self.reinstate(member)
        return due

    async def suspended_until(self, member_id: UserId) -> datetime | None:
        return self._state.suspensions.get(member_id)


class InMemoryRoleAssignments(InMemoryRepository, RoleAssignments):
    async def set_role(self, email: EmailAddress, role: Role, *, granted: bool) -> UserId | None:
        accounts = self._connection.state(AccountsState)
        user = next((u for u in accounts.users.values() if u.email == email), None)
        if user is None:
            return None
        roles = user.roles | {role} if granted else user.roles - {role}
        accounts.users[user.id] = dataclasses.replace(user, roles=frozenset(roles))
        return user.id


class InMemorySafetyMatches(InMemoryRepository, SafetyMatches):
    async def partner(self, member_id: UserId, match_id: UUID) -> UserId | None:
        match = self._connection.state(MatchingState).matches.get(match_id)
        if match is None or not match.active or member_id not in match.pair:
            return None
        if DELETED_MEMBER in match.pair:  # the partner was erased (ADR 0035)
            return None
        return match.pair.other(member_id)


class InMemoryCheckInStore(_OnSafety, CheckInStore):
    def add(self, check_in: CheckIn) -> None:
        self._state.check_ins[check_in.id] = check_in

    async def get(self, check_in_id: UUID) -> CheckIn | None:
        return self._state.check_ins.get(check_in_id)

    async def mark_ok(self, check_in_id: UUID, now: datetime) -> bool:
        found = self._state.check_ins.get(check_in_id)
        if found is None or found.ok_at is not None:
            return False
        self._state.check_ins[check_in_id] = dataclasses.replace(found, ok_at=now)
        return True

    async def of_member(self, member_id: UserId) -> Sequence[CheckIn]:
        mine = [c for c in self._state.check_ins.values() if c.member_id == member_id]
        return sorted(mine, key=lambda c: (c.created_at, c.id), reverse=True)

    async def claim_overdue(self, now: datetime, limit: int) -> Sequence[CheckIn]:
        due = sorted(
            (
                c
                for c in self._state.check_ins.values()
                if c.alerted_at is None
                and c.ok_at is None
                and c.contact_email is not None
                and c.check_in_by <= now
            ),
            key=lambda c: c.check_in_by,
        )[:limit]
        claimed = [dataclasses.replace(c, alerted_at=now) for c in due]
        for check_in in claimed:
            self._state.check_ins[check_in.id] = check_in
        return claimed

    async def current(self, member_id: UserId, now: datetime) -> CheckIn | None:  # noqa: ARG002
        open_ones = [
            c
            for c in self._state.check_ins.values()
            if c.member_id == member_id and c.ok_at is None and c.contact_email is not None
        ]
        return max(open_ones, key=lambda c: (c.starts_at, c.id), default=None)

    async def forget_contacts(self, before: datetime) -> int:
        forgotten = 0
        for key, check_in in list(self._state.check_ins.items()):
            if check_in.check_in_by <= before and check_in.contact_email is not None:
                self._state.check_ins[key] = dataclasses.replace(
                    check_in, contact_name=None, contact_email=None
                )
                forgotten += 1
        return forgotten


class InMemoryHeldMessageStore(_OnSafety, HeldMessageStore):
    async def add(self, held: HeldMessage) -> bool:
        if held.message_id in self._state.held_messages:
            return False
        self._state.held_messages[held.message_id] = held
        return True

    async def resolve(
        self,
        message_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> HeldMessage | None:
        held = self._state.held_messages.get(message_id)
        if held is None or held.status is not ReportStatus.OPEN:
            return None
        resolved = dataclasses.replace(
            held,
            status=ReportStatus.RESOLVED,
            resolved_at=now,
            resolved_by=by,
            action=action,
            note=note,
        )
        self._state.held_messages[message_id] = resolved
        return resolved

    async def queue(self, limit: int) -> Sequence[HeldMessage]:
        open_held = [h for h in self._state.held_messages.values() if h.status is ReportStatus.OPEN]
        open_held.sort(key=lambda h: (-h.severity, h.created_at, h.message_id))
        return open_held[:limit]
