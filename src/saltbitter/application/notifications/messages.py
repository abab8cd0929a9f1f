"""What members read: in-app texts and email wording.

House rule (docs/product-rules.md 8): calm and factual. No streaks, no countdowns, no
"someone is waiting", no exclamation marks; a test checks every text against a list of
urgency phrases.
"""

from __future__ import annotations

from collections.abc import Mapping

from saltbitter.application.ports.events import JsonScalar
from saltbitter.domain.notifications import NotificationKind

__all__ = ["NEW_MATCH_SUBJECT", "new_match_email", "notification_text"]

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
