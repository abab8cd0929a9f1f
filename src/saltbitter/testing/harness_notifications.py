"""The notification use cases over the accounts harness's in-memory world.

``deliver_events`` plays the worker: it relays the outbox and runs the notification jobs
exactly as ``entrypoints/capabilities/notifications.py`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from saltbitter.application.matching.events import DailySetReady, MatchCreated
from saltbitter.application.notifications import topics
from saltbitter.application.notifications.delivery import (
    NotifyDailySetReady,
    NotifyNewMatch,
    SendDueEmails,
)
from saltbitter.application.notifications.dto import EmailSweep, NotificationsPolicy
from saltbitter.application.notifications.inbox import ListNotifications, MarkNotificationsRead
from saltbitter.application.outbox import EventHandlers
from saltbitter.domain.notifications import DEFAULT_QUIET_HOURS
from saltbitter.testing.harness import ACCOUNTS_HANDLERS
from saltbitter.testing.harness_assessments import AssessmentsHarness

__all__ = ["NotificationsHarness"]


@dataclass
class NotificationsHarness(AssessmentsHarness):
    notifications_policy: NotificationsPolicy = field(
        default_factory=lambda: NotificationsPolicy(DEFAULT_QUIET_HOURS)
    )
    handlers: EventHandlers = field(
        default_factory=lambda: EventHandlers.merged(
            ACCOUNTS_HANDLERS.jobs_by_event,
            {
                MatchCreated: (topics.NOTIFY_NEW_MATCH,),
                DailySetReady: (topics.NOTIFY_DAILY_SET_READY,),
            },
        )
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
        for job, event in jobs:
            if job == topics.NOTIFY_NEW_MATCH:
                assert isinstance(event, MatchCreated)
                await self.notify_new_match()(event)
                await self.sweep()
            elif job == topics.NOTIFY_DAILY_SET_READY:
                assert isinstance(event, DailySetReady)
                await self.notify_daily_set_ready()(event)
            else:
                continue
            ran.append(job)
        return ran
