"""Job names of the conversations capability (stored in queues: never rename them)."""

from __future__ import annotations

__all__ = [
    "ANNOUNCE_MATCH",
    "CLOSE_BLOCKED_CONVERSATION",
    "CLOSE_CONVERSATION",
    "RELEASE_HELD_MESSAGE",
    "SCREEN_UNSCREENED",
]

ANNOUNCE_MATCH = "conversations.announce_match"
CLOSE_CONVERSATION = "conversations.close_conversation"
CLOSE_BLOCKED_CONVERSATION = "conversations.close_blocked_conversation"
SCREEN_UNSCREENED = "conversations.screen_unscreened"
RELEASE_HELD_MESSAGE = "conversations.release_held_message"
