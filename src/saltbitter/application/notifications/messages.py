"""What members read: in-app texts and email wording.

House rule (docs/product-rules.md 8): calm and factual. No streaks, no countdowns, no
"someone is waiting", no exclamation marks; a test checks every text against a list of
urgency phrases.
"""

from __future__ import annotations

from collections.abc import Mapping

from saltbitter.application.ports.events import JsonScalar
from saltbitter.domain.notifications import NotificationKind

__all__ = [
    "MODERATION_SUBJECTS",
    "NEW_MATCH_SUBJECT",
    "moderation_email",
    "new_match_email",
    "notification_text",
]

NEW_MATCH_SUBJECT = "You have a new match on SaltBitter"


def notification_text(kind: NotificationKind, data: Mapping[str, JsonScalar]) -> str:
    if kind is NotificationKind.NEW_MATCH:
        return "You have a new match. Say hello whenever it suits you."
    size = data.get("size")
    if not isinstance(size, int) or size <= 0:
        return "There are no new suggestions for you today. We will look again tomorrow."
    people = "1 person" if size == 1 else f"{size} people"
    return f"Your daily suggestions are ready: {people} picked with care for you today."


def new_match_email(display_name: str) -> tuple[str, str]:
    """Subject and plain-text body of the new-match email."""
    body = (
        f"Hi {display_name},\n\n"
        "You and another member liked each other, so you have a new match on SaltBitter.\n"
        "You can see who it is in the app whenever it suits you.\n\n"
        "SaltBitter\n"
    )
    return NEW_MATCH_SUBJECT, body


MODERATION_SUBJECTS = {
    "moderation_warned": "A note about your conduct on SaltBitter",
    "moderation_suspended": "Your SaltBitter account is suspended for a while",
    "moderation_banned": "Your SaltBitter account is closed",
}

_MODERATION_BODIES = {
    "moderation_warned": (
        "A moderator looked at a report about your account or one of your messages and "
        "decided to give you a warning. Please read the community rules again; another "
        "breach may lead to a suspension."
    ),
    "moderation_suspended": (
        "A moderator looked at a report about your account or one of your messages and "
        "suspended your account for {days}. Other members cannot see you in that time, "
        "and you cannot use the app. Your account opens again by itself afterwards."
    ),
    "moderation_banned": (
        "A moderator looked at a report about your account or one of your messages and "
        "closed your account for good. You have been signed out everywhere."
    ),
}


def moderation_email(kind: str, display_name: str, days: int | None) -> tuple[str, str]:
    """Subject and plain-text body of the email about a moderation decision (``kind``
    is one of ``MODERATION_SUBJECTS``)."""
    span = "1 day" if days == 1 else f"{days} days"
    text = _MODERATION_BODIES[kind].format(days=span)
    appeal = "If you think the decision is a mistake, you may appeal it."
    body = f"Hi {display_name},\n\n{text}\n\n{appeal}\n\nSaltBitter\n"
    return MODERATION_SUBJECTS[kind], body
