"""What the WebSocket does on a member's behalf, and the pushes other capabilities'
events trigger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.conversations.access import open_conversation
from saltbitter.application.conversations.attachments import AttachmentLinks
from saltbitter.application.conversations.views import (
    ConversationClosed,
    MatchNew,
    MessageDelivered,
    MessageNew,
    MessageView,
    Typing,
)
from saltbitter.application.matching.events import MatchCreated, Unmatched
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    DeliveryReceipt,
    MessageReader,
    MessageWriter,
    RealtimeFanout,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.events import HeldMessageReleased, MemberBlocked
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.conversations import MessageCursor
from saltbitter.domain.errors import NotFound

__all__ = [
    "AcknowledgeDelivery",
    "AnnounceMatch",
    "CatchUp",
    "CloseBlockedConversation",
    "CloseConversation",
    "ReleaseHeldMessage",
    "SendTyping",
]

CATCH_UP_LIMIT = 500


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What a reconnecting socket missed after ``last_seen_message_id``: the member's
    visible messages of open conversations, oldest first (at most 500; the rest is in
    the REST history). An id the member may not see resumes from nothing."""

    access: ConversationAccess
    reader: MessageReader
    links: AttachmentLinks

    async def __call__(self, principal: Principal, last_seen: UUID) -> list[MessageView]:
        seen = await self.reader.get(last_seen)
        if (
            seen is None
            or not seen.visible_to(principal.user_id)
            or principal.user_id
            not in (
                seen.sender_id,
                seen.recipient_id,
            )
        ):
            raise NotFound("No such message.", code="message_not_found")
        missed = await self.reader.since(principal.user_id, MessageCursor.of(seen), CATCH_UP_LIMIT)
        # One read for every conversation among the missed messages, not one per match.
        found = await self.access.conversations({message.match_id for message in missed})
        open_matches = {match_id for match_id, members in found.items() if members.is_open}
        return await self.links.views([m for m in missed if m.match_id in open_matches])


@dataclass(frozen=True, slots=True)
class AcknowledgeDelivery:
    """Messages reached their recipients' sockets: note each delivery once, in one
    transaction for the whole batch, and tell each sender's devices.

    The sockets of a process hand their receipts to one batcher (a recipient with many
    devices, or many messages at once, cost one UPDATE, not one transaction each).
    Answers the ids of the messages whose delivery was noted now.
    """

    transaction: Transaction
    writer: MessageWriter
    fanout: RealtimeFanout
    clock: Clock

    async def __call__(self, receipts: Sequence[DeliveryReceipt]) -> list[UUID]:
        if not receipts:
            return []
        now = self.clock.now()
        async with self.transaction:
            delivered = await self.writer.mark_delivered(receipts, now)
            await self.transaction.commit()
        for item in delivered:
            await self.fanout.publish(
                [item.sender_id],
                MessageDelivered(
                    match_id=item.match_id, message_id=item.message_id, delivered_at=now
                ),
            )
        return [item.message_id for item in delivered]


@dataclass(frozen=True, slots=True)
class SendTyping:
    """Tell the other member's devices that the caller is typing (the socket throttles)."""

    access: ConversationAccess
    fanout: RealtimeFanout

    async def __call__(self, principal: Principal, match_id: UUID) -> None:
        conversation = await open_conversation(self.access, match_id, principal.user_id)
        await self.fanout.publish(
            [conversation.other(principal.user_id)],
            Typing(match_id=match_id, member_id=principal.user_id),
        )


@dataclass(frozen=True, slots=True)
class AnnounceMatch:
    """matching's ``MatchCreated``: a new conversation appears on both members' devices."""

    fanout: RealtimeFanout

    async def __call__(self, event: MatchCreated) -> None:
        await self.fanout.publish(
            [event.user_a], MatchNew(match_id=event.match_id, member_id=event.user_b)
        )
        await self.fanout.publish(
            [event.user_b], MatchNew(match_id=event.match_id, member_id=event.user_a)
        )


@dataclass(frozen=True, slots=True)
class CloseConversation:
    """matching's ``Unmatched``: the conversation closes on both members' devices."""

    fanout: RealtimeFanout

    async def __call__(self, event: Unmatched) -> None:
        await self.fanout.publish(
            [event.user_a, event.user_b], ConversationClosed(match_id=event.match_id)
        )


@dataclass(frozen=True, slots=True)
class CloseBlockedConversation:
    """safety's ``MemberBlocked``: a block either way closes the two members'
    conversation (``ConversationAccess`` already answers it closed); their devices hear
    it as they would an unmatch."""

    access: ConversationAccess
    fanout: RealtimeFanout

    async def __call__(self, event: MemberBlocked) -> None:
        match_id = await self.access.match_between(event.user_id, event.blocked_id)
        if match_id is not None:
            await self.fanout.publish(
                [event.user_id, event.blocked_id], ConversationClosed(match_id=match_id)
            )


@dataclass(frozen=True, slots=True)
class ReleaseHeldMessage:
    """safety's ``HeldMessageReleased``: a moderator dismissed the review of a held (or
    blocked) message, so it is delivered after all. From the commit on it is in the
    recipient's history, unread counts and resume; both members' devices get it as
    ``message.new`` (the sender's with its new status). A conversation closed meanwhile
    keeps it hidden like the rest of its history. A second delivery of the event
    changes nothing and pushes nothing."""

    transaction: Transaction
    access: ConversationAccess
    writer: MessageWriter
    fanout: RealtimeFanout
    links: AttachmentLinks

    async def __call__(self, event: HeldMessageReleased) -> bool:
        async with self.transaction:
            released = await self.writer.release(event.message_id)
            await self.transaction.commit()
        if released is None:
            return False
        found = await self.access.conversation(released.match_id)
        if found is not None and found.is_open:
            await self.fanout.publish(
                [released.sender_id, released.recipient_id],
                MessageNew(message=await self.links.view(released)),
            )
        return True
