"""Wiring of the notifications capability (issue 4): providers, jobs and the Beat sweep."""

from __future__ import annotations

from collections.abc import Sequence

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.notifications import (
    SqlaEmailSchedule,
    SqlaNotificationInbox,
    SqlaNotificationRecipients,
)
from saltbitter.application.matching.events import DailySetReady, MatchCreated
from saltbitter.application.notifications import topics
from saltbitter.application.notifications.delivery import (
    NotifyDailySetReady,
    NotifyNewMatch,
    SendDueEmails,
)
from saltbitter.application.notifications.dto import NotificationsPolicy
from saltbitter.application.notifications.inbox import ListNotifications, MarkNotificationsRead
from saltbitter.application.notifications.moderation import NotifyModerationDecision
from saltbitter.application.notifications.personal_data import (
    PERSONAL_DATA as NOTIFICATIONS_PERSONAL_DATA,
)
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    NotificationInbox,
    NotificationRecipients,
)
from saltbitter.application.safety.events import MemberBanned, MemberSuspended, MemberWarned
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.notifications import QuietHours
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "SEND_DUE_EMAILS_EVERY_SECONDS", "NotificationsProvider"]

SEND_DUE_EMAILS_EVERY_SECONDS = 60.0
# A sweep sends at most this many batches, so one run never holds a worker for long.
_MAX_BATCHES_PER_SWEEP = 20


class NotificationsProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def policy(self) -> NotificationsPolicy:
        try:
            quiet_hours = QuietHours.parse(
                self._settings.quiet_hours_start, self._settings.quiet_hours_end
            )
        except ValidationFailed as invalid:
            fields = ", ".join(f"{e.field}: {e.message}" for e in invalid.errors)
            raise SystemExit(f"Invalid SaltBitter setting: {fields}") from None
        return NotificationsPolicy(quiet_hours=quiet_hours)

    inbox = provide(SqlaNotificationInbox, provides=NotificationInbox, scope=Scope.REQUEST)
    emails = provide(SqlaEmailSchedule, provides=EmailSchedule, scope=Scope.REQUEST)
    recipients = provide(
        SqlaNotificationRecipients, provides=NotificationRecipients, scope=Scope.REQUEST
    )

    use_cases = provide_all(
        ListNotifications,
        MarkNotificationsRead,
        NotifyNewMatch,
        NotifyDailySetReady,
        SendDueEmails,
        NotifyModerationDecision,
        scope=Scope.REQUEST,
    )


async def _notify_new_match(scope: AsyncContainer, event: MatchCreated) -> object:
    created = await (await scope.get(NotifyNewMatch))(event)
    # Send what is due at once (not in quiet hours) instead of waiting for the sweep.
    await _send_due_emails(scope, None)
    return created


async def _notify_new_matches(scope: AsyncContainer, events: Sequence[MatchCreated]) -> object:
    created = await (await scope.get(NotifyNewMatch)).many(events)
    await _send_due_emails(scope, None)  # one sweep for the whole burst
    return created


async def _notify_daily_set_ready(scope: AsyncContainer, event: DailySetReady) -> object:
    return await (await scope.get(NotifyDailySetReady))(event)


async def _notify_daily_sets_ready(
    scope: AsyncContainer, events: Sequence[DailySetReady]
) -> object:
    return await (await scope.get(NotifyDailySetReady)).many(events)


async def _notify_moderation_decision(
    scope: AsyncContainer, event: MemberWarned | MemberSuspended | MemberBanned
) -> object:
    created = await (await scope.get(NotifyModerationDecision))(event)
    await _send_due_emails(scope, None)
    return created


async def _send_due_emails(scope: AsyncContainer, _nothing: None) -> object:
    send = await scope.get(SendDueEmails)
    sent = 0
    for _ in range(_MAX_BATCHES_PER_SWEEP):
        sweep = await send()
        sent += sweep.sent
        if sweep.claimed < SendDueEmails.BATCH_SIZE:
            break
    return sent


CAPABILITY = Capability(
    name="notifications",
    personal_data=NOTIFICATIONS_PERSONAL_DATA,
    providers=lambda settings: [NotificationsProvider(settings)],
    handlers={
        MatchCreated: (topics.NOTIFY_NEW_MATCH,),
        DailySetReady: (topics.NOTIFY_DAILY_SET_READY,),
        MemberWarned: (topics.NOTIFY_MODERATION_DECISION,),
        MemberSuspended: (topics.NOTIFY_MODERATION_DECISION,),
        MemberBanned: (topics.NOTIFY_MODERATION_DECISION,),
    },
    jobs={
        topics.NOTIFY_NEW_MATCH: Job(_notify_new_match, run_many=_notify_new_matches),
        topics.NOTIFY_DAILY_SET_READY: Job(
            _notify_daily_set_ready, run_many=_notify_daily_sets_ready
        ),
        topics.SEND_DUE_EMAILS: Job(_send_due_emails),
        topics.NOTIFY_MODERATION_DECISION: Job(_notify_moderation_decision),
    },
    beat_schedule={
        # Releases emails held for quiet hours within a minute of their end.
        "notifications-send-due-emails": {
            "task": topics.SEND_DUE_EMAILS,
            "schedule": SEND_DUE_EMAILS_EVERY_SECONDS,
        },
    },
)
