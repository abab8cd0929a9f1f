"""In-memory fake of the notification repository (issue 4)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.notifications import (
    EmailStatus,
    Notification,
    NotificationRepository,
    PagePosition,
    ScheduledEmail,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.memory import InMemoryRepository

__all__ = ["InMemoryNotificationRepository", "NotificationsState"]


@dataclass
class NotificationsState:
    """Committed notifications and scheduled emails of one in-memory database."""

    notifications: dict[UUID, Notification] = field(default_factory=dict)
    emails: dict[UUID, ScheduledEmail] = field(default_factory=dict)


def _newest_first(notification: Notification) -> tuple[datetime, UUID]:
    return (notification.created_at, notification.id)


class InMemoryNotificationRepository(InMemoryRepository, NotificationRepository):
    @property
    def _state(self) -> NotificationsState:
        return self._connection.state(NotificationsState)

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

    async def schedule_email(self, email: ScheduledEmail) -> bool:
        if email.id in self._state.emails:
            return False
        self._state.emails[email.id] = email
        return True

    async def claim_due_emails(self, now: datetime, limit: int) -> Sequence[ScheduledEmail]:
        # One in-memory unit of work works on a private copy: claims never overlap.
        due = [
            email
            for email in self._state.emails.values()
            if email.status is EmailStatus.PENDING and email.send_after <= now
        ]
        return sorted(due, key=lambda email: (email.send_after, email.id))[:limit]

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
