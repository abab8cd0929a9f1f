"""The orphan sweep on the local folder: real files, aged by their modification time."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from saltbitter.adapters.photos import LocalFolderPhotoStore
from saltbitter.application.profiles.photos import OrphanSweepPolicy, SweepOrphanPhotoFiles
from saltbitter.domain.profiles import ImageType, PhotoId, storage_key_for
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_photo
from saltbitter.testing.fakes import InMemoryClock
from saltbitter.testing.fakes_profiles import InMemoryPhotoRepository
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction


def _age(path: Path, age: timedelta) -> None:
    then = (datetime.now(UTC) - age).timestamp()
    os.utime(path, (then, then))


async def test_old_orphan_files_go_young_ones_and_referenced_files_stay(tmp_path: Path) -> None:
    clock = InMemoryClock(datetime.now(UTC))
    root = tmp_path / "photos"
    store = LocalFolderPhotoStore(root, b"k" * 32, clock)
    database = InMemoryDatabase()
    member = UserId(uuid4())
    photo = a_photo(member)
    connection = InMemoryConnection(database)
    async with InMemoryTransaction(connection) as transaction:
        InMemoryPhotoRepository(connection).add(photo)
        await transaction.commit()
    orphan = storage_key_for(member, PhotoId(uuid4()), ImageType.JPEG)
    young = storage_key_for(member, PhotoId(uuid4()), ImageType.PNG)
    for key in (photo.storage_key, orphan, young):
        await store.put(key, b"bytes", "image/jpeg")
    _age(root.joinpath(*photo.storage_key.split("/")), timedelta(days=3))
    _age(root.joinpath(*orphan.split("/")), timedelta(hours=2))
    _age(root.joinpath(*young.split("/")), timedelta(minutes=30))
    (root / member.hex).mkdir()
    (root / member.hex / ".upload-interrupted").write_bytes(b"half")  # not a key: skipped

    job = InMemoryConnection(database)  # the job's own connection
    sweep = SweepOrphanPhotoFiles(
        InMemoryTransaction(job),
        InMemoryPhotoRepository(job),
        store,
        clock,
        OrphanSweepPolicy(timedelta(hours=1)),
    )
    assert await sweep() == 1

    assert await store.get(orphan) is None
    assert await store.get(young) == b"bytes"
    assert await store.get(photo.storage_key) == b"bytes"
    assert (root / member.hex / ".upload-interrupted").exists()
