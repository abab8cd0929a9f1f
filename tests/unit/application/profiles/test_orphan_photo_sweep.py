"""Photo bytes that no row names are swept once past the grace period, and only those."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from saltbitter.application.profiles.photos import (
    DeletePhoto,
    ListMyPhotos,
    OrphanSweepPolicy,
    SweepOrphanPhotoFiles,
    UploadPhoto,
)
from saltbitter.domain.profiles import ImageType, PhotoId, storage_key_for

from .conftest import JPEG, ProfilesWorld


async def test_old_orphans_go_young_ones_and_referenced_bytes_stay(world: ProfilesWorld) -> None:
    me = world.add_member()
    referenced = await (await world.get(UploadPhoto))(me, JPEG)
    deleted = await (await world.get(UploadPhoto))(me, JPEG)
    await (await world.get(DeletePhoto))(me, deleted.photo_id)  # its file job was lost, say
    # A crash between storing the bytes and committing the row leaves these behind.
    crashed = storage_key_for(me.user_id, PhotoId(uuid4()), ImageType.JPEG)
    await world.store.put(crashed, b"bytes", "image/jpeg")
    foreign = "exports/report.csv"  # not a photo key: never the sweeper's business
    await world.store.put(foreign, b"a,b", "text/csv")

    world.clock.advance(timedelta(minutes=61))
    in_flight = storage_key_for(me.user_id, PhotoId(uuid4()), ImageType.PNG)
    await world.store.put(in_flight, b"bytes", "image/png")  # an upload about to commit

    world.orphan_sweep_policy = OrphanSweepPolicy(grace=timedelta(hours=1))
    assert await (await world.get(SweepOrphanPhotoFiles))() == 2

    kept = {f"{me.user_id}/{referenced.photo_id}.jpg", in_flight, foreign}
    assert set(world.store.blobs) == kept
    assert (
        await (await world.get(SweepOrphanPhotoFiles))() == 0
    )  # nothing more to do: a repeat is harmless
    assert [p.photo_id for p in await (await world.get(ListMyPhotos))(me)] == [referenced.photo_id]


async def test_nothing_is_swept_within_the_grace_period(world: ProfilesWorld) -> None:
    me = world.add_member()
    orphan = storage_key_for(me.user_id, PhotoId(uuid4()), ImageType.WEBP)
    await world.store.put(orphan, b"bytes", "image/webp")
    world.clock.advance(timedelta(minutes=59))
    assert await (await world.get(SweepOrphanPhotoFiles))() == 0
    world.clock.advance(timedelta(minutes=2))
    assert await (await world.get(SweepOrphanPhotoFiles))() == 1
    assert world.store.blobs == {}


async def test_a_row_with_another_key_does_not_protect_these_bytes(world: ProfilesWorld) -> None:
    me = world.add_member()
    photo = await (await world.get(UploadPhoto))(me, JPEG)
    same_id_other_type = storage_key_for(me.user_id, PhotoId(photo.photo_id), ImageType.PNG)
    await world.store.put(same_id_other_type, b"bytes", "image/png")
    world.clock.advance(timedelta(hours=2))
    assert await (await world.get(SweepOrphanPhotoFiles))() == 1
    assert set(world.store.blobs) == {f"{me.user_id}/{photo.photo_id}.jpg"}
