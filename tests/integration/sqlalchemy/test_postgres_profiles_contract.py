from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.profiles.dto import PhotoView
from saltbitter.application.profiles.photos import UploadPhoto
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.profiles import (
    PhotoRepositoryContract,
    ProfileRepositoryContract,
)
from saltbitter.testing.fakes_profiles import (
    InMemoryImageProcessor,
    InMemoryPhotoModerator,
    InMemoryPhotoStore,
)

pytestmark = pytest.mark.integration


class TestPostgresProfileRepository(ProfileRepositoryContract):
    @pytest.fixture
    def uow_factory(self, engine: AsyncEngine) -> UowFactory:
        return lambda: SqlaUnitOfWork(engine)


class TestPostgresPhotoRepository(PhotoRepositoryContract):
    @pytest.fixture
    def uow_factory(self, engine: AsyncEngine) -> UowFactory:
        return lambda: SqlaUnitOfWork(engine)


async def test_concurrent_uploads_never_make_a_seventh_photo(engine: AsyncEngine) -> None:
    """Ten uploads at once: the slot constraint, not a count, keeps the member at six."""
    user = a_user()
    async with SqlaUnitOfWork(engine) as uow:
        uow.users.add(user)
        await uow.commit()
    principal = Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)
    clock = SystemClock()
    store = InMemoryPhotoStore(clock)

    def upload() -> UploadPhoto:
        return UploadPhoto(
            SqlaUnitOfWork(engine),
            store,
            InMemoryImageProcessor(),
            InMemoryPhotoModerator(),
            clock,
            UuidIdGenerator(),
        )

    results = await asyncio.gather(
        *(upload()(principal, b"\xff\xd8\xff photo") for _ in range(10)),
        return_exceptions=True,
    )
    # Six win a slot (losers of a slot race try the next one); four find no room left.
    assert sum(isinstance(r, PhotoView) for r in results) == 6
    failures = [r for r in results if not isinstance(r, PhotoView)]
    assert [getattr(f, "code", f) for f in failures] == ["photo_limit_reached"] * 4
    async with SqlaUnitOfWork(engine) as uow:
        photos = await uow.photos.list_for(user.id)
    assert [photo.position for photo in photos] == list(range(6))
    # Every losing upload removed its bytes again: the store holds exactly the six.
    assert sorted(store.blobs) == sorted(photo.storage_key for photo in photos)
