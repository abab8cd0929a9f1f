"""Ports of the conversations capability: who may talk in a match, the message log, the
moderation of message text and the real-time fan-out to members' sockets."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.conversations import Message, MessageCursor, Screening
from saltbitter.domain.shared import DELETED_MEMBER, DELETED_MEMBER_NAME, Tier, UserId

__all__ = [
    "ConversationAccess",
    "ConversationMembers",
    "ConversationPeer",
    "ConversationSummary",
    "Delivered",
    "DeliveryReceipt",
    "MessageModerator",
    "MessageReader",
    "MessageRepository",
    "MessageWriter",
    "RealtimeFanout",
]


@dataclass(frozen=True, slots=True)
class ConversationMembers:
    """Who is in a match's conversation and whether it is still open.

    ``history_kept``: the other member was erased (they are ``DELETED_MEMBER`` in
    ``members``); the conversation is closed for good but the remaining member still
    reads its history (ADR 0035).
    """

    match_id: UUID
    members: tuple[UserId, UserId]
    is_open: bool
    history_kept: bool = False

    def other(self, member: UserId) -> UserId:
        first, second = self.members
        return second if member == first else first


@dataclass(frozen=True, slots=True)
class ConversationPeer:
    """The public view of the other member of a conversation."""

    user_id: UserId
    display_name: str

    @property
    def deleted(self) -> bool:
        """The other member was erased (ADR 0035)."""
        return self.user_id == DELETED_MEMBER

    @classmethod
    def of(cls, user_id: UserId, display_name: str | None) -> ConversationPeer:
        """The peer as read; an erased member has no name: "Deleted member"."""
        if user_id == DELETED_MEMBER or display_name is None:
            return cls(DELETED_MEMBER, DELETED_MEMBER_NAME)
        return cls(user_id, display_name)


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    match_id: UUID
    member: ConversationPeer
    last_message: Message | None
    unread_count: int
    activity_at: datetime
    """The last visible message's time, or the match's when nobody wrote yet."""


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """Message ``message_id`` reached one of ``recipient``'s sockets."""

    message_id: UUID
    recipient: UserId


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message whose delivery was just noted (for telling its sender)."""

    message_id: UUID
    match_id: UUID
    sender_id: UserId


class ConversationAccess(Protocol):
    """Conversations' read port onto matches and blocks (owned by conversations, ADR
    0019): which two members a match joins and whether their conversation is open (not
    unmatched, and no block between them in either direction)."""

    @abstractmethod
    async def conversation(self, match_id: UUID) -> ConversationMembers | None:
        """The match's members and whether it is open; None when no such match exists."""

    @abstractmethod
    async def lock(self, match_id: UUID) -> ConversationMembers | None:
        """``conversation`` read again inside the caller's transaction, holding off any
        unmatch or block of the two members until it commits (and waiting for one in
        flight): what the caller stores in that transaction cannot land in a
        conversation that a concurrent unmatch or block has closed."""

    @abstractmethod
    async def conversations(self, match_ids: Collection[UUID]) -> dict[UUID, ConversationMembers]:
        """``conversation`` for many matches in one read; matches that do not exist are
        left out."""

    @abstractmethod
    async def tiers(self, members: Collection[UserId]) -> dict[UserId, Tier]:
        """The members' current tiers (what their entitlements, such as read receipts,
        follow); members that do not exist are left out."""

    @abstractmethod
    async def inbox(self, member: UserId) -> list[ConversationSummary]:
        """Every open conversation of ``member``, newest activity first."""

    @abstractmethod
    async def match_between(self, first: UserId, second: UserId) -> UUID | None:
        """The two members' match unless an unmatch ended it, blocks or not (the
        conversation a block between them closes); None when there is none."""


class MessageReader(Protocol):
    @abstractmethod
    async def get(self, message_id: UUID) -> Message | None: ...

    @abstractmethod
    async def by_client_id(self, sender: UserId, client_message_id: str) -> Message | None: ...

    @abstractmethod
    async def history(
        self, match_id: UUID, viewer: UserId, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        """The messages ``viewer`` may see, newest first, strictly older than ``before``."""

    @abstractmethod
    async def since(self, member: UserId, after: MessageCursor, limit: int) -> list[Message]:
        """Messages of any of ``member``'s conversations that ``member`` may see, strictly
        newer than ``after``, oldest first (what a reconnecting socket missed)."""

    @abstractmethod
    async def unscreened(self, limit: int) -> list[Message]:
        """Messages delivered while moderation was down, oldest first."""


class MessageWriter(Protocol):
    @abstractmethod
    async def add_once(self, message: Message) -> tuple[Message, bool]:
        """Store ``message`` unless its sender already sent one with the same
        ``client_message_id``: returns the stored message and whether it is new. Safe
        under concurrency (the unique key decides, never a duplicate)."""

    @abstractmethod
    async def mark_delivered(
        self, receipts: Sequence[DeliveryReceipt], at: datetime
    ) -> list[Delivered]:
        """Note the delivery of every receipt's message to its recipient, all in one go;
        answers the messages that changed, each once. A message already delivered, not
        the recipient's, or held or blocked is left alone (and not answered)."""

    @abstractmethod
    async def mark_read(
        self, match_id: UUID, reader: UserId, up_to: MessageCursor, at: datetime
    ) -> int:
        """Mark every delivered-to-``reader`` message of the match up to ``up_to`` read;
        returns how many changed."""

    @abstractmethod
    async def record_screening(self, message_id: UUID, screening: Screening) -> bool:
        """Store a later screening of an unscreened message; False when it was not
        unscreened (any more)."""

    @abstractmethod
    async def release(self, message_id: UUID) -> Message | None:
        """A moderator cleared a held or blocked message: it delivers from now on
        (decision ``released``). Returns it, or None when it was not held or blocked
        (any more): releasing twice changes nothing."""


class MessageRepository(MessageReader, MessageWriter, Protocol):
    """Both sides of the message log, as one adapter implements them (use cases take
    the narrow ``MessageReader`` or ``MessageWriter``)."""


class MessageModerator(Protocol):
    """Screens message text. Raises ``Unavailable`` when the service cannot answer."""

    @abstractmethod
    async def screen(self, text: str) -> Screening: ...


class RealtimeFanout(Protocol):
    """Pushes an event to every open socket of a member, in any API process.

    Best effort by design: history over REST and resuming on reconnect are the source
    of truth, so a failed push is logged, never raised.
    """

    @abstractmethod
    async def publish(self, members: Sequence[UserId], event: object) -> None: ...
