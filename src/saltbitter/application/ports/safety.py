"""Ports of the safety capability: blocks, reports, moderation, check-ins.

Small and role-shaped: a use case asks for the one or two it needs plus ``Transaction``.
Reads of other capabilities' data (does a member exist, is a match the caller's) are
ports safety owns; their SQL adapters read the owners' tables on the same connection.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.safety import (
    ESCALATION_REPORTERS,
    ModerationAction,
    ReportReason,
    ReportStatus,
)
from saltbitter.domain.shared import Role, UserId

__all__ = [
    "Appeal",
    "AppealStore",
    "AuditEntry",
    "Block",
    "BlockReads",
    "BlockStore",
    "CheckIn",
    "CheckInStore",
    "HeldMessage",
    "HeldMessageStore",
    "MemberDirectory",
    "MemberStanding",
    "ModerationAudit",
    "QueuedReport",
    "Report",
    "ReportStore",
    "RoleAssignments",
    "SafetyMatches",
]


@dataclass(frozen=True, slots=True)
class Block:
    blocker_id: UserId
    blocked_id: UserId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    id: UUID
    reporter_id: UserId
    reported_id: UserId
    reason: ReportReason
    details: str
    severity: int
    created_at: datetime
    message_id: UUID | None = None
    status: ReportStatus = ReportStatus.OPEN
    resolved_at: datetime | None = None
    resolved_by: UserId | None = None
    action: ModerationAction | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedReport:
    """An open report as the review queue lists it."""

    report: Report
    open_reporters: int  # distinct reporters with an open report on the same member

    @property
    def escalated(self) -> bool:
        return self.open_reporters >= ESCALATION_REPORTERS


@dataclass(frozen=True, slots=True)
class HeldMessage:
    """A message conversations' screening held or blocked, waiting in the review queue."""

    message_id: UUID
    match_id: UUID
    sender_id: UserId
    recipient_id: UserId
    decision: str  # "hold" or "block"
    reasons: tuple[str, ...]
    severity: int
    created_at: datetime
    status: ReportStatus = ReportStatus.OPEN
    resolved_at: datetime | None = None
    resolved_by: UserId | None = None
    action: ModerationAction | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log."""

    id: UUID
    actor_id: UserId | None  # None: the system (a Beat job)
    action: str
    subject_id: UserId | None
    object_id: UUID | None
    detail: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Appeal:
    id: UUID
    member_id: UserId
    report_id: UUID
    text: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: UserId | None = None
    upheld: bool | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    id: UUID
    member_id: UserId
    match_id: UUID
    starts_at: datetime
    check_in_by: datetime
    contact_name: str | None  # None once the contact's details were deleted
    contact_email: str | None
    created_at: datetime
    ok_at: datetime | None = None
    alerted_at: datetime | None = None


class BlockReads(Protocol):
    """Who is blocked between a viewer and some members, in either direction: the read
    that matching and profiles wire behind their own ports."""

    @abstractmethod
    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        """The targets that ``viewer_id`` blocked or was blocked by."""


class BlockStore(BlockReads, Protocol):
    """The ``blocks`` table."""

    @abstractmethod
    async def add(self, block: Block) -> tuple[Block, bool]:
        """Record the block unless it exists; returns the stored block (the first one)
        and whether this call created it (of concurrent callers, exactly one does)."""

    @abstractmethod
    async def remove(self, blocker_id: UserId, blocked_id: UserId) -> bool:
        """Lift a block; False when there was none."""

    @abstractmethod
    async def page(
        self, blocker_id: UserId, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Block]:
        """The blocker's blocks, newest first, after the keyset ``after``."""


class MemberDirectory(Protocol):
    """Safety's read of accounts: which members exist."""

    @abstractmethod
    async def exists(self, member_id: UserId) -> bool: ...


class ReportStore(Protocol):
    """The ``reports`` table."""

    @abstractmethod
    async def add(self, report: Report) -> None:
        """Store a report; a second open report by the same reporter on the same member
        is a ``Conflict`` (``report_exists``), also when two arrive at once."""

    @abstractmethod
    async def get(self, report_id: UUID) -> Report | None: ...

    @abstractmethod
    async def open_reporters(self, reported_id: UserId) -> frozenset[UserId]:
        """The distinct reporters with an open report on ``reported_id``."""

    @abstractmethod
    async def resolve(
        self,
        report_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> Report | None:
        """Close an open report; None when it is not open (already resolved, unknown)."""

    @abstractmethod
    async def queue(self, offset: int, limit: int) -> Sequence[QueuedReport]:
        """Open reports: escalated members first, then by severity (high first), then
        oldest first."""


class HeldMessageStore(Protocol):
    """The ``held_messages`` table: one row per held message, whatever the deliveries."""

    @abstractmethod
    async def add(self, held: HeldMessage) -> bool:
        """Queue a held message; False (and nothing changes) when it is already there."""

    @abstractmethod
    async def resolve(
        self,
        message_id: UUID,
        *,
        by: UserId | None,
        action: ModerationAction,
        note: str,
        now: datetime,
    ) -> HeldMessage | None:
        """Close an open held message; None when it is not open (resolved, unknown)."""

    @abstractmethod
    async def queue(self, limit: int) -> Sequence[HeldMessage]:
        """The first ``limit`` open held messages: severity (high first), then oldest
        first, the message id breaking ties."""


class ModerationAudit(Protocol):
    """Append-only: entries are never updated or deleted (except by erasure)."""

    @abstractmethod
    def append(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    async def page(self, offset: int, limit: int) -> Sequence[AuditEntry]:
        """Newest first."""


class AppealStore(Protocol):
    @abstractmethod
    async def add(self, appeal: Appeal) -> None:
        """One open appeal per report (``Conflict`` ``appeal_exists``)."""

    @abstractmethod
    async def get(self, appeal_id: UUID) -> Appeal | None: ...

    @abstractmethod
    async def resolve(
        self, appeal_id: UUID, *, by: UserId, upheld: bool, note: str, now: datetime
    ) -> Appeal | None:
        """Close an open appeal; None when it is not open."""


class MemberStanding(Protocol):
    """Safety's write onto accounts' member status: suspensions and bans."""

    @abstractmethod
    async def suspend(self, member_id: UserId, until: datetime, now: datetime) -> None:
        """Suspend until ``until`` (a later suspension extends, never shortens, one)."""

    @abstractmethod
    async def ban(self, member_id: UserId, now: datetime) -> int:
        """Suspend for good and revoke every session; returns the sessions revoked."""

    @abstractmethod
    async def reinstate(self, member_id: UserId) -> None:
        """Lift a suspension or ban (an upheld appeal)."""

    @abstractmethod
    async def lift_expired(self, now: datetime) -> Sequence[UserId]:
        """End every suspension whose time has passed; returns the members reinstated."""

    @abstractmethod
    async def suspended_until(self, member_id: UserId) -> datetime | None: ...


class RoleAssignments(Protocol):
    """Safety's write onto accounts' roles (moderator, admin)."""

    @abstractmethod
    async def set_role(self, email: EmailAddress, role: Role, *, granted: bool) -> UserId | None:
        """Grant or revoke ``role``; None when no account has ``email``."""


class SafetyMatches(Protocol):
    """Safety's read of matching: the other member of the caller's active match."""

    @abstractmethod
    async def partner(self, member_id: UserId, match_id: UUID) -> UserId | None:
        """The other member when ``match_id`` is ``member_id``'s active match, else None."""


class CheckInStore(Protocol):
    @abstractmethod
    def add(self, check_in: CheckIn) -> None: ...

    @abstractmethod
    async def get(self, check_in_id: UUID) -> CheckIn | None: ...

    @abstractmethod
    async def mark_ok(self, check_in_id: UUID, now: datetime) -> bool:
        """True when the check-in was open (neither ok nor alerted) and is now ok."""

    @abstractmethod
    async def of_member(self, member_id: UserId) -> Sequence[CheckIn]:
        """Newest first."""

    @abstractmethod
    async def claim_overdue(self, now: datetime, limit: int) -> Sequence[CheckIn]:
        """Mark overdue check-ins (past check_in_by, not ok, not alerted) alerted and
        return them: of concurrent sweeps, exactly one claims each."""

    @abstractmethod
    async def current(self, member_id: UserId, now: datetime) -> CheckIn | None:
        """The member's check-in in progress (started, not ok, contact still known)."""

    @abstractmethod
    async def forget_contacts(self, before: datetime) -> int:
        """Delete contact details of check-ins due at or before ``before``."""
