"""Wiring of the profiles capability (issue 4): photo storage, image work, use cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.images import PillowImageProcessor
from saltbitter.adapters.photos import (
    CloudFrontSignedPhotoLinks,
    LocalFolderPhotoStore,
    RuleBasedPhotoModerator,
    S3PhotoStore,
    cloudfront_url_signer,
    s3_client,
)
from saltbitter.adapters.sqlalchemy.profile_blocks import SqlaProfileBlocks
from saltbitter.adapters.sqlalchemy.profiles import (
    SqlaAssessmentCompletion,
    SqlaPhotoRepository,
    SqlaProfileMembers,
    SqlaProfileRepository,
)
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileBlocks,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles import topics
from saltbitter.application.profiles.events import PhotoDeleted, ProfileChanged
from saltbitter.application.profiles.personal_data import PERSONAL_DATA as PROFILES_PERSONAL_DATA
from saltbitter.application.profiles.photos import (
    DeletePhoto,
    DeletePhotoFile,
    ListMyPhotos,
    OrphanSweepPolicy,
    ReorderPhotos,
    SweepOrphanPhotoFiles,
    UploadPhoto,
)
from saltbitter.application.profiles.profile import GetMyProfile, GetPublicProfile, PutMyProfile
from saltbitter.application.profiles.views import PublicProfiles
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = [
    "CAPABILITY",
    "ORPHAN_SWEEP_SECONDS",
    "PHOTO_FILES_PATH",
    "S3_PHOTO_PREFIX",
    "ProfilesProvider",
]

ORPHAN_SWEEP_SECONDS = 3600.0
"""How often orphaned photo bytes are looked for (hourly is plenty: they only cost disk)."""

PHOTO_FILES_PATH = "/api/v1/photo-files"
"""Where the API serves the local folder's photos (see ``http/profiles.py``)."""


S3_PHOTO_PREFIX = "photos/"
"""Where photos (profile and message pictures) live in the bucket: the only prefix the
photo CDN may read, so it can never serve an export archive (``exports/``; ADR 0038)."""


class ProfilesProvider(Provider):
    """APP scope: the photo store and the image services; REQUEST scope: the ports on the
    request's connection and the use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def photo_store(self, clock: Clock) -> PhotoStore:
        settings = self._settings
        ttl = timedelta(seconds=settings.photo_url_ttl_seconds)
        if settings.s3_bucket:
            client = s3_client(settings.s3_region, endpoint_url=settings.s3_endpoint_url)
            store = S3PhotoStore(client, settings.s3_bucket, ttl=ttl, prefix=S3_PHOTO_PREFIX)
            if not settings.uses_cdn:
                return store
            # The distribution's origin path is the prefix, so a CDN URL names the key.
            return CloudFrontSignedPhotoLinks(
                store,
                base_url=str(settings.cdn_base_url),
                sign=cloudfront_url_signer(
                    str(settings.cdn_key_pair_id), str(settings.cdn_private_key)
                ),
                ttl=ttl,
                clock=clock,
            )
        return LocalFolderPhotoStore(
            settings.photo_folder,
            settings.photo_signing_key(),
            clock,
            url_prefix=PHOTO_FILES_PATH,
            ttl=ttl,
        )

    @provide(scope=Scope.APP)
    def image_processor(self) -> Iterator[ImageProcessor]:
        processor = PillowImageProcessor(
            workers=self._settings.image_workers, pool=self._settings.image_pool
        )
        yield processor
        processor.close()

    @provide(scope=Scope.APP)
    def orphan_sweep_policy(self) -> OrphanSweepPolicy:
        return OrphanSweepPolicy(timedelta(seconds=self._settings.orphan_photo_grace_seconds))

    moderator = provide(RuleBasedPhotoModerator, provides=PhotoModerator, scope=Scope.APP)

    profiles = provide(SqlaProfileRepository, provides=ProfileRepository, scope=Scope.REQUEST)
    photos = provide(SqlaPhotoRepository, provides=PhotoRepository, scope=Scope.REQUEST)
    members = provide(SqlaProfileMembers, provides=ProfileMembers, scope=Scope.REQUEST)
    completion = provide(
        SqlaAssessmentCompletion, provides=AssessmentCompletion, scope=Scope.REQUEST
    )
    blocks = provide(SqlaProfileBlocks, provides=ProfileBlocks, scope=Scope.REQUEST)
    public_profiles = provide(PublicProfiles, scope=Scope.REQUEST)

    use_cases = provide_all(
        PutMyProfile,
        GetMyProfile,
        GetPublicProfile,
        UploadPhoto,
        ListMyPhotos,
        DeletePhoto,
        ReorderPhotos,
        DeletePhotoFile,
        SweepOrphanPhotoFiles,
        scope=Scope.REQUEST,
    )


async def _delete_photo_file(scope: AsyncContainer, event: PhotoDeleted) -> object:
    await (await scope.get(DeletePhotoFile))(event.storage_key)
    return None


async def _sweep_orphan_photo_files(scope: AsyncContainer, _: None) -> object:
    return {"removed": await (await scope.get(SweepOrphanPhotoFiles))()}


CAPABILITY = Capability(
    name="profiles",
    personal_data=PROFILES_PERSONAL_DATA,
    providers=lambda settings: [ProfilesProvider(settings)],
    events=(ProfileChanged, PhotoDeleted),
    handlers={PhotoDeleted: (topics.DELETE_PHOTO_FILE,)},
    jobs={
        topics.DELETE_PHOTO_FILE: Job(_delete_photo_file),
        topics.SWEEP_ORPHAN_PHOTO_FILES: Job(_sweep_orphan_photo_files),
    },
    beat_schedule={
        "profiles-sweep-orphan-photo-files-hourly": {
            "task": topics.SWEEP_ORPHAN_PHOTO_FILES,
            "schedule": ORPHAN_SWEEP_SECONDS,
        }
    },
)
