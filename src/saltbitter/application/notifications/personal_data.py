"""Personal data of the notifications capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.notifications import topics
from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="notifications",
    tables=(
        PersonalTable(
            "notifications",
            ("user_id",),
            Erasure.DELETE,
            "The member's inbox goes, and so do other members' notices that name them "
            "(a new match with them): the match itself is gone too.",
            json_member_keys={"payload": ("with_user_id",)},
        ),
        PersonalTable(
            "scheduled_emails",
            ("user_id",),
            Erasure.DELETE,
            "Emails to the member, with their name in the body; sent ones are a log "
            "the member no longer needs.",
        ),
    ),
    payloads={
        topics.NOTIFY_NEW_MATCH: ("user_a", "user_b"),
        topics.NOTIFY_DAILY_SET_READY: ("user_id",),
    },
)
