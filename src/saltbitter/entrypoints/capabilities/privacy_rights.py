"""Wiring of members' privacy rights (issue 12): data exports and the breach register.

The archive store is the photo store's kind with its own place and lifetime: a folder
of its own served by ``/api/v1/export-files`` in embedded mode, or the S3 bucket under
``exports/`` with presigned links; either way a link lives as long as the archive
(7 days, S3's longest presigned lifetime).
"""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.photos import LocalFolderPhotoStore, S3PhotoStore, s3_client
from saltbitter.adapters.sqlalchemy.privacy_rights import (
    SqlaBreachAudience,
    SqlaBreachLog,
    SqlaBreachMembers,
    SqlaBreachRegister,
    SqlaExportRequests,
    SqlaMemberContacts,
)
from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    ExportArchives,
    ExportRequests,
    MemberContacts,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.privacy import topics
from saltbitter.application.privacy.breaches import (
    BreachLogView,
    ListBreaches,
    NotifyBreachMembers,
    RecordAuthorityNotice,
    RecordBreach,
    SendBreachNotice,
)
from saltbitter.application.privacy.events import (
    BreachNoticeDue,
    DataExportReady,
    DataExportRequested,
)
from saltbitter.application.privacy.exports import (
    BuildDataExport,
    GetDataExport,
    RequestDataExport,
    SendDataExportReady,
)
from saltbitter.application.privacy.personal_data import PERSONAL_DATA as PRIVACY_PERSONAL_DATA
from saltbitter.domain.privacy.exports import ARCHIVE_LIFETIME
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "EXPORT_FILES_PATH", "PrivacyRightsProvider"]

EXPORT_FILES_PATH = "/api/v1/export-files"
"""Where the API serves the local folder's archives (see ``http/privacy.py``)."""


class PrivacyRightsProvider(Provider):
    """APP scope: the archive store; REQUEST scope: the ports on the request's connection
    and the use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def archives(self, clock: Clock) -> ExportArchives:
        settings = self._settings
        if settings.s3_bucket:
            client = s3_client(settings.s3_region, endpoint_url=settings.s3_endpoint_url)
            return S3PhotoStore(client, settings.s3_bucket, ttl=ARCHIVE_LIFETIME)
        return LocalFolderPhotoStore(
            settings.export_folder,
            settings.export_signing_key(),
            clock,
            url_prefix=EXPORT_FILES_PATH,
            ttl=ARCHIVE_LIFETIME,
        )

    requests = provide(SqlaExportRequests, provides=ExportRequests, scope=Scope.REQUEST)
    contacts = provide(SqlaMemberContacts, provides=MemberContacts, scope=Scope.REQUEST)
    audience = provide(SqlaBreachAudience, provides=BreachAudience, scope=Scope.REQUEST)
    register = provide(SqlaBreachRegister, provides=BreachRegister, scope=Scope.REQUEST)
    members = provide(SqlaBreachMembers, provides=BreachMembers, scope=Scope.REQUEST)
    log = provide(SqlaBreachLog, provides=BreachLog, scope=Scope.REQUEST)

    use_cases = provide_all(
        RequestDataExport,
        GetDataExport,
        BuildDataExport,
        SendDataExportReady,
        RecordBreach,
        ListBreaches,
        RecordAuthorityNotice,
        NotifyBreachMembers,
        SendBreachNotice,
        BreachLogView,
        scope=Scope.REQUEST,
    )


async def _build_export(scope: AsyncContainer, event: DataExportRequested) -> object:
    return await (await scope.get(BuildDataExport))(event.export_id)


async def _send_export_ready(scope: AsyncContainer, event: DataExportReady) -> object:
    return await (await scope.get(SendDataExportReady))(event.export_id)


async def _send_breach_notice(scope: AsyncContainer, event: BreachNoticeDue) -> object:
    return await (await scope.get(SendBreachNotice))(event.breach_id, event.user_id)


CAPABILITY = Capability(
    name="privacy",
    personal_data=PRIVACY_PERSONAL_DATA,
    providers=lambda settings: [PrivacyRightsProvider(settings)],
    events=(DataExportRequested, DataExportReady, BreachNoticeDue),
    handlers={
        DataExportRequested: (topics.BUILD_DATA_EXPORT,),
        DataExportReady: (topics.SEND_DATA_EXPORT_READY,),
        BreachNoticeDue: (topics.SEND_BREACH_NOTICE,),
    },
    jobs={
        topics.BUILD_DATA_EXPORT: Job(_build_export),
        topics.SEND_DATA_EXPORT_READY: Job(_send_export_ready),
        topics.SEND_BREACH_NOTICE: Job(_send_breach_notice),
    },
)
