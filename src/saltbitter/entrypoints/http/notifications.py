"""HTTP routes of the notifications capability under /api/v1 (issue 4)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from saltbitter.application.notifications.dto import MarkedRead, NotificationPage
from saltbitter.application.notifications.inbox import ListNotifications, MarkNotificationsRead
from saltbitter.application.shared.identity import Principal
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN

__all__ = ["ROUTES", "NotificationsController"]


class MarkReadRequest(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[UUID]


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The caller's notifications, newest first, 20 per page",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def list_notifications(
        self,
        principal: FromDishka[Principal],
        list_notifications: FromDishka[ListNotifications],
        cursor: Annotated[
            str | None,
            QueryParameter(
                max_length=200, pattern=CURSOR_PATTERN, description="next_cursor of a page"
            ),
        ] = None,
    ) -> NotificationPage:
        return await list_notifications(principal, cursor)

    @post(
        "/read",
        status_code=HTTP_200_OK,
        summary="Mark notifications read; ids that are not the caller's are ignored",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def mark_read(
        self,
        data: JSONBody[MarkReadRequest],
        principal: FromDishka[Principal],
        mark_read: FromDishka[MarkNotificationsRead],
    ) -> MarkedRead:
        return await mark_read(principal, data.ids)


ROUTES: list[type[Controller]] = [NotificationsController]
