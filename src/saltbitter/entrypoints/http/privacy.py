"""HTTP routes of members' privacy rights under /api/v1 (issue 12): data exports, and
the route that serves the local folder's archives by signed link (embedded mode; with
S3, links are presigned S3 URLs and this route answers 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get, post
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from saltbitter.adapters.photos import LocalFolderPhotoStore
from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.ports.privacy_rights import ExportArchives
from saltbitter.application.ports.system import Clock
from saltbitter.application.privacy.exports import GetDataExport, RequestDataExport
from saltbitter.domain.errors import NotFound, PermissionDenied
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors

__all__ = ["ROUTES", "DataExportController", "ExportFilesController"]


class DataExportRequested(msgspec.Struct):
    request_id: UUID


class DataExportStatus(msgspec.Struct):
    request_id: UUID
    status: Annotated[str, msgspec.Meta(description="pending, ready or failed")]
    url: Annotated[
        str | None,
        msgspec.Meta(description="While ready: a signed link to the ZIP, valid until expires_at"),
    ]
    expires_at: datetime | None


@dataclass
class ArchiveFileOperation(Operation):
    """Documents the ZIP bytes the signed-link route answers with (not JSON)."""

    def __post_init__(self) -> None:
        archive = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        (self.responses or {})["200"] = OpenAPIResponse(
            description="The member's data export archive",
            content={"application/zip": OpenAPIMediaType(schema=archive)},
        )


class DataExportController(Controller):
    path = "/me/data-export"
    tags = ["privacy"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_202_ACCEPTED,
        summary="Ask for a copy of all the caller's data (one per 24 hours)",
        description=(
            "A job builds one ZIP: a JSON file per area of the product, the caller's "
            "photo files and a README.md describing each file. The caller gets an email "
            "when it is ready. A second request within 24 hours answers 429 "
            "`export_rate_limited` with Retry-After. A member whose account awaits "
            "deletion may still ask, and fetch the archive, until the erasure."
        ),
        security=BEARER,
        # The right of access lasts through the deletion grace period (ADR 0031).
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, 429),
    )
    async def request_export(
        self, owner: FromDishka[AccountOwner], start_export: FromDishka[RequestDataExport]
    ) -> DataExportRequested:
        return DataExportRequested(await start_export(owner.principal))

    @get(
        "/{request_id:uuid}",
        summary="The status of one of the caller's data exports (anyone else's: 404)",
        description="While ready and not expired, `url` is a signed link valid 7 days.",
        security=BEARER,
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def export_status(
        self,
        request_id: FromPath[UUID],
        owner: FromDishka[AccountOwner],
        get_export: FromDishka[GetDataExport],
    ) -> DataExportStatus:
        view = await get_export(owner.principal, request_id)
        return DataExportStatus(view.request_id, view.status.value, view.url, view.expires_at)


class ExportFilesController(Controller):
    """Serves the local archive folder to holders of a valid signed link (no bearer
    token: the signature is the permission, as with S3's presigned URLs)."""

    path = "/export-files"
    tags = ["privacy"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/{key:path}",
        summary="A data export archive by signed link (embedded mode's stand-in for S3)",
        operation_class=ArchiveFileOperation,
        responses=documented_errors(403, 404, LIMITED),
    )
    async def archive_file(
        self,
        key: FromPath[str],
        expires: FromQuery[int],
        signature: Annotated[str, QueryParameter(max_length=128)],
        store: FromDishka[ExportArchives],
        clock: FromDishka[Clock],
    ) -> Response[bytes]:
        if not isinstance(store, LocalFolderPhotoStore):
            raise NotFound("Archives are served from the archive store.", code="export_not_found")
        try:
            archive = await store.read_signed(key.lstrip("/"), expires, signature)
        except NotFound:
            raise NotFound(
                "No such archive, or the link is not valid.", code="export_not_found"
            ) from None
        except PermissionDenied:
            raise PermissionDenied(
                "This download link has expired; ask for a new export.",
                code="export_link_expired",
            ) from None
        remaining = max(0, archive.expires_at - int(clock.now().timestamp()))
        name = key.rsplit("/", 1)[-1]
        return Response(
            archive.data,
            media_type="application/zip",
            headers={
                "cache-control": f"private, max-age={remaining}",
                "content-disposition": f'attachment; filename="saltbitter-data-{name}"',
                "x-content-type-options": "nosniff",
            },
        )


ROUTES: list[type[Controller]] = [DataExportController, ExportFilesController]
