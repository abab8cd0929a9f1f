"""Profile photos: upload, list, delete, reorder (docs/product-rules.md 3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator, ProcessedImage
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.profiles import PhotoRepository
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.profiles.dto import PhotoView
from saltbitter.application.profiles.events import PhotoDeleted, ProfileChanged
from saltbitter.application.profiles.views import photo_views
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, NotFound, ValidationFailed
from saltbitter.domain.profiles import (
    MAX_PHOTOS,
    ModerationStatus,
    Photo,
    PhotoId,
    check_upload,
    compacted,
    ensure_room_for_photo,
    photo_id_in_storage_key,
    reordered,
    storage_key_for,
)
from saltbitter.domain.shared import UserId

__all__ = [
    "DeletePhoto",
    "DeletePhotoFile",
    "ListMyPhotos",
    "OrphanSweepPolicy",
    "ReorderPhotos",
    "SweepOrphanPhotoFiles",
    "UploadPhoto",
]


def _changed(user_id: UserId) -> ProfileChanged:
    return ProfileChanged(user_id=user_id)


def _free_position(photos: Sequence[Photo]) -> int:
    taken = {photo.position for photo in photos}
    return min(position for position in range(MAX_PHOTOS) if position not in taken)


@dataclass(frozen=True, slots=True)
class UploadPhoto:
    """Add a photo: a JPEG, PNG or WebP (by its bytes) of at most 10 MB, at most 6 per
    member, re-encoded without metadata (EXIF, GPS), screened by moderation, then stored.

    The bytes are stored before the row is committed, and removed again if the commit
    fails, so a row never points at missing bytes. Decoding happens outside any
    transaction: no database connection waits on image work. The database caps a member
    at six slots, so concurrent uploads can never make a seventh photo.
    """

    transaction: Transaction
    photos: PhotoRepository
    outbox: Outbox
    store: PhotoStore
    processor: ImageProcessor
    moderator: PhotoModerator
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal, data: bytes) -> PhotoView:
        user_id = principal.user_id
        image_type = check_upload(data)
        async with self.transaction:  # fail fast before the expensive part
            ensure_room_for_photo(await self.photos.count_for(user_id))
        image = await self.processor.normalise(data, image_type)
        verdict = await self.moderator.screen(image)
        if not verdict.approved:
            raise ValidationFailed.single(
                "file", verdict.reason or "This photo cannot be used.", verdict.code
            )
        photo_id = PhotoId(self.ids.new_id())
        key = storage_key_for(user_id, photo_id, image.content_type)
        await self.store.put(key, image.data, image.content_type.value)
        try:
            photo = await self._record(user_id, photo_id, key, image)
        except Exception:
            await self.store.delete(key)  # nothing refers to these bytes
            raise
        return PhotoView.of(photo, await self.store.signed_url(key))

    async def _record(
        self, user_id: UserId, photo_id: PhotoId, key: str, image: ProcessedImage
    ) -> Photo:
        # Concurrent uploads of one member may pick the same free slot; the database's
        # unique (member, slot) lets one win and the others try again with what is now
        # committed. Each lost attempt means another photo was committed, so after six
        # losses the next attempt sees the limit: seven attempts always settle it.
        attempts = MAX_PHOTOS + 1
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction:
                    photos = await self.photos.list_for(user_id)
                    ensure_room_for_photo(len(photos))  # again: another upload may have won
                    photo = Photo(
                        id=photo_id,
                        user_id=user_id,
                        position=_free_position(photos),
                        storage_key=key,
                        content_type=image.content_type,
                        width=image.width,
                        height=image.height,
                        size_bytes=len(image.data),
                        moderation=ModerationStatus.APPROVED,
                        created_at=self.clock.now(),
                    )
                    self.photos.add(photo)
                    self.outbox.add(_changed(user_id))
                    await self.transaction.commit()
            except Conflict as conflict:
                if conflict.code != "photo_slot_taken" or attempt == attempts:
                    raise
            else:
                return photo
        raise AssertionError("unreachable: the last attempt returns or raises")


@dataclass(frozen=True, slots=True)
class ListMyPhotos:
    """The caller's photos, main photo first, each with a fresh signed URL."""

    photos: PhotoRepository
    store: PhotoStore

    async def __call__(self, principal: Principal) -> list[PhotoView]:
        photos = await self.photos.list_for(principal.user_id)
        return await photo_views(self.store, photos)


@dataclass(frozen=True, slots=True)
class DeletePhoto:
    """Delete one of the caller's photos (anyone else's id: 404); the others close ranks.

    The bytes are removed by the ``profiles.delete_photo_file`` job after the commit,
    which a worker retries until the store confirms.
    """

    transaction: Transaction
    photos: PhotoRepository
    outbox: Outbox

    async def __call__(self, principal: Principal, photo_id: UUID) -> None:
        user_id = principal.user_id
        async with self.transaction:
            photos = await self.photos.list_for(user_id)
            doomed = next((photo for photo in photos if photo.id == photo_id), None)
            if doomed is None:
                raise NotFound("No such photo.", code="photo_not_found")
            await self.photos.delete(doomed.id)
            remaining = [photo for photo in photos if photo.id != doomed.id]
            renumbered = compacted(remaining)
            if [p.position for p in renumbered] != [p.position for p in remaining]:
                await self.photos.save_order(user_id, [photo.id for photo in renumbered])
            self.outbox.add(
                PhotoDeleted(user_id=user_id, photo_id=doomed.id, storage_key=doomed.storage_key)
            )
            self.outbox.add(_changed(user_id))
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class DeletePhotoFile:
    """Job for ``profiles.photo_deleted``: remove the bytes; repeating it is harmless."""

    store: PhotoStore

    async def __call__(self, storage_key: str) -> None:
        await self.store.delete(storage_key)


@dataclass(frozen=True, slots=True)
class OrphanSweepPolicy:
    grace: timedelta = timedelta(hours=1)
    """How old a blob without a row must be before it goes: far longer than any upload
    takes between storing its bytes and committing its row."""


@dataclass(frozen=True, slots=True)
class SweepOrphanPhotoFiles:
    """Periodic job: remove photo bytes that no photo row names, once older than the grace.

    ``UploadPhoto`` stores bytes before it commits the row and removes them if the commit
    fails, but a crash in between leaves them behind; so does a lost
    ``profiles.delete_photo_file`` job. Keys that ``storage_key_for`` did not make are
    never touched. Returns how many blobs were removed.
    """

    transaction: Transaction
    photos: PhotoRepository
    store: PhotoStore
    clock: Clock
    policy: OrphanSweepPolicy

    async def __call__(self) -> int:
        cutoff = self.clock.now() - self.policy.grace
        removed = 0
        async for page in self.store.list_blobs():
            aged = {
                photo_id: blob.key
                for blob in page
                if blob.modified_at < cutoff
                and (photo_id := photo_id_in_storage_key(blob.key)) is not None
            }
            if not aged:
                continue
            async with self.transaction:  # short: no transaction waits on the store
                in_use = await self.photos.storage_keys(aged.keys())
            for key in aged.values():
                if key not in in_use:
                    await self.store.delete(key)
                    removed += 1
        return removed


@dataclass(frozen=True, slots=True)
class ReorderPhotos:
    """Put the caller's photos in the given order; the list must name exactly their
    photos, each once (unknown and other members' ids get the same 422)."""

    transaction: Transaction
    photos: PhotoRepository
    outbox: Outbox
    store: PhotoStore

    async def __call__(self, principal: Principal, photo_ids: Sequence[UUID]) -> list[PhotoView]:
        user_id = principal.user_id
        async with self.transaction:
            photos = await self.photos.list_for(user_id)
            ordered = reordered(photos, photo_ids)
            if [photo.id for photo in ordered] != [photo.id for photo in photos]:
                await self.photos.save_order(user_id, [photo.id for photo in ordered])
                self.outbox.add(_changed(user_id))
                await self.transaction.commit()
        return await photo_views(self.store, ordered)
