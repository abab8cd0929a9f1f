"""Events the events capability publishes (tags are stored: never rename them). Each names
one member (``user_id``) so that each notice is its own outbox message and job."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = ["EventCancelledForMember", "EventReminderDue", "WaitlistPromoted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCancelledForMember(Event):
    """An admin cancelled an event ``user_id`` was registered or waitlisted for."""

    name = "events.event_cancelled"
    event_id: UUID
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitlistPromoted(Event):
    """A seat freed up and ``user_id`` moved from the waitlist to registered."""

    name = "events.waitlist_promoted"
    event_id: UUID
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class EventReminderDue(Event):
    """``user_id``'s reminder (``reminder``: "24h" or "1h") before the event."""

    name = "events.reminder_due"
    event_id: UUID
    user_id: UserId
    reminder: str
