"""Conversations between matched members: message rules and text screening."""

from __future__ import annotations

from saltbitter.domain.conversations.messages import (
    DEFAULT_PAGE_SIZE,
    MAX_BODY_CHARS,
    MAX_PAGE_SIZE,
    TYPING_INTERVAL,
    Message,
    MessageCursor,
    MessageStatus,
    ModerationDecision,
    PhotoAttachment,
    TypingThrottle,
    caption,
    client_message_id,
    message_body,
    page_size,
    status_after_screening,
)
from saltbitter.domain.conversations.screening import DEFAULT_BLOCKLIST, Screening, screen_text

__all__ = [
    "DEFAULT_BLOCKLIST",
    "DEFAULT_PAGE_SIZE",
    "MAX_BODY_CHARS",
    "MAX_PAGE_SIZE",
    "TYPING_INTERVAL",
    "Message",
    "MessageCursor",
    "MessageStatus",
    "ModerationDecision",
    "PhotoAttachment",
    "Screening",
    "TypingThrottle",
    "caption",
    "client_message_id",
    "message_body",
    "page_size",
    "screen_text",
    "status_after_screening",
]
