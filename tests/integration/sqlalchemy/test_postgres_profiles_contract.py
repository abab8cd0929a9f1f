from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.profiles import SqlaPhotoRepository
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.profiles.dto import PhotoView
from saltbitter.application.profiles.photos import UploadPhoto
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.profiles import (
    AssessmentCompletionContract,
    PhotoRepositoryContract,
    ProfileBlocksContract,
    ProfileMembersContract,
    ProfileRepositoryContract,
)
from saltbitter.testing.contracts.scopes import RequestScope
from saltbitter.testing.fakes_profiles import (
    InMemoryImageProcessor,
    InMemoryPhotoModerator,
    InMemoryPhotoStore,
)
from support.scopes import sql_request_scope

pytestmark = pytest.mark.integration


class _Postgres:
    @pytest.fixture
    def request_scope(self, engine: AsyncEngine) -> RequestScope:
        return sql_request_scope(engine)


class TestPostgresProfileRepository(_Postgres, ProfileRepositoryContract):
    pass


class TestPostgresPhotoRepository(_Postgres, PhotoRepositoryContract):
    pass


class TestPostgresProfileMembers(_Postgres, ProfileMembersContract):
    pass


class TestPostgresAssessmentCompletion(_Postgres, AssessmentCompletionContract):
    pass


class TestPostgresProfileBlocks(_Postgres, ProfileBlocksContract):
    pass


class _Uploads(Provider):
    """The engine under test, and image services that do not look at pixels."""

    scope = Scope.APP

    def __init__(self, engine: AsyncEngine, store: PhotoStore) -> None:
        super().__init__()
        self._engine = engine
        self._store = store

    @provide(override=True)
    def engine(self) -> AsyncEngine:
        return self._engine

    @provide(override=True)
    def store(self) -> PhotoStore:
        return self._store

    @provide(override=True)
    def processor(self) -> ImageProcessor:
        return InMemoryImageProcessor()

    @provide(override=True)
    def moderator(self) -> PhotoModerator:
        return InMemoryPhotoModerator()


async def test_concurrent_uploads_never_make_a_seventh_photo(engine: AsyncEngine) -> None:
    """Ten uploads at once: the slot constraint, not a count, keeps the member at six."""
    user = a_user()
    db = StagedConnection(engine)
    try:
        async with SqlaTransaction(db) as transaction:
            SqlaUserRepository(db).add(user)
            await transaction.commit()
    finally:
        await db.close()
    principal = Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)
    store = InMemoryPhotoStore(SystemClock())
    container = make_container(Settings(), _Uploads(engine, store))

    async def upload() -> PhotoView:
        async with container() as request:  # each upload is its own request
            return await (await request.get(UploadPhoto))(principal, b"\xff\xd8\xff photo")

    results = await asyncio.gather(*(upload() for _ in range(10)), return_exceptions=True)
    # Six win a slot (losers of a slot race try the next one); four find no room left.
    assert sum(isinstance(r, PhotoView) for r in results) == 6
    failures = [r for r in results if not isinstance(r, PhotoView)]
    assert [getattr(f, "code", f) for f in failures] == ["photo_limit_reached"] * 4
    db = StagedConnection(engine)
    try:
        photos = await SqlaPhotoRepository(db).list_for(user.id)
    finally:
        await db.close()
    assert [photo.position for photo in photos] == list(range(6))
    # Every losing upload removed its bytes again: the store holds exactly the six.
    assert sorted(store.blobs) == sorted(photo.storage_key for photo in photos)
    await container.close()
