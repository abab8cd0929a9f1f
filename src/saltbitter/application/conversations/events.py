"""Events of the conversations capability (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = ["MessageHeld", "MessageSent"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent(Event):
    """A new message was stored and delivered to the recipient's sockets (decision
    ``allow``, ``warn`` or ``unscreened``; the last is screened again later)."""

    name = "conversations.message_sent"
    message_id: UUID
    match_id: UUID
    sender_id: UserId
    recipient_id: UserId
    decision: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageHeld(Event):
    """Screening held or blocked a message: it waits in the review queue (the safety
    capability's) and was not delivered."""

    name = "conversations.message_held"
    message_id: UUID
    match_id: UUID
    sender_id: UserId
    recipient_id: UserId
    decision: str
    reasons: tuple[str, ...]
