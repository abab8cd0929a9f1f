"""Community events: kinds and their defaults, what an event may be, the waitlist and
its promotions, the paid-event admission rule and the reminder windows.

Pure and standard-library only; the application counts and stores.
"""

from __future__ import annotations

from .rules import (
    KIND_DEFAULTS,
    MAX_CAPACITY,
    MAX_COMMENT,
    MAX_DESCRIPTION,
    MAX_DURATION_MINUTES,
    MAX_PRICE_CENTS,
    MAX_TITLE,
    MIN_DURATION_MINUTES,
    REMINDER_LEADS,
    Admission,
    EventDetails,
    EventKind,
    EventStatus,
    KindDefaults,
    RegistrationStatus,
    Reminder,
    admission_for,
    check_event,
    check_survey,
    due_reminder,
    month_start,
    place,
    promotions,
    waitlist_position,
)

__all__ = [
    "KIND_DEFAULTS",
    "MAX_CAPACITY",
    "MAX_COMMENT",
    "MAX_DESCRIPTION",
    "MAX_DURATION_MINUTES",
    "MAX_PRICE_CENTS",
    "MAX_TITLE",
    "MIN_DURATION_MINUTES",
    "REMINDER_LEADS",
    "Admission",
    "EventDetails",
    "EventKind",
    "EventStatus",
    "KindDefaults",
    "RegistrationStatus",
    "Reminder",
    "admission_for",
    "check_event",
    "check_survey",
    "due_reminder",
    "month_start",
    "place",
    "promotions",
    "waitlist_position",
]
