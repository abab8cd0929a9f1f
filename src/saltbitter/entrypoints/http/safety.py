"""Safety over HTTP under /api/v1 (issue 10): blocks, reports, date check-ins, panic."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from saltbitter.application.safety.blocks import BlockMember, ListBlocks, UnblockMember
from saltbitter.application.safety.checkins import (
    ConfirmCheckIn,
    ListCheckIns,
    RaisePanic,
    ScheduleCheckIn,
)
from saltbitter.application.safety.reports import ReportCommand, ReportMember
from saltbitter.application.safety.views import (
    BlocksPage,
    BlockView,
    CheckInsPage,
    CheckInView,
    ReportView,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.safety import MAX_DETAILS, MIN_DETAILS, ReportReason
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN, documented

__all__ = [
    "ROUTES",
    "AlertRequest",
    "BlockRequest",
    "BlocksController",
    "CheckInRequest",
    "CheckInsController",
    "ReportRequest",
    "ReportsController",
]

Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        pattern=CURSOR_PATTERN,
        required=False,
        description="The next_cursor of the previous page (omit for the first page).",
    ),
]


class BlockRequest(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID


class ReportRequest(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID
    reason: Annotated[
        str,
        msgspec.Meta(max_length=64, description="Why you report the member"),
        documented(enum=[reason.value for reason in ReportReason]),
    ]
    details: Annotated[
        str,
        msgspec.Meta(max_length=4000, description="10 to 1000 characters (trimmed)"),
        documented(min_length=MIN_DETAILS, max_length=MAX_DETAILS),
    ]
    message_id: UUID | None = None
    block: Annotated[bool, msgspec.Meta(description="Also block the member (default true)")] = True


class Contact(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=400)]
    email: Annotated[str, msgspec.Meta(max_length=320, examples=["friend@example.org"])]


class CheckInRequest(msgspec.Struct, forbid_unknown_fields=True):
    match_id: UUID
    starts_at: Annotated[datetime, msgspec.Meta(tz=True)]
    check_in_by: Annotated[
        datetime,
        msgspec.Meta(tz=True, description="After starts_at, within 24 hours of it"),
    ]
    contact: Contact


class AlertRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The place you choose to share, if any (both coordinates or neither)."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class AlertSent(msgspec.Struct):
    check_in_id: UUID
    status: str = "sent"


class BlocksController(Controller):
    path = "/blocks"
    tags = ["safety"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Block a member: you disappear from each other everywhere, at once",
        description=(
            "201 for a new block; blocking the same member again answers 200 with the "
            "same block. Blocking yourself is `cannot_block_self` (422)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def block(
        self,
        data: JSONBody[BlockRequest],
        principal: FromDishka[Principal],
        block_member: FromDishka[BlockMember],
    ) -> Response[BlockView]:
        view, created = await block_member(principal, UserId(data.user_id))
        return Response(view, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @delete(
        "/{user_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Unblock a member you blocked",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def unblock(
        self,
        user_id: FromPath[UUID],
        principal: FromDishka[Principal],
        unblock_member: FromDishka[UnblockMember],
    ) -> None:
        await unblock_member(principal, UserId(user_id))

    @get(
        "/",
        summary="The members you blocked, newest first (20 a page)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def list_blocks(
        self,
        principal: FromDishka[Principal],
        list_blocks: FromDishka[ListBlocks],
        cursor: Cursor = None,
    ) -> BlocksPage:
        return await list_blocks(principal, cursor)


class ReportsController(Controller):
    path = "/reports"
    tags = ["safety"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Report a member to the moderators (and block them unless block=false)",
        description=(
            "Reporting yourself is `cannot_report_self` (422); a second open report on "
            "the same member is `report_exists` (409)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def report(
        self,
        data: JSONBody[ReportRequest],
        principal: FromDishka[Principal],
        report_member: FromDishka[ReportMember],
    ) -> ReportView:
        command = ReportCommand(
            UserId(data.user_id), data.reason, data.details, data.message_id, data.block
        )
        return await report_member(principal, command)


class CheckInsController(Controller):
    path = "/safety"
    tags = ["safety"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/checkins",
        status_code=HTTP_201_CREATED,
        summary="Schedule a date check-in with a trusted contact",
        description=(
            "If you do not confirm by `check_in_by`, your contact is emailed (once). "
            "The match must be one of your active matches. The contact's details are "
            "deleted 7 days after the check-in time."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def schedule_check_in(
        self,
        data: JSONBody[CheckInRequest],
        principal: FromDishka[Principal],
        schedule: FromDishka[ScheduleCheckIn],
    ) -> CheckInView:
        return await schedule(
            principal,
            match_id=data.match_id,
            starts_at=data.starts_at,
            check_in_by=data.check_in_by,
            contact_name=data.contact.name,
            contact_email=data.contact.email,
        )

    @post(
        "/checkins/{check_in_id:uuid}/ok",
        status_code=HTTP_200_OK,
        summary="Check in: you are fine, no alert goes out",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def confirm_check_in(
        self,
        check_in_id: FromPath[UUID],
        principal: FromDishka[Principal],
        confirm: FromDishka[ConfirmCheckIn],
    ) -> CheckInView:
        return await confirm(principal, check_in_id)

    @get(
        "/checkins",
        summary="Your date check-ins, newest first",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def list_check_ins(
        self, principal: FromDishka[Principal], list_check_ins: FromDishka[ListCheckIns]
    ) -> CheckInsPage:
        return await list_check_ins(principal)

    @post(
        "/alerts",
        status_code=HTTP_201_CREATED,
        summary="Panic: alert the contact of your check-in now",
        description="Optionally with the place you choose to share (both lat and lon).",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def raise_alert(
        self,
        data: JSONBody[AlertRequest],
        principal: FromDishka[Principal],
        raise_panic: FromDishka[RaisePanic],
    ) -> AlertSent:
        return AlertSent(await raise_panic(principal, data.lat, data.lon))


ROUTES: list[type[Controller]] = [BlocksController, ReportsController, CheckInsController]
