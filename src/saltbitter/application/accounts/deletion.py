"""Account deletion (GDPR Art. 17, docs/privacy.md): the request deactivates the account
at once and schedules the erasure 30 days later; within that grace period the member may
sign in and cancel. The erasure itself is ``application.privacy.erasure``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from saltbitter.application.accounts.events import AccountVisibilityChanged, ErasureReminderDue
from saltbitter.application.ports.accounts import SessionRepository, UserRepository
from saltbitter.application.ports.erasure import ErasureSchedule
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import ERASURE_REMINDER_DAYS
from saltbitter.domain.errors import NotFound, PermissionDenied

__all__ = [
    "AccountOwner",
    "CancelDeletion",
    "DeletionScheduled",
    "QueueErasureReminders",
    "RequestDeletion",
    "SendErasureReminder",
]


@dataclass(frozen=True, slots=True)
class AccountOwner:
    """The caller of the few routes a member whose account awaits erasure may still use
    (``GET /me``, cancelling the deletion, signing out everywhere, exporting their data).
    Every other route takes a ``Principal``, which such a member cannot get (403
    ``deletion_pending``)."""

    principal: Principal


@dataclass(frozen=True, slots=True)
class DeletionScheduled:
    erasure_due_at: datetime


@dataclass(frozen=True, slots=True)
class RequestDeletion:
    """Check the password, deactivate the account, revoke every session (their sockets
    close within seconds) and schedule the erasure. Asking again keeps the first date."""

    transaction: Transaction
    users: UserRepository
    sessions: SessionRepository
    hasher: PasswordHasher
    clock: Clock
    outbox: Outbox

    async def __call__(self, owner: AccountOwner, password: str) -> DeletionScheduled:
        now = self.clock.now()
        async with self.transaction:
            user = await self.users.get(owner.principal.user_id)
            if user is None:
                raise NotFound("No such user.", code="user_not_found")
            if not await self.hasher.verify(user.password_hash, password):
                raise PermissionDenied(
                    "The password is wrong; the account was not deleted.",
                    code="wrong_password",
                )
            was_pending = user.deletion_pending
            due = user.request_deletion(now)
            await self.users.save(user)
            await self.sessions.revoke_all(user.id, now)
            if not was_pending:
                self.outbox.add(AccountVisibilityChanged(user_id=user.id))
            await self.transaction.commit()
        return DeletionScheduled(due)


@dataclass(frozen=True, slots=True)
class CancelDeletion:
    """Within the grace period: the account is active and visible again."""

    transaction: Transaction
    users: UserRepository
    clock: Clock
    outbox: Outbox

    async def __call__(self, owner: AccountOwner) -> None:
        async with self.transaction:
            user = await self.users.get(owner.principal.user_id)
            if user is None:
                raise NotFound("No such user.", code="user_not_found")
            user.cancel_deletion(self.clock.now())
            await self.users.save(user)
            self.outbox.add(AccountVisibilityChanged(user_id=user.id))
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class QueueErasureReminders:
    """Daily: queue the 7-, 3- and 1-day reminders, each once per member (the schedule
    marks the rows it returns, in the transaction that writes the outbox messages). A
    member whose 7-day mark was missed gets the nearer one only, never two at once."""

    transaction: Transaction
    schedule: ErasureSchedule
    clock: Clock
    outbox: Outbox

    async def __call__(self) -> int:
        now = self.clock.now()
        queued = 0
        async with self.transaction:
            # Nearest first: a member 2 days away is marked 3 and skipped by 7.
            for days in sorted(ERASURE_REMINDER_DAYS):
                for reminder in await self.schedule.mark_reminders(now, days):
                    self.outbox.add(
                        ErasureReminderDue(
                            user_id=reminder.user_id,
                            days=reminder.days,
                            erasure_due_at=reminder.erasure_due_at,
                        )
                    )
                    queued += 1
            await self.transaction.commit()
        return queued


@dataclass(frozen=True, slots=True)
class SendErasureReminder:
    """The reminder email, unless the member cancelled meanwhile."""

    users: UserRepository
    mailer: Mailer

    async def __call__(self, event: ErasureReminderDue) -> bool:
        user = await self.users.get(event.user_id)
        if user is None or not user.deletion_pending or user.erasure_due_at is None:
            return False
        when = user.erasure_due_at.strftime("%Y-%m-%d %H:%M UTC")
        await self.mailer.send(
            OutgoingEmail(
                to=user.email.value,
                subject=f"Your SaltBitter account will be deleted in {event.days} day"
                + ("" if event.days == 1 else "s"),
                text=(
                    f"Hello {user.display_name},\n\n"
                    f"you asked us to delete your SaltBitter account. On {when} we will "
                    "erase everything we hold about you: your profile and photos, your "
                    "assessment, matches and messages, and your AI history. Payment "
                    "records the law requires us to keep stay, without your name.\n\n"
                    "Changed your mind? Sign in before then and cancel the deletion.\n"
                ),
            )
        )
        return True
