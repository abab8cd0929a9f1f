"""Photo messages: a picture sent in a conversation, through the profile photos'
pipeline (the same ports: bounded decode and re-encoding without metadata by the
``ImageProcessor``, the ``PhotoModerator``, the ``PhotoStore``), and the short-lived
signed links through which only the two members see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from saltbitter.application.conversations.access import readable_conversation
from saltbitter.application.conversations.views import AttachmentView, MessageView
from saltbitter.application.ports.conversations import ConversationAccess, MessageReader
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.conversations import Message, PhotoAttachment
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.profiles import check_upload
from saltbitter.domain.shared import UserId

__all__ = [
    "AttachmentLinks",
    "AttachmentPolicy",
    "GetMessagePhoto",
    "PhotoPipeline",
    "message_photo_key",
]


def message_photo_key(sender: UserId, message_id: UUID, extension: str) -> str:
    """Where a photo message's picture lives: under the sender's folder of the photo
    store (erasure removes it with their photos), apart from the profile photos (the
    profile orphan sweep only touches keys of its own shape)."""
    return f"{sender}/messages/{message_id}.{extension}"


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    """``link_ttl``: how long the store's signed links live (the setting the store is
    configured with), to tell clients when a link expires."""

    link_ttl: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class AttachmentLinks:
    """Message views with a fresh signed link for a photo message's picture. Callers
    have already decided that the member may see the message."""

    store: PhotoStore
    clock: Clock
    policy: AttachmentPolicy

    async def link(self, photo: PhotoAttachment) -> AttachmentView:
        expires_at = self.clock.now() + self.policy.link_ttl
        url = await self.store.signed_url(photo.key)
        return AttachmentView(url, expires_at, photo.width, photo.height)

    async def view(self, message: Message) -> MessageView:
        photo = message.attachment
        return MessageView.of(message, None if photo is None else await self.link(photo))

    async def views(self, messages: Sequence[Message]) -> list[MessageView]:
        return [await self.view(message) for message in messages]


@dataclass(frozen=True, slots=True)
class PhotoPipeline:
    """Profile photos' pipeline for a message's picture: checked by its bytes (JPEG,
    PNG or WebP, at most 10 MB), decoded within bounds and re-encoded without metadata,
    screened by photo moderation (a rejection is 422 on field ``file``), then stored."""

    processor: ImageProcessor
    moderator: PhotoModerator
    store: PhotoStore

    async def store_picture(self, data: bytes, sender: UserId, message_id: UUID) -> PhotoAttachment:
        image_type = check_upload(data)
        image = await self.processor.normalise(data, image_type)
        verdict = await self.moderator.screen(image)
        if not verdict.approved:
            raise ValidationFailed.single(
                "file", verdict.reason or "This photo cannot be sent.", verdict.code
            )
        key = message_photo_key(sender, message_id, image.content_type.extension)
        await self.store.put(key, image.data, image.content_type.value)
        return PhotoAttachment(key, image.content_type.value, image.width, image.height)

    async def discard(self, photo: PhotoAttachment) -> None:
        await self.store.delete(photo.key)


@dataclass(frozen=True, slots=True)
class GetMessagePhoto:
    """A fresh signed link to a photo message's picture, for the two members only:
    someone else's match is 404 ``match_not_found``, a closed conversation 404
    ``conversation_closed``, a message that is not a photo the member may see 404
    ``message_not_found``."""

    access: ConversationAccess
    reader: MessageReader
    links: AttachmentLinks

    async def __call__(
        self, principal: Principal, match_id: UUID, message_id: UUID
    ) -> AttachmentView:
        await readable_conversation(self.access, match_id, principal.user_id)
        message = await self.reader.get(message_id)
        if (
            message is None
            or message.match_id != match_id
            or message.attachment is None
            or not message.visible_to(principal.user_id)
        ):
            raise NotFound("No such photo in this conversation.", code="message_not_found")
        return await self.links.link(message.attachment)
