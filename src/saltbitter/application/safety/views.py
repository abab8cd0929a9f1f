"""What the safety use cases answer (msgspec encodes these dataclasses at the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.safety import (
    Appeal,
    AuditEntry,
    CheckIn,
    HeldMessage,
    QueuedReport,
    Report,
)
from saltbitter.domain.safety import ModerationAction, ReportReason, ReportStatus
from saltbitter.domain.shared import UserId

__all__ = [
    "AppealView",
    "AuditEntryView",
    "AuditPage",
    "BlockView",
    "BlocksPage",
    "CheckInView",
    "CheckInsPage",
    "QueueItemView",
    "QueuePage",
    "ReportView",
]


@dataclass(frozen=True, slots=True)
class BlockView:
    user_id: UserId
    blocked_at: datetime


@dataclass(frozen=True, slots=True)
class BlocksPage:
    items: list[BlockView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report as its reporter sees it."""

    id: UUID
    user_id: UserId
    reason: ReportReason
    status: ReportStatus
    created_at: datetime
    blocked: bool

    @classmethod
    def of(cls, report: Report, *, blocked: bool) -> ReportView:
        return cls(
            report.id,
            report.reported_id,
            report.reason,
            report.status,
            report.created_at,
            blocked,
        )


@dataclass(frozen=True, slots=True)
class QueueItemView:
    """A report, or a message screening held (kind ``message``: no reporter nor reason,
    ``reported_id`` is its sender, ``id`` the message's, ``reasons`` screening's), as
    moderators see it."""

    id: UUID
    reporter_id: UserId | None
    reported_id: UserId
    reason: ReportReason | None
    severity: int
    details: str
    message_id: UUID | None
    created_at: datetime
    escalated: bool
    open_reporters: int
    kind: str = "report"
    reasons: tuple[str, ...] = ()

    @classmethod
    def of_message(cls, held: HeldMessage) -> QueueItemView:
        return cls(
            held.message_id,
            None,
            held.sender_id,
            None,
            held.severity,
            "",
            held.message_id,
            held.created_at,
            escalated=False,
            open_reporters=0,
            kind="message",
            reasons=held.reasons,
        )

    @classmethod
    def of(cls, queued: QueuedReport) -> QueueItemView:
        report = queued.report
        return cls(
            report.id,
            report.reporter_id,
            report.reported_id,
            report.reason,
            report.severity,
            report.details,
            report.message_id,
            report.created_at,
            queued.escalated,
            queued.open_reporters,
        )


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueItemView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ResolvedReportView:
    id: UUID
    reported_id: UserId
    action: ModerationAction
    resolved_at: datetime
    suspended_until: datetime | None


@dataclass(frozen=True, slots=True)
class AppealView:
    id: UUID
    report_id: UUID
    created_at: datetime
    resolved_at: datetime | None
    upheld: bool | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealView:
        return cls(
            appeal.id, appeal.report_id, appeal.created_at, appeal.resolved_at, appeal.upheld
        )


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    id: UUID
    actor_id: UserId | None
    action: str
    subject_id: UserId | None
    object_id: UUID | None
    detail: str
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryView:
        return cls(
            entry.id,
            entry.actor_id,
            entry.action,
            entry.subject_id,
            entry.object_id,
            entry.detail,
            entry.created_at,
        )


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditEntryView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ContactView:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class CheckInView:
    id: UUID
    match_id: UUID
    starts_at: datetime
    check_in_by: datetime
    contact: ContactView | None  # None once deleted (7 days after the check-in time)
    ok_at: datetime | None
    alerted_at: datetime | None

    @classmethod
    def of(cls, check_in: CheckIn) -> CheckInView:
        contact = (
            None
            if check_in.contact_name is None or check_in.contact_email is None
            else ContactView(check_in.contact_name, check_in.contact_email)
        )
        return cls(
            check_in.id,
            check_in.match_id,
            check_in.starts_at,
            check_in.check_in_by,
            contact,
            check_in.ok_at,
            check_in.alerted_at,
        )


@dataclass(frozen=True, slots=True)
class CheckInsPage:
    items: list[CheckInView]
