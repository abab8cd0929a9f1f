"""Job names of the events capability (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

SEND_EVENT_EMAIL: Final = "events.send_event_email"
"""On EventCancelledForMember, WaitlistPromoted or EventReminderDue: email the member."""
SEND_REMINDERS: Final = "events.send_reminders"
"""Beat, every minute: claim the due 24 h and 1 h reminders (each once per registrant)."""
GRANT_PURCHASED_TICKET: Final = "events.grant_purchased_ticket"
"""On payments' PurchaseSucceeded: an ``event_ticket`` grants its buyer a ticket (once)."""
