"""What the conversations use cases answer and push (plain dataclasses, encoded at the
edge). Every real-time event carries its ``type``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from saltbitter.domain.conversations import Message
from saltbitter.domain.shared import DELETED_MEMBER, UserId

__all__ = [
    "AttachmentView",
    "ConversationClosed",
    "ConversationView",
    "ConversationsPage",
    "MatchNew",
    "MemberView",
    "MessageDelivered",
    "MessageNew",
    "MessageView",
    "MessagesPage",
    "MessagesRead",
    "SentMessage",
    "Typing",
]


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """A photo message's picture as a member gets it: a signed link that works until
    ``expires_at`` (GET .../messages/{id}/photo gives a fresh one)."""

    url: str
    expires_at: datetime
    width: int
    height: int
    kind: Literal["photo"] = "photo"


@dataclass(frozen=True, slots=True)
class MessageView:
    id: UUID
    match_id: UUID
    sender_id: UserId | None
    """Null when the sender was erased (ADR 0035): the message keeps no body either."""
    body: str
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None
    status: str
    attachment: AttachmentView | None = None
    """The picture of a photo message (null for a text message)."""

    @classmethod
    def of(cls, message: Message, attachment: AttachmentView | None = None) -> MessageView:
        return cls(
            message.id,
            message.match_id,
            None if message.sender_id == DELETED_MEMBER else message.sender_id,
            message.body,
            message.created_at,
            message.delivered_at,
            message.read_at,
            message.status.value,
            attachment,
        )


@dataclass(frozen=True, slots=True)
class SentMessage:
    message: MessageView
    created: bool
    notice: str | None
    """A nudge for the sender (contact details shared), or why it was not delivered."""


@dataclass(frozen=True, slots=True)
class MessagesPage:
    items: list[MessageView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class MemberView:
    user_id: UserId | None
    """Null for an erased member, shown as "Deleted member" (ADR 0035)."""
    display_name: str
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ConversationView:
    match_id: UUID
    member: MemberView
    last_message: MessageView | None
    unread_count: int


@dataclass(frozen=True, slots=True)
class ConversationsPage:
    items: list[ConversationView]
    next_cursor: str | None


# Real-time events -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageNew:
    message: MessageView
    type: Literal["message.new"] = "message.new"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDelivered:
    match_id: UUID
    message_id: UUID
    delivered_at: datetime
    type: Literal["message.delivered"] = "message.delivered"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagesRead:
    match_id: UUID
    reader_id: UserId
    up_to_message_id: UUID
    read_at: datetime
    type: Literal["message.read"] = "message.read"


@dataclass(frozen=True, slots=True, kw_only=True)
class Typing:
    match_id: UUID
    member_id: UserId
    type: Literal["typing"] = "typing"


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchNew:
    match_id: UUID
    member_id: UserId
    type: Literal["match.new"] = "match.new"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationClosed:
    match_id: UUID
    type: Literal["conversation.closed"] = "conversation.closed"
