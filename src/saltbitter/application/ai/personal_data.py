"""Personal data of the AI capability (ADR 0018): the AI history and the quota counter."""

from __future__ import annotations

from saltbitter.application.ports.privacy import (
    Erasure,
    PersonalData,
    PersonalTable,
    ReachedThrough,
)

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="ai",
    tables=(
        PersonalTable(
            "ai_messages",
            (),
            Erasure.DELETE,
            "What the member wrote to the AI and what it answered: theirs alone, and "
            "deletable at any time (GET/DELETE /ai/history).",
            reached_through=ReachedThrough("conversation_id", "ai_conversations", "id"),
        ),
        PersonalTable(
            "ai_conversations",
            ("user_id",),
            Erasure.DELETE,
            "The member's AI conversations (persona, start time); nothing in them is "
            "needed once the member is gone.",
        ),
        PersonalTable(
            "ai_quota_usage",
            ("user_id",),
            Erasure.DELETE,
            "How many AI messages the member sent per day, counted for the tier quota; "
            "no record has to outlive the member.",
        ),
    ),
)
