"""Wiring of the profiles capability (issue 4): photo storage, image work, use cases."""

from __future__ import annotations

from datetime import timedelta

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.images import PillowImageProcessor
from saltbitter.adapters.photos import (
    LocalFolderPhotoStore,
    RuleBasedPhotoModerator,
    S3PhotoStore,
    s3_client,
)
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles import topics
from saltbitter.application.profiles.photos import (
    DeletePhoto,
    DeletePhotoFile,
    ListMyPhotos,
    ReorderPhotos,
    UploadPhoto,
)
from saltbitter.application.profiles.profile import GetMyProfile, GetPublicProfile, PutMyProfile
from saltbitter.application.profiles.views import PublicProfiles
from saltbitter.entrypoints.capabilities.base import Capability, Payload
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "PHOTO_FILES_PATH", "ProfilesProvider"]

PHOTO_FILES_PATH = "/api/v1/photo-files"
"""Where the API serves the local folder's photos (see ``http/profiles.py``)."""


class ProfilesProvider(Provider):
    """APP scope: the photo store and the image services; REQUEST scope: use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def photo_store(self, clock: Clock) -> PhotoStore:
        settings = self._settings
        ttl = timedelta(seconds=settings.photo_url_ttl_seconds)
        if settings.s3_bucket:
            client = s3_client(settings.s3_region, endpoint_url=settings.s3_endpoint_url)
            return S3PhotoStore(client, settings.s3_bucket, ttl=ttl)
        return LocalFolderPhotoStore(
            settings.photo_folder,
            settings.photo_signing_key(),
            clock,
            url_prefix=PHOTO_FILES_PATH,
            ttl=ttl,
        )

    image_processor = provide(PillowImageProcessor, provides=ImageProcessor, scope=Scope.APP)
    moderator = provide(RuleBasedPhotoModerator, provides=PhotoModerator, scope=Scope.APP)
    public_profiles = provide(PublicProfiles, scope=Scope.APP)

    use_cases = provide_all(
        PutMyProfile,
        GetMyProfile,
        GetPublicProfile,
        UploadPhoto,
        ListMyPhotos,
        DeletePhoto,
        ReorderPhotos,
        DeletePhotoFile,
        scope=Scope.REQUEST,
    )


async def _delete_photo_file(scope: AsyncContainer, payload: Payload) -> object:
    await (await scope.get(DeletePhotoFile))(str(payload["storage_key"]))
    return None


CAPABILITY = Capability(
    name="profiles",
    providers=lambda settings: [ProfilesProvider(settings)],
    jobs={topics.DELETE_PHOTO_FILE: _delete_photo_file},
)
