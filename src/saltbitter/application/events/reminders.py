"""Reminders before an event (a Beat sweep, each exactly once per registrant) and the
emails events sends (jobs the outbox starts)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.events.events import (
    EventCancelledForMember,
    EventReminderDue,
    WaitlistPromoted,
)
from saltbitter.application.ports.community_events import (
    CommunityEvent,
    EventMembers,
    EventStore,
    RegistrationStore,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.events import EventStatus, RegistrationStatus, Reminder

__all__ = ["SWEEP_BATCH", "EventNotice", "SendEventEmail", "SendEventReminders"]

SWEEP_BATCH = 500

EventNotice = EventCancelledForMember | WaitlistPromoted | EventReminderDue


@dataclass(frozen=True, slots=True)
class SendEventReminders:
    """Beat job, every minute: claim the due reminders (hour-before first, so a
    registration inside the last hour never also gets the day-before one) and announce
    each through the outbox in the claiming transaction."""

    transaction: Transaction
    registrations: RegistrationStore
    outbox: Outbox
    clock: Clock

    async def __call__(self) -> int:
        now = self.clock.now()
        sent = 0
        async with self.transaction:
            for reminder in (Reminder.HOUR_BEFORE, Reminder.DAY_BEFORE):
                for claimed in await self.registrations.claim_reminders(reminder, now, SWEEP_BATCH):
                    self.outbox.add(
                        EventReminderDue(
                            event_id=claimed.event_id,
                            user_id=claimed.member_id,
                            reminder=claimed.reminder.value,
                        )
                    )
                    sent += 1
            await self.transaction.commit()
        return sent


def _when(event: CommunityEvent) -> str:
    return f"{event.starts_at:%A %d %B %Y at %H:%M} UTC"


def _message(notice: EventNotice, event: CommunityEvent) -> tuple[str, str]:
    match notice:
        case EventCancelledForMember():
            return (
                f"Cancelled: {event.title}",
                f"We are sorry: {event.title}, planned for {_when(event)}, is cancelled. "
                "Your registration ends with it.",
            )
        case WaitlistPromoted():
            return (
                f"You have a seat at {event.title}",
                f"A seat came free and it is yours: {event.title}, {_when(event)}. If you "
                "cannot come, cancel your registration so the next person gets it.",
            )
        case EventReminderDue():
            lead = "in an hour" if notice.reminder == Reminder.HOUR_BEFORE.value else "tomorrow"
            return (
                f"Reminder: {event.title} starts {lead}",
                f"{event.title} starts {_when(event)} ({event.duration_minutes} minutes). "
                "If you cannot come, cancel your registration so someone on the waitlist "
                "gets your seat.",
            )


@dataclass(frozen=True, slots=True)
class SendEventEmail:
    """Job: email one member about one event. A member gone, or a notice overtaken by
    events (a reminder for a cancelled event or a seat given up), sends nothing."""

    events: EventStore
    registrations: RegistrationStore
    members: EventMembers
    mailer: Mailer

    async def __call__(self, notice: EventNotice) -> bool:
        event = await self.events.get(notice.event_id)
        address = await self.members.email_of(notice.user_id)
        if event is None or address is None:
            return False
        if not isinstance(notice, EventCancelledForMember):
            registration = await self.registrations.get(notice.event_id, notice.user_id)
            if (
                event.status is EventStatus.CANCELLED
                or registration is None
                or registration.status is not RegistrationStatus.REGISTERED
            ):
                return False
        subject, text = _message(notice, event)
        await self.mailer.send(OutgoingEmail(to=address, subject=subject, text=text))
        return True
