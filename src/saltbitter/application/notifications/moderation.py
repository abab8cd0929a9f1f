"""Emails about moderation decisions: a member warned, suspended or banned (safety's
``MemberWarned``, ``MemberSuspended`` and ``MemberBanned``) is told by email, once per
decision however often the event is delivered.

The email is an account notice: :class:`SendDueEmails` sends it to suspended accounts
too (a suspension or a ban would otherwise silence the very email that explains it),
never to erased ones. Quiet hours apply as to every email.
"""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.notifications.delivery import (
    BANNED,
    SUSPENDED,
    WARNED,
    member_zone,
)
from saltbitter.application.notifications.dto import NotificationsPolicy
from saltbitter.application.notifications.messages import moderation_email
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    NotificationRecipients,
    ScheduledEmail,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.events import MemberBanned, MemberSuspended, MemberWarned
from saltbitter.domain.notifications import notification_id

__all__ = ["NotifyModerationDecision"]


@dataclass(frozen=True, slots=True)
class NotifyModerationDecision:
    """Job for safety's decisions about a member: schedule the email that tells them.

    Its id derives from the decision (``report_id``: the report or held message decided)
    and the kind, so a redelivered event schedules nothing twice. Returns whether the
    email is new.
    """

    transaction: Transaction
    recipients: NotificationRecipients
    emails: EmailSchedule
    clock: Clock
    policy: NotificationsPolicy

    async def __call__(self, event: MemberWarned | MemberSuspended | MemberBanned) -> bool:
        if isinstance(event, MemberSuspended):
            kind, days = SUSPENDED, event.days
        elif isinstance(event, MemberBanned):
            kind, days = BANNED, None
        else:
            kind, days = WARNED, None
        now = self.clock.now()
        async with self.transaction:
            user = await self.recipients.get(event.user_id)
            if user is None:
                return False
            subject, body = moderation_email(kind, user.display_name, days)
            created = await self.emails.schedule_email(
                ScheduledEmail(
                    id=notification_id(f"email:{kind}", str(event.report_id), event.user_id),
                    user_id=event.user_id,
                    kind=kind,
                    subject=subject,
                    body=body,
                    send_after=self.policy.quiet_hours.release(now, member_zone(user.timezone)),
                    created_at=now,
                )
            )
            await self.transaction.commit()
        return created
