"""Photo upload, listing, deletion and ordering, through the fakes."""

from __future__ import annotations

from uuid import uuid4

import pytest

from saltbitter.application.ports.images import ModerationVerdict, ProcessedImage
from saltbitter.application.ports.profiles import PhotoRepository
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.profiles import topics
from saltbitter.application.profiles.events import PhotoDeleted, ProfileChanged
from saltbitter.application.profiles.photos import (
    DeletePhoto,
    DeletePhotoFile,
    ListMyPhotos,
    ReorderPhotos,
    UploadPhoto,
)
from saltbitter.domain.errors import Conflict, NotFound, ValidationFailed
from saltbitter.domain.profiles import MAX_PHOTO_BYTES, ImageType, PhotoId
from saltbitter.entrypoints.jobs import EVENT_HANDLERS
from saltbitter.testing.builders_profiles import a_photo
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_profiles import InMemoryPhotoModerator, ProfilesState

from .conftest import JPEG, ProfilesWorld

PNG = b"\x89PNG\r\n\x1a\n a small png"


async def test_an_upload_is_re_encoded_screened_stored_and_listed(world: ProfilesWorld) -> None:
    me = world.add_member()
    uploaded = await (await world.get(UploadPhoto))(me, JPEG)

    assert uploaded.position == 0
    assert (uploaded.width, uploaded.height) == (800, 1000)
    assert uploaded.content_type == "image/jpeg"
    assert world.store.fetch(uploaded.url) == (b"re-encoded:" + JPEG, "image/jpeg")
    assert [image.data for image in world.moderator.screened] == [b"re-encoded:" + JPEG]
    (photo,) = world.database[ProfilesState].photos.values()
    assert photo.id == uploaded.photo_id
    assert photo.user_id == me.user_id
    assert photo.storage_key == f"{me.user_id}/{uploaded.photo_id}.jpg"
    assert photo.size_bytes == len(b"re-encoded:" + JPEG)
    assert world.events(ProfileChanged) == [ProfileChanged(user_id=me.user_id)]
    assert await (await world.get(ListMyPhotos))(me) == [uploaded]


async def test_the_type_comes_from_the_bytes(world: ProfilesWorld) -> None:
    me = world.add_member()
    uploaded = await (await world.get(UploadPhoto))(me, PNG)
    assert uploaded.content_type == "image/png"
    assert world.database[ProfilesState].photos[uploaded.photo_id].storage_key.endswith(".png")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"GIF89a not accepted", "unsupported_image_type"),
        (b"%PDF-1.7 named photo.jpg", "unsupported_image_type"),
        (JPEG + b"\x00" * MAX_PHOTO_BYTES, "file_too_large"),
        (JPEG + b"corrupt", "invalid_image"),
    ],
)
async def test_unacceptable_files_are_refused_before_storing(
    world: ProfilesWorld, data: bytes, code: str
) -> None:
    me = world.add_member()
    with pytest.raises(ValidationFailed) as caught:
        await (await world.get(UploadPhoto))(me, data)
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", code)]
    assert world.store.blobs == {}
    assert world.database[ProfilesState].photos == {}
    assert world.events(ProfileChanged) == []


async def test_a_photo_refused_by_moderation_is_not_kept(world: ProfilesWorld) -> None:
    me = world.add_member()
    world.moderator.reject_with("image_too_small", "Use a bigger photo.")
    with pytest.raises(ValidationFailed) as caught:
        await (await world.get(UploadPhoto))(me, JPEG)
    assert [(e.field, e.code, e.message) for e in caught.value.errors] == [
        ("file", "image_too_small", "Use a bigger photo.")
    ]
    assert world.store.blobs == {}
    assert world.database[ProfilesState].photos == {}


async def test_six_photos_then_the_limit_before_any_image_work(world: ProfilesWorld) -> None:
    me = world.add_member()
    positions = [(await (await world.get(UploadPhoto))(me, JPEG)).position for _ in range(6)]
    assert positions == [0, 1, 2, 3, 4, 5]
    with pytest.raises(Conflict) as caught:
        await (await world.get(UploadPhoto))(me, JPEG)
    assert caught.value.code == "photo_limit_reached"
    assert world.processor.calls == 6
    assert len(world.store.blobs) == 6
    # Another member is not affected by my six.
    assert (await (await world.get(UploadPhoto))(world.add_member(), JPEG)).position == 0


class _RacingModerator(InMemoryPhotoModerator):
    """While this upload is screened, other uploads fill the member's remaining slots."""

    def __init__(self, world: ProfilesWorld) -> None:
        super().__init__()
        self.world = world

    async def screen(self, image: ProcessedImage) -> ModerationVerdict:
        async with self.world.container() as request:
            transaction = await request.get(Transaction)
            photos = await request.get(PhotoRepository)
            async with transaction:
                user_id = next(iter(self.world.database[AccountsState].users))
                for position in range(await photos.count_for(user_id), 6):
                    photos.add(a_photo(user_id, position))
                await transaction.commit()
        return await super().screen(image)


async def test_losing_a_race_for_the_last_slot_removes_the_stored_bytes(
    world: ProfilesWorld,
) -> None:
    me = world.add_member()
    world.moderator = _RacingModerator(world)
    with pytest.raises(Conflict) as caught:
        await (await world.get(UploadPhoto))(me, JPEG)
    assert caught.value.code == "photo_limit_reached"
    assert world.store.blobs == {}  # the bytes went in, and out again
    assert len(world.database[ProfilesState].photos) == 6


async def test_a_deleted_photo_leaves_a_gap_that_closes(world: ProfilesWorld) -> None:
    me = world.add_member()
    first, second, third = [await (await world.get(UploadPhoto))(me, JPEG) for _ in range(3)]
    await (await world.get(DeletePhoto))(me, second.photo_id)

    listed = await (await world.get(ListMyPhotos))(me)
    assert [(p.photo_id, p.position) for p in listed] == [
        (first.photo_id, 0),
        (third.photo_id, 1),
    ]
    (deleted,) = world.events(PhotoDeleted)
    key = f"{me.user_id}/{second.photo_id}.jpg"
    assert deleted == PhotoDeleted(user_id=me.user_id, photo_id=second.photo_id, storage_key=key)
    assert EVENT_HANDLERS.jobs_by_event[PhotoDeleted] == (topics.DELETE_PHOTO_FILE,)
    # The job removes the bytes; running it twice is harmless.
    assert key in world.store.blobs
    await (await world.get(DeletePhotoFile))(key)
    await (await world.get(DeletePhotoFile))(key)
    assert key not in world.store.blobs
    assert world.store.fetch(second.url) is None
    # The freed slot is used again.
    assert (await (await world.get(UploadPhoto))(me, JPEG)).position == 2


async def test_someone_elses_or_an_unknown_photo_cannot_be_deleted(world: ProfilesWorld) -> None:
    me, other = world.add_member(), world.add_member()
    theirs = await (await world.get(UploadPhoto))(other, JPEG)
    for photo_id in (theirs.photo_id, uuid4()):
        with pytest.raises(NotFound) as caught:
            await (await world.get(DeletePhoto))(me, photo_id)
        assert caught.value.code == "photo_not_found"
    assert [p.photo_id for p in await (await world.get(ListMyPhotos))(other)] == [theirs.photo_id]
    assert world.events(PhotoDeleted) == []


async def test_reordering_persists_and_announces(world: ProfilesWorld) -> None:
    me = world.add_member()
    photos = [await (await world.get(UploadPhoto))(me, JPEG) for _ in range(3)]
    wanted = [photos[2].photo_id, photos[0].photo_id, photos[1].photo_id]
    before = len(world.events(ProfileChanged))

    result = await (await world.get(ReorderPhotos))(me, wanted)

    assert [(p.photo_id, p.position) for p in result] == [(i, n) for n, i in enumerate(wanted)]
    assert [p.photo_id for p in await (await world.get(ListMyPhotos))(me)] == wanted
    assert len(world.events(ProfileChanged)) == before + 1
    # The same order again changes nothing and says nothing.
    await (await world.get(ReorderPhotos))(me, wanted)
    assert len(world.events(ProfileChanged)) == before + 1


async def test_reordering_needs_exactly_my_photos(world: ProfilesWorld) -> None:
    me, other = world.add_member(), world.add_member()
    mine = [(await (await world.get(UploadPhoto))(me, JPEG)).photo_id for _ in range(2)]
    theirs = (await (await world.get(UploadPhoto))(other, JPEG)).photo_id
    for wrong, code in (
        ([mine[0], theirs], "photo_ids_mismatch"),
        ([*mine, theirs], "photo_ids_mismatch"),
        ([mine[0]], "photo_ids_mismatch"),
        ([mine[0], mine[0]], "duplicate_photo"),
        ([mine[1], PhotoId(uuid4())], "photo_ids_mismatch"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await (await world.get(ReorderPhotos))(me, wrong)
        assert [(e.field, e.code) for e in caught.value.errors] == [("photo_ids", code)]
    assert [p.photo_id for p in await (await world.get(ListMyPhotos))(me)] == mine
    assert [p.photo_id for p in await (await world.get(ListMyPhotos))(other)] == [theirs]


async def test_listing_is_empty_without_photos(world: ProfilesWorld) -> None:
    assert await (await world.get(ListMyPhotos))(world.add_member()) == []


def test_processed_images_do_not_dump_their_bytes() -> None:
    image = ProcessedImage(b"x" * 5000, ImageType.JPEG, 10, 20)
    assert repr(image) == "ProcessedImage(image/jpeg, 10x20, 5000 bytes)"
