"""Message rules: the body, the delivery status, what moderation decides, history paging,
read-receipt visibility and the typing-indicator throttle (docs/product-rules.md 12)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_BODY_CHARS",
    "MAX_CLIENT_MESSAGE_ID_CHARS",
    "MAX_PAGE_SIZE",
    "TYPING_INTERVAL",
    "Message",
    "MessageCursor",
    "MessageStatus",
    "ModerationDecision",
    "PhotoAttachment",
    "TypingThrottle",
    "caption",
    "client_message_id",
    "message_body",
    "page_size",
    "status_after_screening",
]

MAX_BODY_CHARS = 2000
MAX_CLIENT_MESSAGE_ID_CHARS = 64
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 50
TYPING_INTERVAL = timedelta(seconds=3)


def message_body(raw: str) -> str:
    """The body as stored: trimmed, 1..2000 characters (422 ``body`` otherwise)."""
    body = raw.strip()
    if not body:
        raise ValidationFailed(
            [FieldError("body", "A message needs some text.", "empty")], "The message is empty."
        )
    if len(body) > MAX_BODY_CHARS:
        raise ValidationFailed(
            [FieldError("body", f"At most {MAX_BODY_CHARS} characters.", "too_long")],
            "The message is too long.",
        )
    return body


def caption(raw: str | None) -> str:
    """A photo message's text: trimmed, 0..2000 characters (the photo is the message)."""
    text = (raw or "").strip()
    if len(text) > MAX_BODY_CHARS:
        raise ValidationFailed(
            [FieldError("body", f"At most {MAX_BODY_CHARS} characters.", "too_long")],
            "The caption is too long.",
        )
    return text


def client_message_id(raw: str) -> str:
    """The sender's idempotency key: 1..64 printable characters without spaces."""
    if not 1 <= len(raw) <= MAX_CLIENT_MESSAGE_ID_CHARS or not raw.isprintable() or " " in raw:
        raise ValidationFailed.single(
            "client_message_id",
            f"1 to {MAX_CLIENT_MESSAGE_ID_CHARS} printable characters without spaces.",
        )
    return raw


def page_size(limit: int | None) -> int:
    """1..50 messages a page (default 30)."""
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed.single("limit", f"Between 1 and {MAX_PAGE_SIZE}.", "out_of_range")
    return limit


class ModerationDecision(StrEnum):
    """What screening decided about one message."""

    ALLOW = "allow"
    WARN = "warn"
    """Delivered; the sender is nudged (sharing contact details, say)."""
    HOLD = "hold"
    """Kept for a moderator; not delivered unless a moderator releases it."""
    BLOCK = "block"
    """Kept as evidence for the review queue; never delivered."""
    UNSCREENED = "unscreened"
    """The moderation service was down: delivered, and screened again later."""
    RELEASED = "released"
    """Held (or blocked), then a moderator dismissed the concern: delivered from then on."""

    @property
    def delivers(self) -> bool:
        return self in {
            ModerationDecision.ALLOW,
            ModerationDecision.WARN,
            ModerationDecision.UNSCREENED,
            ModerationDecision.RELEASED,
        }

    @property
    def needs_review(self) -> bool:
        return self in {ModerationDecision.HOLD, ModerationDecision.BLOCK}

    @property
    def severity(self) -> int:
        """Stricter decisions rank higher, so several rules combine by ``max``."""
        return _SEVERITY[self]


_SEVERITY = {
    ModerationDecision.ALLOW: 0,
    ModerationDecision.UNSCREENED: 0,
    ModerationDecision.RELEASED: 0,
    ModerationDecision.WARN: 1,
    ModerationDecision.HOLD: 2,
    ModerationDecision.BLOCK: 3,
}


class MessageStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    HELD = "held"
    BLOCKED = "blocked"


def status_after_screening(decision: ModerationDecision) -> MessageStatus:
    if decision is ModerationDecision.BLOCK:
        return MessageStatus.BLOCKED
    if decision is ModerationDecision.HOLD:
        return MessageStatus.HELD
    return MessageStatus.SENT


@dataclass(frozen=True, slots=True)
class PhotoAttachment:
    """The picture of a photo message: where its re-encoded bytes are stored (a key of
    the photo blob store, never shown to members), its media type and size."""

    key: str
    content_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One message of a conversation (the match it belongs to)."""

    id: UUID
    match_id: UUID
    sender_id: UserId
    recipient_id: UserId
    body: str
    client_message_id: str
    created_at: datetime
    decision: ModerationDecision
    reasons: tuple[str, ...] = ()
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    attachment: PhotoAttachment | None = None

    @property
    def status(self) -> MessageStatus:
        if not self.decision.delivers:
            return status_after_screening(self.decision)
        if self.read_at is not None:
            return MessageStatus.READ
        if self.delivered_at is not None:
            return MessageStatus.DELIVERED
        return MessageStatus.SENT

    def visible_to(self, member: UserId) -> bool:
        """Held and blocked messages are seen by their sender only."""
        return member == self.sender_id or self.decision.delivers

    def as_seen_by(self, member: UserId, *, read_receipts: bool) -> Message:
        """The message as ``member`` may see it: a sender without the read-receipts
        entitlement sees their own sent messages as delivered at most."""
        if member == self.sender_id and not read_receipts and self.read_at is not None:
            return replace(self, read_at=None, delivered_at=self.delivered_at or self.read_at)
        return self


@dataclass(frozen=True, slots=True, order=True)
class MessageCursor:
    """A place in a conversation's history: messages strictly older than it come next.

    Messages are ordered by (created_at, id); the cursor is the last one a page showed,
    so pages stay stable while new messages arrive at the top.
    """

    created_at: datetime
    id: UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, field: str = "before") -> MessageCursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            stamp, _, hex_id = raw.partition("|")
            created_at = datetime.fromisoformat(stamp)
            if created_at.tzinfo is None:
                raise ValueError("naive")
            return cls(created_at, UUID(hex=hex_id))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed.single(field, "Not a cursor this API gave out.") from None

    @classmethod
    def of(cls, message: Message) -> MessageCursor:
        return cls(message.created_at, message.id)


@dataclass(slots=True)
class TypingThrottle:
    """At most one typing indicator per conversation every ``interval`` per socket."""

    interval: timedelta = TYPING_INTERVAL
    _last: dict[UUID, datetime] | None = None

    def allow(self, match_id: UUID, now: datetime) -> bool:
        last = self._last if self._last is not None else {}
        self._last = last
        previous = last.get(match_id)
        if previous is not None and now - previous < self.interval:
            return False
        last[match_id] = now
        return True
