"""Jobs that turn matching's events into notifications and send member emails.

Every job is idempotent: ids derive from the event (``notification_id``) and inserts
ignore ids that exist, because the outbox hands an event over at least once.

Emails are durable: the job that learns about a new match stores the email with the
moment it may leave (the end of the member's quiet hours, or now), and
:class:`SendDueEmails` sends whatever is due, right after that job and every minute from
Celery Beat. An email due inside quiet hours therefore waits in the database, and
survives restarts, until they end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import ClassVar, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from saltbitter.application.notifications.dto import (
    DailySetReady,
    EmailSweep,
    MatchCreated,
    NotificationsPolicy,
)
from saltbitter.application.notifications.messages import new_match_email
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    EmailStatus,
    Notification,
    NotificationInbox,
    NotificationRecipients,
    Recipient,
    ScheduledEmail,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.notifications import NotificationKind, notification_id
from saltbitter.domain.shared import UserId

__all__ = [
    "ACCOUNT_NOTICE_KINDS",
    "BANNED",
    "SUSPENDED",
    "WARNED",
    "NotifyDailySetReady",
    "NotifyNewMatch",
    "SendDueEmails",
    "member_zone",
]

_NEW_MATCH_EMAIL = "email:new_match"

# Emails about moderation decisions (application/notifications/moderation.py).
WARNED: Final = "moderation_warned"
SUSPENDED: Final = "moderation_suspended"
BANNED: Final = "moderation_banned"
ACCOUNT_NOTICE_KINDS: Final = frozenset({WARNED, SUSPENDED, BANNED})
"""Email kinds sent to suspended accounts as well as to active ones: a suspension or a
ban must not silence the email that explains it."""


def _may_receive(kind: str, status: AccountStatus) -> bool:
    if status is AccountStatus.ACTIVE:
        return True
    return status is AccountStatus.SUSPENDED and kind in ACCOUNT_NOTICE_KINDS


def member_zone(name: str) -> tzinfo:
    """The member's timezone; UTC if the name is no longer in the time zone database."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True, slots=True)
class NotifyNewMatch:
    """Job for ``matching.match_created``: tell both members, in the app and by email.

    The email is scheduled for the end of the member's quiet hours when it is quiet
    there now (deferred, never dropped), and only for active accounts. Members erased
    meanwhile are skipped. Returns how many notifications were new.
    """

    transaction: Transaction
    recipients: NotificationRecipients
    inbox: NotificationInbox
    emails: EmailSchedule
    clock: Clock
    policy: NotificationsPolicy

    async def __call__(self, event: MatchCreated) -> int:
        return await self.many([event])

    async def many(self, events: Sequence[MatchCreated]) -> int:
        """Several matches in one transaction, as each alone would (ADR 0054)."""
        now = self.clock.now()
        notifications: list[Notification] = []
        emails: list[ScheduledEmail] = []
        async with self.transaction:
            # Every member in one read, then each table's rows in one idempotent insert.
            found = await self.recipients.get_many(
                list(dict.fromkeys(m for e in events for m in (e.user_a, e.user_b)))
            )
            for event in events:
                key = str(event.match_id)
                for member, other in ((event.user_a, event.user_b), (event.user_b, event.user_a)):
                    user = found.get(member)
                    if user is None:
                        continue
                    notifications.append(
                        Notification(
                            id=notification_id(NotificationKind.NEW_MATCH, key, member),
                            user_id=member,
                            kind=NotificationKind.NEW_MATCH,
                            payload={"match_id": key, "with_user_id": str(other)},
                            created_at=now,
                        )
                    )
                    if user.status is AccountStatus.ACTIVE:
                        emails.append(self._email(key, member, user, now))
            created = await self.inbox.add_all(notifications)
            await self.emails.schedule_emails(emails)
            await self.transaction.commit()
        return created

    def _email(self, key: str, member: UserId, user: Recipient, now: datetime) -> ScheduledEmail:
        subject, body = new_match_email(user.display_name)
        return ScheduledEmail(
            id=notification_id(_NEW_MATCH_EMAIL, key, member),
            user_id=member,
            kind=NotificationKind.NEW_MATCH.value,
            subject=subject,
            body=body,
            send_after=self.policy.quiet_hours.release(now, member_zone(user.timezone)),
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class NotifyDailySetReady:
    """Job for ``matching.daily_set_ready``: an in-app notification only, never an email
    (a daily nudge by mail would be the engagement pressure the product avoids)."""

    transaction: Transaction
    recipients: NotificationRecipients
    inbox: NotificationInbox
    clock: Clock

    async def __call__(self, event: DailySetReady) -> bool:
        return await self.many([event]) == 1

    async def many(self, events: Sequence[DailySetReady]) -> int:
        """Several sets in one transaction, as each alone would (ADR 0054): the daily job
        makes one event per member. Returns how many notifications were new."""
        now = self.clock.now()
        async with self.transaction:
            found = await self.recipients.get_many([event.user_id for event in events])
            notifications = [_set_ready(e, now) for e in events if e.user_id in found]
            created = await self.inbox.add_all(notifications)
            await self.transaction.commit()
        return created


def _set_ready(event: DailySetReady, now: datetime) -> Notification:
    local_date = event.local_date.isoformat()
    return Notification(
        id=notification_id(NotificationKind.DAILY_SET_READY, local_date, event.user_id),
        user_id=event.user_id,
        kind=NotificationKind.DAILY_SET_READY,
        payload={"local_date": local_date, "size": event.size},
        created_at=now,
    )


@dataclass(frozen=True, slots=True)
class SendDueEmails:
    """Send up to ``BATCH_SIZE`` emails whose time has come; one transaction per call.

    Quiet hours are checked again at sending time, in the member's current timezone
    (they may have moved): an email that became quiet is postponed, not sent. Emails of
    accounts that are no longer active are skipped, except account notices (moderation
    decisions) to suspended accounts. When the mail transport fails, the
    emails sent so far are recorded, the rest stay pending, and the error propagates so
    the job is retried: at least once, and a duplicate only if the process dies between
    sending and committing.
    """

    BATCH_SIZE: ClassVar[int] = 50

    transaction: Transaction
    emails: EmailSchedule
    mailer: Mailer
    clock: Clock
    policy: NotificationsPolicy

    async def __call__(self) -> EmailSweep:
        now = self.clock.now()
        skipped: list[ScheduledEmail] = []
        postponed = 0
        async with self.transaction:
            # The emails and their members' accounts in one read.
            due = await self.emails.claim_due_with_recipients(now, self.BATCH_SIZE)
            ready: list[tuple[ScheduledEmail, OutgoingEmail]] = []
            for email, user in due:
                if user is None or not _may_receive(email.kind, user.status):
                    skipped.append(email)
                    continue
                release = self.policy.quiet_hours.release(now, member_zone(user.timezone))
                if release > now:
                    await self.emails.postpone_email(email.id, release)
                    postponed += 1
                    continue
                ready.append((email, OutgoingEmail(user.email, email.subject, email.body)))
            # Handed over together; on a failure, those that went are recorded (committed
            # below) and the failure is raised after the commit.
            went, failure = await self.mailer.send_all([message for _, message in ready])
            sent = [email for email, _ in ready[:went]]
            await self.emails.finish_emails([e.id for e in sent], EmailStatus.SENT, now)
            await self.emails.finish_emails([e.id for e in skipped], EmailStatus.SKIPPED, now)
            await self.transaction.commit()
        if failure is not None:
            raise failure
        return EmailSweep(
            claimed=len(due), sent=len(sent), postponed=postponed, skipped=len(skipped)
        )
