"""In-memory fakes of the notifications ports (issue 4): the inbox, the email schedule
and the recipients (read from the accounts' state of the same connection)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

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
from saltbitter.domain.accounts import User
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryEmailSchedule",
    "InMemoryNotificationInbox",
    "InMemoryNotificationRecipients",
    "NotificationsState",
]


@dataclass
class NotificationsState:
    """Committed notifications and scheduled emails of one in-memory database."""

    notifications: dict[UUID, Notification] = field(default_factory=dict)
    emails: dict[UUID, ScheduledEmail] = field(default_factory=dict)


def _newest_first(notification: Notification) -> tuple[datetime, UUID]:
    return (notification.created_at, notification.id)


class _OnNotifications(InMemoryRepository):
    @property
    def _state(self) -> NotificationsState:
        return self._connection.state(NotificationsState)


class InMemoryNotificationInbox(_OnNotifications, NotificationInbox):
    async def add(self, notification: Notification) -> bool:
        if notification.id in self._state.notifications:
            return False
        self._state.notifications[notification.id] = notification
        return True

    async def page(
        self, user_id: UserId, *, after: PagePosition | None, limit: int
    ) -> Sequence[Notification]:
        mine = sorted(
            (n for n in self._state.notifications.values() if n.user_id == user_id),
            key=_newest_first,
            reverse=True,
        )
        if after is not None:
            mine = [n for n in mine if _newest_first(n) < (after.created_at, after.id)]
        return mine[:limit]

    async def mark_read(self, user_id: UserId, ids: Collection[UUID], now: datetime) -> int:
        changed = 0
        for notification_id in set(ids):
            notification = self._state.notifications.get(notification_id)
            if notification and notification.user_id == user_id and notification.read_at is None:
                self._state.notifications[notification_id] = replace(notification, read_at=now)
                changed += 1
        return changed


class InMemoryEmailSchedule(_OnNotifications, EmailSchedule):
    async def schedule_email(self, email: ScheduledEmail) -> bool:
        if email.id in self._state.emails:
            return False
        self._state.emails[email.id] = email
        return True

    async def claim_due_emails(self, now: datetime, limit: int) -> Sequence[ScheduledEmail]:
        # One in-memory transaction works on a private copy: claims never overlap.
        due = [
            email
            for email in self._state.emails.values()
            if email.status is EmailStatus.PENDING and email.send_after <= now
        ]
        return sorted(due, key=lambda email: (email.send_after, email.id))[:limit]

    async def claim_due_with_recipients(
        self, now: datetime, limit: int
    ) -> Sequence[tuple[ScheduledEmail, Recipient | None]]:
        users = self._connection.state(AccountsState).users
        return [
            (email, _recipient(users.get(email.user_id)))
            for email in await self.claim_due_emails(now, limit)
        ]

    async def finish_emails(
        self, ids: Collection[UUID], status: EmailStatus, now: datetime
    ) -> None:
        for email_id in ids:
            email = self._state.emails.get(email_id)
            if email is not None and email.status is EmailStatus.PENDING:
                self._state.emails[email_id] = replace(email, status=status, done_at=now)

    async def postpone_email(self, email_id: UUID, send_after: datetime) -> None:
        email = self._state.emails.get(email_id)
        if email is not None and email.status is EmailStatus.PENDING:
            self._state.emails[email_id] = replace(email, send_after=send_after)

    async def emails_for(self, user_id: UserId) -> Sequence[ScheduledEmail]:
        mine = [email for email in self._state.emails.values() if email.user_id == user_id]
        return sorted(mine, key=lambda email: (email.send_after, email.id))


class InMemoryNotificationRecipients(InMemoryRepository, NotificationRecipients):
    async def get(self, user_id: UserId) -> Recipient | None:
        return _recipient(self._connection.state(AccountsState).users.get(user_id))


def _recipient(user: User | None) -> Recipient | None:
    if user is None:
        return None
    return Recipient(user.id, user.display_name, user.email.value, user.status, user.timezone)
