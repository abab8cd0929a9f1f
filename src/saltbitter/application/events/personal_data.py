"""Personal data of the events capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.events import topics
from saltbitter.application.events.events import (
    EventCancelledForMember,
    EventReminderDue,
    WaitlistPromoted,
)
from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="events",
    tables=(
        PersonalTable(
            "event_surveys",
            ("member_id",),
            Erasure.DELETE,
            "The member's rating and comment of an event they attended.",
        ),
        PersonalTable(
            "event_registrations",
            ("member_id",),
            Erasure.DELETE,
            "Which events the member registered for, waited for, attended or cancelled; "
            "the seat is given up with the account.",
        ),
        PersonalTable(
            "event_tickets",
            ("member_id",),
            Erasure.DELETE,
            "Tickets the member holds for paid events (the payment record itself is "
            "payments', kept anonymised there).",
        ),
    ),
    payloads={
        EventCancelledForMember.name: ("user_id",),
        WaitlistPromoted.name: ("user_id",),
        EventReminderDue.name: ("user_id",),
        topics.SEND_EVENT_EMAIL: ("user_id",),
    },
)
