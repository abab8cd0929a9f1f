"""Profile photos: what may be uploaded, how many, and their order (docs/product-rules.md 3).

The file type is decided by the first bytes (magic numbers), never by the file name or
the declared content type, which the client controls. The bytes themselves live in a
photo store under ``storage_key``; the domain only keeps what describes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import NewType
from uuid import UUID

from saltbitter.domain.errors import Conflict, FieldError, ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = [
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "ImageType",
    "ModerationStatus",
    "Photo",
    "PhotoId",
    "check_upload",
    "compacted",
    "ensure_room_for_photo",
    "photo_id_in_storage_key",
    "reordered",
    "sniff_image_type",
    "storage_key_for",
]

PhotoId = NewType("PhotoId", UUID)

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
"""10 MiB: the largest upload accepted, before re-encoding."""


class ImageType(StrEnum):
    """Accepted image formats, by their media type."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]


_EXTENSIONS = {ImageType.JPEG: "jpg", ImageType.PNG: "png", ImageType.WEBP: "webp"}


class ModerationStatus(StrEnum):
    """Photos rejected by moderation are never stored, so stored ones are approved.

    ``pending`` is reserved for a moderation service that answers later.
    """

    APPROVED = "approved"
    PENDING = "pending"


def sniff_image_type(data: bytes) -> ImageType | None:
    """The image format the leading bytes announce, or None when not an accepted one."""
    if data.startswith(b"\xff\xd8\xff"):
        return ImageType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageType.PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageType.WEBP
    return None


def check_upload(data: bytes) -> ImageType:
    """The upload's image type; ``ValidationFailed`` on field ``file`` when unacceptable."""
    if not data:
        raise ValidationFailed.single("file", "The file is empty.", "empty_file")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed.single("file", "Photos may be at most 10 MB.", "file_too_large")
    image_type = sniff_image_type(data)
    if image_type is None:
        raise ValidationFailed.single(
            "file", "Upload a JPEG, PNG or WebP image.", "unsupported_image_type"
        )
    return image_type


def ensure_room_for_photo(photo_count: int) -> None:
    if photo_count >= MAX_PHOTOS:
        raise Conflict(
            f"A profile holds at most {MAX_PHOTOS} photos; delete one first.",
            code="photo_limit_reached",
        )


def storage_key_for(user_id: UserId, photo_id: PhotoId, image_type: ImageType) -> str:
    """Where a photo's bytes live: one folder (prefix) per member, so erasure is simple."""
    return f"{user_id}/{photo_id}.{image_type.extension}"


def photo_id_in_storage_key(key: str) -> PhotoId | None:
    """The photo id in a key that ``storage_key_for`` made; None for any other key."""
    folder, _, name = key.partition("/")
    stem, _, extension = name.rpartition(".")
    if extension not in _EXTENSIONS.values():
        return None
    try:
        user_id, photo_id = UUID(folder), UUID(stem)
    except ValueError:
        return None
    if f"{user_id}/{photo_id}.{extension}" != key:  # only the canonical spelling
        return None
    return PhotoId(photo_id)


@dataclass(frozen=True, slots=True)
class Photo:
    """One stored, re-encoded profile photo. ``position`` 0 is the main photo."""

    id: PhotoId
    user_id: UserId
    position: int
    storage_key: str
    content_type: ImageType
    width: int
    height: int
    size_bytes: int
    moderation: ModerationStatus
    created_at: datetime

    def __post_init__(self) -> None:
        if not 0 <= self.position < MAX_PHOTOS:
            raise ValueError(f"photo positions run from 0 to {MAX_PHOTOS - 1}")
        if self.width < 1 or self.height < 1 or self.size_bytes < 1:
            raise ValueError("a photo has a positive size")


def compacted(photos: Sequence[Photo]) -> list[Photo]:
    """The photos in their current order, renumbered 0, 1, 2... without gaps."""
    ordered = sorted(photos, key=lambda photo: photo.position)
    return [replace(photo, position=index) for index, photo in enumerate(ordered)]


def reordered(photos: Sequence[Photo], photo_ids: Sequence[UUID]) -> list[Photo]:
    """``photos`` in the order of ``photo_ids``, which must name each of them exactly once.

    Unknown ids and other members' ids get the same answer, so the order endpoint does
    not reveal which photo ids exist.
    """
    if len(set(photo_ids)) != len(photo_ids):
        raise ValidationFailed.single(
            "photo_ids", "Each photo may appear only once.", "duplicate_photo"
        )
    by_id = {photo.id: photo for photo in photos}
    if set(photo_ids) != set(by_id):
        raise ValidationFailed(
            [
                FieldError(
                    "photo_ids",
                    "List exactly the ids of your own photos, each once.",
                    "photo_ids_mismatch",
                )
            ]
        )
    return [
        replace(by_id[PhotoId(photo_id)], position=index)
        for index, photo_id in enumerate(photo_ids)
    ]
