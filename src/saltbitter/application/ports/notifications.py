"""Ports of the notifications capability (issue 4)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from saltbitter.application.ports.events import JsonScalar
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.shared import UserId

__all__ = [
    "EmailSchedule",
    "EmailStatus",
    "Notification",
    "NotificationInbox",
    "NotificationRecipients",
    "PagePosition",
    "Recipient",
    "ScheduledEmail",
]


@dataclass(frozen=True, slots=True)
class Notification:
    """One in-app notification (table ``notifications``)."""

    id: UUID
    user_id: UserId
    kind: NotificationKind
    payload: Mapping[str, JsonScalar]
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where a newest-first page ended: the last (created_at, id) it showed."""

    created_at: datetime
    id: UUID


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # The member can no longer be mailed (account suspended or deactivated meanwhile).
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ScheduledEmail:
    """An email to a member, held until ``send_after`` (table ``scheduled_emails``).

    The address is looked up when it is sent, so a changed email address is honoured
    and an erased account (ON DELETE CASCADE) leaves nothing behind.
    """

    id: UUID
    user_id: UserId
    kind: str
    subject: str
    body: str
    send_after: datetime
    created_at: datetime
    status: EmailStatus = EmailStatus.PENDING
    done_at: datetime | None = field(default=None)


class NotificationInbox(Protocol):
    """Members' in-app notifications (table ``notifications``).

    Inserts are idempotent by id: jobs derive ids from the event they handle, so handling
    a redelivered event inserts nothing new.
    """

    @abstractmethod
    async def add(self, notification: Notification) -> bool:
        """Insert unless a notification with this id exists; True when it was inserted."""

    async def add_all(self, notifications: Sequence[Notification]) -> int:
        """``add`` each (in one statement where the store can); how many were inserted."""
        return sum([await self.add(notification) for notification in notifications])

    @abstractmethod
    async def page(
        self, user_id: UserId, *, after: PagePosition | None, limit: int
    ) -> Sequence[Notification]:
        """Up to ``limit`` of the member's notifications, newest first (ties by id,
        descending), strictly after ``after`` in that order."""

    @abstractmethod
    async def mark_read(self, user_id: UserId, ids: Collection[UUID], now: datetime) -> int:
        """Mark the member's unread notifications among ``ids`` read; other members' ids
        and unknown ids are ignored. Returns how many changed."""


class EmailSchedule(Protocol):
    """Member emails waiting to go out (table ``scheduled_emails``); inserts are
    idempotent by id, as for the inbox."""

    @abstractmethod
    async def schedule_email(self, email: ScheduledEmail) -> bool:
        """Insert unless an email with this id exists; True when it was inserted."""

    async def schedule_emails(self, emails: Sequence[ScheduledEmail]) -> int:
        """``schedule_email`` each (in one statement where the store can); how many were
        inserted."""
        return sum([await self.schedule_email(email) for email in emails])

    @abstractmethod
    async def claim_due_emails(self, now: datetime, limit: int) -> Sequence[ScheduledEmail]:
        """Pending emails with ``send_after <= now``, earliest due first. Until this
        transaction ends, concurrent claimers do not get the same emails."""

    @abstractmethod
    async def claim_due_with_recipients(
        self, now: datetime, limit: int
    ) -> Sequence[tuple[ScheduledEmail, Recipient | None]]:
        """``claim_due_emails``, each with its member's account as ``NotificationRecipients``
        reads it (None: erased), in one read where the store can."""

    @abstractmethod
    async def finish_emails(
        self, ids: Collection[UUID], status: EmailStatus, now: datetime
    ) -> None:
        """Record that pending emails were sent or skipped."""

    @abstractmethod
    async def postpone_email(self, email_id: UUID, send_after: datetime) -> None:
        """Hold a pending email until ``send_after``."""

    @abstractmethod
    async def emails_for(self, user_id: UserId) -> Sequence[ScheduledEmail]:
        """Every scheduled email of the member, in any status, earliest due first."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """What notifications read of a member's account: whom to write to, how to greet
    them, whether they may be mailed and in which timezone their quiet hours fall."""

    user_id: UserId
    display_name: str
    email: str
    status: AccountStatus
    timezone: str


class NotificationRecipients(Protocol):
    """The members notifications go to (the SQL adapter reads the ``users`` table)."""

    @abstractmethod
    async def get(self, user_id: UserId) -> Recipient | None:
        """None when the member no longer exists (erased meanwhile)."""

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, Recipient]:
        """The members of ``user_ids`` that exist (one read where the store can)."""
        found: dict[UserId, Recipient] = {}
        for user_id in dict.fromkeys(user_ids):
            recipient = await self.get(user_id)
            if recipient is not None:
                found[user_id] = recipient
        return found
