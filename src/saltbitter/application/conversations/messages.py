"""Sending, listing and reading messages between the two members of a match."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from uuid import UUID

from saltbitter.application.conversations.access import (
    ensure_open,
    open_conversation,
    readable_conversation,
)
from saltbitter.application.conversations.attachments import AttachmentLinks, PhotoPipeline
from saltbitter.application.conversations.events import MessageHeld, MessageSent
from saltbitter.application.conversations.views import (
    MessageNew,
    MessagesPage,
    MessagesRead,
    MessageView,
    SentMessage,
)
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    MessageModerator,
    MessageReader,
    MessageWriter,
    RealtimeFanout,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.conversations import (
    Message,
    MessageCursor,
    ModerationDecision,
    Screening,
    caption,
    client_message_id,
    message_body,
    page_size,
)
from saltbitter.domain.errors import Conflict, NotFound, Unavailable
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import entitlements_for

__all__ = [
    "ListMessages",
    "MarkRead",
    "ModerationPolicy",
    "ScreenUnscreenedMessages",
    "SendMessage",
    "SendPhotoMessage",
    "may_see_receipts",
]

log = logging.getLogger(__name__)

_NOTICES = {
    ModerationDecision.WARN: (
        "Sent. A tip: keep the conversation on SaltBitter until you have met; sharing "
        "phone numbers or accounts early is how most scams start."
    ),
    ModerationDecision.HOLD: "Your message is waiting for a review before it is delivered.",
    ModerationDecision.BLOCK: "This message breaks the community rules and was not delivered.",
}


def may_see_receipts(tier: Tier) -> bool:
    """Read receipts are a tier entitlement (domain/subscriptions)."""
    return entitlements_for(tier).read_receipts


@dataclass(frozen=True, slots=True)
class ModerationPolicy:
    """``fail_closed``: refuse messages while the moderation service is down (503)
    instead of delivering them unscreened (ADR 0020)."""

    fail_closed: bool = False


@dataclass(frozen=True, slots=True)
class SendMessage:
    """Send a message to the other member of an open match.

    The same ``client_message_id`` again answers the stored message (never a second
    one, also when the retries race). Every new message is screened: held and blocked
    messages are kept for the review queue and reach nobody but their sender.
    """

    transaction: Transaction
    access: ConversationAccess
    reader: MessageReader
    writer: MessageWriter
    moderator: MessageModerator
    policy: ModerationPolicy
    outbox: Outbox
    fanout: RealtimeFanout
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self, principal: Principal, match_id: UUID, raw_body: str, raw_client_id: str
    ) -> SentMessage:
        body = message_body(raw_body)
        client_id = client_message_id(raw_client_id)
        conversation = await open_conversation(self.access, match_id, principal.user_id)
        earlier = await self.reader.by_client_id(principal.user_id, client_id)
        if earlier is not None:
            same = _same_conversation(earlier, match_id)
            return SentMessage(MessageView.of(same), False, _NOTICES.get(same.decision))
        screening = await _screen(self.moderator, self.policy, body)
        message = Message(
            id=self.ids.new_id(),
            match_id=match_id,
            sender_id=principal.user_id,
            recipient_id=conversation.other(principal.user_id),
            body=body,
            client_message_id=client_id,
            created_at=self.clock.now(),
            decision=screening.decision,
            reasons=screening.reasons,
        )
        stored, created = await _store(
            self.transaction, self.access, self.writer, self.outbox, message
        )
        view = MessageView.of(stored)
        if created:
            await _push(self.fanout, stored, view)
        return SentMessage(view, created, _NOTICES.get(stored.decision))


@dataclass(frozen=True, slots=True)
class SendPhotoMessage:
    """Send a picture (with an optional caption of up to 2000 characters) to the other
    member of an open match.

    The picture goes through profile photos' pipeline (``PhotoPipeline``: checked by
    its bytes, decoded within bounds, re-encoded without metadata, screened by photo
    moderation: a rejection is 422 on ``file`` and nothing is stored), the caption
    through message screening like any text. Idempotent per ``client_message_id`` like
    ``SendMessage``: a retry answers the stored message and its picture is not kept
    twice. The stored bytes are removed again when the message is not stored.
    """

    transaction: Transaction
    access: ConversationAccess
    reader: MessageReader
    writer: MessageWriter
    moderator: MessageModerator
    policy: ModerationPolicy
    outbox: Outbox
    fanout: RealtimeFanout
    clock: Clock
    ids: IdGenerator
    pipeline: PhotoPipeline
    links: AttachmentLinks

    async def __call__(
        self,
        principal: Principal,
        match_id: UUID,
        data: bytes,
        raw_caption: str | None,
        raw_client_id: str,
    ) -> SentMessage:
        text = caption(raw_caption)
        client_id = client_message_id(raw_client_id)
        conversation = await open_conversation(self.access, match_id, principal.user_id)
        earlier = await self.reader.by_client_id(principal.user_id, client_id)
        if earlier is not None:
            same = _same_conversation(earlier, match_id)
            return SentMessage(await self.links.view(same), False, _NOTICES.get(same.decision))
        screening = (
            await _screen(self.moderator, self.policy, text)
            if text
            else Screening(ModerationDecision.ALLOW, ())
        )
        message_id = self.ids.new_id()
        photo = await self.pipeline.store_picture(data, principal.user_id, message_id)
        message = Message(
            id=message_id,
            match_id=match_id,
            sender_id=principal.user_id,
            recipient_id=conversation.other(principal.user_id),
            body=text,
            client_message_id=client_id,
            created_at=self.clock.now(),
            decision=screening.decision,
            reasons=screening.reasons,
            attachment=photo,
        )
        try:
            stored, created = await _store(
                self.transaction, self.access, self.writer, self.outbox, message
            )
        except BaseException:
            await self.pipeline.discard(photo)  # nothing refers to these bytes
            raise
        if not created:
            await self.pipeline.discard(photo)  # a concurrent retry stored its own
        view = await self.links.view(stored)
        if created:
            await _push(self.fanout, stored, view)
        return SentMessage(view, created, _NOTICES.get(stored.decision))


async def _screen(moderator: MessageModerator, policy: ModerationPolicy, body: str) -> Screening:
    try:
        return await moderator.screen(body)
    except Unavailable:
        if policy.fail_closed:
            raise Unavailable(
                "Messages cannot be checked right now; try again shortly.",
                code="moderation_unavailable",
            ) from None
        log.warning("message moderation unavailable: delivering unscreened")
        return Screening(ModerationDecision.UNSCREENED, ("moderation_unavailable",))


async def _store(
    transaction: Transaction,
    access: ConversationAccess,
    writer: MessageWriter,
    outbox: Outbox,
    message: Message,
) -> tuple[Message, bool]:
    async with transaction:
        # Checked again holding the match (ConversationAccess.lock): an unmatch or
        # block that committed since the first check refuses the message, one that
        # comes now waits until it is stored.
        ensure_open(await access.lock(message.match_id), message.sender_id)
        stored, created = await writer.add_once(message)
        _same_conversation(stored, message.match_id)
        if created:
            outbox.add(_event_for(stored))
        await transaction.commit()
    return stored, created


async def _push(fanout: RealtimeFanout, stored: Message, view: MessageView) -> None:
    # Pushed straight after the commit (ADR 0021): the fastest path to the recipient;
    # a lost push is recovered by history and resume. Held and blocked messages reach
    # their sender's devices only.
    audience = (
        [stored.sender_id, stored.recipient_id] if stored.decision.delivers else [stored.sender_id]
    )
    await fanout.publish(audience, MessageNew(message=view))


def _same_conversation(message: Message, match_id: UUID) -> Message:
    """A client_message_id names one message: reusing it in another conversation is a
    client bug, answered 409 rather than with a message from elsewhere."""
    if message.match_id != match_id:
        raise Conflict(
            "This client_message_id was already used in another conversation.",
            code="client_message_id_reused",
        )
    return message


def _event_for(message: Message) -> MessageSent | MessageHeld:
    if message.decision.needs_review:
        return MessageHeld(
            message_id=message.id,
            match_id=message.match_id,
            sender_id=message.sender_id,
            recipient_id=message.recipient_id,
            decision=message.decision.value,
            reasons=message.reasons,
        )
    return MessageSent(
        message_id=message.id,
        match_id=message.match_id,
        sender_id=message.sender_id,
        recipient_id=message.recipient_id,
        decision=message.decision.value,
    )


@dataclass(frozen=True, slots=True)
class ListMessages:
    """A conversation's history, newest first, 1..50 a page; read receipts of the
    caller's own messages only with the entitlement."""

    access: ConversationAccess
    reader: MessageReader
    links: AttachmentLinks

    async def __call__(
        self, principal: Principal, match_id: UUID, before: str | None, limit: int | None
    ) -> MessagesPage:
        size = page_size(limit)
        cursor = None if before is None else MessageCursor.decode(before)
        await readable_conversation(self.access, match_id, principal.user_id)
        found = await self.reader.history(match_id, principal.user_id, cursor, size + 1)
        page = found[:size]
        receipts = may_see_receipts(principal.tier)
        return MessagesPage(
            await self.links.views(
                [m.as_seen_by(principal.user_id, read_receipts=receipts) for m in page]
            ),
            MessageCursor.of(page[-1]).encode() if len(found) > size else None,
        )


@dataclass(frozen=True, slots=True)
class MarkRead:
    """Mark the other member's messages read up to one of them (delivered ones too).

    The sender learns it over their sockets only when their tier shows read receipts:
    the decision is taken here, when publishing (the sender's tier read now), so a
    receipt never reaches the devices of a member who may not see it. The reader's own
    devices always hear it (their other devices clear the unread mark).
    """

    transaction: Transaction
    access: ConversationAccess
    reader: MessageReader
    writer: MessageWriter
    fanout: RealtimeFanout
    clock: Clock

    async def __call__(self, principal: Principal, match_id: UUID, up_to: UUID) -> None:
        conversation = await readable_conversation(self.access, match_id, principal.user_id)
        message = await self.reader.get(up_to)
        if (
            message is None
            or message.match_id != match_id
            or not message.visible_to(principal.user_id)
        ):
            raise NotFound("No such message in this conversation.", code="message_not_found")
        now = self.clock.now()
        async with self.transaction:
            changed = await self.writer.mark_read(
                match_id, principal.user_id, MessageCursor.of(message), now
            )
            await self.transaction.commit()
        if changed:
            sender = conversation.other(principal.user_id)
            tier = (await self.access.tiers([sender])).get(sender)
            audience = [principal.user_id]
            if tier is not None and may_see_receipts(tier):
                audience.insert(0, sender)
            await self.fanout.publish(
                audience,
                MessagesRead(
                    match_id=match_id,
                    reader_id=principal.user_id,
                    up_to_message_id=up_to,
                    read_at=now,
                ),
            )


@dataclass(frozen=True, slots=True)
class ScreenUnscreenedMessages:
    """Screen the messages delivered while moderation was down (ADR 0020), oldest first,
    once the service answers again; those it would have held or blocked now wait in the
    review queue (``MessageHeld``). Stops at the first ``Unavailable``."""

    transaction: Transaction
    reader: MessageReader
    writer: MessageWriter
    moderator: MessageModerator
    outbox: Outbox

    async def __call__(self, limit: int = 200) -> int:
        screened = 0
        for message in await self.reader.unscreened(limit):
            try:
                screening = await self.moderator.screen(message.body)
            except Unavailable:
                break
            async with self.transaction:
                if await self.writer.record_screening(message.id, screening):
                    screened += 1
                    if screening.decision.needs_review:
                        self.outbox.add(
                            _event_for(
                                replace(
                                    message,
                                    decision=screening.decision,
                                    reasons=screening.reasons,
                                )
                            )
                        )
                await self.transaction.commit()
        return screened
