"""The notification use cases over the accounts harness's in-memory world.

``deliver_events`` plays the worker: it relays the outbox and runs the notification jobs
exactly as ``entrypoints/capabilities/notifications.py`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from saltbitter.application.notifications import topics
from saltbitter.application.notifications.delivery import (
    NotifyDailySetReady,
    NotifyNewMatch,
    SendDueEmails,
)
from saltbitter.application.notifications.dto import (
    DailySetReady,
    EmailSweep,
    MatchCreated,
    NotificationsPolicy,
)
from saltbitter.application.notifications.inbox import ListNotifications, MarkNotificationsRead
from saltbitter.domain.notifications import DEFAULT_QUIET_HOURS
from saltbitter.domain.shared import UserId
from saltbitter.testing.harness_assessments import AssessmentsHarness

__all__ = ["NotificationsHarness"]


@dataclass
class NotificationsHarness(AssessmentsHarness):
    notifications_policy: NotificationsPolicy = field(
        default_factory=lambda: NotificationsPolicy(DEFAULT_QUIET_HOURS)
    )

    def notify_new_match(self) -> NotifyNewMatch:
        return NotifyNewMatch(self.uow(), self.clock, self.notifications_policy)

    def notify_daily_set_ready(self) -> NotifyDailySetReady:
        return NotifyDailySetReady(self.uow(), self.clock)

    def send_due_emails(self) -> SendDueEmails:
        return SendDueEmails(self.uow(), self.mailer, self.clock, self.notifications_policy)

    def list_notifications(self) -> ListNotifications:
        return ListNotifications(self.uow())

    def mark_read(self) -> MarkNotificationsRead:
        return MarkNotificationsRead(self.uow(), self.clock)

    async def sweep(self) -> EmailSweep:
        return await self.send_due_emails()()

    async def deliver_events(self) -> list[str]:
        """Relay the outbox and run this capability's jobs; returns the jobs run."""
        await self.relay()()
        jobs, self.queue.jobs = self.queue.jobs, []
        ran: list[str] = []
        for job, payload in jobs:
            if job == topics.NOTIFY_NEW_MATCH:
                await self.notify_new_match()(
                    MatchCreated(
                        UUID(str(payload["match_id"])),
                        UserId(UUID(str(payload["user_a"]))),
                        UserId(UUID(str(payload["user_b"]))),
                    )
                )
                await self.sweep()
            elif job == topics.NOTIFY_DAILY_SET_READY:
                size = payload["size"]
                await self.notify_daily_set_ready()(
                    DailySetReady(
                        UserId(UUID(str(payload["user_id"]))),
                        date.fromisoformat(str(payload["local_date"])),
                        size if isinstance(size, int) else 0,
                    )
                )
            else:
                continue
            ran.append(job)
        return ran
